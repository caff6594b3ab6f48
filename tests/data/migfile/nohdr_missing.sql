-- Just a comment, no header keys.

-- +upgrade
SELECT 1;
