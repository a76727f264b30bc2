-- Minute sweeps: functions run at a rate(value unit), on slots aligned to
-- the Unix epoch, with a bounded catch-up, each run in a subtransaction and
-- logged.  Every sweep here starts in 2030 (start_at), so the background
-- worker, running on the real clock, never runs one; ddb.run_sweeps_now()
-- drives them with explicit times.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;
SET timezone = 'UTC';
-- create_sweep and alter_sweep warn when the worker of this database is not
-- running, which depends on timing here (test/extra/example_scheduler.sh
-- checks the warning on a server without the worker).
SET client_min_messages = error;

-- What the sweep functions did.
CREATE TABLE sweep_log (sweep text, at timestamptz, who text);
CREATE FUNCTION tick() RETURNS void LANGUAGE sql
AS $$ INSERT INTO sweep_log VALUES ('tick', NULL, current_user) $$;
CREATE FUNCTION tock(at timestamptz) RETURNS void LANGUAGE sql
AS $$ INSERT INTO sweep_log VALUES ('tock', at, current_user) $$;
CREATE TABLE flaky_switch (fail boolean);
INSERT INTO flaky_switch VALUES (true);
CREATE FUNCTION flaky(at timestamptz) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sweep_log VALUES ('flaky', at, current_user);
  IF (SELECT fail FROM flaky_switch) THEN
    RAISE EXCEPTION 'flaky failed at %', at USING ERRCODE = 'YD003';
  END IF;
  RETURN 1;
END $$;
CREATE FUNCTION pg_temp.runs() RETURNS TABLE (sweep text, scheduled_for timestamptz, skipped bigint,
  status text, sqlstate text, error text, timing_ok boolean)
LANGUAGE sql AS $$
  SELECT sweep, scheduled_for, skipped, status, sqlstate, error, started_at <= finished_at
    FROM ddb.sweep_runs ORDER BY run_id
$$;

-- Schedules: EventBridge's rate(value unit), singular exactly for 1.
SELECT ddb.create_sweep('bad', 'rate(5 minute)', 'tick()');
SELECT ddb.create_sweep('bad', 'rate(1 minutes)', 'tick()');
SELECT ddb.create_sweep('bad', 'rate(0 minutes)', 'tick()');
SELECT ddb.create_sweep('bad', 'rate(-1 minutes)', 'tick()');
SELECT ddb.create_sweep('bad', 'rate(1.5 hours)', 'tick()');
SELECT ddb.create_sweep('bad', 'rate(30 seconds)', 'tick()');
SELECT ddb.create_sweep('bad', 'rate(1 week)', 'tick()');
SELECT ddb.create_sweep('bad', 'rate(5minutes)', 'tick()');
SELECT ddb.create_sweep('bad', 'rate(5 minutes', 'tick()');
SELECT ddb.create_sweep('bad', 'RATE(5 minutes)', 'tick()');
SELECT ddb.create_sweep('bad', 'rate(1000001 days)', 'tick()');
SELECT ddb.create_sweep('bad', 'cron(0/5 * * * ? *)', 'tick()');
SELECT ddb.create_sweep('bad', '', 'tick()');
SELECT ddb.create_sweep('bad', NULL, 'tick()');

-- Names and functions.
SELECT ddb.create_sweep('', 'rate(1 minute)', 'tick()');
SELECT ddb.create_sweep('has space', 'rate(1 minute)', 'tick()');
SELECT ddb.create_sweep(repeat('n', 65), 'rate(1 minute)', 'tick()');
SELECT ddb.create_sweep(NULL, 'rate(1 minute)', 'tick()');
SELECT ddb.create_sweep('bad', 'rate(1 minute)', NULL);
SELECT ddb.create_sweep('bad', 'rate(1 minute)', 'tick()', NULL);
SELECT ddb.create_sweep('bad', 'rate(1 minute)', 'abs(integer)');
SELECT ddb.create_sweep('bad', 'rate(1 minute)', 'generate_series(integer, integer)');
SELECT ddb.create_sweep('bad', 'rate(1 minute)', 'sum(integer)');
CREATE PROCEDURE proc() LANGUAGE sql AS $$ SELECT 1 $$;
SELECT ddb.create_sweep('bad', 'rate(1 minute)', 'proc()');
SELECT ddb.create_sweep('bad', 'rate(1 minute)', 'tick()', start_at => 'infinity');
SELECT count(*) AS sweeps FROM ddb.sweeps;

