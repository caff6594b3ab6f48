-- A plain file: comments, blank lines, empty statements.

CREATE TABLE t (a int);
   INSERT INTO t VALUES (1);;

;
-- only a comment here ;
/* and a block */
SELECT a
  FROM t
 WHERE a = 1   ;
SELECT 1; SELECT 2;
	SELECT 'last without semicolon'
-- trailing comment
