-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TABLE small ADD CONSTRAINT small_big_fk FOREIGN KEY (big_id) REFERENCES big (id) NOT VALID;
ALTER TABLE small VALIDATE CONSTRAINT small_big_fk;
