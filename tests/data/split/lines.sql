/* c */ SELECT 1;

   -- x
	SELECT
2;   SELECT 3
;/* a
b */ SELECT 4; SELECT 'x
y'; SELECT 5;
