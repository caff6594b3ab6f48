SELECT format('CREATE TABLE %I (id int)', 't1') \gexec
SELECT '\x' AS s, $$ \y $$ AS d; -- \z in a comment
SELECT 1; \echo done
SELECT E'\\' \gset
/* \q */ SELECT 2;
SELECT "a\b" FROM t \watch 1
