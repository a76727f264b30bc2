-- BatchGetItem and BatchWriteItem: every parameter, DynamoDB's checks in
-- DynamoDB's order with exact messages, ConsumedCapacity, duplicates after
-- number normalisation, the 16 MB response cap and UnprocessedKeys.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- Long framework messages echo the whole request; show their two ends.
CREATE FUNCTION pg_temp.short_error(action text, request jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	msg text;
	state text;
BEGIN
	PERFORM ddb.execute(action, request);
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
	IF length(msg) > 300 THEN
		msg := left(msg, 150) || ' ... ' || right(msg, 150);
	END IF;
	RETURN state || ' ' || msg;
END $$;

SELECT ddb.create_table('{"TableName": "Hash", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}') IS NOT NULL AS created;
SELECT ddb.create_table('{"TableName": "Range", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
SELECT ddb.create_table('{"TableName": "Bin", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "b", "AttributeType": "B"}],
  "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}]}') IS NOT NULL AS created;

-- ======================================================================
-- BatchWriteItem
-- ======================================================================

-- Puts into two tables; UnprocessedItems is always present.
SELECT ddb.batch_write_item('{"RequestItems": {
  "Hash": [{"PutRequest": {"Item": {"id": {"S": "a"}, "v": {"N": "1"}}}},
           {"PutRequest": {"Item": {"id": {"S": "b"}, "v": {"N": "2"}}}},
           {"PutRequest": {"Item": {"id": {"S": "c"}}}}],
  "Range": [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": "1"}}}},
            {"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": "2.50"}, "x": {"SS": ["b", "a"]}}}}]}}');
SELECT item FROM ddb_data."Hash" ORDER BY pk;
SELECT item FROM ddb_data."Range" ORDER BY pk, sk;

-- Puts replace whole items, deletes of missing items are fine, puts and
-- deletes mix; ddb.execute runs the same action.
SELECT ddb.execute('BatchWriteItem', '{"RequestItems": {
  "Hash": [{"DeleteRequest": {"Key": {"id": {"S": "a"}}}},
           {"DeleteRequest": {"Key": {"id": {"S": "nothing"}}}},
           {"PutRequest": {"Item": {"id": {"S": "b"}, "w": {"BOOL": true}}}}],
  "Range": [{"DeleteRequest": {"Key": {"pk": {"S": "p"}, "sk": {"N": "2.5"}}}}]}}');
SELECT item FROM ddb_data."Hash" ORDER BY pk;
SELECT item FROM ddb_data."Range" ORDER BY pk, sk;

-- ReturnConsumedCapacity: one entry per table; a put costs the larger of
-- the old and new item (1 KB units), a delete the old item (at least 1).
SELECT ddb.batch_write_item(jsonb_build_object(
  'ReturnConsumedCapacity', 'TOTAL',
  'ReturnItemCollectionMetrics', 'SIZE',
  'RequestItems', jsonb_build_object(
    'Hash', jsonb_build_array(
      jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object(
        'id', '{"S": "big"}'::jsonb, 'blob', jsonb_build_object('S', repeat('x', 2500))))),
      '{"PutRequest": {"Item": {"id": {"S": "small"}}}}'::jsonb,
      '{"DeleteRequest": {"Key": {"id": {"S": "c"}}}}'::jsonb),
    'Range', '[{"DeleteRequest": {"Key": {"pk": {"S": "p"}, "sk": {"N": "1"}}}}]'::jsonb)));
-- Replacing the 2.5 KB item by a small one still costs 3 units; INDEXES adds "Table".
SELECT ddb.batch_write_item('{"ReturnConsumedCapacity": "INDEXES", "RequestItems": {
  "Hash": [{"PutRequest": {"Item": {"id": {"S": "big"}}}},
           {"DeleteRequest": {"Key": {"id": {"S": "small"}}}}]}}');
SELECT ddb.batch_write_item('{"ReturnConsumedCapacity": "NONE", "RequestItems": {
  "Hash": [{"PutRequest": {"Item": {"id": {"S": "c"}}}}]}}');

