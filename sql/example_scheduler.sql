-- The delayed-job scheduler of examples/scheduler on a simulated clock
-- (2030, so the background worker, on the real clock, never runs its
-- sweep): every job is enqueued exactly once, not before its due minute
-- and not later than a minute after it was due (or scheduled), a
-- cancelled job never; TTL removes the history.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- A streams slot that an earlier test left in this database (DROP
-- EXTENSION keeps it) would replay that test's changes: start without one.
DO $$ BEGIN
  PERFORM pg_drop_replication_slot(slot_name) FROM pg_replication_slots
    WHERE slot_name = 'ddb_emul_streams_' || (SELECT oid FROM pg_database WHERE datname = current_database());
END $$;
CREATE EXTENSION ddb_emul;
SET timezone = 'UTC';
-- Warnings about the worker depend on timing here.
SET client_min_messages = error;
-- The worker must not deliver stream batches on its own: advance() below
-- delivers them, with the clock set.
SELECT ddb.pause_background_delivery();
\getenv abs_srcdir PG_ABS_SRCDIR
\set example_dir :abs_srcdir '/examples/scheduler'
\cd :example_dir
\i setup.sql
SELECT ddb.alter_sweep('scheduler', start_at => '2030-01-01 00:00');

-- The world at time t, as the worker would run it: the sweep when one is
-- due, then stream batches until none is ready, each in a transaction.
CREATE PROCEDURE pg_temp.advance(t timestamptz) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('scheduler.now', to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), false);
  PERFORM ddb.run_sweeps_now(t);
  COMMIT;
  WHILE ddb.deliver_stream_batches_now() > 0 LOOP
    COMMIT;
  END LOOP;
END $$;
-- What the clients did, to check the queue against.
CREATE TABLE pg_temp.scheduled (id text PRIMARY KEY, due timestamptz, at timestamptz, note text);
CREATE FUNCTION pg_temp.schedule(id text, due timestamptz, note text DEFAULT NULL) RETURNS void
LANGUAGE sql AS $$
  SELECT scheduler.schedule_job(id, due, jsonb_build_object('job', id));
  INSERT INTO pg_temp.scheduled VALUES (id, due, scheduler.clock(), note)
    ON CONFLICT (id) DO UPDATE SET due = excluded.due, at = excluded.at, note = excluded.note;
$$;

-- 00:00:05: jobs due this minute go at once, later ones wait for their
-- minute's sweep.
SELECT set_config('scheduler.now', '2030-01-01 00:00:05Z', false) IS NOT NULL AS clock;
SELECT pg_temp.schedule('a', '2030-01-01 00:00:30');
SELECT pg_temp.schedule('b', '2030-01-01 00:00:59.5');
SELECT pg_temp.schedule('c', '2030-01-01 00:01:00');
SELECT pg_temp.schedule('d', '2030-01-01 00:01:59');
SELECT pg_temp.schedule('e', '2030-01-01 00:02:00');
SELECT pg_temp.schedule('f', '2029-12-31 23:00:00', 'overdue when scheduled');
SELECT pg_temp.schedule('g', '2030-01-01 00:03:30', 'cancelled');
SELECT pg_temp.schedule('h', '2030-01-01 00:04:10');
-- i is rescheduled before its INSERT record is delivered: the stale record
-- must not hand it over.
SELECT pg_temp.schedule('i', '2030-01-01 00:00:20');
SELECT pg_temp.schedule('i', '2030-01-01 00:05:20', 'rescheduled later');
-- A client writing the item itself, as an AWS SDK would.
SELECT ddb.execute('PutItem', '{"TableName": "Jobs", "Item": {"pk": {"S": "JOB#k"}, "shard": {"S": "0"},
  "due": {"N": "1893456150"}, "queue": {"S": "default"}, "payload": {"M": {"job": {"S": "k"}}}}}');
INSERT INTO pg_temp.scheduled VALUES ('k', to_timestamp(1893456150), scheduler.clock(), 'deleted by a client');
SELECT pg_temp.schedule('l', '2030-01-01 00:07:10', 'during the outage');
SELECT pg_temp.schedule('m', '2030-01-01 00:09:30', 'during the outage');
CALL pg_temp.advance('2030-01-01 00:00:05');
SELECT job_id, due, enqueued_at FROM scheduler.queue ORDER BY id;

-- 00:00:40: h is rescheduled into this minute (goes at once), k deleted by
-- a client (handed over at once: deleting a job hands it over early).
SELECT set_config('scheduler.now', '2030-01-01 00:00:40Z', false) IS NOT NULL AS clock;
SELECT pg_temp.schedule('h', '2030-01-01 00:00:50', 'rescheduled earlier');
SELECT ddb.execute('DeleteItem', '{"TableName": "Jobs", "Key": {"pk": {"S": "JOB#k"}}}');
CALL pg_temp.advance('2030-01-01 00:00:40');
SELECT job_id, due, enqueued_at FROM scheduler.queue WHERE enqueued_at = '2030-01-01 00:00:40' ORDER BY id;

