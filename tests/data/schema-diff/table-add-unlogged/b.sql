CREATE UNLOGGED TABLE u (id int, v text);
