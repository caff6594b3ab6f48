CREATE TABLE d (v text);
