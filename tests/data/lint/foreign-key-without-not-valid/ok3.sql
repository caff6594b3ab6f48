-- revision: ok3
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (id int, b bigint);
ALTER TABLE f ADD FOREIGN KEY (b) REFERENCES big (id);
