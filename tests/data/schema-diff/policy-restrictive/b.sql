CREATE TABLE doc (id int, owner name, body text); CREATE POLICY lim ON doc AS RESTRICTIVE FOR ALL USING (id > 0) WITH CHECK (id > 0);
