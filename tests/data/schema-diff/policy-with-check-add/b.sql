CREATE TABLE doc (id int, owner name, body text); CREATE POLICY ins ON doc FOR INSERT WITH CHECK (id > 10);
