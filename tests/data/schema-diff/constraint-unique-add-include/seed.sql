INSERT INTO t VALUES (1, 'a', 1, 'x'), (2, NULL, 2, NULL), (3, NULL, 3, NULL);
