-- revision: ok1
-- down_revision: p0001

-- +upgrade
ALTER TYPE mood ADD VALUE 'calm';
