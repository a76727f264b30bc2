-- Expressions wired into the item operations: conditions on PutItem and
-- DeleteItem, projections on GetItem, UpdateItem with every ReturnValues,
-- ReturnValuesOnConditionCheckFailure, and the request-level checks of
-- ExpressionAttributeNames / ExpressionAttributeValues.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;
SELECT ddb.create_table('{"TableName": "Things", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}') IS NOT NULL AS created;

-- PutItem with attribute_not_exists: create-only.
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "1"}},
  "ConditionExpression": "attribute_not_exists(pk)"}');
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "2"}},
  "ConditionExpression": "attribute_not_exists(pk)"}');
-- ... with the current item in the error body when asked.
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "2"}},
  "ConditionExpression": "attribute_not_exists(pk)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}');
-- ... and no Item when there is no current item.
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}},
  "ConditionExpression": "attribute_exists(pk)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}');
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ConditionExpression": "v = :v", "ReturnValuesOnConditionCheckFailure": "all_old",
  "ExpressionAttributeValues": {":v": {"N": "1"}}}');
-- A condition that holds: the put replaces the item and ALL_OLD returns the old one.
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "2"}},
  "ConditionExpression": "#v = :one", "ExpressionAttributeNames": {"#v": "v"},
  "ExpressionAttributeValues": {":one": {"N": "1.0"}}, "ReturnValues": "ALL_OLD"}');
SELECT item FROM ddb_data."Things" ORDER BY pk, sk;

-- Request-level checks of names and values.
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ExpressionAttributeNames": {"#v": "v"}}');
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ConditionExpression": "attribute_exists(pk)", "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ConditionExpression": "attribute_exists(pk)", "ExpressionAttributeNames": {"#a": "a", "#b": "b"}}');
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ConditionExpression": "v = :nope"}');
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ConditionExpression": "v = = 1"}');
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ConditionExpression": ""}');
-- Expression errors come before the table lookup, unused values after all expressions.
SELECT ddb.put_item('{"TableName": "Nope", "Item": {"pk": {"S": "a"}},
  "ConditionExpression": "size(v) > :v", "ExpressionAttributeValues": {":v": {"S": "x"}, ":w": {"S": "y"}}}');
SELECT ddb.put_item('{"TableName": "Nope", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "name = :v",
  "ExpressionAttributeValues": {":v": {"S": "x"}}}');

-- DeleteItem with a condition.
SELECT ddb.delete_item('{"TableName": "Things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ConditionExpression": "v > :two", "ExpressionAttributeValues": {":two": {"N": "2"}},
  "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}');
SELECT ddb.delete_item('{"TableName": "Things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ConditionExpression": "v >= :two", "ExpressionAttributeValues": {":two": {"N": "2"}},
  "ReturnValues": "ALL_OLD"}');
-- A conditional delete of a missing item evaluates the condition on no item.
SELECT ddb.delete_item('{"TableName": "Things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ConditionExpression": "attribute_exists(pk)"}');
SELECT ddb.delete_item('{"TableName": "Things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
  "ConditionExpression": "attribute_not_exists(pk)"}');
SELECT count(*) FROM ddb_data."Things";

-- GetItem with a projection; nesting is kept, missing paths are skipped.
SELECT ddb.put_item('{"TableName": "Things", "Item": {"pk": {"S": "p"}, "sk": {"N": "1"},
  "a": {"M": {"b": {"L": [{"S": "x"}, {"S": "y"}]}, "c": {"N": "3"}}}, "d": {"S": "dd"}, "e": {"BOOL": false}}}');
SELECT ddb.get_item('{"TableName": "Things", "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}},
  "ProjectionExpression": "a.b[1], #d, nothere", "ExpressionAttributeNames": {"#d": "d"}}');
SELECT ddb.get_item('{"TableName": "Things", "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}},
  "ProjectionExpression": "zzz"}');
SELECT ddb.get_item('{"TableName": "Things", "Key": {"pk": {"S": "p"}, "sk": {"N": "2"}},
  "ProjectionExpression": "a"}');
SELECT ddb.get_item('{"TableName": "Things", "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}},
  "ProjectionExpression": "a, a.b"}');