-- The first run is the first slot at or after start_at: slots are whole
-- multiples of the period since 1970-01-01 00:00 UTC.
SELECT ddb.create_sweep('every-minute', 'rate(1 minute)', 'tick()', start_at => '2030-01-01 00:00');
SELECT ddb.create_sweep('five', ' rate( 5   minutes ) ', 'tock(timestamptz)', start_at => '2029-12-31 23:57:30');
SELECT ddb.create_sweep('hourly', 'rate(1 hour)', 'tock(timestamptz)', start_at => '2030-01-01 00:00:01');
SELECT ddb.create_sweep('daily', 'rate(1 day)', 'tock(timestamptz)', start_at => '2030-01-01 12:00');
SELECT ddb.create_sweep('seven', 'rate(7 minutes)', 'tock(timestamptz)', start_at => '2030-01-01 00:00');
SELECT ddb.create_sweep('off', 'rate(2 hours)', 'tick()', false, '2030-01-01 00:00');
SELECT ddb.create_sweep('five', 'rate(1 minute)', 'tick()');
SELECT name, schedule, function, owner = current_user::regrole AS mine, enabled, start_at, next_run,
       last_run, last_status
  FROM ddb.sweeps ORDER BY name;
SELECT ddb.drop_sweep('hourly'), ddb.drop_sweep('daily'), ddb.drop_sweep('seven');

-- Nothing is due before the first slot; default now is the real clock.
SELECT ddb.run_sweeps_now('2029-12-31 23:59:59');
SELECT ddb.run_sweeps_now();
-- At 00:00:30 both run for 00:00, once: a second call runs nothing.
SELECT ddb.run_sweeps_now('2030-01-01 00:00:30');
SELECT ddb.run_sweeps_now('2030-01-01 00:00:59');
SELECT ddb.run_sweeps_now('2030-01-01 00:01');
-- Missed slots: at 00:05:10 every-minute runs 00:03, 00:04 and 00:05 (the
-- latest three; 00:02 is skipped), five runs 00:05.
SELECT ddb.run_sweeps_now('2030-01-01 00:05:10');
SELECT * FROM pg_temp.runs();
SELECT sweep, at, who = current_user AS as_owner FROM sweep_log ORDER BY sweep, at;
-- A clock jump of two hours: at most three runs each.
SELECT ddb.run_sweeps_now('2030-01-01 02:00:00');
SELECT * FROM pg_temp.runs() OFFSET 6;
SELECT name, next_run, last_run, last_status FROM ddb.sweeps ORDER BY name;
-- A clock jump backwards: nothing runs until the clock is past the last run.
SELECT ddb.run_sweeps_now('2030-01-01 01:00:00');

-- Disable, enable (never again at or before its last run), change the
-- schedule (or start_at: from that time on).
SELECT ddb.alter_sweep('five', enabled => false);
SELECT ddb.run_sweeps_now('2030-01-01 02:10:00');
SELECT ddb.alter_sweep('five', enabled => true);
SELECT ddb.alter_sweep('five', start_at => '2030-01-01 02:11');
SELECT ddb.alter_sweep('every-minute', schedule => 'rate(10 minutes)');
SELECT ddb.alter_sweep('every-minute');
SELECT ddb.alter_sweep('every-minute', schedule => 'rate(10 minute)');
SELECT ddb.alter_sweep('nope', enabled => false);
SELECT ddb.alter_sweep(NULL, enabled => false);
SELECT ddb.alter_sweep('off', function => 'tock(timestamptz)', start_at => '2030-01-01 02:15');
SELECT name, schedule, function, enabled, start_at, next_run FROM ddb.sweeps ORDER BY name;
SELECT ddb.run_sweeps_now('2030-01-01 04:00:00') AS runs;
SELECT sweep, scheduled_for, skipped, status FROM pg_temp.runs() OFFSET 12;

-- A failing function: its run is rolled back and logged, the other sweeps
-- due still run, and it runs again at its next slot.
TRUNCATE sweep_log;
SELECT ddb.alter_sweep('five', enabled => false), ddb.alter_sweep('off', enabled => false);
SELECT ddb.alter_sweep('every-minute', schedule => 'rate(1 minute)', start_at => '2030-01-01 05:00');
SELECT ddb.create_sweep('flaky', 'rate(1 minute)', 'flaky(timestamptz)', start_at => '2030-01-01 05:00');
SELECT ddb.run_sweeps_now('2030-01-01 05:00');
SELECT sweep, scheduled_for, status, sqlstate, error FROM pg_temp.runs() WHERE scheduled_for >= '2030-01-01 05:00';
SELECT name, last_run, last_status, next_run FROM ddb.sweeps WHERE enabled ORDER BY name;
SELECT ddb.run_sweeps_now('2030-01-01 05:01');
UPDATE flaky_switch SET fail = false;
SELECT ddb.run_sweeps_now('2030-01-01 05:02');
SELECT sweep, scheduled_for, status, sqlstate, error FROM pg_temp.runs() WHERE scheduled_for >= '2030-01-01 05:00';
SELECT sweep, at FROM sweep_log ORDER BY at, sweep;
SELECT name, last_status FROM ddb.sweeps WHERE enabled ORDER BY name;

