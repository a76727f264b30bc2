#!/usr/bin/env bash
#
# test/extra/example_scheduler.sh -- the delayed-job scheduler of
# examples/scheduler with the real background worker, on the real clock,
# in a database of its own on the extra step's cluster:
#
#  1. jobs due in the past, in this minute, in the next ones, one
#     rescheduled, one cancelled, scheduled at once;
#  2. the worker alone (its minute sweep, its stream deliveries) hands them
#     to the queue: each job exactly once, none before the start of its due
#     minute, none later than a minute after it was due (or scheduled, for
#     the overdue one), the cancelled one never;
#  3. the sweep ran on minute boundaries and succeeded;
#  4. once the history items expire (made to expire here), the worker's
#     TTL removes them, and the REMOVE records of those deletions enqueue
#     nothing.
#
# Runs from scripts/test.sh (extra step) as root.  Bounded: about 2.5
# minutes (the jobs span 75 seconds), at most 240 seconds.
#
set -uo pipefail

DB=ddb_scheduler_example
SETUP="${DDB_EMUL_BUILD:?DDB_EMUL_BUILD is not set}/examples/scheduler/setup.sql"
DEADLINE=$((SECONDS + 240))

fail() {
	echo "FAIL: $*"
	exit 1
}

q() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
}

# wait_for SQL WHAT: poll until SQL returns t (once a second).
wait_for() {
	until [ "$(q "$1")" = t ]; do
		[ "$SECONDS" -lt "$DEADLINE" ] || fail "out of time waiting for $2"
		sleep 1
	done
}

[ -n "${PGPORT:-}" ] || fail "no cluster to run on (PGPORT is not set)"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" >/dev/null ||
	fail "could not create database $DB"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1' EXIT

q "CREATE EXTENSION ddb_emul" || fail "CREATE EXTENSION"
wait_for "SELECT state = 'running' FROM ddb.worker_status()" "the worker of $DB"
out="$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -f "$SETUP" 2>&1)" || fail "setup.sql: $out"
if grep -q WARNING <<<"$out"; then
	fail "setup.sql warned although the worker runs: $out"
fi
echo "ok: example set up, worker running"

# What the clients do, against the real clock.
q "CREATE TABLE expected (id text PRIMARY KEY, due timestamptz, scheduled_at timestamptz, cancelled boolean DEFAULT false)"
q "CREATE FUNCTION schedule(id text, due timestamptz) RETURNS void LANGUAGE sql AS \$\$
     SELECT scheduler.schedule_job(id, due, jsonb_build_object('job', id));
     INSERT INTO expected VALUES (id, due, clock_timestamp())
       ON CONFLICT (id) DO UPDATE SET due = excluded.due, scheduled_at = excluded.scheduled_at;
   \$\$"
{
	q "SELECT schedule('overdue', now() - interval '100 seconds')" &&
		q "SELECT schedule('soon', now() + interval '3 seconds')" &&
		q "SELECT schedule('s25', now() + interval '25 seconds')" &&
		q "SELECT schedule('s50', now() + interval '50 seconds')" &&
		q "SELECT schedule('s75', now() + interval '75 seconds')" &&
		q "SELECT schedule('moved', now() + interval '200 seconds')" &&
		q "SELECT schedule('cancelled', now() + interval '40 seconds')" &&
		q "SELECT scheduler.cancel_job('cancelled')" &&
		q "UPDATE expected SET cancelled = true WHERE id = 'cancelled'" &&
		q "SELECT schedule('moved', now() + interval '30 seconds')"
} >/dev/null || fail "scheduling the jobs"
echo "ok: 7 jobs scheduled, one cancelled, one rescheduled"

# The worker hands them over; wait until every job is handed over (a
# history item or a queue row) and a minute past the last due time.
wait_for "SELECT NOT EXISTS (SELECT FROM ddb_data.\"Jobs\" WHERE item #>> '{pk,S}' LIKE 'JOB#%')
            AND (SELECT count(DISTINCT job_id) FROM scheduler.queue) = 6" "every job to be handed over"
echo "ok: every job handed over by the worker"

