-- The DynamoDB Streams API over the records of the ddb_emul output plugin:
-- ListStreams, DescribeStream, GetShardIterator, GetRecords.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- Records without their volatile members.
CREATE FUNCTION pg_temp.rec(r jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT r #- '{eventID}' #- '{dynamodb,SequenceNumber}' #- '{dynamodb,ApproximateCreationDateTime}'
$$;
CREATE FUNCTION pg_temp.records(resp jsonb) RETURNS SETOF jsonb LANGUAGE sql AS $$
  SELECT pg_temp.rec(r) FROM jsonb_array_elements(resp->'Records') r
$$;

-- Enabling the first stream creates the database's slot.
SELECT ddb.create_table('{"TableName": "Orders", "BillingMode": "PAY_PER_REQUEST",
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"},
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}') -> 'TableDescription' ->> 'LatestStreamArn' AS arn \gset
SELECT slot_name = 'ddb_emul_streams_' || (SELECT oid FROM pg_database WHERE datname = current_database()) AS slot,
       plugin FROM pg_replication_slots WHERE slot_name LIKE 'ddb_emul_streams_%';
SELECT relreplident FROM pg_class WHERE oid = 'ddb_data."Orders"'::regclass;

SELECT ddb.put_item('{"TableName": "Orders", "Item": {"id": {"S": "o1"}, "amount": {"N": "10"}}}');
SELECT ddb.update_item('{"TableName": "Orders", "Key": {"id": {"S": "o1"}}, "UpdateExpression": "SET amount = :t",
  "ExpressionAttributeValues": {":t": {"N": "12"}}}');
SELECT ddb.put_item('{"TableName": "Orders", "Item": {"id": {"S": "o1"}, "amount": {"N": "12"}}}');
BEGIN;
SELECT ddb.put_item('{"TableName": "Orders", "Item": {"id": {"S": "rolled back"}}}');
ROLLBACK;
SELECT ddb.delete_item('{"TableName": "Orders", "Key": {"id": {"S": "o1"}}}');
-- A TTL deletion: the sweep marks its transaction.
SELECT ddb.put_item('{"TableName": "Orders", "Item": {"id": {"S": "o2"}}}');
BEGIN;
SELECT pg_logical_emit_message(true, 'ddb_emul.ttl', '') IS NOT NULL AS marked;
SELECT ddb.delete_item('{"TableName": "Orders", "Key": {"id": {"S": "o2"}}}');
COMMIT;

-- ListStreams and DescribeStream.
SELECT s->>'StreamArn' = :'arn' AS arn_ok, s->>'TableName' AS table_name,
       s->>'StreamLabel' = split_part(:'arn', '/stream/', 2) AS label_ok
  FROM jsonb_array_elements(ddb.list_streams() -> 'Streams') s;
SELECT d->>'StreamStatus' AS status, d->>'StreamViewType' AS view_type, d->>'TableName' AS table_name,
       d->'KeySchema' AS key_schema, jsonb_array_length(d->'Shards') AS shards,
       d #>> '{Shards,0,ShardId}' ~ '^shardId-\d{13}-[0-9a-f]{8}$' AS shard_id_ok,
       d #>> '{Shards,0,SequenceNumberRange,StartingSequenceNumber}' ~ '^\d{31}$' AS start_ok,
       d #> '{Shards,0,SequenceNumberRange}' ? 'EndingSequenceNumber' AS closed
  FROM (SELECT ddb.describe_stream(jsonb_build_object('StreamArn', :'arn'::text)) -> 'StreamDescription' AS d) x;
SELECT ddb.describe_stream(jsonb_build_object('StreamArn', :'arn'::text)) #>> '{StreamDescription,Shards,0,ShardId}' AS shard \gset

-- GetRecords from TRIM_HORIZON, two at a time: exactly the committed changes, in order.
SELECT ddb.get_shard_iterator(jsonb_build_object('StreamArn', :'arn'::text, 'ShardId', :'shard'::text,
  'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator' AS it \gset
SELECT ddb.get_records(jsonb_build_object('ShardIterator', :'it'::text, 'Limit', 2)) AS page \gset
SELECT * FROM pg_temp.records(:'page');
SELECT ddb.get_records(jsonb_build_object('ShardIterator', :'page'::jsonb ->> 'NextShardIterator')) AS page2 \gset
SELECT * FROM pg_temp.records(:'page2');
-- The end of an open shard: no records, an iterator to wait with.
SELECT ddb.get_records(jsonb_build_object('ShardIterator', :'page2'::jsonb ->> 'NextShardIterator')) AS page3 \gset
SELECT jsonb_array_length(:'page3'::jsonb -> 'Records') AS records, :'page3'::jsonb ? 'NextShardIterator' AS open;

-- Records are stored once, with increasing SequenceNumbers and unique eventIDs.
SELECT ddb.stream_pump() AS new_records;
SELECT count(*) AS records, count(DISTINCT record->>'eventID') AS event_ids,
       bool_and(record #>> '{dynamodb,SequenceNumber}' ~ '^\d{31}$') AS seq_format
  FROM ddb.stream_records;
SELECT bool_and(s1 < s2) AS increasing
  FROM (SELECT seq AS s1, lead(seq) OVER (ORDER BY seq) AS s2 FROM ddb.stream_records) x WHERE s2 IS NOT NULL;

-- A second reader sees the same records; AT / AFTER_SEQUENCE_NUMBER.
SELECT (SELECT record #>> '{dynamodb,SequenceNumber}' FROM ddb.stream_records ORDER BY seq OFFSET 1 LIMIT 1) AS second \gset
SELECT count(*) AS at_second FROM pg_temp.records(ddb.get_records(jsonb_build_object('ShardIterator',
  ddb.get_shard_iterator(jsonb_build_object('StreamArn', :'arn'::text, 'ShardId', :'shard'::text,
    'ShardIteratorType', 'AT_SEQUENCE_NUMBER', 'SequenceNumber', :'second'::text)) ->> 'ShardIterator')));
SELECT count(*) AS after_second FROM pg_temp.records(ddb.get_records(jsonb_build_object('ShardIterator',
  ddb.get_shard_iterator(jsonb_build_object('StreamArn', :'arn'::text, 'ShardId', :'shard'::text,
    'ShardIteratorType', 'AFTER_SEQUENCE_NUMBER', 'SequenceNumber', :'second'::text)) ->> 'ShardIterator')));

-- LATEST: only what comes after the iterator.
SELECT ddb.get_shard_iterator(jsonb_build_object('StreamArn', :'arn'::text, 'ShardId', :'shard'::text,
  'ShardIteratorType', 'LATEST')) ->> 'ShardIterator' AS latest \gset
SELECT ddb.put_item('{"TableName": "Orders", "Item": {"id": {"S": "o3"}}}');
SELECT * FROM pg_temp.records(ddb.get_records(jsonb_build_object('ShardIterator', :'latest'::text)));

-- Errors.
SELECT ddb.describe_stream('{}');
SELECT ddb.describe_stream('{"StreamArn": "arn:aws:dynamodb:ddblocal:000000000000:table/Nope/stream/x"}');
SELECT ddb.get_shard_iterator(jsonb_build_object('StreamArn', :'arn'::text, 'ShardId', :'shard'::text,
  'ShardIteratorType', 'OLDEST'));
SELECT ddb.get_shard_iterator(jsonb_build_object('StreamArn', :'arn'::text, 'ShardId', :'shard'::text,
  'ShardIteratorType', 'TRIM_HORIZON', 'SequenceNumber', :'second'::text));
SELECT ddb.get_shard_iterator(jsonb_build_object('StreamArn', :'arn'::text, 'ShardId', :'shard'::text,
  'ShardIteratorType', 'AT_SEQUENCE_NUMBER'));
SELECT ddb.get_shard_iterator(jsonb_build_object('StreamArn', :'arn'::text, 'ShardId', :'shard'::text,
  'ShardIteratorType', 'AT_SEQUENCE_NUMBER', 'SequenceNumber', '12x'));
SELECT ddb.get_shard_iterator(jsonb_build_object('StreamArn', :'arn'::text, 'ShardId', 'shardId-0000000000000-00000000',
  'ShardIteratorType', 'LATEST'));
SELECT ddb.get_records('{}');
SELECT ddb.get_records(jsonb_build_object('ShardIterator', :'it'::text, 'Limit', 0));
SELECT ddb.get_records(jsonb_build_object('ShardIterator', :'it'::text, 'Limit', 1001));
SELECT ddb.get_records('{"ShardIterator": "not an iterator"}');
-- An iterator older than 15 minutes (the message carries both times).
SELECT set_config('my.old_it', translate(encode(convert_to(:'arn' || '|0|1000', 'UTF8'), 'base64'), E'\n', ''), false) IS NOT NULL AS set;
DO $$
DECLARE
  body text;
BEGIN
  PERFORM ddb.get_records(jsonb_build_object('ShardIterator', current_setting('my.old_it')));
EXCEPTION WHEN SQLSTATE 'YD013' THEN
  GET STACKED DIAGNOSTICS body = PG_EXCEPTION_DETAIL;
  RAISE NOTICE '% / %', (body::jsonb)->>'__type',
    regexp_replace((body::jsonb)->>'message', 'time .* while right now it is .* which', 'time T1 while right now it is T2 which');
END $$;
SELECT ddb.list_streams('{"Limit": 0}');

-- Disabling closes the shard: its last records are read, then no iterator.
SELECT ddb.update_table('{"TableName": "Orders", "StreamSpecification": {"StreamEnabled": false}}') -> 'TableDescription' ? 'LatestStreamArn' AS still_streaming;
SELECT d->>'StreamStatus' AS status,
       d #>> '{Shards,0,SequenceNumberRange,EndingSequenceNumber}' = (SELECT record #>> '{dynamodb,SequenceNumber}' FROM ddb.stream_records ORDER BY seq DESC LIMIT 1) AS ends_at_last
  FROM (SELECT ddb.describe_stream(jsonb_build_object('StreamArn', :'arn'::text)) -> 'StreamDescription' AS d) x;
SELECT ddb.get_records(jsonb_build_object('ShardIterator', :'page2'::jsonb ->> 'NextShardIterator')) AS last_page \gset
SELECT jsonb_array_length(:'last_page'::jsonb -> 'Records') AS records, :'last_page'::jsonb ? 'NextShardIterator' AS has_next;
SELECT ddb.get_records(jsonb_build_object('ShardIterator', :'last_page'::jsonb ->> 'NextShardIterator'))
  ? 'NextShardIterator' AS has_next_when_drained;
SELECT relreplident FROM pg_class WHERE oid = 'ddb_data."Orders"'::regclass;

-- A KEYS_ONLY stream; re-enabling gives a new stream; DeleteTable keeps it listed.
SELECT ddb.update_table('{"TableName": "Orders", "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}')
  #>> '{TableDescription,LatestStreamArn}' AS arn2 \gset
SELECT :'arn2' <> :'arn' AS new_arn, relreplident FROM pg_class WHERE oid = 'ddb_data."Orders"'::regclass;
SELECT ddb.put_item('{"TableName": "Orders", "Item": {"id": {"S": "o4"}, "x": {"S": "y"}}}');
SELECT * FROM pg_temp.records(ddb.get_records(jsonb_build_object('ShardIterator',
  ddb.get_shard_iterator(jsonb_build_object('StreamArn', :'arn2'::text,
    'ShardId', ddb.describe_stream(jsonb_build_object('StreamArn', :'arn2'::text)) #>> '{StreamDescription,Shards,0,ShardId}',
    'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator')));
SELECT ddb.delete_table('{"TableName": "Orders"}') IS NOT NULL AS deleted;
SELECT s->>'TableName' AS table_name, ddb.describe_stream(jsonb_build_object('StreamArn', s->>'StreamArn'))
       #>> '{StreamDescription,StreamStatus}' AS status
  FROM jsonb_array_elements(ddb.list_streams('{"TableName": "Orders"}') -> 'Streams') s;

-- With no stream left and everything read, the pump drops the slot.
SELECT ddb.stream_pump();
SELECT count(*) AS slots FROM pg_replication_slots WHERE slot_name LIKE 'ddb_emul_streams_%';

SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
