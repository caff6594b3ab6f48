CREATE SCHEMA s; CREATE TYPE s.mood AS ENUM ('a', 'b');
