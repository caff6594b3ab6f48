-- revision: flag3
-- down_revision: p0001

-- +upgrade
UPDATE pg_catalog.pg_enum SET enumlabel = 'x' WHERE enumlabel = 'sad';
