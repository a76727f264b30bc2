-- Secondary indexes on CreateTable: validation, descriptions, the
-- PostgreSQL indexes behind them, and the checks writes make on index
-- key attributes (sparse indexes).
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

CREATE FUNCTION pg_temp.stable(j jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT j #- '{TableDescription,CreationDateTime}' #- '{TableDescription,TableId}'
           #- '{Table,CreationDateTime}' #- '{Table,TableId}'
           #- '{TableDescription,BillingModeSummary}' #- '{Table,BillingModeSummary}'
$$;

-- A single-table design: an inverted GSI, a sparse GSI with INCLUDE, an LSI.
SELECT jsonb_pretty(pg_temp.stable(ddb.create_table('{
  "TableName": "App", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
                           {"AttributeName": "status", "AttributeType": "S"}, {"AttributeName": "at", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "inverted", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}, {"AttributeName": "pk", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"}},
    {"IndexName": "by-status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["name"]}}],
  "LocalSecondaryIndexes": [
    {"IndexName": "by-time", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}}]}')));

-- The PostgreSQL indexes: expression indexes, partial on the key attributes.
SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'ddb_data' AND tablename = 'App' ORDER BY 1;

-- Writes: items lacking an index key are simply absent from that index.
SELECT ddb.put_item('{"TableName": "App", "Item": {"pk": {"S": "team#1"}, "sk": {"S": "meta"}, "name": {"S": "core"}}}');
SELECT ddb.put_item('{"TableName": "App", "Item": {"pk": {"S": "team#1"}, "sk": {"S": "run#1"},
  "status": {"S": "FAILED"}, "at": {"N": "100"}, "name": {"S": "build"}, "log": {"S": "xxxxxxxxxx"}}}');
SELECT ddb.put_item('{"TableName": "App", "Item": {"pk": {"S": "team#1"}, "sk": {"S": "run#2"}, "at": {"N": "200"}}}');
SELECT ddb.index_key(item, 'status', 'S') AS status_key, ddb.index_key(item, 'at', 'N') AS at_key, item->'sk'
  FROM ddb_data."App" ORDER BY sk;
SELECT jsonb_pretty(ddb.describe_table('{"TableName": "App"}') -> 'Table' -> 'GlobalSecondaryIndexes');
SELECT ddb.describe_table('{"TableName": "App"}') -> 'Table' -> 'LocalSecondaryIndexes';

-- Index key attributes must have the declared type and not be empty.
SELECT ddb.put_item('{"TableName": "App", "Item": {"pk": {"S": "a"}, "sk": {"S": "b"}, "status": {"N": "1"}}}');
SELECT ddb.put_item('{"TableName": "App", "Item": {"pk": {"S": "a"}, "sk": {"S": "b"}, "at": {"S": "soon"}}}');
SELECT ddb.put_item('{"TableName": "App", "Item": {"pk": {"S": "a"}, "sk": {"S": "b"}, "status": {"S": ""}}}');
SELECT ddb.put_item('{"TableName": "App", "Item": {"pk": {"S": "a"}, "sk": {"S": "b"}, "status": {"SS": ["x"]}}}');
SELECT ddb.update_item('{"TableName": "App", "Key": {"pk": {"S": "team#1"}, "sk": {"S": "meta"}},
  "UpdateExpression": "SET #s = :v", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":v": {"N": "3"}}}');
SELECT ddb.update_item('{"TableName": "App", "Key": {"pk": {"S": "team#1"}, "sk": {"S": "meta"}},
  "UpdateExpression": "SET #s = :v", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":v": {"S": ""}}}');
SELECT ddb.update_item('{"TableName": "App", "Key": {"pk": {"S": "team#1"}, "sk": {"S": "meta"}},
  "UpdateExpression": "SET #s.x = :v", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":v": {"S": "y"}}}');
-- An update that sets a valid index key puts the item into the index.
SELECT ddb.update_item('{"TableName": "App", "Key": {"pk": {"S": "team#1"}, "sk": {"S": "run#2"}},
  "UpdateExpression": "SET #s = :v", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":v": {"S": "OK"}}}');
SELECT count(*) AS in_by_status FROM ddb_data."App" WHERE ddb.index_key(item, 'status', 'S') IS NOT NULL
  AND ddb.index_key(item, 'at', 'N') IS NOT NULL;
SELECT table_name, jsonb_array_length(global_indexes) AS gsis, jsonb_array_length(local_indexes) AS lsis
  FROM ddb.tables;

