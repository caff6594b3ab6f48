-- revision: ok3
-- down_revision: p0001

-- +upgrade
-- Added NOT VALID by an earlier revision.
ALTER TABLE big VALIDATE CONSTRAINT big_price_chk;
