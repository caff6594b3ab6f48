-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE nopk ADD PRIMARY KEY (a);