-- An item identical to the stored one is not rewritten (no new row
-- version), with and without ReturnConsumedCapacity.
CREATE TEMP TABLE before AS SELECT pk, xmin::text AS x FROM ddb_data."Hash";
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [{"PutRequest": {"Item": {"id": {"S": "b"}, "w": {"BOOL": true}}}}]}}');
SELECT ddb.batch_write_item('{"ReturnConsumedCapacity": "TOTAL", "RequestItems": {"Hash": [{"PutRequest": {"Item": {"id": {"S": "c"}}}}]}}');
SELECT item->'id'->>'S' AS id, b.x = h.xmin::text AS same_row_version
  FROM ddb_data."Hash" h JOIN before b USING (pk) ORDER BY 1;

-- Duplicate keys in one table, numbers compared after normalisation.
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [
  {"PutRequest": {"Item": {"id": {"S": "d"}}}}, {"PutRequest": {"Item": {"id": {"S": "d"}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [
  {"DeleteRequest": {"Key": {"id": {"S": "d"}}}}, {"PutRequest": {"Item": {"id": {"S": "d"}, "x": {"N": "1"}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Range": [
  {"PutRequest": {"Item": {"pk": {"S": "q"}, "sk": {"N": "1e3"}}}},
  {"DeleteRequest": {"Key": {"pk": {"S": "q"}, "sk": {"N": "1000.0"}}}}]}}');
-- ... the same key in two tables, or one key part in common, is fine.
SELECT ddb.batch_write_item('{"RequestItems": {
  "Range": [{"PutRequest": {"Item": {"pk": {"S": "q"}, "sk": {"N": "1e3"}}}},
            {"PutRequest": {"Item": {"pk": {"S": "q"}, "sk": {"N": "1001"}}}},
            {"PutRequest": {"Item": {"pk": {"S": "r"}, "sk": {"N": "1000"}}}}],
  "Hash": [{"PutRequest": {"Item": {"id": {"S": "q"}}}}]}}');
SELECT item FROM ddb_data."Range" ORDER BY pk, sk;

-- The framework's constraints.
SELECT ddb.batch_write_item('{}');
SELECT ddb.batch_write_item('{"ReturnConsumedCapacity": "hi", "ReturnItemCollectionMetrics": "hi"}');
SELECT ddb.batch_write_item('{"RequestItems": {}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": []}}');
SELECT ddb.batch_write_item('{"RequestItems": {"a": [{"PutRequest": {"Item": {"id": {"S": "x"}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"aa;": [{"PutRequest": {}, "DeleteRequest": {}}]}, "ReturnConsumedCapacity": "hi"}');
-- 26 requests in one table: the map value's constraint (the message echoes the request).
SELECT pg_temp.short_error('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('Hash',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object('id', jsonb_build_object('S', i::text)))))
     FROM generate_series(1, 26) i))));
-- 25 in total is fine, 26 over two tables is DynamoDB's own message.
SELECT ddb.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object(
  'Hash', (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object('id', jsonb_build_object('S', 'n' || i)))))
     FROM generate_series(1, 13) i),
  'Range', (SELECT jsonb_agg(jsonb_build_object('DeleteRequest', jsonb_build_object('Key', jsonb_build_object('pk', '{"S": "n"}'::jsonb, 'sk', jsonb_build_object('N', i::text)))))
     FROM generate_series(1, 12) i))));
SELECT ddb.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object(
  'Hash', (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object('id', jsonb_build_object('S', 'n' || i)))))
     FROM generate_series(1, 13) i),
  'Range', (SELECT jsonb_agg(jsonb_build_object('DeleteRequest', jsonb_build_object('Key', jsonb_build_object('pk', '{"S": "n"}'::jsonb, 'sk', jsonb_build_object('N', i::text)))))
     FROM generate_series(1, 13) i))));
SELECT count(*) AS n_items FROM ddb_data."Hash" WHERE item->'id'->>'S' LIKE 'n%';
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [{"DeleteRequest": {}}]}}');

-- Deserialization.
SELECT ddb.batch_write_item('{"RequestItems": []}');
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": {}}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": ["x"]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [{"PutRequest": "x"}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [{"PutRequest": {"Item": {"id": {"N": 1}}}}]}}');

-- Each request is exactly one of PutRequest and DeleteRequest.
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [{}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [{"PutRequest": {"Item": {"id": {"S": "x"}}},
  "DeleteRequest": {"Key": {"id": {"S": "x"}}}}]}}');

