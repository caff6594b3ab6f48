CREATE TABLE d (id int, doc jsonb); CREATE INDEX d_doc ON d USING gin (doc jsonb_path_ops);
