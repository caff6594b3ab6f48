CREATE TABLE t (id int);
CREATE TABLE gone (id int PRIMARY KEY, x text DEFAULT 'q' NOT NULL);
CREATE INDEX gone_x ON gone (x);
COMMENT ON TABLE gone IS 'bye';
