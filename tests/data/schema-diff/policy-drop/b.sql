CREATE TABLE doc (id int, owner name, body text);