-- Attribute values and item size, before the tables are looked up.
SELECT ddb.batch_write_item('{"RequestItems": {"Nope": [{"PutRequest": {"Item": {"id": {"S": "x", "N": "1"}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Nope": [{"PutRequest": {"Item": {"id": {"S": "x"}, "s": {"SS": ["a", "a"]}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Nope": [{"DeleteRequest": {"Key": {"id": {"N": "1e126"}}}}]}}');
SELECT ddb.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('Nope', jsonb_build_array(
  jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object(
    'id', '{"S": "x"}'::jsonb, 'blob', jsonb_build_object('S', repeat('x', 409600)))))))));

-- Any missing table fails the whole batch, nothing is written.
SELECT ddb.batch_write_item('{"RequestItems": {
  "Hash": [{"PutRequest": {"Item": {"id": {"S": "never"}}}}],
  "Nope": [{"PutRequest": {"Item": {"id": {"S": "x"}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Nope": [{"PutRequest": {"Item": {}}}]}}');

-- Keys: a PutRequest's key problems are reported as a schema mismatch.
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [{"PutRequest": {"Item": {"x": {"S": "x"}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [{"PutRequest": {"Item": {"id": {"N": "1"}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [{"PutRequest": {"Item": {"id": {"L": [{"S": "x"}]}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Range": [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [{"PutRequest": {"Item": {"id": {"S": ""}}}}]}}');
SELECT ddb.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('Hash', jsonb_build_array(
  jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object(
    'id', jsonb_build_object('S', repeat('k', 2049)))))))));
SELECT ddb.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('Range', jsonb_build_array(
  jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object(
    'pk', '{"S": "x"}'::jsonb, 'sk', jsonb_build_object('N', '1' || repeat('0', 40) || 'e-10')))))))) IS NOT NULL AS big_number_ok;
-- ... and a DeleteRequest's Key must be exactly the key.
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [{"DeleteRequest": {"Key": {"id": {"S": "x"}, "v": {"N": "1"}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Range": [{"DeleteRequest": {"Key": {"pk": {"S": "x"}, "sk": {"S": "1"}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Bin": [{"DeleteRequest": {"Key": {"b": {"B": ""}}}}]}}');
-- Every request is checked before anything is written.
SELECT ddb.batch_write_item('{"RequestItems": {"Hash": [
  {"PutRequest": {"Item": {"id": {"S": "first"}}}},
  {"PutRequest": {"Item": {"id": {"N": "2"}}}}]}}');
SELECT count(*) AS written FROM ddb_data."Hash" WHERE item->'id'->>'S' IN ('first', 'never');

-- Secondary index keys are checked as PutItem checks them.
SELECT ddb.create_table('{"TableName": "Idx", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "ALL"}}]}') IS NOT NULL AS created;
SELECT ddb.batch_write_item('{"RequestItems": {"Idx": [{"PutRequest": {"Item": {"id": {"S": "a"}, "g": {"S": "x"}}}},
  {"PutRequest": {"Item": {"id": {"S": "b"}, "g": {"N": "1"}}}}]}}');
SELECT ddb.batch_write_item('{"RequestItems": {"Idx": [{"PutRequest": {"Item": {"id": {"S": "a"}, "g": {"S": "x"}}}},
  {"PutRequest": {"Item": {"id": {"S": "b"}}}}]}}');
SELECT item FROM ddb_data."Idx" ORDER BY pk;

-- Binary keys; a batch takes part in the caller's transaction.
BEGIN;
SELECT ddb.batch_write_item('{"RequestItems": {"Bin": [{"PutRequest": {"Item": {"b": {"B": "AAE="}}}},
  {"PutRequest": {"Item": {"b": {"B": "/w=="}}}}]}}');
SELECT count(*) FROM ddb_data."Bin";
ROLLBACK;
SELECT count(*) FROM ddb_data."Bin";
SELECT ddb.batch_write_item('{"RequestItems": {"Bin": [{"PutRequest": {"Item": {"b": {"B": "AAE="}, "n": {"N": "1"}}}},
  {"PutRequest": {"Item": {"b": {"B": "/w=="}, "n": {"N": "2"}}}}]}}');

-- ======================================================================
-- BatchGetItem
-- ======================================================================

-- Items from several tables; missing items are left out, every table has
-- an entry in Responses and UnprocessedKeys is always present.
SELECT ddb.batch_get_item('{"RequestItems": {
  "Hash": {"Keys": [{"id": {"S": "b"}}, {"id": {"S": "missing"}}, {"id": {"S": "big"}}]},
  "Range": {"Keys": [{"pk": {"S": "q"}, "sk": {"N": "1000"}}, {"pk": {"S": "q"}, "sk": {"N": "1001.0"}}],
            "ConsistentRead": true},
  "Bin": {"Keys": [{"b": {"B": "AAA="}}]}}}');
