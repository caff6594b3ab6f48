-- revision: flag1
-- down_revision: p0001

-- +upgrade
DELETE FROM pg_enum WHERE enumlabel = 'sad';
