-- revision: bad04
-- down_revision: none
--+upgrade
-- +Upgrade
  -- +upgrade
-- +upgrade now
-- +downgrades
SELECT 1;
