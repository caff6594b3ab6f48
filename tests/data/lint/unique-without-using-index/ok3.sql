-- revision: ok3
-- down_revision: p0001

-- +upgrade
ALTER TABLE nopk ADD CONSTRAINT nopk_pkey PRIMARY KEY USING INDEX nopk_a_key;
