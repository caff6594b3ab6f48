CREATE TABLE doc (id int, owner name, body text); ALTER TABLE doc ENABLE ROW LEVEL SECURITY; ALTER TABLE doc FORCE ROW LEVEL SECURITY; CREATE POLICY own ON doc USING (owner = current_user);