bad="$(q "SELECT string_agg(format('%s: %s time(s), due %s, scheduled %s, enqueued %s',
                   id, times, due, scheduled_at, enqueued_at), E'\n')
            FROM (SELECT e.id, e.due, e.scheduled_at, e.cancelled, count(q.id) AS times,
                         min(q.enqueued_at) AS enqueued_at
                    FROM expected e LEFT JOIN scheduler.queue q ON q.job_id = e.id
                   GROUP BY e.id, e.due, e.scheduled_at, e.cancelled) j
           WHERE times <> CASE WHEN cancelled THEN 0 ELSE 1 END
              OR enqueued_at < date_trunc('minute', due)
              OR enqueued_at > greatest(due, scheduled_at) + interval '1 minute'")" ||
	fail "checking the queue"
[ -z "$bad" ] || fail "jobs not enqueued exactly once within their minute:"$'\n'"$bad"
echo "ok: each job enqueued once, in its due minute or at most a minute late; the cancelled one never"

bad="$(q "SELECT string_agg(format('%s %s %s %s', scheduled_for, status, started_at, error), E'\n')
            FROM ddb.sweep_runs
           WHERE status <> 'succeeded' OR date_trunc('minute', scheduled_for) <> scheduled_for
              OR started_at < scheduled_for OR started_at > scheduled_for + interval '30 seconds'")" ||
	fail "checking the sweep runs"
[ -z "$bad" ] || fail "sweep runs off their minute or failed:"$'\n'"$bad"
[ "$(q "SELECT count(*) > 0 FROM ddb.sweep_runs")" = t ] || fail "the worker ran no sweep"
echo "ok: $(q "SELECT count(*) FROM ddb.sweep_runs") sweep runs, on minute boundaries, all succeeded"

# TTL: the history items keep 7 days; make them expire now, and the
# worker's TTL removes them; then every record, TTL's REMOVEs included, is
# delivered.
[ "$(q "SELECT bool_and((item #>> '{expires,N}')::numeric - (item #>> '{handed_over_at,N}')::numeric
                       BETWEEN 604799 AND 604800) FROM ddb_data.\"Jobs\"")" = t ] ||
	fail "history items do not keep 7 days"
q "SELECT count(*) FROM ddb_data.\"Jobs\", LATERAL ddb.update_item(jsonb_build_object('TableName', 'Jobs',
     'Key', jsonb_build_object('pk', item -> 'pk'), 'UpdateExpression', 'SET expires = :past',
     'ExpressionAttributeValues', jsonb_build_object(':past', ddb.marshal_value(to_jsonb(floor(extract(epoch FROM now())) - 1)))))" \
	>/dev/null || fail "aging the history"
wait_for "SELECT NOT EXISTS (SELECT FROM ddb_data.\"Jobs\")" "TTL to remove the history"
# The pump stores the deletions' records at its next turn.
DEADLINE_TTL=$((SECONDS + 30))
until [ "$(q "SELECT count(*) FROM ddb.stream_records WHERE record ? 'userIdentity'")" = 7 ]; do
	[ "$SECONDS" -lt "$DEADLINE_TTL" ] ||
		fail "expected 7 TTL REMOVE records, got:"$'\n'"$(q "SELECT string_agg(format('%s %s %s', record ->> 'eventName',
		  record #>> '{dynamodb,Keys,pk,S}', record -> 'userIdentity'), E'\n' ORDER BY seq)
		  FROM ddb.stream_records WHERE record ->> 'eventName' = 'REMOVE'")"
	sleep 1
done
wait_for "SELECT (SELECT max(seq) FROM ddb.stream_records)
                 <= (SELECT last_sequence_number FROM ddb.event_source_mappings)" "the TTL records to be delivered"
[ "$(q "SELECT count(*) = 6 AND count(DISTINCT job_id) = 6 FROM scheduler.queue")" = t ] ||
	fail "TTL deletions changed the queue: $(q "SELECT string_agg(job_id, ',') FROM scheduler.queue")"
[ "$(q "SELECT last_error IS NULL FROM ddb.event_source_mappings")" = t ] ||
	fail "the mapping failed: $(q "SELECT last_error FROM ddb.event_source_mappings")"
echo "ok: TTL removed the 7 history items; its records enqueued nothing"
exit 0
