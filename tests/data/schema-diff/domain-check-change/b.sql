CREATE DOMAIN posint AS integer CONSTRAINT posint_pos CHECK (VALUE > 1);
