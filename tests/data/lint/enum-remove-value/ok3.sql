-- revision: ok3
-- down_revision: p0001

-- +upgrade
DELETE FROM small WHERE label = 'sad';
