CREATE TABLE doc (id int, owner name, body text); CREATE POLICY own ON doc USING (true); COMMENT ON POLICY own ON doc IS 'mine';
