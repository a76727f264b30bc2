-- The single-table example of examples/pipelines: every access pattern.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;
-- pg_regress feeds this file to psql on stdin: find the example through
-- the source directory it exports, and run its files from there (psql
-- names them in error messages as they are given).
\getenv abs_srcdir PG_ABS_SRCDIR
\set example_dir :abs_srcdir '/examples/pipelines'
\cd :example_dir
\i setup.sql
\i patterns.sql
-- Each index is served by a PostgreSQL index range scan: pattern 6 (a
-- team's failures, newest first) is this statement of the access layer on
-- the "failures" index, planned as the access layer plans it.
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET enable_sort = off;
SET enable_incremental_sort = off;
SET plan_cache_mode = force_generic_plan;
PREPARE failures_newest_first(bytea, bytea, bigint) AS
SELECT pk, sk, item, size, ddb.index_key(item, 'failed_team', 'S') AS ih, ddb.index_key(item, 'failed_at', 'S') AS ir FROM ddb_data."Pipelines" WHERE ddb.index_key(item, 'failed_team', 'S') IS NOT NULL AND ddb.index_key(item, 'failed_at', 'S') IS NOT NULL AND ddb.index_key(item, 'failed_team', 'S') = $1 AND ddb.index_key(item, 'failed_at', 'S') >= $2 ORDER BY ddb.index_key(item, 'failed_at', 'S') DESC, pk DESC, sk DESC LIMIT $3;
EXPLAIN (COSTS OFF)
EXECUTE failures_newest_first(ddb.encode_key('{"S": "core"}'), '\x', 64);
DEALLOCATE failures_newest_first;
RESET ALL;
SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
