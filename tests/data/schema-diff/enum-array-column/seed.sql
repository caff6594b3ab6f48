INSERT INTO t VALUES (1, '{sad,happy}');
