-- revision: p0001
-- down_revision: none
-- message: the objects the lint cases touch (created by an earlier revision)

-- +upgrade
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE big (
    id bigint PRIMARY KEY,
    name varchar(50) NOT NULL,
    title varchar(50),
    price numeric(10, 2),
    note text,
    created timestamp,
    net cidr,
    feeling mood,
    parent_id bigint,
    CONSTRAINT big_note_nn CHECK (note IS NOT NULL)
);
ALTER TABLE big ADD CONSTRAINT big_price_chk CHECK (price >= 0) NOT VALID;
CREATE TABLE small (id bigint PRIMARY KEY, big_id bigint, label text);
CREATE UNIQUE INDEX small_label_idx ON small (label);
CREATE TABLE nopk (a int NOT NULL, b int);
CREATE UNIQUE INDEX nopk_a_key ON nopk (a);
CREATE INDEX big_name_idx ON big (name);
CREATE VIEW big_names AS SELECT id, name FROM big;
CREATE VIEW small_all AS SELECT * FROM small;
CREATE MATERIALIZED VIEW big_stats AS SELECT count(*) AS n FROM big;
CREATE TABLE events (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024 (id bigint, at timestamptz NOT NULL);
ALTER TABLE events ATTACH PARTITION events_2024
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 (
    id bigint,
    at timestamptz NOT NULL,
    CONSTRAINT events_2025_at_check
        CHECK (at >= '2025-01-01' AND at < '2026-01-01')
);
CREATE TABLE loose (id bigint, at timestamptz NOT NULL);
CREATE TABLE loose2 (
    id bigint,
    at timestamptz NOT NULL CHECK (at >= '2026-01-01' AND at < '2027-01-01')
);
