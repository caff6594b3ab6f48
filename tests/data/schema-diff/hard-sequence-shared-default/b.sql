CREATE SEQUENCE ids; CREATE TABLE a (id int DEFAULT nextval('ids')); CREATE TABLE b (id int);
