
SELECT "never ""closed;
