CREATE TABLE doc (id int, owner name, body text); CREATE POLICY p ON doc FOR ALL USING (true) WITH CHECK (id > 0);
