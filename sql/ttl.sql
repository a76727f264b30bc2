--
-- Time to Live: UpdateTimeToLive / DescribeTimeToLive, which items expire,
-- and the stream record of a TTL deletion.  Expiry runs through
-- ddb.ttl_sweep_now(), the worker's own steps; items are written and swept
-- in one transaction, so the background worker (which sees only committed
-- items) never races the test.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- PutItem of {"id": {"S": id}} plus attrs; returns id.
CREATE FUNCTION pg_temp.put(tbl text, id text, attrs jsonb DEFAULT '{}') RETURNS text
LANGUAGE sql AS $$
  SELECT id FROM (SELECT ddb.put_item(jsonb_build_object('TableName', tbl,
    'Item', jsonb_build_object('id', jsonb_build_object('S', id)) || attrs))) x
$$;
-- The epoch seconds of now() plus secs, as text.
CREATE FUNCTION pg_temp.at(secs numeric) RETURNS text
LANGUAGE sql AS $$ SELECT (floor(extract(epoch FROM now())) + secs)::text $$;
-- {"<attr>": {"N": "<now + secs>"}}
CREATE FUNCTION pg_temp.n_at(attr text, secs numeric) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT jsonb_build_object(attr, jsonb_build_object('N', pg_temp.at(secs)))
$$;
CREATE FUNCTION pg_temp.ids(tbl text) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(item->'id'->>'S', ' ' ORDER BY item->'id'->>'S')
    FROM jsonb_path_query(ddb.scan(jsonb_build_object('TableName', tbl)), '$.Items[*]') AS item
$$;

SELECT ddb.create_table('{"TableName": "Sessions", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}') IS NOT NULL AS created;

-- A new table has TTL disabled, without AttributeName.
SELECT ddb.describe_time_to_live('{"TableName": "Sessions"}');

-- The background worker of this database runs (so no WARNING below).
SELECT state IN ('starting', 'running') AS worker_up FROM ddb.worker_status();

--
-- Validation, in DynamoDB's order: types, constraints, the table, the state.
--
SELECT ddb.update_time_to_live('{}');
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": {}}');
SELECT ddb.update_time_to_live('{"TableName": "ab", "TimeToLiveSpecification": {"AttributeName": "", "Enabled": true}}');
SELECT ddb.update_time_to_live(jsonb_build_object('TableName', 'Sessions',
  'TimeToLiveSpecification', jsonb_build_object('AttributeName', repeat('x', 256), 'Enabled', true)));
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": {"AttributeName": null, "Enabled": null}}');
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": "exp"}');
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": ["exp"]}');
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": {"AttributeName": 3, "Enabled": true}}');
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": "yes"}}');
SELECT ddb.update_time_to_live('{"TableName": "Nowhere", "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": true}}');
SELECT ddb.describe_time_to_live('{"TableName": "Nowhere"}');
SELECT ddb.describe_time_to_live('{}');
SELECT ddb.describe_time_to_live('{"TableName": "a;b"}');
-- Disabling what is not enabled.
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": false}}');

--
-- Enable: the specification is echoed, DescribeTimeToLive reports it, and
-- the table gets its TTL index.
--
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": true}}');
SELECT ddb.execute('DescribeTimeToLive', '{"TableName": "Sessions"}');
SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'ddb_data' AND tablename = 'Sessions' ORDER BY 1;
SELECT ttl_attribute, ttl_status FROM ddb.tables WHERE table_name = 'Sessions';
-- Enabling again, on the same or another attribute; disabling another one.
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": true}}');
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": {"AttributeName": "other", "Enabled": true}}');
SELECT ddb.execute('UpdateTimeToLive', '{"TableName": "Sessions", "TimeToLiveSpecification": {"AttributeName": "other", "Enabled": false}}');
-- Disable, then enable on another attribute (no hourly limit here).
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": false}}');
SELECT ddb.describe_time_to_live('{"TableName": "Sessions"}');
SELECT count(*) AS ttl_indexes FROM pg_indexes WHERE schemaname = 'ddb_data' AND tablename = 'Sessions' AND indexname LIKE '%#ttl';
SELECT ddb.update_time_to_live('{"TableName": "Sessions", "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": true}}');
SELECT ddb.describe_time_to_live('{"TableName": "Sessions"}');

--
-- Which items expire: a top-level N, in epoch seconds, not in the future
-- and not more than five years in the past.
--
BEGIN;
SELECT string_agg(pg_temp.put('Sessions', id, attrs), ' ' ORDER BY id) AS put FROM (VALUES
  ('past', pg_temp.n_at('expires_at', -60)),
  ('fraction', jsonb_build_object('expires_at', jsonb_build_object('N', pg_temp.at(-10) || '.75'))),
  -- the same instant written with an exponent, as 1.7636899E9
  ('exponent', jsonb_build_object('expires_at', jsonb_build_object('N',
     regexp_replace(pg_temp.at(-100), '^(\d)(\d+)$', '\1.\2E9')))),
  ('negative_exponent', jsonb_build_object('expires_at', jsonb_build_object('N', pg_temp.at(-100) || '000e-3'))),
  ('four_years', pg_temp.n_at('expires_at', -4 * 365 * 86400)),
  -- never: more than five years ago, in the future, milliseconds (far in
  -- the future as seconds), not an N, not top-level, another attribute,
  -- no attribute at all
  ('six_years', pg_temp.n_at('expires_at', -6 * 365 * 86400)),
  ('zero', '{"expires_at": {"N": "0"}}'),
  ('negative', '{"expires_at": {"N": "-5"}}'),
  ('future', pg_temp.n_at('expires_at', 3600)),
  ('milliseconds', jsonb_build_object('expires_at', jsonb_build_object('N', pg_temp.at(0) || '000'))),
  ('string', jsonb_build_object('expires_at', jsonb_build_object('S', pg_temp.at(-60)))),
  ('number_set', jsonb_build_object('expires_at', jsonb_build_object('NS', jsonb_build_array(pg_temp.at(-60))))),
  ('nested', jsonb_build_object('doc', jsonb_build_object('M', pg_temp.n_at('expires_at', -60)))),
  ('other_attribute', pg_temp.n_at('exp', -60)),
  ('missing', '{}')) v(id, attrs);
