CREATE TABLE doc (id int, owner name, body text); CREATE POLICY p1 ON doc USING (true);
