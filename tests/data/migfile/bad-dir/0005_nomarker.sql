-- revision: 0005
-- down_revision: 0004

ALTER TABLE t ADD c int;
