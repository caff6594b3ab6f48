CREATE TABLE doc (id int, owner name, body text); ALTER TABLE doc ENABLE ROW LEVEL SECURITY; CREATE POLICY own ON doc FOR SELECT USING (owner = current_user);
