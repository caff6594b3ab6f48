CREATE TABLE doc (id int, owner name, body text); CREATE POLICY own ON doc FOR UPDATE USING (true);
