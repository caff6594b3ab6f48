CREATE TABLE doc (id int, owner name, body text); CREATE POLICY p2 ON doc USING (true);
