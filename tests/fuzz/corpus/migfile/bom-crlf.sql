-- revision: abcd
-- down_revision: a1, b2
-- +upgrade
SELECT 'cafÃ©';
SELECT 1 -- ÿ