-- The minute sweeps, a cancellation, and a job scheduled after its
-- minute's sweep.
CALL pg_temp.advance('2030-01-01 00:01:00');
SELECT set_config('scheduler.now', '2030-01-01 00:01:30Z', false) IS NOT NULL AS clock;
SELECT scheduler.cancel_job('g'), scheduler.cancel_job('a') AS already_handed_over;
SELECT pg_temp.schedule('j', '2030-01-01 00:01:45');
CALL pg_temp.advance('2030-01-01 00:01:30');
CALL pg_temp.advance('2030-01-01 00:02:00');
CALL pg_temp.advance('2030-01-01 00:03:00');
CALL pg_temp.advance('2030-01-01 00:04:00');
CALL pg_temp.advance('2030-01-01 00:05:00');
CALL pg_temp.advance('2030-01-01 00:06:00');
-- An outage: nothing runs from 00:06:01 to 00:09:59.  At 00:10 the sweep
-- catches up (three runs, not four) and hands over everything overdue.
CALL pg_temp.advance('2030-01-01 00:10:00');
SELECT scheduled_for, skipped, status, error FROM ddb.sweep_runs
 WHERE scheduled_for >= '2030-01-01' ORDER BY run_id;

-- Every job once, at its time; g never.  Exceptions by design: k was
-- handed over early by its client's DeleteItem, l late by the outage.
SELECT s.id, s.due, s.at AS scheduled_at, q.enqueued_at, count(q.id) AS times,
       q.enqueued_at >= date_trunc('minute', s.due) AS not_early,
       q.enqueued_at <= greatest(s.due, s.at) + interval '1 minute' AS not_late, s.note
  FROM pg_temp.scheduled s LEFT JOIN scheduler.queue q ON q.job_id = s.id
 GROUP BY s.id, s.due, s.at, q.enqueued_at, s.note ORDER BY s.id;
SELECT job_id, queue, payload FROM scheduler.queue ORDER BY job_id;
-- No job is left waiting; each has one history item, delivered once.
SELECT item #>> '{pk,S}' AS pk, item #>> '{status,S}' AS status, item #>> '{handed_over,N}' AS handed_over,
       to_timestamp((item #>> '{handed_over_at,N}')::numeric) AS handed_over_at,
       (item #>> '{expires,N}')::numeric - (item #>> '{handed_over_at,N}')::numeric AS keep_seconds
  FROM ddb_data."Jobs" ORDER BY 1;
SELECT mapping.last_error, mapping.records_failed FROM ddb.event_source_mappings mapping;

-- Consumers take the jobs that are due.
SELECT set_config('scheduler.now', '2030-01-01 00:01:00Z', false) IS NOT NULL AS clock;
SELECT job_id, due FROM scheduler.take_jobs('default', 3) ORDER BY due;
SELECT job_id, due FROM scheduler.take_jobs('default', 100) ORDER BY due;
SELECT set_config('scheduler.now', '2030-01-01 00:10:00Z', false) IS NOT NULL AS clock;
SELECT job_id, due FROM scheduler.take_jobs('default', 100) ORDER BY due;
SELECT count(*) AS left_in_queue FROM scheduler.queue;

-- TTL removes the history once it expires (here: made to expire now); the
-- REMOVE records of TTL deletions enqueue nothing.
SELECT ddb.execute('DescribeTimeToLive', '{"TableName": "Jobs"}');
SELECT count(*) AS aged FROM ddb_data."Jobs",
  LATERAL ddb.update_item(jsonb_build_object('TableName', 'Jobs', 'Key', jsonb_build_object('pk', item -> 'pk'),
    'UpdateExpression', 'SET expires = :past',
    'ExpressionAttributeValues', jsonb_build_object(':past', ddb.marshal_value(to_jsonb(floor(extract(epoch FROM now())) - 60)))));
SELECT ddb.ttl_sweep_now() >= 0 AS swept;
CALL pg_temp.advance('2030-01-01 00:11:00');
SELECT count(*) AS history_left FROM ddb_data."Jobs";
SELECT count(*) AS queued FROM scheduler.queue;
SELECT count(*) AS ttl_records FROM ddb.stream_records WHERE record ? 'userIdentity';

SELECT ddb.resume_background_delivery();
-- With the table gone and its records read, the pump drops the slot.
SELECT ddb.delete_table('{"TableName": "Jobs"}') IS NOT NULL AS deleted;
SELECT ddb.stream_pump() >= 0 AS pumped;
SELECT count(*) AS slots FROM pg_replication_slots WHERE slot_name LIKE 'ddb_emul_streams_%';
RESET ALL;
SET client_min_messages = warning;
DROP SCHEMA scheduler CASCADE;
DROP EXTENSION ddb_emul CASCADE;
