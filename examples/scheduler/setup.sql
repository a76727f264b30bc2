-- The delayed-job scheduler of examples/scheduler (see README.md): the Jobs
-- table, the queue, and the three moving parts -- a stream-triggered
-- function, a minute sweep and TTL.  Run it as a superuser (or as a role
-- granted EXECUTE on ddb.create_sweep and ddb.create_event_source_mapping),
-- in a transaction of its own: enabling the first stream of a database
-- creates its replication slot, which PostgreSQL allows only before a
-- transaction writes.

CREATE SCHEMA scheduler;

-- JOB#<id>: a job waiting for its due time (epoch seconds, N).  Every job
-- has shard = "0" (SHARD is a reserved word in expressions: #shard), so
-- the sparse index by_due holds exactly the waiting jobs, ordered by due
-- time (history items have no shard).  One index
-- partition takes about 1000 writes a second in DynamoDB; past that, write
-- shard = hash(id) mod n and make the sweep query each shard.
SELECT ddb.execute('CreateTable', '{
  "TableName": "Jobs",
  "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "shard", "AttributeType": "S"},
    {"AttributeName": "due", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by_due",
    "KeySchema": [{"AttributeName": "shard", "KeyType": "HASH"}, {"AttributeName": "due", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"}}],
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}
}') -> 'TableDescription' ->> 'TableStatus' AS jobs_table;

-- DONE#<id>: what happened to a job, removed by TTL once "expires" passes.
SELECT ddb.execute('UpdateTimeToLive', '{"TableName": "Jobs",
  "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}') AS ttl;

-- The queue the jobs are handed to: a plain PostgreSQL table its consumers
-- take due jobs from (scheduler.take_jobs).
CREATE TABLE scheduler.queue (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	job_id		text NOT NULL,
	queue		text NOT NULL,
	due			timestamptz NOT NULL,
	payload		jsonb,
	enqueued_at timestamptz NOT NULL,
	sequence_number text NOT NULL UNIQUE	-- of the REMOVE record that enqueued it
);
CREATE INDEX ON scheduler.queue (queue, due);

-- The scheduler's clock: the setting scheduler.now when it is set (tests
-- drive time with it), else the real time.
CREATE FUNCTION scheduler.clock() RETURNS timestamptz LANGUAGE sql VOLATILE
AS $$ SELECT coalesce(nullif(current_setting('scheduler.now', true), '')::timestamptz, clock_timestamp()) $$;

-- Jobs due before this (epoch seconds) are handed over at t: the end of
-- t's minute.
CREATE FUNCTION scheduler.horizon(t timestamptz) RETURNS numeric LANGUAGE sql IMMUTABLE
AS $$ SELECT extract(epoch FROM date_trunc('minute', t, 'UTC') + interval '1 minute') $$;

-- Hand a job over: delete it if it is still due when the caller saw it
-- (a job rescheduled since then is left to the record of that change).
-- Its REMOVE record then enqueues it.
CREATE FUNCTION scheduler.hand_over(job jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddb.delete_item(jsonb_build_object('TableName', 'Jobs',
    'Key', jsonb_build_object('pk', job -> 'pk'),
    'ConditionExpression', 'due = :due',
    'ExpressionAttributeValues', jsonb_build_object(':due', job -> 'due')));
  RETURN true;
EXCEPTION WHEN SQLSTATE 'YD003' THEN		-- ConditionalCheckFailedException
  RETURN false;
END $$;

-- Enqueue the job of a REMOVE record (unless it was cancelled) and record
-- what happened in its history item.  Each record arrives exactly once;
-- like any stream consumer, the queue still ignores a SequenceNumber it has
-- seen.  handed_over counts the deliveries (the test checks it is 1).
CREATE FUNCTION scheduler.enqueue(rec jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  job jsonb := rec #> '{dynamodb,OldImage}';
  id text := substr(job #>> '{pk,S}', 5);
  now_ts timestamptz := scheduler.clock();
  cancelled boolean := coalesce((job #>> '{cancelled,BOOL}')::boolean, false);
BEGIN
  IF NOT cancelled THEN
    INSERT INTO scheduler.queue (job_id, queue, due, payload, enqueued_at, sequence_number)
    VALUES (id, coalesce(job #>> '{queue,S}', 'default'), to_timestamp((job #>> '{due,N}')::numeric),
            ddb.unmarshal_value(job -> 'payload'), now_ts, rec #>> '{dynamodb,SequenceNumber}')
    ON CONFLICT (sequence_number) DO NOTHING;
  END IF;
  PERFORM ddb.update_item(jsonb_build_object('TableName', 'Jobs',
    'Key', jsonb_build_object('pk', jsonb_build_object('S', 'DONE#' || id)),
    'UpdateExpression', 'SET #s = :s, due = :due, handed_over_at = :now, expires = :expires ADD handed_over :one',
    'ExpressionAttributeNames', jsonb_build_object('#s', 'status'),
    'ExpressionAttributeValues', jsonb_build_object(
      ':s', ddb.marshal_value(to_jsonb(CASE WHEN cancelled THEN 'cancelled' ELSE 'enqueued' END)),
      ':due', job -> 'due',
      ':now', ddb.marshal_value(to_jsonb(extract(epoch FROM now_ts))),
      ':expires', ddb.marshal_value(to_jsonb(floor(extract(epoch FROM now_ts))
        + coalesce(nullif(current_setting('scheduler.history_seconds', true), '')::bigint, 7 * 86400))),
      ':one', '{"N": "1"}'::jsonb)));
END $$;

-- The stream-triggered function: a job inserted or rescheduled with a due
-- time before the end of the current minute is handed over at once (the
-- sweep of that minute has passed); the REMOVE record of a job, unless TTL
-- made it, enqueues it.  Everything else (history items) is ignored.
CREATE FUNCTION scheduler.on_job_records(event jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  rec jsonb;
  horizon numeric := scheduler.horizon(scheduler.clock());
BEGIN
  FOR rec IN SELECT jsonb_array_elements(event -> 'Records') LOOP
    CONTINUE WHEN rec #>> '{dynamodb,Keys,pk,S}' NOT LIKE 'JOB#%';
    IF rec ->> 'eventName' IN ('INSERT', 'MODIFY') THEN
      IF (rec #>> '{dynamodb,NewImage,due,N}')::numeric < horizon THEN
        PERFORM scheduler.hand_over(rec #> '{dynamodb,NewImage}');
      END IF;
    ELSIF rec ->> 'eventName' = 'REMOVE' AND NOT rec ? 'userIdentity' THEN
      PERFORM scheduler.enqueue(rec);
    END IF;
  END LOOP;
END $$;

-- The minute sweep: at each minute boundary t, hand over every job due
-- before the end of t's minute (overdue ones too, after an outage).
CREATE FUNCTION scheduler.sweep(t timestamptz) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  jobs jsonb[];
  job jsonb;
  n integer := 0;
BEGIN
  SELECT array_agg(item) INTO jobs FROM ddb.query_items(jsonb_build_object(
    'TableName', 'Jobs', 'IndexName', 'by_due',
    'KeyConditionExpression', '#shard = :shard AND due < :horizon',
    'ExpressionAttributeNames', '{"#shard": "shard"}'::jsonb,
    'ExpressionAttributeValues', jsonb_build_object(':shard', '{"S": "0"}'::jsonb,
      ':horizon', ddb.marshal_value(to_jsonb(scheduler.horizon(t))))));
  FOREACH job IN ARRAY coalesce(jobs, '{}') LOOP
    IF scheduler.hand_over(job) THEN
      n := n + 1;
    END IF;
  END LOOP;
  RETURN n;
END $$;

SELECT ddb.create_event_source_mapping('Jobs', 'scheduler.on_job_records(jsonb)', 'TRIM_HORIZON',
                                       batch_size => 100) IS NOT NULL AS mapping;
SELECT ddb.create_sweep('scheduler', 'rate(1 minute)', 'scheduler.sweep(timestamptz)') IS NOT NULL AS sweep;

-- For clients in SQL: schedule (or reschedule) a job, cancel one, take due
-- jobs from the queue.  Other clients send the same requests (README.md).
CREATE FUNCTION scheduler.schedule_job(id text, due timestamptz, payload jsonb DEFAULT '{}',
                                       queue text DEFAULT 'default')
RETURNS void LANGUAGE sql AS $$
  SELECT FROM ddb.put_item(jsonb_build_object('TableName', 'Jobs', 'Item', ddb.marshal(jsonb_build_object(
    'pk', 'JOB#' || id, 'shard', '0', 'due', extract(epoch FROM due), 'queue', queue, 'payload', payload))))
$$;

CREATE FUNCTION scheduler.cancel_job(id text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddb.update_item(jsonb_build_object('TableName', 'Jobs',
    'Key', jsonb_build_object('pk', jsonb_build_object('S', 'JOB#' || id)),
    'UpdateExpression', 'SET cancelled = :t', 'ConditionExpression', 'attribute_exists(pk)',
    'ExpressionAttributeValues', '{":t": {"BOOL": true}}'::jsonb));
  RETURN true;
EXCEPTION WHEN SQLSTATE 'YD003' THEN		-- already handed over, or unknown
  RETURN false;
END $$;

CREATE FUNCTION scheduler.take_jobs(queue_name text DEFAULT 'default', max_jobs integer DEFAULT 10)
RETURNS SETOF scheduler.queue LANGUAGE sql AS $$
  DELETE FROM scheduler.queue WHERE id IN (
    SELECT id FROM scheduler.queue WHERE queue = queue_name AND due <= scheduler.clock()
     ORDER BY due, id LIMIT max_jobs FOR UPDATE SKIP LOCKED)
  RETURNING *
$$;
