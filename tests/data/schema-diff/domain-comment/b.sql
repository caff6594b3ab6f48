CREATE DOMAIN posint AS integer CHECK (VALUE > 0); COMMENT ON DOMAIN posint IS 'positive';
