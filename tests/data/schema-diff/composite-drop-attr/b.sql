CREATE TYPE pair AS (a integer);
