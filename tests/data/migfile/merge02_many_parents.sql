-- A merge of six heads: more items than a list's first allocation ever
-- held, so each list is sized by its commas.
-- revision: merge02
-- down_revision: p1,p2, p3 ,p4,p5,p6
-- depends_on: d1, d2, d3, d4, d5
-- branch_labels: only

-- +upgrade
SELECT 1;
SELECT 2;
SELECT 3;
SELECT 4;
SELECT 5
-- +downgrade
SELECT 0
