CREATE DOMAIN posint AS integer NOT NULL;
