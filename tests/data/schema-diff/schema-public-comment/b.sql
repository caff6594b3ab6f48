COMMENT ON SCHEMA public IS 'mine';
