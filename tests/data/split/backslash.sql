\set ON_ERROR_STOP on
SELECT 1;
  \i other.sql
SELECT 'a
\not a command', E'x\
y';
SELECT 2 \g
/* \x in a comment */
SELECT 3
\gset
;
	\!rm -rf /
