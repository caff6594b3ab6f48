CREATE TABLE doc (id int, owner name, body text); CREATE POLICY own ON doc TO pg_read_all_data USING (owner = current_user);
