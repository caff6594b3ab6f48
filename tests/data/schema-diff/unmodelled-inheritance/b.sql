CREATE TABLE base (id int); CREATE TABLE sub (x int) INHERITS (base);
