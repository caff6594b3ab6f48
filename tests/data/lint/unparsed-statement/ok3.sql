-- revision: ok3
-- down_revision: p0001

-- +upgrade
-- PostgreSQL 15 syntax.
MERGE INTO big USING small ON big.id = small.id
    WHEN MATCHED THEN DO NOTHING;
