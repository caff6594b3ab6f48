CREATE TABLE r (id int, during tsrange, EXCLUDE USING gist (during WITH &&));