SELECT ddb.execute('BatchGetItem', '{"RequestItems": {"Bin": {"Keys": [{"b": {"B": "/w=="}}, {"b": {"B": "AAE="}}]}}}');

-- ProjectionExpression and ExpressionAttributeNames, per table.
SELECT ddb.batch_get_item('{"RequestItems": {
  "Hash": {"Keys": [{"id": {"S": "b"}}, {"id": {"S": "c"}}], "ProjectionExpression": "#w, nothing",
           "ExpressionAttributeNames": {"#w": "w"}},
  "Bin": {"Keys": [{"b": {"B": "AAE="}}], "ProjectionExpression": "n"}}}');

-- ConsumedCapacity: per key the whole item in 4 KB units (half without
-- ConsistentRead), a missing item still costs a unit.
SELECT ddb.put_item(jsonb_build_object('TableName', 'Hash', 'Item', jsonb_build_object(
  'id', '{"S": "five"}'::jsonb, 'blob', jsonb_build_object('S', repeat('y', 5000)))));
SELECT jsonb_pretty(ddb.batch_get_item('{"ReturnConsumedCapacity": "TOTAL", "RequestItems": {
  "Hash": {"Keys": [{"id": {"S": "five"}}, {"id": {"S": "b"}}, {"id": {"S": "missing"}}], "ConsistentRead": true,
           "ProjectionExpression": "id"},
  "Bin": {"Keys": [{"b": {"B": "AAE="}}]}}}') - 'Responses');
SELECT ddb.batch_get_item('{"ReturnConsumedCapacity": "INDEXES", "RequestItems": {
  "Hash": {"Keys": [{"id": {"S": "five"}}], "ConsistentRead": false, "ProjectionExpression": "id"}}}');

-- The framework's constraints.
SELECT ddb.batch_get_item('{}');
SELECT ddb.batch_get_item('{"ReturnConsumedCapacity": "hi"}');
SELECT ddb.batch_get_item('{"RequestItems": {}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": {}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": {"Keys": []}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"a": {"Keys": [{"id": {"S": "x"}}]}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"aa;": {}}, "ReturnConsumedCapacity": "hi"}');
SELECT pg_temp.short_error('BatchGetItem', jsonb_build_object('RequestItems', jsonb_build_object('Hash', jsonb_build_object('Keys',
  (SELECT jsonb_agg(jsonb_build_object('id', jsonb_build_object('S', i::text))) FROM generate_series(1, 101) i)))));
-- 100 keys in total are fine, 101 over two tables is DynamoDB's own message.
SELECT jsonb_array_length(ddb.batch_get_item(jsonb_build_object('RequestItems', jsonb_build_object(
  'Hash', jsonb_build_object('Keys', (SELECT jsonb_agg(jsonb_build_object('id', jsonb_build_object('S', i::text))) FROM generate_series(1, 50) i)),
  'Range', jsonb_build_object('Keys', (SELECT jsonb_agg(jsonb_build_object('pk', '{"S": "q"}'::jsonb, 'sk', jsonb_build_object('N', i::text))) FROM generate_series(951, 1000) i)))))
  -> 'Responses' -> 'Range') AS found;
SELECT ddb.batch_get_item(jsonb_build_object('RequestItems', jsonb_build_object(
  'Hash', jsonb_build_object('Keys', (SELECT jsonb_agg(jsonb_build_object('id', jsonb_build_object('S', i::text))) FROM generate_series(1, 50) i)),
  'Nope', jsonb_build_object('Keys', (SELECT jsonb_agg(jsonb_build_object('pk', jsonb_build_object('S', i::text))) FROM generate_series(1, 51) i)))));

-- Deserialization.
SELECT ddb.batch_get_item('{"RequestItems": []}');
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": []}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": {"Keys": {}}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": {"Keys": [{"id": {"S": "b"}}], "ConsistentRead": "yes"}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": {"Keys": [{"id": {"B": "!"}}]}}}');

