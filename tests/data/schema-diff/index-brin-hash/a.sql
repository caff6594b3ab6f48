CREATE TABLE e (at timestamptz, k text);
