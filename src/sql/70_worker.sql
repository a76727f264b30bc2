/*
 * The background worker and Time to Live: see src/worker.c and src/ttl.c.
 */

/*
 * The expiry time of an item for TTL attribute `attribute`: its number
 * when it is a top-level N, else NULL.  The TTL index of a table is an
 * index on this expression; keep the two identical.
 */
CREATE FUNCTION ddb.ttl_expiry(item jsonb, attribute text) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT (item -> attribute ->> 'N')::numeric $$;
COMMENT ON FUNCTION ddb.ttl_expiry(jsonb, text) IS
'ddb_emul: the expiry time (epoch seconds) of an item for a TTL attribute, NULL when it has none';

CREATE FUNCTION ddb.ttl_sweep_now(max_items integer DEFAULT NULL) RETURNS bigint
AS 'MODULE_PATHNAME', 'ddb_ttl_sweep_now' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.ttl_sweep_now(integer) IS
'ddb_emul: delete expired items of every table with TTL enabled now, in this transaction (at most max_items); returns how many';

CREATE FUNCTION ddb.worker_status(
	OUT state text,
	OUT pid integer,
	OUT launcher_pid integer,
	OUT started_at timestamptz,
	OUT last_iteration timestamptz,
	OUT last_ttl_sweep timestamptz,
	OUT ttl_deleted bigint,
	OUT errors bigint,
	OUT last_error text,
	OUT last_error_at timestamptz)
RETURNS record
AS 'MODULE_PATHNAME', 'ddb_worker_status' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.worker_status() IS
'ddb_emul: the background worker of this database: state (running, starting, restarting, stopped, not loaded), pid, what it did';

CREATE FUNCTION ddb.worker_start() RETURNS boolean
AS 'MODULE_PATHNAME', 'ddb_worker_start' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.worker_start() IS
'ddb_emul: have the launcher start this database''s background worker when the transaction commits; false when no launcher runs';

-- This database wants a worker as soon as the extension is committed.
SELECT ddb.worker_start();
