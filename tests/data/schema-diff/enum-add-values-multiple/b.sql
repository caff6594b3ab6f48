CREATE TYPE mood AS ENUM ('awful', 'sad', 'meh', 'ok', 'happy', 'great');
