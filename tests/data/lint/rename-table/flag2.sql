-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER VIEW big_names RENAME TO big_labels;
