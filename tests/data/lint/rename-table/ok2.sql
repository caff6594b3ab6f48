-- revision: ok2
-- down_revision: p0001

-- +upgrade
ALTER INDEX big_name_idx RENAME TO big_name_key;
