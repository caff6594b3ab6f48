-- revision: flag2
-- down_revision: p0001
-- lint_allow: index-not-concurent the table is small

-- +upgrade
CREATE INDEX big_price_idx ON big (price);
