-- ReturnConsumedCapacity on the single-item operations: 1 KB write units
-- (the larger of old and new item, at least 1), 4 KB read units (half for
-- eventually consistent reads, a missing item still costs a unit).
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;
SELECT ddb.create_table('{"TableName": "Cap", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]}') IS NOT NULL AS created;

-- A small put: one unit; TOTAL and INDEXES shapes; NONE adds nothing.
SELECT ddb.put_item('{"TableName": "Cap", "Item": {"k": {"S": "a"}}, "ReturnConsumedCapacity": "TOTAL"}');
SELECT ddb.put_item('{"TableName": "Cap", "Item": {"k": {"S": "a"}}, "ReturnConsumedCapacity": "INDEXES"}');
SELECT ddb.put_item('{"TableName": "Cap", "Item": {"k": {"S": "a"}}, "ReturnConsumedCapacity": "NONE"}');

-- 2000 bytes: two write units; replacing it by a small item still costs two.
SELECT ddb.put_item(jsonb_build_object('TableName', 'Cap', 'ReturnConsumedCapacity', 'TOTAL',
  'Item', jsonb_build_object('k', '{"S": "big"}'::jsonb, 'v', jsonb_build_object('S', repeat('x', 2000)))))
  -> 'ConsumedCapacity' AS put_2000;
SELECT ddb.put_item('{"TableName": "Cap", "Item": {"k": {"S": "big"}}, "ReturnConsumedCapacity": "TOTAL"}')
  -> 'ConsumedCapacity' -> 'CapacityUnits' AS replace_by_small;

-- Reads: 5000 bytes are two 4 KB units; eventually consistent halves it.
SELECT ddb.put_item(jsonb_build_object('TableName', 'Cap',
  'Item', jsonb_build_object('k', '{"S": "r"}'::jsonb, 'v', jsonb_build_object('S', repeat('x', 5000)))));
SELECT ddb.get_item('{"TableName": "Cap", "Key": {"k": {"S": "r"}}, "ReturnConsumedCapacity": "TOTAL",
  "ProjectionExpression": "k"}');
SELECT ddb.get_item('{"TableName": "Cap", "Key": {"k": {"S": "r"}}, "ReturnConsumedCapacity": "TOTAL",
  "ConsistentRead": true, "ProjectionExpression": "k"}');
SELECT ddb.get_item('{"TableName": "Cap", "Key": {"k": {"S": "missing"}}, "ReturnConsumedCapacity": "INDEXES"}');

-- UpdateItem: the larger of the item before and after.
SELECT ddb.update_item(jsonb_build_object('TableName', 'Cap', 'Key', '{"k": {"S": "u"}}'::jsonb,
  'UpdateExpression', 'SET v = :v', 'ReturnConsumedCapacity', 'TOTAL',
  'ExpressionAttributeValues', jsonb_build_object(':v', jsonb_build_object('S', repeat('y', 3000)))))
  -> 'ConsumedCapacity' AS update_grow;
SELECT ddb.update_item('{"TableName": "Cap", "Key": {"k": {"S": "u"}}, "UpdateExpression": "REMOVE v",
  "ReturnConsumedCapacity": "TOTAL"}') -> 'ConsumedCapacity' AS update_shrink;

-- DeleteItem: the deleted item's size; a missing item costs one unit.
SELECT ddb.put_item(jsonb_build_object('TableName', 'Cap',
  'Item', jsonb_build_object('k', '{"S": "d"}'::jsonb, 'v', jsonb_build_object('S', repeat('x', 1500)))));
SELECT ddb.delete_item('{"TableName": "Cap", "Key": {"k": {"S": "d"}}, "ReturnConsumedCapacity": "TOTAL"}');
SELECT ddb.delete_item('{"TableName": "Cap", "Key": {"k": {"S": "d"}}, "ReturnConsumedCapacity": "TOTAL"}');
-- With a condition, and with ALL_OLD.
SELECT ddb.put_item(jsonb_build_object('TableName', 'Cap',
  'Item', jsonb_build_object('k', '{"S": "d"}'::jsonb, 'v', jsonb_build_object('S', repeat('x', 1500)))));
SELECT ddb.delete_item('{"TableName": "Cap", "Key": {"k": {"S": "d"}}, "ReturnConsumedCapacity": "TOTAL",
  "ReturnValues": "ALL_OLD", "ConditionExpression": "attribute_exists(k)"}') - 'Attributes';

-- The mode is an enum.
SELECT ddb.get_item('{"TableName": "Cap", "Key": {"k": {"S": "r"}}, "ReturnConsumedCapacity": "total"}');

SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
