SELECT 'a;b', 'it''s; fine', '';
SELECT E'esc\'aped; still', e'back\\', E'tab\t''q;';
SELECT U&'d\0061t;a', U&'a\';
SELECT "semi;colon", "dq""uote;" FROM "t;";
SELECT X'ff', B'01', N'n;';
SELECT 'multi;
line
string';
SELECT 'con' 'cat;'
  'enation';
SELECT namE'x;y' AS q;
