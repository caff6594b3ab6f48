CREATE TYPE mood AS ENUM ('awful', 'sad', 'ok', 'happy');
