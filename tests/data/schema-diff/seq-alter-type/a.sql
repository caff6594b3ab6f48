CREATE SEQUENCE counter AS int;
