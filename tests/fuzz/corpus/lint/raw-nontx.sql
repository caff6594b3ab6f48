-- revision: f0003
-- down_revision: p0001
-- transactional: false
-- lint_allow: index-not-concurrent fuzz seed
-- squawk-ignore ban-drop-column

-- +upgrade
REINDEX TABLE big;
ALTER TABLE events DETACH PARTITION events_2025;
VACUUM FULL small;
CLUSTER big USING big_name_idx;
ALTER TABLE big DROP COLUMN note;
DROP INDEX big_name_idx;
MERGE INTO big USING small ON big.id = small.id WHEN MATCHED THEN DELETE RETURNING *;

-- +downgrade
SELECT 1;