-- ReturnConsumedCapacity INDEXES counts index writes: a new entry, a changed
-- projection, a changed index key (delete + put), an unchanged index (absent).
SELECT ddb.put_item('{"TableName": "App", "ReturnConsumedCapacity": "INDEXES",
  "Item": {"pk": {"S": "cap"}, "sk": {"S": "c1"}, "status": {"S": "NEW"}, "at": {"N": "1"}}}') -> 'ConsumedCapacity';
SELECT ddb.update_item('{"TableName": "App", "ReturnConsumedCapacity": "INDEXES",
  "Key": {"pk": {"S": "cap"}, "sk": {"S": "c1"}}, "UpdateExpression": "SET #n = :n",
  "ExpressionAttributeNames": {"#n": "name"}, "ExpressionAttributeValues": {":n": {"S": "x"}}}') -> 'ConsumedCapacity';
SELECT ddb.update_item('{"TableName": "App", "ReturnConsumedCapacity": "INDEXES",
  "Key": {"pk": {"S": "cap"}, "sk": {"S": "c1"}}, "UpdateExpression": "SET #s = :s",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "DONE"}}}') -> 'ConsumedCapacity';
SELECT ddb.update_item('{"TableName": "App", "ReturnConsumedCapacity": "TOTAL",
  "Key": {"pk": {"S": "cap"}, "sk": {"S": "c1"}}, "UpdateExpression": "SET misc = :o",
  "ExpressionAttributeValues": {":o": {"S": "y"}}}') -> 'ConsumedCapacity';
SELECT ddb.delete_item('{"TableName": "App", "ReturnConsumedCapacity": "INDEXES",
  "Key": {"pk": {"S": "cap"}, "sk": {"S": "c1"}}}') -> 'ConsumedCapacity';

-- ddb.index_key on odd input.
SELECT ddb.index_key('{"a": {"S": "x"}}', 'a', 'N') IS NULL AS wrong_type,
       ddb.index_key('{"a": {"S": ""}}', 'a', 'S') IS NULL AS empty,
       ddb.index_key('{"a": {"B": "AQ=="}}', 'a', 'B') AS binary,
       ddb.index_key('[1]', 'a', 'S') IS NULL AS not_an_item;
SELECT ddb.index_key('{"a": {"S": "x"}}', 'a', 'M');

-- Definition errors, in DynamoDB's order.
CREATE FUNCTION pg_temp.try(defs text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ddb.create_table(('{"TableName": "Bad", "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "h", "AttributeType": "S"}, {"AttributeName": "r", "AttributeType": "N"},
                             {"AttributeName": "x", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}], ' || defs || '}')::jsonb);
  RETURN 'created';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT pg_temp.try('"LocalSecondaryIndexes": []');
SELECT pg_temp.try('"LocalSecondaryIndexes": [{"IndexName": "i1", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}, {"AttributeName": "y", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]');
SELECT pg_temp.try('"LocalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]');
SELECT pg_temp.try('"LocalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]');
SELECT pg_temp.try('"LocalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {}}]');
SELECT pg_temp.try('"LocalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL", "NonKeyAttributes": ["a"]}}]');
SELECT pg_temp.try('"GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}},
                                               {"IndexName": "idx", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]');
SELECT pg_temp.try('"GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]');
SELECT pg_temp.try('"GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]');
SELECT pg_temp.try('"GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"},
                                                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}]');
SELECT pg_temp.try('"GlobalSecondaryIndexes": [{"IndexName": "i!", "KeySchema": [], "Projection": {"ProjectionType": "SOME"}}]');
SELECT pg_temp.try('"GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]');
SELECT pg_temp.try('"GlobalSecondaryIndexes": [' || (SELECT string_agg(format('{"IndexName": "gsi%s", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}', i), ',') FROM generate_series(1, 21) i) || ']');
SELECT pg_temp.try('"LocalSecondaryIndexes": [' || (SELECT string_agg(format('{"IndexName": "lsi%s", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}', i), ',') FROM generate_series(1, 6) i) || ']');
SELECT pg_temp.try('"GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "INCLUDE",
  "NonKeyAttributes": [' || (SELECT string_agg(format('"a%s"', i), ',') FROM generate_series(1, 101) i) || ']}}]');
-- A table without a sort key cannot have an LSI, and a GSI on it works.
SELECT ddb.create_table('{"TableName": "Flat", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "email", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "LocalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "email", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}');
SELECT ddb.create_table('{"TableName": "Flat", "BillingMode": "PROVISIONED",
  "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "email", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by-email", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"},
     "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}}]}') -> 'TableDescription' -> 'GlobalSecondaryIndexes';
SELECT indexdef FROM pg_indexes WHERE schemaname = 'ddb_data' AND tablename = 'Flat' ORDER BY 1;
SELECT pg_temp.try('"GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]');
SELECT count(*) FROM ddb.tables WHERE table_name = 'Bad';

SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
