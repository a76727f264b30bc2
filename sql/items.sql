-- PutItem, GetItem, DeleteItem: happy paths, key validation, limits,
-- ReturnValues, transactions.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

SELECT ddb.create_table('{"TableName": "Music", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"},
                           {"AttributeName": "Year", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"},
                {"AttributeName": "Year", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
SELECT ddb.create_table('{"TableName": "Blobs", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "B"}],
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]}') IS NOT NULL AS created;

-- Put and get; numbers come back canonical.
SELECT ddb.put_item('{"TableName": "Music", "Item": {
  "Artist": {"S": "No One You Know"}, "Year": {"N": "2001.0"},
  "Title": {"S": "Call Me Today"}, "Price": {"N": "1.50"}, "Tags": {"SS": ["pop", "indie"]},
  "Meta": {"M": {"plays": {"N": "1e3"}, "ok": {"BOOL": true}, "nothing": {"NULL": true},
                 "list": {"L": [{"S": "a"}, {"N": "-0"}, {"B": "AAE="}]}}}}}');
SELECT jsonb_pretty(ddb.get_item('{"TableName": "Music",
  "Key": {"Artist": {"S": "No One You Know"}, "Year": {"N": "2001"}}}'));
-- 2001, 2001.0 and 2.001e3 address the same item.
SELECT ddb.get_item('{"TableName": "Music", "ConsistentRead": true,
  "Key": {"Artist": {"S": "No One You Know"}, "Year": {"N": "2.001e3"}}}') -> 'Item' -> 'Title';
-- A missing item: no Item member.
SELECT ddb.get_item('{"TableName": "Music", "Key": {"Artist": {"S": "Nobody"}, "Year": {"N": "1"}}}');

-- What is stored: encoded keys, the canonical item, DynamoDB's size.
SELECT pk, sk, size, ddb.decode_key(pk, 'S') AS artist, ddb.decode_key(sk, 'N') AS year
  FROM ddb_data."Music";

-- Put replaces the whole item; ReturnValues ALL_OLD returns the old one.
SELECT ddb.put_item('{"TableName": "Music", "ReturnValues": "ALL_OLD", "Item": {
  "Artist": {"S": "No One You Know"}, "Year": {"N": "2001"}, "Title": {"S": "Replaced"}}}') -> 'Attributes' -> 'Title';
SELECT ddb.get_item('{"TableName": "Music",
  "Key": {"Artist": {"S": "No One You Know"}, "Year": {"N": "2001"}}}');
SELECT ddb.put_item('{"TableName": "Music", "ReturnValues": "ALL_OLD", "Item": {
  "Artist": {"S": "Someone New"}, "Year": {"N": "1999"}}}');
SELECT ddb.put_item('{"TableName": "Music", "ReturnValues": "NONE", "Item": {
  "Artist": {"S": "Someone New"}, "Year": {"N": "1999"}}}');

-- An identical put does not write a new row version.
SELECT xmin AS before_xmin FROM ddb_data."Music" WHERE pk = ddb.encode_key('{"S": "Someone New"}') \gset
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"S": "Someone New"}, "Year": {"N": "1999"}}}');
SELECT xmin = :'before_xmin' AS unchanged FROM ddb_data."Music" WHERE pk = ddb.encode_key('{"S": "Someone New"}');

-- Binary keys.
SELECT ddb.put_item('{"TableName": "Blobs", "Item": {"k": {"B": "AQID"}, "v": {"BS": ["AQ==", "AA=="]}}}');
SELECT ddb.get_item('{"TableName": "Blobs", "Key": {"k": {"B": "AQID"}}}');

-- DeleteItem: ALL_OLD returns the deleted item; deleting a missing item succeeds.
SELECT ddb.delete_item('{"TableName": "Blobs", "Key": {"k": {"B": "AQID"}}, "ReturnValues": "ALL_OLD"}');
SELECT ddb.delete_item('{"TableName": "Blobs", "Key": {"k": {"B": "AQID"}}, "ReturnValues": "ALL_OLD"}');
SELECT ddb.delete_item('{"TableName": "Blobs", "Key": {"k": {"B": "AQID"}}}');
SELECT count(*) FROM ddb_data."Blobs";

