CREATE TABLE e (at timestamptz, k text); CREATE INDEX e_at ON e USING brin (at); CREATE INDEX e_k ON e USING hash (k);
