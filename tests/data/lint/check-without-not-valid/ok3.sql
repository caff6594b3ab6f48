-- revision: ok3
-- down_revision: p0001

-- +upgrade
ALTER TABLE big VALIDATE CONSTRAINT big_price_chk;
