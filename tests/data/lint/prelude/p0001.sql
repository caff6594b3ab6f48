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
-- attach-partition-without-check: CHECKs that do or do not imply a bound
CREATE TABLE logs (id bigint, at timestamptz) PARTITION BY RANGE (at);
CREATE TABLE loose_nn (
    id bigint,
    at timestamptz CONSTRAINT loose_nn_at CHECK (at IS NOT NULL)
);
CREATE TABLE events_wide (
    id bigint,
    at timestamptz NOT NULL CHECK (at >= '2025-01-01' AND at < '2027-01-01')
);
CREATE TABLE events_q1 (
    id bigint,
    at timestamptz CHECK (at BETWEEN '2026-01-01' AND '2026-03-31 23:59:59'
        AND at IS NOT NULL)
);
CREATE TABLE events_null (
    id bigint,
    at timestamptz CHECK (at >= '2026-01-01' AND at < '2027-01-01')
);
CREATE TABLE events_old (
    id bigint,
    at timestamptz NOT NULL CHECK ('2020-01-01 00:00:00' > at)
);
CREATE TABLE orders (id bigint, region text) PARTITION BY LIST (region);
CREATE TABLE orders_eu (
    id bigint,
    region text NOT NULL CHECK (region IN ('de', 'fr'))
);
CREATE TABLE orders_us (id bigint, region text CHECK (region = 'us'));
CREATE TABLE meters (id bigint NOT NULL, v int) PARTITION BY RANGE (id);
CREATE TABLE meters_1 (
    id bigint NOT NULL CHECK (id >= 0 AND id < 1000),
    v int
);
CREATE TABLE meters_by_day (at timestamptz NOT NULL)
    PARTITION BY RANGE ((at::date));
CREATE TABLE meters_h (id bigint NOT NULL) PARTITION BY HASH (id);
CREATE TABLE meters_h0 (id bigint NOT NULL CHECK (id >= 0));
CREATE TABLE mbd (
    at timestamptz NOT NULL CHECK (at >= '2026-01-01' AND at < '2026-01-02')
);
CREATE TABLE grid (x int NOT NULL, y int NOT NULL) PARTITION BY RANGE (x, y);
CREATE TABLE grid_0 (x int NOT NULL CHECK (x >= 0 AND x < 10), y int NOT NULL);
