-- revision: flag3
-- down_revision: p0001

-- +upgrade
ALTER TABLE big
    ADD CONSTRAINT big_c CHECK (price > 0) NOT VALID,
    ADD CONSTRAINT big_d CHECK (id > 0) NOT VALID;
ALTER TABLE public.big VALIDATE CONSTRAINT big_d;