-- Missing table.
SELECT ddb.put_item('{"TableName": "Nope", "Item": {"a": {"S": "x"}}}');
SELECT ddb.get_item('{"TableName": "Nope", "Key": {"a": {"S": "x"}}}');
SELECT ddb.delete_item('{"TableName": "Nope", "Key": {"a": {"S": "x"}}}');

-- Required members and enums.
SELECT ddb.put_item('{}');
SELECT ddb.put_item('{"TableName": "Music", "Item": {}, "ReturnValues": "all_old",
  "ReturnConsumedCapacity": "ALL", "ReturnItemCollectionMetrics": "YES"}');
SELECT ddb.get_item('{"TableName": "Music"}');
SELECT ddb.delete_item('{"Key": {}}');
SELECT ddb.put_item('{"TableName": "Music", "Item": [] }');

-- ReturnValues that PutItem and DeleteItem do not take.
SELECT ddb.put_item('{"TableName": "Music", "ReturnValues": "ALL_NEW",
  "Item": {"Artist": {"S": "x"}, "Year": {"N": "1"}}}');
SELECT ddb.delete_item('{"TableName": "Music", "ReturnValues": "UPDATED_OLD",
  "Key": {"Artist": {"S": "x"}, "Year": {"N": "1"}}}');

-- Key attributes of an item being put.
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"S": "x"}}}');
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Year": {"N": "1"}}}');
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"N": "1"}, "Year": {"N": "1"}}}');
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"S": "x"}, "Year": {"S": "1"}}}');
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"S": ""}, "Year": {"N": "1"}}}');
SELECT ddb.put_item('{"TableName": "Blobs", "Item": {"k": {"B": ""}}}');
SELECT ddb.put_item(jsonb_build_object('TableName', 'Music', 'Item', jsonb_build_object(
  'Artist', jsonb_build_object('S', repeat('a', 2049)), 'Year', '{"N": "1"}'::jsonb)));
SELECT ddb.put_item(jsonb_build_object('TableName', 'Blobs', 'Item', jsonb_build_object(
  'k', jsonb_build_object('B', translate(encode(convert_to(repeat('a', 2048), 'UTF8'), 'base64'), E'\n', '')))))
  AS max_hash_key_ok;
SELECT ddb.put_item(jsonb_build_object('TableName', 'Blobs', 'Item', jsonb_build_object(
  'k', jsonb_build_object('B', translate(encode(convert_to(repeat('a', 2049), 'UTF8'), 'base64'), E'\n', '')))));
SELECT ddb.create_table('{"TableName": "Events", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
SELECT ddb.put_item(jsonb_build_object('TableName', 'Events', 'Item', jsonb_build_object(
  'p', '{"S": "p"}'::jsonb, 's', jsonb_build_object('S', repeat('é', 512))))) AS max_range_key_ok;
SELECT ddb.put_item(jsonb_build_object('TableName', 'Events', 'Item', jsonb_build_object(
  'p', '{"S": "p"}'::jsonb, 's', jsonb_build_object('S', repeat('é', 512) || 'x'))));
SELECT ddb.get_item(jsonb_build_object('TableName', 'Events', 'Key', jsonb_build_object(
  'p', '{"S": "p"}'::jsonb, 's', jsonb_build_object('S', repeat('é', 513)))));

-- Key parameters of reads and deletes.
SELECT ddb.get_item('{"TableName": "Music", "Key": {"Artist": {"S": "x"}}}');
SELECT ddb.get_item('{"TableName": "Music", "Key": {"Artist": {"S": "x"}, "Year": {"S": "1"}}}');
SELECT ddb.get_item('{"TableName": "Music", "Key": {"Artist": {"S": "x"}, "Year": {"N": "1"}, "Extra": {"S": "y"}}}');
SELECT ddb.get_item('{"TableName": "Music", "Key": {"Artist": {"S": "x"}, "Other": {"N": "1"}}}');
SELECT ddb.get_item('{"TableName": "Music", "Key": {"Artist": {"S": ""}, "Year": {"N": "1"}}}');
SELECT ddb.delete_item('{"TableName": "Blobs", "Key": {"k": {"B": ""}}}');
SELECT ddb.delete_item('{"TableName": "Blobs", "Key": {"k": {"S": "x"}}}');
SELECT ddb.get_item(jsonb_build_object('TableName', 'Music', 'Key', jsonb_build_object(
  'Artist', '{"S": "x"}'::jsonb, 'Year', '{"N": "1"}'::jsonb))) AS number_keys_have_no_length_limit;

-- Invalid attribute values are rejected before the table is looked up.
SELECT ddb.put_item('{"TableName": "Nope", "Item": {"a": {"N": "abc"}}}');
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"S": "x"}, "Year": {"N": 1}}}');
SELECT ddb.get_item('{"TableName": "Music", "Key": {"Artist": {}, "Year": {"N": "1"}}}');

