CREATE TYPE feeling AS ENUM ('sad', 'ok', 'happy');