-- stored canonical: seconds from now()
SELECT item->'id'->>'S' AS id, item->'expires_at'->>'N' ~ '^\d+(\.\d+)?$' AS canonical,
       (item->'expires_at'->>'N')::numeric - floor(extract(epoch FROM now())) AS from_now
  FROM ddb_data."Sessions"
 WHERE item->'id'->>'S' IN ('fraction', 'exponent', 'negative_exponent')
 ORDER BY 1;
-- Expired but not yet deleted items are still read.
SELECT ddb.get_item('{"TableName": "Sessions", "Key": {"id": {"S": "past"}}, "ProjectionExpression": "id"}');
SELECT ddb.ttl_sweep_now() AS deleted;
SELECT pg_temp.ids('Sessions') AS remaining;
SELECT ddb.ttl_sweep_now() AS deleted_again;
-- Updating the attribute before the sweep postpones expiry.
SELECT pg_temp.put('Sessions', 'postponed', pg_temp.n_at('expires_at', -60));
SELECT ddb.update_item(jsonb_build_object('TableName', 'Sessions', 'Key', '{"id": {"S": "postponed"}}'::jsonb,
  'UpdateExpression', 'SET expires_at = :t',
  'ExpressionAttributeValues', jsonb_build_object(':t', pg_temp.n_at('x', 3600) -> 'x')));
SELECT ddb.ttl_sweep_now() AS deleted_postponed;
ROLLBACK;

--
-- A key attribute may be the TTL attribute; max_items bounds a sweep; a
-- table with TTL disabled is never swept.
--
SELECT ddb.create_table('{"TableName": "Ticks", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "at", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
SELECT ddb.update_time_to_live('{"TableName": "Ticks", "TimeToLiveSpecification": {"AttributeName": "at", "Enabled": true}}');
SELECT ddb.create_table('{"TableName": "Untimed", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}') IS NOT NULL AS created;
BEGIN;
SELECT count(pg_temp.put('Ticks', 't', pg_temp.n_at('at', s))) AS put FROM unnest(ARRAY[-1, -2, -3, -4, -5, 600]) s;
SELECT pg_temp.put('Untimed', 'old', pg_temp.n_at('expires_at', -60));
SELECT ddb.ttl_sweep_now(2) AS first_two;
SELECT ddb.ttl_sweep_now(0) AS none;
SELECT ddb.ttl_sweep_now() AS the_rest;
SELECT count(*) AS ticks_left FROM ddb_data."Ticks";
SELECT pg_temp.ids('Untimed') AS untimed;
ROLLBACK;
SELECT ddb.ttl_sweep_now(-1);

--
-- The stream record of a TTL deletion carries DynamoDB's userIdentity; a
-- user's delete does not.
--
SELECT ddb.create_table('{"TableName": "Carts", "BillingMode": "PAY_PER_REQUEST",
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"},
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}') -> 'TableDescription' ->> 'LatestStreamArn' AS arn \gset
SELECT ddb.update_time_to_live('{"TableName": "Carts", "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": true}}');
BEGIN;
SELECT pg_temp.put('Carts', 'abandoned', pg_temp.n_at('exp', -60)),
       pg_temp.put('Carts', 'active', pg_temp.n_at('exp', 3600));
SELECT ddb.ttl_sweep_now() AS deleted;
COMMIT;
SELECT ddb.delete_item('{"TableName": "Carts", "Key": {"id": {"S": "active"}}}');
SELECT r->>'eventName' AS event, r #> '{dynamodb,Keys}' AS keys, r->'userIdentity' AS user_identity
  FROM jsonb_array_elements(ddb.get_records(jsonb_build_object('ShardIterator',
         ddb.get_shard_iterator(jsonb_build_object('StreamArn', :'arn'::text,
           'ShardId', ddb.describe_stream(jsonb_build_object('StreamArn', :'arn'::text)) #>> '{StreamDescription,Shards,0,ShardId}',
           'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator')) -> 'Records') r;

-- DeleteTable takes the TTL index with it; the streams slot goes once no
-- stream is left.
SELECT ddb.delete_table('{"TableName": "Carts"}') IS NOT NULL AS deleted;
SELECT ddb.stream_pump() >= 0 AS pumped;
SELECT count(*) AS slots FROM pg_replication_slots WHERE slot_name LIKE 'ddb_emul_streams_%';
SELECT indexname FROM pg_indexes WHERE schemaname = 'ddb_data' AND indexname LIKE '%#ttl' ORDER BY 1;

SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
