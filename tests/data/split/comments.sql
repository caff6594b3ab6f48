SELECT 1 -- inner comment; kept
;
/* outer /* nested; */ still comment; */ SELECT 2;
SELECT '/* not a comment', '-- nor this';
SELECT 3 /* kept; */ + 4;
-- SELECT 5;
/* multi
   line; */
  SELECT 6;
SELECT 7--glued;
;
SELECT 8 /* c */;
