-- revision: flag4
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD CONSTRAINT big_price_nn CHECK (price IS NOT NULL) NOT VALID;
ALTER TABLE big ALTER COLUMN price SET NOT NULL;
