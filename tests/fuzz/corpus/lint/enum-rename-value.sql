-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';
