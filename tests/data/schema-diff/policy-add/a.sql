CREATE TABLE doc (id int, owner name, body text); ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
