CREATE TABLE d (id int, doc jsonb);
