-- Control plane: CreateTable, DescribeTable, ListTables, DeleteTable.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- Volatile members (creation time, table id, stream label) are masked.
CREATE FUNCTION pg_temp.stable(j jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT j #- '{TableDescription,CreationDateTime}' #- '{TableDescription,TableId}'
           #- '{Table,CreationDateTime}' #- '{Table,TableId}'
           #- '{TableDescription,BillingModeSummary,LastUpdateToPayPerRequestDateTime}'
           #- '{Table,BillingModeSummary,LastUpdateToPayPerRequestDateTime}'
           #- '{TableDescription,LatestStreamLabel}' #- '{TableDescription,LatestStreamArn}'
           #- '{Table,LatestStreamLabel}' #- '{Table,LatestStreamArn}'
$$;

-- A hash-only table, provisioned.
SELECT jsonb_pretty(pg_temp.stable(ddb.create_table('{
  "TableName": "Users",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
}')));

-- A composite-key table, on demand, through ddb.execute.
SELECT jsonb_pretty(pg_temp.stable(ddb.execute('CreateTable', '{
  "TableName": "Music",
  "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"},
                           {"AttributeName": "Year", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"},
                {"AttributeName": "Year", "KeyType": "RANGE"}],
  "BillingMode": "PAY_PER_REQUEST",
  "DeletionProtectionEnabled": false
}')));

-- The physical tables are plain PostgreSQL tables.
SELECT table_name, physical_name, hash_key, hash_type, range_key, range_type, billing_mode
  FROM ddb.tables ORDER BY table_name;
\d ddb_data."Music"

-- DescribeTable counts items and reports ARNs.
SELECT jsonb_pretty(pg_temp.stable(ddb.describe_table('{"TableName": "Music"}')));
SELECT ddb.describe_table('{"TableName": "Music"}') -> 'Table' ->> 'TableArn' AS arn;
SELECT (ddb.describe_table('{"TableName": "Music"}') -> 'Table' ->> 'TableId')::uuid IS NOT NULL AS has_id,
       (ddb.describe_table('{"TableName": "Music"}') -> 'Table' ->> 'CreationDateTime')::numeric
         BETWEEN extract(epoch from now()) - 60 AND extract(epoch from now()) + 1 AS created_now;

-- Table already exists.
SELECT ddb.create_table('{
  "TableName": "Users",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "BillingMode": "PAY_PER_REQUEST"
}');

-- Framework constraint errors, reported together.
SELECT ddb.create_table('{}');
SELECT ddb.create_table('{"TableName": "a!", "AttributeDefinitions": [], "KeySchema": []}');
SELECT ddb.create_table('{"TableName": "Bad", "BillingMode": "FREE",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "X"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}');
SELECT ddb.create_table(jsonb_build_object('TableName', repeat('x', 256),
  'AttributeDefinitions', '[{"AttributeName": "id", "AttributeType": "S"}]'::jsonb,
  'KeySchema', '[{"AttributeName": "id", "KeyType": "HASH"}]'::jsonb,
  'BillingMode', 'PAY_PER_REQUEST'));
SELECT ddb.create_table('{"TableName": "Bad", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"},
                {"AttributeName": "c", "KeyType": "RANGE"}]}');
SELECT ddb.create_table('{"TableName": "Bad", "ProvisionedThroughput": {"ReadCapacityUnits": 0},
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}');

-- Serialization errors: wrong JSON types.
SELECT ddb.create_table('{"TableName": 12}');
SELECT ddb.create_table('{"TableName": "Bad", "KeySchema": {}}');
SELECT ddb.create_table('[]');

-- Key schema against attribute definitions, in DynamoDB's order.
SELECT ddb.create_table('{"TableName": "Bad", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}]}');
SELECT ddb.create_table('{"TableName": "Bad", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]}');
SELECT ddb.create_table('{"TableName": "Bad", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "RANGE"}]}');
SELECT ddb.create_table('{"TableName": "Bad", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "RANGE"}]}');
SELECT ddb.create_table('{"TableName": "Bad", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "HASH"}]}');
SELECT ddb.create_table('{"TableName": "Bad", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}');
SELECT ddb.create_table('{"TableName": "Bad",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}');
SELECT ddb.create_table('{"TableName": "Bad", "BillingMode": "PAY_PER_REQUEST",
  "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}');
SELECT ddb.create_table('{"TableName": "Bad", "BillingMode": "PAY_PER_REQUEST",
  "StreamSpecification": {"StreamEnabled": true},
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}');
SELECT ddb.create_table('{"TableName": "Bad", "BillingMode": "PAY_PER_REQUEST",
  "GlobalSecondaryIndexes": [],
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}');
-- None of the failed requests left anything behind.
SELECT count(*) FROM ddb.tables WHERE table_name = 'Bad';

-- A stream specification is stored and described.
SELECT pg_temp.stable(ddb.create_table('{"TableName": "Streamed", "BillingMode": "PAY_PER_REQUEST",
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"},
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "B"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}')) -> 'TableDescription' -> 'StreamSpecification';
SELECT d->>'LatestStreamArn' = 'arn:aws:dynamodb:ddblocal:000000000000:table/Streamed/stream/' || (d->>'LatestStreamLabel') AS arn_ok,
       d->>'LatestStreamLabel' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$' AS label_ok
  FROM (SELECT ddb.describe_table('{"TableName": "Streamed"}') -> 'Table' AS d) s;

-- A long name gets a shortened physical name.
SELECT ddb.create_table(jsonb_build_object('TableName', repeat('L', 100),
  'AttributeDefinitions', '[{"AttributeName": "id", "AttributeType": "N"}]'::jsonb,
  'KeySchema', '[{"AttributeName": "id", "KeyType": "HASH"}]'::jsonb,
  'BillingMode', 'PAY_PER_REQUEST')) -> 'TableDescription' ->> 'TableStatus' AS status;
SELECT length(physical_name), physical_name ~ '^L{50}_[0-9a-f]{8}$' AS shortened
  FROM ddb.tables WHERE table_name = repeat('L', 100);

-- ListTables: ascending names, Limit and ExclusiveStartTableName.
SELECT ddb.list_tables();
SELECT ddb.execute('ListTables', '{"Limit": 2}');
SELECT ddb.list_tables('{"Limit": 2, "ExclusiveStartTableName": "Music"}');
SELECT ddb.list_tables('{"ExclusiveStartTableName": "Users"}');
SELECT ddb.list_tables('{"Limit": 0}');
SELECT ddb.list_tables('{"Limit": 101, "ExclusiveStartTableName": "a;b"}');

-- DescribeTable / DeleteTable of missing tables.
SELECT ddb.describe_table('{"TableName": "Nope"}');
SELECT ddb.delete_table('{"TableName": "Nope"}');
SELECT ddb.describe_table('{}');

-- Deletion protection.
SELECT ddb.create_table('{"TableName": "Protected", "BillingMode": "PAY_PER_REQUEST",
  "DeletionProtectionEnabled": true,
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}') -> 'TableDescription' -> 'DeletionProtectionEnabled';
SELECT ddb.delete_table('{"TableName": "Protected"}');

-- DeleteTable returns the description with status DELETING and drops the physical table.
SELECT jsonb_pretty(pg_temp.stable(ddb.delete_table('{"TableName": "Users"}')));
SELECT to_regclass('ddb_data."Users"') IS NULL AS dropped;
SELECT ddb.execute('DescribeTable', '{"TableName": "Users"}');

-- Control-plane operations are transactional.
BEGIN;
SELECT ddb.delete_table('{"TableName": "Music"}') -> 'TableDescription' ->> 'TableStatus';
ROLLBACK;
SELECT ddb.describe_table('{"TableName": "Music"}') -> 'Table' ->> 'TableStatus';

-- Unknown actions.
SELECT ddb.execute('FlyToTheMoon', '{}');

-- The streams slot outlives the extension: drop it too.
SELECT count(pg_drop_replication_slot(slot_name)) >= 0 AS dropped
  FROM pg_replication_slots WHERE slot_name LIKE 'ddb_emul_streams_%';
SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