SELECT ddb.get_item('{"TableName": "Things", "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}},
  "ProjectionExpression": "a", "ExpressionAttributeNames": {"#x": "x"}}');
SELECT ddb.get_item('{"TableName": "Things", "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}},
  "ExpressionAttributeNames": {"#x": "x"}}');

-- UpdateItem: creates a missing item from its key.
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET n = :one, tags = :t ADD c :one",
  "ExpressionAttributeValues": {":one": {"N": "1"}, ":t": {"SS": ["x"]}}, "ReturnValues": "ALL_NEW"}');
-- Every ReturnValues.
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET n = n + :one REMOVE c ADD tags :t",
  "ExpressionAttributeValues": {":one": {"N": "1"}, ":t": {"SS": ["y"]}}, "ReturnValues": "NONE"}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}},
  "ReturnValues": "ALL_OLD"}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET n = n + :one, fresh = :one", "ExpressionAttributeValues": {":one": {"N": "1"}},
  "ReturnValues": "UPDATED_OLD"}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET n = n + :one REMOVE fresh", "ExpressionAttributeValues": {":one": {"N": "1"}},
  "ReturnValues": "UPDATED_NEW"}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "DELETE tags :t", "ExpressionAttributeValues": {":t": {"SS": ["x", "y"]}},
  "ReturnValues": "ALL_NEW"}');
-- REMOVE on a missing item creates nothing.
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "ghost"}, "sk": {"N": "1"}},
  "UpdateExpression": "REMOVE x", "ReturnValues": "ALL_NEW"}');
SELECT count(*) FROM ddb_data."Things" WHERE pk = ddb.encode_key('{"S": "ghost"}');
-- No UpdateExpression: a key-only item is created if missing.
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "bare"}, "sk": {"N": "1"}}, "ReturnValues": "ALL_NEW"}');
-- Conditions on updates, with the item in the error body.
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET n = :v", "ConditionExpression": "n = :v",
  "ExpressionAttributeValues": {":v": {"N": "100"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "new"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET n = :v", "ConditionExpression": "attribute_exists(pk)",
  "ExpressionAttributeValues": {":v": {"N": "100"}}}');
SELECT count(*) FROM ddb_data."Things" WHERE pk = ddb.encode_key('{"S": "new"}');
-- Key attributes cannot be updated.
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET sk = :v", "ExpressionAttributeValues": {":v": {"N": "2"}}}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET v = pk.x"}');
-- Runtime update errors change nothing.
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET n = nothere + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET a.b.c = :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET n = :big + :big", "ExpressionAttributeValues": {":big": {"N": "9.9999999999999999999999999999999999999E+125"}}}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET big = :s", "ExpressionAttributeValues": {":s": {"S": "x"}}}') AS small_ok;
SELECT ddb.get_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}}}');
-- An update that would exceed 400 KB.
SELECT ddb.put_item(jsonb_build_object('TableName', 'Things', 'Item', jsonb_build_object(
  'pk', '{"S": "huge"}'::jsonb, 'sk', '{"N": "1"}'::jsonb, 'blob', jsonb_build_object('S', repeat('x', 409000)))));
SELECT ddb.update_item(jsonb_build_object('TableName', 'Things', 'Key', '{"pk": {"S": "huge"}, "sk": {"N": "1"}}'::jsonb,
  'UpdateExpression', 'SET more = :m', 'ExpressionAttributeValues', jsonb_build_object(':m', jsonb_build_object('S', repeat('y', 1000)))));
-- Request-level errors.
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": "SET a = :v", "ReturnValues": "EVERYTHING"}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "UpdateExpression": ""}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}, "sk": {"N": "1"}},
  "AttributeUpdates": {"a": {"Action": "DELETE"}}}');
SELECT ddb.update_item('{"TableName": "Things", "Key": {"pk": {"S": "u"}}, "UpdateExpression": "REMOVE a"}');

-- A repeated expression is served from the per-backend cache.
SELECT ddb.expr_cache_reset();
SELECT ddb.get_item('{"TableName": "Things", "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}}, "ProjectionExpression": "d"}');
SELECT ddb.get_item('{"TableName": "Things", "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}}, "ProjectionExpression": "d"}');
SELECT hits, misses FROM ddb.expr_cache_stats();

SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
