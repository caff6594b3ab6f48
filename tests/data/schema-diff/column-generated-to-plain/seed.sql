INSERT INTO t (id, name) VALUES (1, 'Ab');
