-- revision: r_u_1
-- down_revision: none
-- message:
-- +upgrade
SELECT 1;
-- +downgrade
