-- Stream-triggered functions (event source mappings): batches in order,
-- batch size, starting positions, batching window, retries, the on-failure
-- destination, bisecting, batch item failures, record age, exactly-once
-- delivery, taking turns, owners, managing mappings, errors.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- A streams slot left by an earlier test would hand this one changes of a
-- dropped extension: start without one.
SELECT count(pg_drop_replication_slot(slot_name)) >= 0 AS no_slot FROM pg_replication_slots
  WHERE slot_name LIKE 'ddb_emul_streams_%' AND database = current_database();
CREATE EXTENSION ddb_emul;
CREATE SCHEMA trig;
SET search_path = trig, public;
-- This test delivers with ddb.deliver_stream_batches_now(); the background
-- worker must not deliver meanwhile.
SELECT ddb.pause_background_delivery();

SELECT ddb.create_table('{"TableName": "Orders", "BillingMode": "PAY_PER_REQUEST",
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"},
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}') #>> '{TableDescription,LatestStreamArn}' AS arn \gset

CREATE FUNCTION put(VARIADIC ids text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  i text;
BEGIN
  FOREACH i IN ARRAY ids LOOP
    PERFORM ddb.put_item(jsonb_build_object('TableName', 'Orders',
      'Item', jsonb_build_object('id', jsonb_build_object('S', i))));
  END LOOP;
END $$;

-- What functions got: one row per record, batches numbered in call order.
CREATE TABLE log (n serial PRIMARY KEY, tag text, batch bigint, pos int, id text, event text,
                  seq text, arn text);
CREATE SEQUENCE batch_no;
CREATE FUNCTION log_into(tag text, payload jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO log (tag, batch, pos, id, event, seq, arn)
  SELECT tag, b, p, r #>> '{dynamodb,Keys,id,S}', r ->> 'eventName',
         r #>> '{dynamodb,SequenceNumber}', r ->> 'eventSourceARN'
  FROM (SELECT nextval('batch_no') AS b) x,
       jsonb_array_elements(payload -> 'Records') WITH ORDINALITY AS e(r, p)
$$;
CREATE FUNCTION log_a(payload jsonb) RETURNS void LANGUAGE sql AS $$ SELECT log_into('A', payload) $$;
CREATE FUNCTION log_b(payload jsonb) RETURNS void LANGUAGE sql AS $$ SELECT log_into('B', payload) $$;
-- The batches of the log, in delivery order.
CREATE VIEW batches AS
  SELECT tag, string_agg(id, ',' ORDER BY pos) AS ids FROM log GROUP BY tag, batch ORDER BY min(n);
-- Attempts show as notices (a failed attempt leaves nothing else behind).
CREATE FUNCTION say(what text, payload jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE '% [%]', what, (SELECT string_agg(r #>> '{dynamodb,Keys,id,S}', ',')
                               FROM jsonb_array_elements(payload -> 'Records') r);
END $$;

-- Errors with their UUIDs and stream labels masked.
CREATE FUNCTION try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  state text;
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
  RETURN state || ': ' || regexp_replace(regexp_replace(SQLERRM, '[0-9a-f]{8}-[0-9a-f-]{27}', 'UUID', 'g'),
                                         '/stream/[0-9T:.-]+', '/stream/LABEL', 'g');
END $$;

-- 1. Starting positions and batch size: TRIM_HORIZON sees what came before
-- the mapping, LATEST only what comes after; batches of at most batch_size
-- records, in SequenceNumber order.
SELECT put('a1', 'a2', 'a3');
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'TRIM_HORIZON', batch_size => 2) AS m_a \gset
SELECT ddb.create_event_source_mapping('Orders', 'log_b(jsonb)', 'LATEST') AS m_b \gset
SELECT put('a4');
SELECT put('a5');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT * FROM batches WHERE tag = 'A';
SELECT * FROM batches WHERE tag = 'B';
-- Each record is the stored one (Lambda's shape, with eventSourceARN), in order.
SELECT count(*) AS records, bool_and(arn = :'arn') AS arn_ok,
       bool_and(l.seq = r.record #>> '{dynamodb,SequenceNumber}') AS seq_ok,
       bool_and(l.seq > coalesce(prev, '')) AS increasing
  FROM (SELECT *, lag(seq) OVER (PARTITION BY tag ORDER BY n) AS prev FROM log) l
  JOIN ddb.stream_records r ON r.stream_arn = l.arn AND r.seq = l.seq::numeric;
SELECT ddb.deliver_stream_batches_now() AS nothing_more;
SELECT batches_delivered, records_delivered, last_processing_result, retry_attempts,
       pending_batch_ends, last_sequence_number = (SELECT max(seq) FROM ddb.stream_records) AS at_end
  FROM ddb.event_source_mappings ORDER BY function::text;
SELECT uuid = :'m_a' AS same FROM ddb.delete_event_source_mapping(:'m_a');
SELECT (ddb.delete_event_source_mapping(:'m_b')).function;
TRUNCATE log;

-- The payload is {"Records": [...]} of the stored records, exactly (70
-- records of different sizes, so every kind of entry of the array occurs).
CREATE TABLE payload_checks (records int, equal boolean, text_equal boolean, nth_ok boolean,
                             last_ok boolean, keys text[]);
CREATE FUNCTION check_payload(payload jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO payload_checks
  SELECT jsonb_array_length(payload -> 'Records'), payload = e, payload::text = e::text,
         payload -> 'Records' -> 33 = e -> 'Records' -> 33 AND payload #> '{Records,64,dynamodb}' = e #> '{Records,64,dynamodb}',
         payload -> 'Records' -> -1 = e -> 'Records' -> -1,
         (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(payload) k)
  FROM (SELECT jsonb_build_object('Records', jsonb_agg(r.record ORDER BY r.seq)) AS e
        FROM ddb.stream_records r, jsonb_array_elements(payload -> 'Records') p
        WHERE r.stream_arn = p ->> 'eventSourceARN' AND r.seq = (p #>> '{dynamodb,SequenceNumber}')::numeric) x
$$;
SELECT ddb.create_event_source_mapping('Orders', 'check_payload(jsonb)', 'LATEST', batch_size => 70) AS m \gset
SELECT put(VARIADIC (SELECT array_agg('c' || repeat('x', i) || i) FROM generate_series(1, 70) i));
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT * FROM payload_checks;
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;

-- 2. The batching window: a batch waits until it is full or its oldest
-- record is older than the window.
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', batch_size => 3,
  maximum_batching_window_in_seconds => 60) AS m \gset
SELECT put('w1', 'w2');
SELECT ddb.deliver_stream_batches_now() AS not_yet;
SELECT ddb.deliver_stream_batches_now(now() + interval '30 seconds') AS not_yet;
SELECT ddb.deliver_stream_batches_now(now() + interval '2 minutes') AS window_passed;
SELECT put('w3', 'w4', 'w5', 'w6');
SELECT ddb.deliver_stream_batches_now() AS full_batch;
SELECT ddb.deliver_stream_batches_now(now() + interval '2 minutes') AS rest;
SELECT * FROM batches;
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;
TRUNCATE log;

-- 3. Retries: a function failing twice, then succeeding.  The shard blocks
-- (later records wait), each retry after a backoff, and the batch is
-- delivered once.
CREATE SEQUENCE flaky_calls;
CREATE FUNCTION flaky(payload jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM log_into('F', payload);
  IF nextval('flaky_calls') <= 2 THEN
    RAISE EXCEPTION 'flaky failure %', currval('flaky_calls') USING ERRCODE = 'P0001';
  END IF;
END $$;
SELECT ddb.create_event_source_mapping('Orders', 'flaky(jsonb)', 'LATEST', batch_size => 2) AS m \gset
SELECT put('r1', 'r2', 'r3');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT retry_attempts, invoke_count, next_attempt_at > now() AS backing_off, last_processing_result,
       last_error, last_error_sqlstate, cardinality(pending_batch_ends) AS pending
  FROM ddb.event_source_mappings;
SELECT ddb.deliver_stream_batches_now() AS during_backoff;
SELECT ddb.deliver_stream_batches_now(now() + interval '1 minute') AS delivered;
SELECT retry_attempts, invoke_count FROM ddb.event_source_mappings;
SELECT ddb.deliver_stream_batches_now(now() + interval '2 minutes') AS delivered;
SELECT currval('flaky_calls') AS calls, retry_attempts, invoke_count, next_attempt_at,
       last_processing_result, last_error, batches_delivered, records_delivered
  FROM ddb.event_source_mappings;
SELECT * FROM batches;
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;
TRUNCATE log;

-- 4. MaximumRetryAttempts exhausted: the batch goes to the on-failure
-- destination (ddb.event_source_failures by default) and the mapping goes on.
CREATE FUNCTION picky(payload jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM say('picky', payload);
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(payload -> 'Records') r
             WHERE r #>> '{dynamodb,Keys,id,S}' LIKE 'bad%') THEN
    RAISE EXCEPTION 'bad record' USING ERRCODE = '22023';
  END IF;
  PERFORM log_into('P', payload);
END $$;
SELECT ddb.create_event_source_mapping('Orders', 'picky(jsonb)', 'LATEST', batch_size => 2,
  maximum_retry_attempts => 1) AS m \gset
SELECT put('x1', 'bad4');
SELECT put('x3');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT ddb.deliver_stream_batches_now(now() + interval '1 minute') AS delivered;
SELECT * FROM batches;
SELECT retry_attempts, invoke_count, records_failed, records_delivered, last_processing_result,
       last_error FROM ddb.event_source_mappings;
SELECT mapping_uuid = :'m' AS mapping_ok, owner = current_user::regrole AS owner_ok, function,
       condition, batch_size, approximate_invoke_count, error, error_sqlstate,
       start_sequence_number ~ '^\d{31}$' AND end_sequence_number > start_sequence_number AS seqs_ok,
       (SELECT string_agg(r #>> '{dynamodb,Keys,id,S}', ',') FROM jsonb_array_elements(payload -> 'Records') r) AS payload
  FROM ddb.event_source_failures;
-- Lambda's OnFailure record.
SELECT (record -> 'requestContext') - 'requestId' AS request_context,
       record #>> '{requestContext,requestId}' ~ '^[0-9a-f-]{36}$' AS request_id_ok,
       record -> 'responseContext' AS response_context, record ->> 'version' AS version,
       record ->> 'timestamp' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$' AS timestamp_ok
  FROM ddb.event_source_failures;
SELECT i ->> 'batchSize' AS batch_size, i ->> 'streamArn' = :'arn' AS stream_ok,
       i ->> 'shardId' = ddb.describe_stream(jsonb_build_object('StreamArn', :'arn'::text))
                           #>> '{StreamDescription,Shards,0,ShardId}' AS shard_ok,
       i ->> 'startSequenceNumber' = f.start_sequence_number AND i ->> 'endSequenceNumber' = f.end_sequence_number AS seqs_ok,
       i ->> 'approximateArrivalOfFirstRecord' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' AS arrival_ok,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(i) k) AS keys
  FROM ddb.event_source_failures f, LATERAL (SELECT f.record -> 'DDBStreamBatchInfo' AS i) x;
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;
TRUNCATE log, ddb.event_source_failures;

-- 5. BisectBatchOnFunctionError: a failed batch is split in halves, each
-- delivered on its own and split again when it fails; splitting uses no
-- retry attempt, so with MaximumRetryAttempts 0 only the bad record is
-- given up.
SELECT ddb.create_event_source_mapping('Orders', 'picky(jsonb)', 'LATEST', batch_size => 4,
  bisect_batch_on_function_error => true, maximum_retry_attempts => 0) AS m \gset
SELECT put('y1', 'y2', 'bad5', 'y4', 'y5');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT * FROM batches;
SELECT condition, batch_size, approximate_invoke_count,
       (SELECT string_agg(r #>> '{dynamodb,Keys,id,S}', ',') FROM jsonb_array_elements(payload -> 'Records') r) AS payload
  FROM ddb.event_source_failures;
SELECT pending_batch_ends, retry_attempts, records_delivered, records_failed FROM ddb.event_source_mappings;
TRUNCATE log, ddb.event_source_failures;
-- With retries, the bad record blocks the shard (the pending halves wait).
SELECT (ddb.update_event_source_mapping(:'m', maximum_retry_attempts => 2)).uuid IS NOT NULL AS updated;
SELECT put('z1', 'bad6', 'z3', 'z4');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT cardinality(pending_batch_ends) AS pending, retry_attempts, invoke_count FROM ddb.event_source_mappings;
SELECT ddb.deliver_stream_batches_now(now() + interval '1 minute') AS delivered;
SELECT ddb.deliver_stream_batches_now(now() + interval '2 minutes') AS delivered;
SELECT * FROM batches;
SELECT condition, batch_size, approximate_invoke_count FROM ddb.event_source_failures;
SELECT pending_batch_ends, retry_attempts, invoke_count FROM ddb.event_source_mappings;
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;
TRUNCATE log, ddb.event_source_failures;

-- 6. Exactly once: a function that writes each record and fails half of
-- its calls in the middle of its batch.  What it wrote in a failed call is
-- rolled back; in the end every record is in the log once, in order.
CREATE SEQUENCE half_calls;
CREATE FUNCTION half(payload jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r jsonb;
  i int := 0;
BEGIN
  FOR r IN SELECT * FROM jsonb_array_elements(payload -> 'Records') LOOP
    INSERT INTO log (tag, id, seq) VALUES ('H', r #>> '{dynamodb,Keys,id,S}', r #>> '{dynamodb,SequenceNumber}');
    i := i + 1;
    IF i = 2 AND nextval('half_calls') % 2 = 1 THEN
      RAISE EXCEPTION 'failed after two records';
    END IF;
  END LOOP;
END $$;
SELECT ddb.create_event_source_mapping('Orders', 'half(jsonb)', 'LATEST', batch_size => 3) AS m \gset
SELECT put(VARIADIC (SELECT array_agg('e' || i) FROM generate_series(1, 10) i));
SELECT ddb.deliver_stream_batches_now(now() + i * interval '1 minute') AS delivered
  FROM generate_series(0, 9) i;
SELECT count(*) AS logged, count(DISTINCT seq) AS distinct_seqs,
       string_agg(id, ',' ORDER BY n) AS ids,
       bool_and(seq = (SELECT r.record #>> '{dynamodb,SequenceNumber}' FROM ddb.stream_records r
                       WHERE r.record #>> '{dynamodb,NewImage,id,S}' = log.id)) AS seqs_ok
  FROM log;
SELECT batches_delivered, records_delivered, retry_attempts FROM ddb.event_source_mappings;
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;
TRUNCATE log;

-- 7. ReportBatchItemFailures: the records before the first reported one
-- are delivered (the function's effects stay), the rest is a failed batch.
-- A response Lambda would reject fails the whole batch (effects undone).
CREATE FUNCTION partial(payload jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  r jsonb;
BEGIN
  PERFORM say('partial', payload);
  FOR r IN SELECT * FROM jsonb_array_elements(payload -> 'Records') LOOP
    IF r #>> '{dynamodb,Keys,id,S}' = 'invalid' THEN
      INSERT INTO log (tag, id) VALUES ('R', 'undone');
      RETURN '{"batchItemFailures": [{"itemIdentifier": "12"}]}';
    END IF;
    IF r #>> '{dynamodb,Keys,id,S}' LIKE 'bad%' THEN
      RETURN jsonb_build_object('batchItemFailures',
        jsonb_build_array(jsonb_build_object('itemIdentifier', r #>> '{dynamodb,SequenceNumber}')));
    END IF;
    INSERT INTO log (tag, id) VALUES ('R', r #>> '{dynamodb,Keys,id,S}');
  END LOOP;
  RETURN '{"batchItemFailures": []}';
END $$;
SELECT ddb.create_event_source_mapping('Orders', 'partial(jsonb)', 'LATEST', batch_size => 10,
  function_response_types => '{ReportBatchItemFailures}', maximum_retry_attempts => 1) AS m \gset
SELECT put('p1', 'p2', 'bad7', 'p4');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT retry_attempts, invoke_count, records_delivered, last_error ~ '^The function reported batch item failures from SequenceNumber \d{31}\.$' AS error_ok
  FROM ddb.event_source_mappings;
SELECT ddb.deliver_stream_batches_now(now() + interval '1 minute') AS delivered;
SELECT string_agg(id, ',' ORDER BY n) AS logged FROM log;
SELECT condition, batch_size, approximate_invoke_count,
       (SELECT string_agg(r #>> '{dynamodb,Keys,id,S}', ',') FROM jsonb_array_elements(payload -> 'Records') r) AS payload
  FROM ddb.event_source_failures;
SELECT put('p5', 'invalid');
SELECT ddb.deliver_stream_batches_now(now() + interval '2 minutes') AS delivered;
SELECT string_agg(id, ',' ORDER BY n) AS logged FROM log;
SELECT retry_attempts, last_error, last_error_sqlstate FROM ddb.event_source_mappings;
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;
TRUNCATE log, ddb.event_source_failures;

-- 8. Record age: records older than MaximumRecordAgeInSeconds (or than the
-- stream's 24 hours when it is -1) are given up without another call.
CREATE FUNCTION always_fails(payload jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM say('always_fails', payload);
  RAISE EXCEPTION 'always fails';
END $$;
SELECT ddb.create_event_source_mapping('Orders', 'always_fails(jsonb)', 'LATEST',
  maximum_record_age_in_seconds => 60) AS m \gset
SELECT put('old1');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT ddb.deliver_stream_batches_now(now() + interval '10 minutes') AS delivered;
SELECT (ddb.update_event_source_mapping(:'m', maximum_record_age_in_seconds => -1)).uuid IS NOT NULL AS updated;
SELECT put('old2');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT ddb.deliver_stream_batches_now(now() + interval '23 hours') AS delivered;
SELECT ddb.deliver_stream_batches_now(now() + interval '25 hours') AS delivered;
SELECT condition, batch_size, approximate_invoke_count, error,
       record #> '{requestContext,condition}' AS record_condition,
       (SELECT string_agg(r #>> '{dynamodb,Keys,id,S}', ',') FROM jsonb_array_elements(payload -> 'Records') r) AS payload
  FROM ddb.event_source_failures ORDER BY id;
SELECT records_failed, retry_attempts, invoke_count FROM ddb.event_source_mappings;
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;
TRUNCATE ddb.event_source_failures;

-- 9. Mappings take turns: two mappings of one stream, batches of one.
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', batch_size => 1) AS m_a \gset
SELECT ddb.create_event_source_mapping('Orders', 'log_b(jsonb)', 'LATEST', batch_size => 1) AS m_b \gset
SELECT put('t1', 't2', 't3');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT translate(s, left(s, 1) || CASE left(s, 1) WHEN 'A' THEN 'B' ELSE 'A' END, 'XY') AS turns,
       (SELECT string_agg(id, ',' ORDER BY n) FROM log WHERE tag = 'A') AS a,
       (SELECT string_agg(id, ',' ORDER BY n) FROM log WHERE tag = 'B') AS b
  FROM (SELECT string_agg(tag, '' ORDER BY n) AS s FROM log) x;
-- A disabled mapping keeps its place and gets nothing until enabled again.
SELECT enabled FROM ddb.update_event_source_mapping(:'m_b', enabled => false);
SELECT put('t4');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT enabled, batch_size FROM ddb.update_event_source_mapping(:'m_b', enabled => true, batch_size => 5);
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT * FROM batches OFFSET 6;
SELECT (ddb.delete_event_source_mapping(:'m_a')).uuid IS NOT NULL AND (ddb.delete_event_source_mapping(:'m_b')).uuid IS NOT NULL AS deleted;
TRUNCATE log;

-- 10. A user table as the on-failure destination: it gets the columns it
-- has, as the mapping's owner; when writing to it fails, the batch goes to
-- ddb.event_source_failures with a warning.
CREATE TABLE my_failures (id serial, condition text, error text, record jsonb, batch_size bigint,
                          function text);
SELECT ddb.create_event_source_mapping('Orders', 'always_fails(jsonb)', 'LATEST',
  maximum_retry_attempts => 0, on_failure => 'my_failures') AS m \gset
SELECT put('f1');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT id, condition, error, batch_size, function, record #>> '{DDBStreamBatchInfo,batchSize}' AS record_batch_size
  FROM my_failures;
SELECT count(*) AS default_destination FROM ddb.event_source_failures;
ALTER TABLE my_failures ADD CONSTRAINT nothing_more CHECK (false) NOT VALID;
SELECT put('f2');
\set VERBOSITY terse
SELECT ddb.deliver_stream_batches_now() AS delivered;
\set VERBOSITY default
SELECT count(*) AS in_my_failures FROM my_failures;
SELECT condition, error, function FROM ddb.event_source_failures;
SELECT on_failure FROM ddb.update_event_source_mapping(:'m', on_failure => '-');
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;
TRUNCATE ddb.event_source_failures;

-- 11. A mapping's function runs as the role that created the mapping; only
-- members of that role change or delete it.
CREATE ROLE regress_trigger_owner;
GRANT USAGE ON SCHEMA trig TO regress_trigger_owner;
CREATE TABLE who (role text);
GRANT INSERT ON who TO regress_trigger_owner;
CREATE FUNCTION whoami(payload jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO who SELECT current_user
$$;
GRANT EXECUTE ON FUNCTION ddb.create_event_source_mapping(text, regprocedure, text, integer,
  integer, integer, integer, boolean, text[], regclass, boolean),
  ddb.delete_event_source_mapping(uuid) TO regress_trigger_owner;
SET ROLE regress_trigger_owner;
SELECT ddb.create_event_source_mapping('Orders', 'whoami(jsonb)', 'LATEST') AS m \gset
SELECT owner, function FROM ddb.event_source_mappings;
RESET ROLE;
SELECT put('o1');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT role FROM who;
CREATE ROLE regress_trigger_other;
GRANT USAGE ON SCHEMA trig TO regress_trigger_other;
GRANT EXECUTE ON FUNCTION ddb.delete_event_source_mapping(uuid) TO regress_trigger_other;
SET ROLE regress_trigger_other;
SELECT count(*) AS visible FROM ddb.event_source_mappings;
SELECT try(format('SELECT ddb.delete_event_source_mapping(%L)', :'m'));
SELECT ddb.create_event_source_mapping('Orders', 'whoami(jsonb)', 'LATEST');
RESET ROLE;
-- A function the owner may no longer execute fails like any error.
REVOKE EXECUTE ON FUNCTION whoami(jsonb) FROM PUBLIC;
SELECT put('o2');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT last_error, last_error_sqlstate FROM ddb.event_source_mappings;
SET ROLE regress_trigger_owner;
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;
RESET ROLE;

-- 12. A function cannot deliver batches itself.
CREATE FUNCTION nested(payload jsonb) RETURNS void LANGUAGE sql AS $$
  SELECT ddb.deliver_stream_batches_now()
$$;
SELECT ddb.create_event_source_mapping('Orders', 'nested(jsonb)', 'LATEST') AS m \gset
SELECT put('n1');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT last_error, last_error_sqlstate FROM ddb.event_source_mappings;
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;

-- 13. A mapping follows the stream it was created on: after the stream is
-- disabled it delivers that stream's last records, then nothing; the
-- table's next stream needs a mapping of its own (by table or stream ARN).
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST') AS m \gset
SELECT put('s1');
SELECT ddb.update_table('{"TableName": "Orders", "StreamSpecification": {"StreamEnabled": false}}') IS NOT NULL AS disabled;
SELECT put('s2');
SELECT ddb.update_table('{"TableName": "Orders", "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}')
  #>> '{TableDescription,LatestStreamArn}' AS arn2 \gset
SELECT ddb.create_event_source_mapping(:'arn2', 'log_b(jsonb)', 'TRIM_HORIZON') AS m2 \gset
SELECT put('s3');
SELECT ddb.deliver_stream_batches_now() AS delivered;
SELECT tag, ids, (SELECT DISTINCT arn FROM log l WHERE l.tag = b.tag) = CASE tag WHEN 'A' THEN :'arn' ELSE :'arn2' END AS arn_ok
  FROM batches b ORDER BY tag;
SELECT m.stream_arn = :'arn' AS old_stream, s.disabled_at IS NOT NULL AS stream_disabled
  FROM ddb.event_source_mappings m JOIN ddb.streams s USING (stream_arn) WHERE uuid = :'m';
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AND (ddb.delete_event_source_mapping(:'m2')).uuid IS NOT NULL AS deleted;
TRUNCATE log;

-- 14. Errors.  Lambda's constraints and messages.
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', batch_size => 0);
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', batch_size => 10001);
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', maximum_batching_window_in_seconds => 301);
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', maximum_retry_attempts => -2);
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', maximum_retry_attempts => 10001);
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', maximum_record_age_in_seconds => 604801);
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', maximum_record_age_in_seconds => 59);
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'OLDEST');
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'AT_TIMESTAMP');
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', batch_size => 0,
  maximum_batching_window_in_seconds => -1, function_response_types => '{Other}');
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST',
  function_response_types => '{ReportBatchItemFailures,ReportBatchItemFailures}');
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', NULL);
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', batch_size => NULL);
-- The event source.
SELECT ddb.create_event_source_mapping('Nope', 'log_a(jsonb)', 'LATEST');
SELECT ddb.create_table('{"TableName": "Plain", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}') IS NOT NULL AS created;
SELECT ddb.create_event_source_mapping('Plain', 'log_a(jsonb)', 'LATEST');
SELECT ddb.create_event_source_mapping('arn:aws:dynamodb:ddblocal:000000000000:table/Nope/stream/x', 'log_a(jsonb)', 'LATEST');
-- The function.
CREATE FUNCTION takes_text(t text) RETURNS void LANGUAGE sql AS '';
CREATE FUNCTION returns_set(payload jsonb) RETURNS SETOF int LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE proc(payload jsonb) LANGUAGE sql AS '';
SELECT ddb.create_event_source_mapping('Orders', 'takes_text(text)', 'LATEST');
SELECT ddb.create_event_source_mapping('Orders', 'returns_set(jsonb)', 'LATEST');
SELECT ddb.create_event_source_mapping('Orders', 'proc(jsonb)', 'LATEST');
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST',
  function_response_types => '{ReportBatchItemFailures}');
-- The on-failure destination.
CREATE TABLE no_record (x int);
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', on_failure => 'no_record');
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST', on_failure => 'batches');
-- One mapping per stream and function (the message names the existing one).
SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'LATEST') AS m \gset
SELECT ddb.create_event_source_mapping('Orders', 'log_b(jsonb)', 'LATEST') AS m2 \gset
SELECT try($$SELECT ddb.create_event_source_mapping('Orders', 'log_a(jsonb)', 'TRIM_HORIZON')$$);
SELECT try(format('SELECT ddb.update_event_source_mapping(%L, function => %L)', :'m2', 'log_a(jsonb)'));
-- Updating and deleting.
SELECT ddb.update_event_source_mapping(:'m', batch_size => 0, maximum_retry_attempts => 20000);
SELECT ddb.update_event_source_mapping(:'m', maximum_record_age_in_seconds => 10);
SELECT ddb.update_event_source_mapping(:'m', function => 'takes_text(text)');
SELECT ddb.update_event_source_mapping(:'m', function_response_types => '{ReportBatchItemFailures}');
SELECT ddb.update_event_source_mapping('00000000-0000-0000-0000-000000000000', enabled => false);
SELECT ddb.update_event_source_mapping(NULL);
SELECT ddb.delete_event_source_mapping('00000000-0000-0000-0000-000000000000');
-- What an update changes, what the listing shows.
SELECT table_name, stream_arn = :'arn2' AS stream_ok, function, starting_position, batch_size,
       maximum_batching_window_in_seconds, maximum_retry_attempts, maximum_record_age_in_seconds,
       bisect_batch_on_function_error, function_response_types, on_failure, enabled
  FROM ddb.update_event_source_mapping(:'m', batch_size => 7,
    maximum_batching_window_in_seconds => 5, maximum_retry_attempts => 3,
    maximum_record_age_in_seconds => 3600, bisect_batch_on_function_error => true,
    on_failure => 'my_failures', enabled => false);
SELECT function FROM ddb.update_event_source_mapping(:'m2', function => 'flaky(jsonb)');
SELECT function, enabled, last_processing_result, last_error, batches_delivered
  FROM ddb.event_source_mappings ORDER BY function::text;
-- Nothing to deliver and no worker needed: deliver_stream_batches_now() with pump => false.
SELECT ddb.deliver_stream_batches_now(pump => false) AS delivered;
SELECT ddb.deliver_stream_batches_now('infinity');

SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;
SELECT (ddb.delete_event_source_mapping(:'m2')).uuid IS NOT NULL AS deleted;

-- 15. The background worker delivers by itself, each batch in a transaction
-- of its own.  It runs functions with the database's settings: a function
-- that needs a search_path sets it.
CREATE TABLE bg_log (id text);
CREATE FUNCTION bg(payload jsonb) RETURNS void LANGUAGE sql SET search_path = trig AS $$
  INSERT INTO bg_log SELECT r #>> '{dynamodb,Keys,id,S}' FROM jsonb_array_elements(payload -> 'Records') r
$$;
SELECT ddb.create_event_source_mapping('Orders', 'bg(jsonb)', 'LATEST') AS m \gset
SELECT ddb.resume_background_delivery() AS resumed, ddb.resume_background_delivery() AS again;
SELECT put('bg1', 'bg2');
DO $$
BEGIN
  FOR i IN 1..600 LOOP
    EXIT WHEN (SELECT count(*) FROM trig.bg_log) = 2;
    PERFORM pg_sleep(0.1);
  END LOOP;
END $$;
SELECT string_agg(id, ',' ORDER BY id) AS delivered_by_the_worker FROM bg_log;
SELECT batches_delivered, records_delivered, last_processing_result FROM ddb.event_source_mappings;
SELECT ddb.pause_background_delivery();
SELECT (ddb.delete_event_source_mapping(:'m')).uuid IS NOT NULL AS deleted;

-- Leave no streams slot behind: with no stream left, the pump drops it.
SELECT ddb.delete_table('{"TableName": "Orders"}') IS NOT NULL AS deleted;
SELECT ddb.stream_pump() >= 0 AS pumped;
SELECT ddb.stream_pump() >= 0 AS pumped;
SELECT count(*) AS slots FROM pg_replication_slots WHERE slot_name LIKE 'ddb_emul_streams_%';

SET client_min_messages = warning;
DROP SCHEMA trig CASCADE;
DROP EXTENSION ddb_emul CASCADE;
DROP ROLE regress_trigger_owner;
DROP ROLE regress_trigger_other;