-- A function that is gone fails its runs.
DROP FUNCTION flaky(timestamptz);
SELECT ddb.run_sweeps_now('2030-01-01 05:03');
SELECT sweep, status, sqlstate, regexp_replace(error, '\d+', 'N') AS error FROM pg_temp.runs()
 WHERE scheduled_for = '2030-01-01 05:03' ORDER BY sweep;
SELECT name, function::oid <> 0 AS kept FROM ddb.sweeps WHERE name = 'flaky';
SELECT ddb.alter_sweep('flaky', enabled => false);

-- A function may drop its own sweep.
CREATE FUNCTION once() RETURNS boolean LANGUAGE sql AS $$ SELECT ddb.drop_sweep('once') $$;
SELECT ddb.create_sweep('once', 'rate(1 minute)', 'once()', start_at => '2030-01-01 05:04');
-- ... but not run sweeps.
CREATE FUNCTION nested() RETURNS integer LANGUAGE sql AS $$ SELECT ddb.run_sweeps_now('2030-01-01 05:04') $$;
SELECT ddb.create_sweep('nested', 'rate(1 minute)', 'nested()', start_at => '2030-01-01 05:04');
SELECT ddb.run_sweeps_now('2030-01-01 05:04');
SELECT count(*) AS once_sweeps FROM ddb.sweeps WHERE name = 'once';
SELECT sweep, status, sqlstate, error FROM pg_temp.runs() WHERE scheduled_for = '2030-01-01 05:04' ORDER BY sweep;
SELECT ddb.drop_sweep('nested');

-- Sweeps run as the role that created them; only its members change them
-- or see them.
CREATE ROLE regress_sweeper;
GRANT EXECUTE ON FUNCTION ddb.create_sweep(text, text, regprocedure, boolean, timestamptz),
  ddb.alter_sweep(text, text, regprocedure, boolean, timestamptz), ddb.drop_sweep(text, boolean)
  TO regress_sweeper;
GRANT INSERT ON sweep_log TO regress_sweeper;
CREATE FUNCTION secret() RETURNS void LANGUAGE sql AS $$ SELECT $$;
REVOKE EXECUTE ON FUNCTION secret() FROM PUBLIC;
SET ROLE regress_sweeper;
SELECT ddb.create_sweep('theirs', 'rate(1 minute)', 'tock(timestamptz)', start_at => '2030-01-01 06:00');
SELECT ddb.create_sweep('secret', 'rate(1 minute)', 'secret()', start_at => '2030-01-01 06:00');
SELECT ddb.alter_sweep('every-minute', enabled => false);
SELECT ddb.drop_sweep('every-minute');
SELECT name, owner FROM ddb.sweeps ORDER BY name;
SELECT DISTINCT sweep FROM ddb.sweep_runs ORDER BY sweep;
SELECT ddb.run_sweeps_now('2030-01-01 06:00');
INSERT INTO ddb.sweeps (name, schedule, function, owner, enabled, next_run)
  VALUES ('forged', 'rate(1 minute)', 'tick()', 'postgres', true, '2030-01-01 06:00');
RESET ROLE;
SELECT ddb.alter_sweep('every-minute', enabled => false);
SELECT ddb.run_sweeps_now('2030-01-01 06:00');
SELECT sweep, at, who FROM sweep_log WHERE at >= '2030-01-01 06:00';
-- Losing the privilege to execute the function fails the runs.
REVOKE EXECUTE ON FUNCTION tock(timestamptz) FROM PUBLIC;
SELECT ddb.run_sweeps_now('2030-01-01 06:01');
SELECT sweep, status, sqlstate, error FROM pg_temp.runs() WHERE scheduled_for = '2030-01-01 06:01';
SELECT ddb.drop_sweep('theirs');

-- drop_sweep
RESET client_min_messages;
SELECT ddb.drop_sweep('nope');
SELECT ddb.drop_sweep('nope', if_exists => true);
SELECT ddb.drop_sweep('flaky');
SELECT count(*) AS flaky_runs FROM ddb.sweep_runs WHERE sweep = 'flaky';
SELECT ddb.run_sweeps_now('infinity');
SELECT name FROM ddb.sweeps ORDER BY name;

DROP EXTENSION ddb_emul;
DROP TABLE sweep_log, flaky_switch;
DROP FUNCTION tick(), tock(timestamptz), once(), nested(), secret();
DROP PROCEDURE proc();
DROP ROLE regress_sweeper;
