-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TYPE mood ADD VALUE 'calm';
INSERT INTO big (id, name, feeling) VALUES (9, 'x', 'calm');
