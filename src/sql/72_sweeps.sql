/*
 * Minute sweeps: SQL functions run by the background worker at a rate given
 * in EventBridge's syntax, rate(value unit).  See src/sweeps.c.
 *
 * Slots are aligned to the Unix epoch in UTC: a rate(5 minutes) sweep runs
 * at :00, :05, :10, ..., rate(1 hour) on the hour, rate(1 day) at 00:00 UTC.
 * next_run is the next slot to run (NULL while disabled); last_run the slot
 * of the latest run.
 * After a gap (worker down, clock jump) a sweep runs at most its three
 * latest missed slots; the earlier ones are skipped and counted in the
 * skipped column of the first run after the gap.
 *
 * The tables are written only by the functions below (which write them as
 * the extension's owner); every role sees the sweeps it is a member of the
 * owner role of, and their runs.
 */
CREATE TABLE ddb.sweeps (
	name		text PRIMARY KEY COLLATE "C",
	schedule	text NOT NULL,
	function	regprocedure NOT NULL,
	owner		regrole NOT NULL,
	enabled		boolean NOT NULL,
	start_at	timestamptz,
	next_run	timestamptz,
	last_run	timestamptz,
	last_status text CHECK (last_status IN ('succeeded', 'failed')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (enabled = (next_run IS NOT NULL))
);
CREATE INDEX sweeps_due ON ddb.sweeps (next_run) WHERE enabled;
COMMENT ON TABLE ddb.sweeps IS 'ddb_emul: functions the background worker runs at a rate';

CREATE TABLE ddb.sweep_runs (
	run_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sweep		text NOT NULL COLLATE "C" REFERENCES ddb.sweeps ON DELETE CASCADE,
	scheduled_for timestamptz NOT NULL,
	skipped		bigint NOT NULL DEFAULT 0,
	started_at	timestamptz NOT NULL,
	finished_at timestamptz NOT NULL,
	status		text NOT NULL CHECK (status IN ('succeeded', 'failed')),
	sqlstate	text,
	error		text
);
CREATE INDEX sweep_runs_sweep ON ddb.sweep_runs (sweep, scheduled_for);
COMMENT ON TABLE ddb.sweep_runs IS 'ddb_emul: every run of a sweep in the last 7 days';

-- pg_dump keeps the sweeps (not their runs).
SELECT pg_catalog.pg_extension_config_dump('ddb.sweeps', '');

ALTER TABLE ddb.sweeps ENABLE ROW LEVEL SECURITY;
ALTER TABLE ddb.sweep_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY sweeps_of_owner ON ddb.sweeps FOR SELECT
	USING (pg_catalog.pg_has_role(owner::oid, 'USAGE'));
CREATE POLICY sweep_runs_of_owner ON ddb.sweep_runs FOR SELECT
	USING (EXISTS (SELECT 1 FROM ddb.sweeps s WHERE s.name = sweep));
GRANT SELECT ON ddb.sweeps, ddb.sweep_runs TO PUBLIC;

CREATE FUNCTION ddb.create_sweep(name text, schedule text, function regprocedure,
								 enabled boolean DEFAULT true,
								 start_at timestamptz DEFAULT NULL)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'ddb_create_sweep' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.create_sweep(text, text, regprocedure, boolean, timestamptz) IS
'ddb_emul: run a function at a rate(value unit) as the calling role; returns its first run time';

CREATE FUNCTION ddb.alter_sweep(name text, schedule text DEFAULT NULL,
								function regprocedure DEFAULT NULL,
								enabled boolean DEFAULT NULL,
								start_at timestamptz DEFAULT NULL)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'ddb_alter_sweep' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.alter_sweep(text, text, regprocedure, boolean, timestamptz) IS
'ddb_emul: change a sweep''s schedule, function, enabled state or start; returns its next run time';

CREATE FUNCTION ddb.drop_sweep(name text, if_exists boolean DEFAULT false)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ddb_drop_sweep' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.drop_sweep(text, boolean) IS
'ddb_emul: delete a sweep and its runs; returns whether it existed';

CREATE FUNCTION ddb.run_sweeps_now(now timestamptz DEFAULT now())
RETURNS integer
AS 'MODULE_PATHNAME', 'ddb_run_sweeps_now' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION ddb.run_sweeps_now(timestamptz) IS
'ddb_emul: run, in this transaction, every sweep due at the given time; returns how many runs';

-- Sweeps run functions as the role that created them: who may create them
-- is the administrator's decision (GRANT EXECUTE on these functions).
REVOKE EXECUTE ON FUNCTION ddb.create_sweep(text, text, regprocedure, boolean, timestamptz),
	ddb.alter_sweep(text, text, regprocedure, boolean, timestamptz),
	ddb.drop_sweep(text, boolean),
	ddb.run_sweeps_now(timestamptz) FROM PUBLIC;
