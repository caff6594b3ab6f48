CREATE EXTENSION pg_trgm; CREATE TABLE d (v text); CREATE INDEX d_trgm ON d USING gin (v gin_trgm_ops);
