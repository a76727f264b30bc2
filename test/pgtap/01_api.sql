--
-- 01_api: the SQL surface keeps design.md's contracts: every API function
-- exists with jsonb in and out, is SECURITY INVOKER, the catalog is a user
-- catalog table readable by a decoding plugin, item tables have the
-- documented shape, and each DynamoDB exception has its own SQLSTATE with
-- DynamoDB's JSON body.
--
BEGIN;
SELECT plan(40);

-- Functions: (jsonb) -> jsonb, one per action, plus ddb.execute.
SELECT has_function('ddb', 'execute', ARRAY['text', 'jsonb'], 'ddb.execute(text, jsonb)');
SELECT function_returns('ddb', 'execute', ARRAY['text', 'jsonb'], 'jsonb', 'ddb.execute returns jsonb');
SELECT has_function('ddb', f, ARRAY['jsonb'], format('ddb.%s(jsonb)', f))
  FROM unnest(ARRAY['create_table', 'describe_table', 'list_tables', 'delete_table',
                    'put_item', 'get_item', 'delete_item', 'update_item']) AS f;
SELECT is(
  (SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'ddb' AND p.prosecdef),
  0, 'no ddb function is SECURITY DEFINER');

-- The catalog.
SELECT has_table('ddb', 'tables', 'catalog ddb.tables exists');
SELECT col_is_pk('ddb', 'tables', 'table_name', 'tables keyed by DynamoDB table name');
SELECT ok(
  (SELECT reloptions @> ARRAY['user_catalog_table=true'] FROM pg_class
    WHERE oid = 'ddb.tables'::regclass),
  'ddb.tables is a user_catalog_table (readable while decoding)');
SELECT has_schema('ddb_data', 'item tables live in ddb_data');

-- An item table.
SELECT lives_ok($$SELECT ddb.create_table('{"TableName": "Tap1", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}]}')$$,
  'CreateTable with a composite key');
SELECT columns_are('ddb_data', 'Tap1', ARRAY['pk', 'sk', 'item', 'size'], 'item table columns');
SELECT col_type_is('ddb_data', 'Tap1', 'pk', 'bytea', 'pk is bytea');
SELECT col_type_is('ddb_data', 'Tap1', 'sk', 'bytea', 'sk is bytea');
SELECT col_type_is('ddb_data', 'Tap1', 'item', 'jsonb', 'item is jsonb');
SELECT col_type_is('ddb_data', 'Tap1', 'size', 'integer', 'size is integer');
SELECT col_is_pk('ddb_data', 'Tap1', ARRAY['pk', 'sk'], 'primary key (pk, sk)');
SELECT lives_ok($$SELECT ddb.create_table('{"TableName": "Tap2", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}]}')$$, 'CreateTable with a hash key');
SELECT columns_are('ddb_data', 'Tap2', ARRAY['pk', 'item', 'size'], 'hash-only item table columns');
SELECT col_is_pk('ddb_data', 'Tap2', ARRAY['pk'], 'primary key (pk)');

-- Items are readable with plain SQL.
SELECT lives_ok($$SELECT ddb.put_item('{"TableName": "Tap1", "Item": {"p": {"S": "a"}, "s": {"N": "10"}, "x": {"BOOL": true}}}')$$,
  'PutItem');
SELECT is((SELECT item FROM ddb_data."Tap1" WHERE pk = ddb.encode_key('{"S": "a"}') AND sk = ddb.encode_key('{"N": "1e1"}')),
  '{"p": {"S": "a"}, "s": {"N": "10"}, "x": {"BOOL": true}}'::jsonb, 'the stored item is the typed item');

-- One SQLSTATE per exception, DynamoDB's message, the JSON body in DETAIL.
SELECT throws_ok($$SELECT ddb.create_table('{}')$$, 'YD001', NULL, 'ValidationException is YD001');
SELECT throws_ok($$SELECT ddb.put_item('{"TableName": "Tap2", "Item": {"p": {"N": 5}}}')$$, 'YD002',
  'NUMBER_VALUE cannot be converted to String', 'SerializationException is YD002');
SELECT throws_ok($$SELECT ddb.put_item('{"TableName": "Tap2", "Item": {"p": {"N": "5"}}, "ConditionExpression": "attribute_exists(p)"}')$$,
  'YD003', 'The conditional request failed', 'ConditionalCheckFailedException is YD003');
SELECT throws_ok($$SELECT ddb.get_item('{"TableName": "None", "Key": {"p": {"N": "5"}}}')$$, 'YD004',
  'Requested resource not found', 'ResourceNotFoundException is YD004');
SELECT throws_ok($$SELECT ddb.create_table('{"TableName": "Tap2", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}]}')$$, 'YD005', 'Table already exists: Tap2',
  'ResourceInUseException is YD005');
SELECT throws_ok($$SELECT ddb.execute('Nope', '{}')$$, 'YD015', 'Unknown operation: Nope',
  'UnknownOperationException is YD015');

CREATE FUNCTION pg_temp.error_body(sql text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
  EXECUTE sql;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN d::jsonb;
END $$;
SELECT is(pg_temp.error_body($$SELECT ddb.get_item('{"TableName": "None", "Key": {"p": {"N": "5"}}}')$$),
  '{"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "Requested resource not found"}'::jsonb,
  'ResourceNotFoundException body');
SELECT is(pg_temp.error_body($$SELECT ddb.create_table('{}')$$) ->> '__type',
  'com.amazon.coral.validate#ValidationException', 'ValidationException __type');
SELECT is(pg_temp.error_body($$SELECT ddb.put_item('{"TableName": "Tap2", "Item": {"p": {"N": 5}}}')$$),
  '{"__type": "com.amazon.coral.service#SerializationException", "Message": "NUMBER_VALUE cannot be converted to String"}'::jsonb,
  'SerializationException body');
SELECT is(pg_temp.error_body($$SELECT ddb.put_item('{"TableName": "Tap2", "Item": {"p": {"N": "5"}, "v": {"S": "old"}}}');
                                SELECT ddb.put_item('{"TableName": "Tap2", "Item": {"p": {"N": "5"}}, "ConditionExpression": "attribute_not_exists(p)",
                                  "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}')$$),
  '{"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "message": "The conditional request failed",
    "Item": {"p": {"N": "5"}, "v": {"S": "old"}}}'::jsonb,
  'ConditionalCheckFailedException body carries Item with ReturnValuesOnConditionCheckFailure');
SELECT is(pg_temp.error_body($$SELECT ddb.execute('Nope', '{}')$$) ->> '__type',
  'com.amazon.coral.service#UnknownOperationException', 'UnknownOperationException __type');

-- Functions run with the caller's privileges on the physical tables.
CREATE ROLE ddb_reader_tap;
GRANT USAGE ON SCHEMA ddb_data TO ddb_reader_tap;
GRANT SELECT ON ddb_data."Tap1" TO ddb_reader_tap;
SET ROLE ddb_reader_tap;
SELECT is(ddb.get_item('{"TableName": "Tap1", "Key": {"p": {"S": "a"}, "s": {"N": "10"}}}') -> 'Item' -> 'x',
  '{"BOOL": true}'::jsonb, 'a role with SELECT can GetItem');
SELECT throws_ok($$SELECT ddb.put_item('{"TableName": "Tap1", "Item": {"p": {"S": "b"}, "s": {"N": "1"}}}')$$,
  '42501', NULL, 'a role without INSERT cannot PutItem');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
