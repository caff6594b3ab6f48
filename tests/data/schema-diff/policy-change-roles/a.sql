CREATE TABLE doc (id int, owner name, body text); CREATE POLICY own ON doc USING (owner = current_user);