-- Item size limit: 400 KB including attribute names.
SELECT ddb.put_item(jsonb_build_object('TableName', 'Music', 'Item', jsonb_build_object(
  'Artist', '{"S": "big"}'::jsonb, 'Year', '{"N": "1"}'::jsonb,
  'blob', jsonb_build_object('S', repeat('x', 409581)))));
SELECT size FROM ddb_data."Music" WHERE pk = ddb.encode_key('{"S": "big"}');
SELECT ddb.put_item(jsonb_build_object('TableName', 'Music', 'Item', jsonb_build_object(
  'Artist', '{"S": "big"}'::jsonb, 'Year', '{"N": "1"}'::jsonb,
  'blob', jsonb_build_object('S', repeat('x', 409582)))));

-- Legacy parameters are never ignored.
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"S": "x"}, "Year": {"N": "1"}},
  "Expected": {"Artist": {"Exists": false}}}');
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"S": "x"}, "Year": {"N": "1"}},
  "Expected": {"Artist": {"Exists": false}}, "ConditionExpression": "attribute_not_exists(Artist)"}');
SELECT ddb.get_item('{"TableName": "Music", "Key": {"Artist": {"S": "x"}, "Year": {"N": "1"}},
  "AttributesToGet": ["Artist"]}');

-- Writes take part in the caller's transaction.
BEGIN;
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"S": "tx"}, "Year": {"N": "1"}}}');
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"S": "tx"}, "Year": {"N": "2"}}}');
SELECT count(*) FROM ddb_data."Music" WHERE pk = ddb.encode_key('{"S": "tx"}');
ROLLBACK;
SELECT count(*) FROM ddb_data."Music" WHERE pk = ddb.encode_key('{"S": "tx"}');

-- A failing operation in a transaction aborts it; a savepoint keeps the rest.
BEGIN;
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"S": "tx"}, "Year": {"N": "1"}}}');
SAVEPOINT s;
SELECT ddb.put_item('{"TableName": "Music", "Item": {"Artist": {"S": "tx"}}}');
ROLLBACK TO s;
COMMIT;
SELECT ddb.get_item('{"TableName": "Music", "Key": {"Artist": {"S": "tx"}, "Year": {"N": "1"}}}');

-- Errors can be caught by SQLSTATE from PL/pgSQL; the detail is DynamoDB's JSON body.
DO $$
DECLARE
  body text;
BEGIN
  PERFORM ddb.get_item('{"TableName": "Nope", "Key": {"a": {"S": "x"}}}');
EXCEPTION WHEN SQLSTATE 'YD004' THEN
  GET STACKED DIAGNOSTICS body = PG_EXCEPTION_DETAIL;
  RAISE NOTICE 'caught % %', (body::jsonb)->>'__type', (body::jsonb)->>'message';
END $$;

-- Dropping and recreating a table in the same session uses the new table.
SELECT ddb.delete_table('{"TableName": "Blobs"}') IS NOT NULL AS deleted;
SELECT ddb.create_table('{"TableName": "Blobs", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]}') IS NOT NULL AS created;
SELECT ddb.put_item('{"TableName": "Blobs", "Item": {"k": {"S": "now a string"}}}');
SELECT ddb.get_item('{"TableName": "Blobs", "Key": {"k": {"S": "now a string"}}}');
SELECT ddb.get_item('{"TableName": "Blobs", "Key": {"k": {"B": "AQID"}}}');

SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
