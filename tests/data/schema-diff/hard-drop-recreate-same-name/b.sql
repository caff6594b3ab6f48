CREATE TABLE t (id bigint, w text);
