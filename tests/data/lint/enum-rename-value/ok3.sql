-- revision: ok3
-- down_revision: p0001

-- +upgrade
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'calm' BEFORE 'sad';
