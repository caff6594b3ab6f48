-- revision: ok3
-- down_revision: p0001

-- +upgrade
INSERT INTO small VALUES (1, NULL, 'x');
