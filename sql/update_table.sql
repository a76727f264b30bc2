-- UpdateTable: a global secondary index added to a table that holds items
-- is backfilled by a worker (CREATING with Backfilling, then ACTIVE),
-- deleted, and the other changes (billing, streams, deletion protection),
-- with DynamoDB's errors.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;
SELECT ddb.create_table('{"TableName": "Runs", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
-- 2000 items; one in ten has no "state", and one has a "state" of the wrong type.
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Runs', 'Item',
  jsonb_build_object('pk', jsonb_build_object('S', 'p' || (i % 20)), 'sk', jsonb_build_object('N', i::text))
  || CASE WHEN i % 10 = 0 THEN '{}'::jsonb ELSE jsonb_build_object('state', jsonb_build_object('S', 's' || (i % 3))) END)))
  FROM generate_series(1, 2000) i;
UPDATE ddb_data."Runs" SET item = jsonb_set(item, '{state}', '{"N": "7"}') WHERE sk = ddb.encode_key('{"N": "7"}');

-- Waits, outside any long transaction, until the index is ACTIVE.
CREATE PROCEDURE pg_temp.wait_active(tbl text, idx text) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..600 LOOP
    IF (SELECT e->>'IndexStatus' FROM ddb.tables, jsonb_array_elements(global_indexes) e
         WHERE table_name = tbl AND e->>'IndexName' = idx) = 'ACTIVE' THEN
      RETURN;
    END IF;
    COMMIT;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RAISE EXCEPTION 'index % of % did not become ACTIVE in 30 s', idx, tbl;
END $$;

-- Holding the backfill workers' lock keeps the new index CREATING while we look.
SELECT pg_advisory_lock(hashtext('ddb_emul.backfill'));
SELECT jsonb_pretty(ddb.update_table('{"TableName": "Runs",
  "AttributeDefinitions": [{"AttributeName": "state", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by-state",
    "KeySchema": [{"AttributeName": "state", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"}}}]}')
  -> 'TableDescription' -> 'GlobalSecondaryIndexes' #- '{0,IndexArn}');
-- While it is built, writers are not blocked and must use the declared type.
SELECT ddb.put_item('{"TableName": "Runs", "Item": {"pk": {"S": "new"}, "sk": {"N": "1"}, "state": {"S": "s1"}}}');
SELECT ddb.put_item('{"TableName": "Runs", "Item": {"pk": {"S": "new"}, "sk": {"N": "2"}, "state": {"N": "1"}}}');
SELECT ddb.update_table('{"TableName": "Runs", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by-state"}}]}');
SELECT ddb.describe_table('{"TableName": "Runs"}') -> 'Table' -> 'GlobalSecondaryIndexes' -> 0 -> 'IndexStatus';
SELECT pg_advisory_unlock(hashtext('ddb_emul.backfill'));
CALL pg_temp.wait_active('Runs', 'by-state');
SELECT d->>'IndexStatus' AS status, d ? 'Backfilling' AS backfilling, d->'ItemCount' AS items
  FROM (SELECT ddb.describe_table('{"TableName": "Runs"}') -> 'Table' -> 'GlobalSecondaryIndexes' -> 0 AS d) x;
-- The PostgreSQL index exists and is valid; the wrong-typed item is left out.
SELECT indexrelid::regclass AS index, indisvalid FROM pg_index WHERE indrelid = 'ddb_data."Runs"'::regclass ORDER BY 1;
SELECT count(*) FROM ddb_data."Runs" WHERE ddb.index_key(item, 'state', 'S') IS NOT NULL;

-- Errors.
SELECT ddb.update_table('{"TableName": "Runs"}');
SELECT ddb.update_table('{"TableName": "Nope", "BillingMode": "PAY_PER_REQUEST"}');
SELECT ddb.update_table('{"TableName": "Runs", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "nope"}}]}');
SELECT ddb.update_table('{"TableName": "Runs", "GlobalSecondaryIndexUpdates": [
  {"Delete": {"IndexName": "by-state"}}, {"Delete": {"IndexName": "by-state"}}]}');
SELECT ddb.update_table('{"TableName": "Runs", "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [
  {"Create": {"IndexName": "idx-a", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}},
  {"Create": {"IndexName": "idx-b", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}');
SELECT ddb.update_table('{"TableName": "Runs", "AttributeDefinitions": [{"AttributeName": "state", "AttributeType": "N"}],
  "GlobalSecondaryIndexUpdates": [
  {"Create": {"IndexName": "idx-n", "KeySchema": [{"AttributeName": "state", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}');
SELECT ddb.update_table('{"TableName": "Runs", "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [
  {"Create": {"IndexName": "by-state", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}');
SELECT ddb.update_table('{"TableName": "Runs",
  "GlobalSecondaryIndexUpdates": [
  {"Create": {"IndexName": "idx-z", "KeySchema": [{"AttributeName": "zz", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}');
SELECT ddb.update_table('{"TableName": "Runs", "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "x!"}}]}');

-- Deleting the index drops the PostgreSQL index.
SELECT ddb.update_table('{"TableName": "Runs", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by-state"}}]}')
  -> 'TableDescription' ? 'GlobalSecondaryIndexes' AS still_listed;
SELECT indexrelid::regclass AS index FROM pg_index WHERE indrelid = 'ddb_data."Runs"'::regclass ORDER BY 1;

-- Billing mode and throughput.
SELECT ddb.update_table('{"TableName": "Runs", "BillingMode": "PROVISIONED"}');
SELECT ddb.update_table('{"TableName": "Runs", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}');
SELECT ddb.update_table('{"TableName": "Runs", "BillingMode": "PROVISIONED",
  "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 6}}') -> 'TableDescription'
  -> 'ProvisionedThroughput';
SELECT ddb.describe_table('{"TableName": "Runs"}') -> 'Table' ? 'BillingModeSummary' AS on_demand_summary;
SELECT ddb.update_table('{"TableName": "Runs", "BillingMode": "PAY_PER_REQUEST"}') -> 'TableDescription'
  -> 'BillingModeSummary' ->> 'BillingMode';

-- Streams (recorded here; the stream itself comes with the streams support).
SELECT ddb.update_table('{"TableName": "Runs", "StreamSpecification": {"StreamEnabled": false}}');
SELECT ddb.update_table('{"TableName": "Runs", "StreamSpecification": {"StreamEnabled": true}}');
SELECT ddb.update_table('{"TableName": "Runs", "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}}')
  -> 'TableDescription' -> 'StreamSpecification';
SELECT ddb.update_table('{"TableName": "Runs", "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "OLD_IMAGE"}}');
SELECT ddb.update_table('{"TableName": "Runs", "StreamSpecification": {"StreamEnabled": false}}')
  -> 'TableDescription' ? 'StreamSpecification' AS stream_listed;

-- Deletion protection.
SELECT ddb.update_table('{"TableName": "Runs", "DeletionProtectionEnabled": true}') -> 'TableDescription'
  -> 'DeletionProtectionEnabled';
SELECT ddb.delete_table('{"TableName": "Runs"}');
SELECT ddb.update_table('{"TableName": "Runs", "DeletionProtectionEnabled": false}') -> 'TableDescription'
  -> 'DeletionProtectionEnabled';

-- The streams slot outlives the extension: drop it too.
SELECT count(pg_drop_replication_slot(slot_name)) >= 0 AS dropped
  FROM pg_replication_slots WHERE slot_name LIKE 'ddb_emul_streams_%';
SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