-- Legacy parameters and expressions, before the tables are looked up.
SELECT ddb.batch_get_item('{"RequestItems": {"Nope": {"Keys": [{"id": {"S": "b"}}], "AttributesToGet": ["id"]}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Nope": {"Keys": [{"id": {"S": "b"}}], "AttributesToGet": ["id"],
  "ProjectionExpression": "id"}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Nope": {"Keys": [{"id": {"S": "b"}}], "ProjectionExpression": "#a",
  "ExpressionAttributeNames": {"#a": "a", "#unused": "u"}}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Nope": {"Keys": [{"id": {"S": "b"}}], "ExpressionAttributeNames": {"#a": "a"}}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Nope": {"Keys": [{"id": {"S": "b"}}], "ProjectionExpression": "a,"}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Nope": {"Keys": [{"id": {"S": ""}, "x": {"SS": []}}]}}}');

-- Any missing table fails the whole call.
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": {"Keys": [{"id": {"S": "b"}}]}, "Nope": {"Keys": [{}]}}}');

-- Keys: exactly the table's key, no duplicates after normalisation.
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": {"Keys": [{}]}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": {"Keys": [{"id": {"N": "1"}}]}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Range": {"Keys": [{"pk": {"S": "q"}}]}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": {"Keys": [{"id": {"S": "b"}, "w": {"BOOL": true}}]}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": {"Keys": [{"id": {"S": ""}}]}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Bin": {"Keys": [{"b": {"B": ""}}]}}}');
SELECT ddb.batch_get_item(jsonb_build_object('RequestItems', jsonb_build_object('Hash', jsonb_build_object('Keys', jsonb_build_array(
  jsonb_build_object('id', jsonb_build_object('S', repeat('s', 2049))))))));
SELECT ddb.batch_get_item('{"RequestItems": {"Hash": {"Keys": [{"id": {"S": "b"}}, {"id": {"S": "c"}}, {"id": {"S": "b"}}]}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Range": {"Keys": [{"pk": {"S": "q"}, "sk": {"N": "1e3"}},
  {"pk": {"S": "q"}, "sk": {"N": "1000.00"}}]}}}');
SELECT ddb.batch_get_item('{"RequestItems": {"Range": {"Keys": [{"pk": {"S": "q"}, "sk": {"N": "1e3"}},
  {"pk": {"S": "r"}, "sk": {"N": "1000"}}]}, "Hash": {"Keys": [{"id": {"S": "q"}}]}}}');

-- The response carries at most 16 MB of items; the keys beyond are
-- returned in UnprocessedKeys with the table's other parameters.
SELECT ddb.create_table('{"TableName": "Big", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}') IS NOT NULL AS created;
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Big', 'Item', jsonb_build_object(
  'id', jsonb_build_object('S', 'k' || lpad(i::text, 2, '0')), 'v', jsonb_build_object('S', repeat('x', 400000))))))
  FROM generate_series(1, 45) i;
CREATE TEMP TABLE big_answer AS
SELECT ddb.batch_get_item(jsonb_build_object('ReturnConsumedCapacity', 'TOTAL', 'RequestItems', jsonb_build_object(
  'Big', jsonb_build_object('ConsistentRead', true, 'Keys',
    (SELECT jsonb_agg(jsonb_build_object('id', jsonb_build_object('S', 'k' || lpad(i::text, 2, '0')))) FROM generate_series(1, 45) i)),
  'Hash', '{"Keys": [{"id": {"S": "b"}}], "ProjectionExpression": "#w", "ExpressionAttributeNames": {"#w": "w"}}'::jsonb))) AS r;
SELECT jsonb_array_length(r->'Responses'->'Big') AS returned,
       r->'Responses'->'Hash' AS hash_items,
       (SELECT sum(ddb.item_size(i)) FROM jsonb_array_elements(r->'Responses'->'Big') i) AS bytes,
       jsonb_pretty(r->'UnprocessedKeys') AS unprocessed,
       r->'ConsumedCapacity' AS capacity
  FROM big_answer;
-- ... a projection makes the items small enough.
SELECT jsonb_array_length(r->'Responses'->'Big') AS returned, r->'UnprocessedKeys' AS unprocessed
  FROM (SELECT ddb.batch_get_item(jsonb_build_object('RequestItems', jsonb_build_object(
    'Big', jsonb_build_object('ProjectionExpression', 'id', 'Keys',
      (SELECT jsonb_agg(jsonb_build_object('id', jsonb_build_object('S', 'k' || lpad(i::text, 2, '0')))) FROM generate_series(1, 45) i))))) AS r) s;

DROP EXTENSION ddb_emul CASCADE;
