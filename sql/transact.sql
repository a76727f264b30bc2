-- TransactGetItems and TransactWriteItems: every parameter and error with
-- DynamoDB's messages, CancellationReasons in request order, all or
-- nothing, ClientRequestToken idempotency, ConsumedCapacity, and taking
-- part in the caller's transaction.
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

SELECT ddb.create_table('{"TableName": "Acct", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}') IS NOT NULL AS created;
SELECT ddb.create_table('{"TableName": "Log", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
SELECT ddb.create_table('{"TableName": "Bin", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "b", "AttributeType": "B"}],
  "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}]}') IS NOT NULL AS created;
SELECT ddb.put_item('{"TableName": "Acct", "Item": {"id": {"S": "alice"}, "balance": {"N": "100"}, "version": {"N": "1"}}}');
SELECT ddb.put_item('{"TableName": "Acct", "Item": {"id": {"S": "bob"}, "balance": {"N": "20"}, "version": {"N": "1"}}}');

-- ======================================================================
-- TransactWriteItems
-- ======================================================================

-- A transfer: two updates with conditions, a log entry, a check.
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "alice"}},
              "UpdateExpression": "SET balance = balance - :amt, version = version + :one",
              "ConditionExpression": "balance >= :amt",
              "ExpressionAttributeValues": {":amt": {"N": "30"}, ":one": {"N": "1"}}}},
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "bob"}},
              "UpdateExpression": "ADD balance :amt", "ExpressionAttributeValues": {":amt": {"N": "30"}}}},
  {"Put": {"TableName": "Log", "Item": {"pk": {"S": "transfers"}, "sk": {"N": "1"}, "amount": {"N": "30"}},
           "ConditionExpression": "attribute_not_exists(pk)"}},
  {"ConditionCheck": {"TableName": "Acct", "Key": {"id": {"S": "carol"}},
                      "ConditionExpression": "attribute_not_exists(#i)", "ExpressionAttributeNames": {"#i": "id"}}}]}');
SELECT item FROM ddb_data."Acct" ORDER BY pk;
SELECT item FROM ddb_data."Log" ORDER BY pk, sk;

-- Deletes, an update creating an item, an update with only REMOVE creating
-- nothing; ddb.execute runs the same action.
SELECT ddb.execute('TransactWriteItems', '{"TransactItems": [
  {"Delete": {"TableName": "Log", "Key": {"pk": {"S": "transfers"}, "sk": {"N": "1"}},
              "ConditionExpression": "amount = :a", "ExpressionAttributeValues": {":a": {"N": "30"}}}},
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "UpdateExpression": "SET balance = :z",
              "ExpressionAttributeValues": {":z": {"N": "0"}}}},
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "ghost"}}, "UpdateExpression": "REMOVE balance"}},
  {"Delete": {"TableName": "Log", "Key": {"pk": {"S": "none"}, "sk": {"N": "9"}}}}]}');
SELECT item FROM ddb_data."Acct" ORDER BY pk;
SELECT count(*) AS log_items FROM ddb_data."Log";

-- A failed condition cancels everything; every condition is evaluated and
-- the reasons follow the request order.
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Log", "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}}}},
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "bob"}}, "UpdateExpression": "SET balance = :z",
              "ExpressionAttributeValues": {":z": {"N": "0"}}}},
  {"ConditionCheck": {"TableName": "Acct", "Key": {"id": {"S": "alice"}}, "ConditionExpression": "balance > :big",
                      "ExpressionAttributeValues": {":big": {"N": "1000"}}}},
  {"Delete": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "ConditionExpression": "attribute_not_exists(id)",
              "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "dave"}}, "ConditionExpression": "attribute_exists(id)",
           "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "erin"}}, "UpdateExpression": "SET x = :z",
              "ConditionExpression": "attribute_exists(id)", "ExpressionAttributeValues": {":z": {"N": "0"}},
              "ReturnValuesOnConditionCheckFailure": "NONE"}}]}');
SELECT item FROM ddb_data."Acct" ORDER BY pk;
SELECT count(*) AS log_items FROM ddb_data."Log";

-- An update that fails on the item is a ValidationError reason.
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Log", "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}}}},
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "bob"}}, "UpdateExpression": "SET balance = nothing + :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}');
SELECT ddb.transact_write_items(jsonb_build_object('TransactItems', jsonb_build_array(
  jsonb_build_object('Update', jsonb_build_object('TableName', 'Acct', 'Key', '{"id": {"S": "bob"}}'::jsonb,
    'UpdateExpression', 'SET a = :v, b = :v', 'ExpressionAttributeValues',
    jsonb_build_object(':v', jsonb_build_object('S', repeat('v', 250000))))))));
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "bob"}}, "UpdateExpression": "SET id = :v",
              "ExpressionAttributeValues": {":v": {"S": "x"}}}}]}');

-- ReturnConsumedCapacity: one entry per table, writes cost double, a
-- ConditionCheck like a write.  ReturnItemCollectionMetrics is accepted.
SELECT ddb.transact_write_items(jsonb_build_object('ReturnConsumedCapacity', 'TOTAL',
  'ReturnItemCollectionMetrics', 'SIZE', 'TransactItems', jsonb_build_array(
  jsonb_build_object('Put', jsonb_build_object('TableName', 'Log', 'Item', jsonb_build_object(
    'pk', '{"S": "big"}'::jsonb, 'sk', '{"N": "1"}'::jsonb, 'blob', jsonb_build_object('S', repeat('x', 1500))))),
  '{"ConditionCheck": {"TableName": "Acct", "Key": {"id": {"S": "alice"}}, "ConditionExpression": "attribute_exists(id)"}}'::jsonb,
  '{"Delete": {"TableName": "Log", "Key": {"pk": {"S": "none"}, "sk": {"N": "1"}}}}'::jsonb,
  '{"Update": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "UpdateExpression": "ADD balance :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}'::jsonb)));
SELECT ddb.transact_write_items('{"ReturnConsumedCapacity": "INDEXES", "TransactItems": [
  {"Delete": {"TableName": "Log", "Key": {"pk": {"S": "big"}, "sk": {"N": "1"}}}}]}');

-- An unchanged item is not rewritten.
CREATE TEMP TABLE before AS SELECT pk, xmin::text AS x FROM ddb_data."Acct";
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "carol"}, "balance": {"N": "1"}}}},
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "bob"}}, "UpdateExpression": "SET balance = balance"}}]}');
SELECT item->'id'->>'S' AS id, b.x = a.xmin::text AS same_row_version
  FROM ddb_data."Acct" a JOIN before b USING (pk) ORDER BY 1;

-- Keys: an item at most once (numbers normalised), anywhere in the request.
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "x"}}}},
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "x"}}}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Log", "Item": {"pk": {"S": "x"}, "sk": {"N": "1e2"}}}},
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "y"}}}},
  {"ConditionCheck": {"TableName": "Log", "Key": {"pk": {"S": "x"}, "sk": {"N": "100.0"}},
                      "ConditionExpression": "attribute_not_exists(pk)"}}]}');
-- ... the same key in two tables is two items.
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Log", "Item": {"pk": {"S": "x"}, "sk": {"N": "1"}}}},
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "x"}}}},
  {"Delete": {"TableName": "Log", "Key": {"pk": {"S": "x"}, "sk": {"N": "2"}}}}]}');

-- Key problems of one action: a ValidationError for the first, None for
-- the others (conditions are not evaluated).
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Acct", "Item": {"id": {"N": "7"}}}},
  {"Put": {"TableName": "Acct", "Item": {"id": {"N": "8"}}}},
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "z"}}, "ConditionExpression": "attribute_exists(id)"}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Log", "Item": {"pk": {"S": "x"}}}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Acct", "Item": {"id": {"L": [{"S": "x"}]}}}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"ConditionCheck": {"TableName": "Acct", "Key": {"id": {"S": "z"}}, "ConditionExpression": "attribute_exists(id)"}},
  {"Update": {"TableName": "Acct", "Key": {"id": {"N": "5"}}, "UpdateExpression": "SET a = :a",
              "ExpressionAttributeValues": {":a": {"S": "x"}}}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Delete": {"TableName": "Log", "Key": {"pk": {"S": "x"}}}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"ConditionCheck": {"TableName": "Acct", "Key": {"id": {"S": "x"}, "balance": {"N": "1"}},
                      "ConditionExpression": "attribute_exists(id)"}}]}');
SELECT ddb.transact_write_items(jsonb_build_object('TransactItems', jsonb_build_array(
  jsonb_build_object('Delete', jsonb_build_object('TableName', 'Acct', 'Key',
    jsonb_build_object('id', jsonb_build_object('S', repeat('k', 2049))))))));
-- Secondary index keys are checked as PutItem and UpdateItem check them.
SELECT ddb.create_table('{"TableName": "Idx", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "ALL"}}]}') IS NOT NULL AS created;
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Idx", "Item": {"id": {"S": "a"}, "g": {"S": "x"}}}},
  {"Put": {"TableName": "Idx", "Item": {"id": {"S": "b"}, "g": {"N": "1"}}}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Idx", "Item": {"id": {"S": "a"}, "g": {"S": "x"}}}},
  {"Update": {"TableName": "Idx", "Key": {"id": {"S": "b"}}, "UpdateExpression": "SET g = :n",
              "ExpressionAttributeValues": {":n": {"N": "1"}}}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Idx", "Item": {"id": {"S": "a"}, "g": {"S": "x"}}}},
  {"Update": {"TableName": "Idx", "Key": {"id": {"S": "b"}}, "UpdateExpression": "SET g = :s",
              "ExpressionAttributeValues": {":s": {"S": "y"}}}}]}');
SELECT item FROM ddb_data."Idx" ORDER BY pk;

-- Empty key values are rejected with the request.
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Acct", "Item": {"id": {"N": "7"}}}},
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": ""}}}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": ""}}, "UpdateExpression": "REMOVE a"}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"ConditionCheck": {"TableName": "Bin", "Key": {"b": {"B": ""}}, "ConditionExpression": "attribute_exists(b)"}}]}');

-- Exactly one kind per entry.
SELECT ddb.transact_write_items('{"TransactItems": [{}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "x"}}},
   "Delete": {"TableName": "Acct", "Key": {"id": {"S": "y"}}}}]}');

-- The framework's constraints.
SELECT ddb.transact_write_items('{}');
SELECT ddb.transact_write_items('{"TransactItems": []}');
SELECT pg_temp.short_error('TransactWriteItems', jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Put', jsonb_build_object('TableName', 'Acct',
     'Item', jsonb_build_object('id', jsonb_build_object('S', 'i' || i)))))
     FROM generate_series(1, 101) i)));
SELECT ddb.transact_write_items('{"ReturnConsumedCapacity": "total", "ReturnItemCollectionMetrics": "all",
  "ClientRequestToken": "0123456789012345678901234567890123456", "TransactItems": [
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "x"}}}},
  {"Update": {"TableName": "bad!name", "Key": {"id": {"S": "a"}}}},
  {"Put": {"TableName": "Acct"}},
  {"Delete": {"Key": {"id": {"S": "x"}}, "ReturnValuesOnConditionCheckFailure": "all_old"}},
  {"ConditionCheck": {"TableName": "Acct", "Key": {"id": {"S": "x"}}}}]}');
SELECT ddb.transact_write_items('{"ClientRequestToken": "", "TransactItems": [
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "x"}}}}]}');

-- Deserialization.
SELECT ddb.transact_write_items('{"TransactItems": {}}');
SELECT ddb.transact_write_items('{"TransactItems": ["x"]}');
SELECT ddb.transact_write_items('{"TransactItems": [{"Put": []}]}');
SELECT ddb.transact_write_items('{"TransactItems": [{"Put": {"TableName": 1}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [{"Put": {"TableName": "Acct", "Item": {"id": {"B": "x"}}}}]}');
SELECT ddb.transact_write_items('{"ClientRequestToken": 5, "TransactItems": [{"Put": {"TableName": "Acct", "Item": {"id": {"S": "x"}}}}]}');

-- Values, item size and expressions are request-level errors.
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "x"}}}},
  {"Put": {"TableName": "Nope", "Item": {"id": {"S": "x"}, "s": {"NS": []}}}}]}');
SELECT ddb.transact_write_items(jsonb_build_object('TransactItems', jsonb_build_array(
  jsonb_build_object('Put', jsonb_build_object('TableName', 'Nope', 'Item', jsonb_build_object(
    'id', '{"S": "x"}'::jsonb, 'blob', jsonb_build_object('S', repeat('x', 409600))))))));
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Nope", "Item": {"id": {"S": "x"}}, "ConditionExpression": "attribute_exists(#xyz)"}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"ConditionCheck": {"TableName": "Nope", "Key": {"id": {"S": "x"}}, "ConditionExpression": "attribute_not_exists("}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Delete": {"TableName": "Nope", "Key": {"id": {"S": "x"}}, "ConditionExpression": ""}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "x"}}}},
  {"ConditionCheck": {"TableName": "Nope", "Key": {"id": {"S": "x"}}, "ConditionExpression": "attribute_not_exists(id)",
                      "ExpressionAttributeValues": {":v": {"S": "x"}}}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Nope", "Item": {"id": {"S": "x"}}, "ExpressionAttributeValues": {":v": {"S": "x"}}}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Update": {"TableName": "Nope", "Key": {"id": {"S": "x"}}, "UpdateExpression": "SET a = :a",
              "ExpressionAttributeNames": {"#n": 7}}}]}');
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Update": {"TableName": "Nope", "Key": {"id": {"S": "x"}}, "UpdateExpression": "SET a = :a"}}]}');
-- The items and keys of a transaction total at most 4 MB.
SELECT ddb.transact_write_items(jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Put', jsonb_build_object('TableName', 'Nope', 'Item',
     jsonb_build_object('id', jsonb_build_object('S', 'b' || i), 'v', jsonb_build_object('S', repeat('v', 400000))))))
     FROM generate_series(1, 11) i)));
SELECT ddb.create_table('{"TableName": "Big", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}') IS NOT NULL AS created;
SELECT ddb.transact_write_items(jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Put', jsonb_build_object('TableName', 'Big', 'Item',
     jsonb_build_object('id', jsonb_build_object('S', 'b' || i), 'v', jsonb_build_object('S', repeat('v', 400000))))))
     FROM generate_series(1, 10) i)));
SELECT count(*) AS big_items, sum(size) AS bytes FROM ddb_data."Big";
-- ... items deleted by a transaction do not count.
SELECT ddb.transact_write_items(jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Delete', jsonb_build_object('TableName', 'Big', 'Key',
     jsonb_build_object('id', jsonb_build_object('S', 'b' || i))))) FROM generate_series(1, 10) i)));
SELECT count(*) AS big_items FROM ddb_data."Big";
-- Then the tables.
SELECT ddb.transact_write_items('{"TransactItems": [
  {"Put": {"TableName": "Acct", "Item": {"id": {"S": "x"}}}},
  {"Put": {"TableName": "Nope", "Item": {"id": {"S": "x"}}}}]}');
SELECT count(*) AS written FROM ddb_data."Acct" WHERE item->'id'->>'S' IN ('y', 'z');

-- ClientRequestToken: a repeat of the same request within 10 minutes
-- succeeds without applying it again (and is billed as reads).
SELECT ddb.transact_write_items('{"ClientRequestToken": "token-1", "TransactItems": [
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "UpdateExpression": "ADD balance :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}');
SELECT ddb.transact_write_items('{"ClientRequestToken": "token-1", "TransactItems": [
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "UpdateExpression": "ADD balance :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}');
SELECT item->'balance' AS balance FROM ddb_data."Acct" WHERE item->'id'->>'S' = 'carol';
SELECT ddb.transact_write_items('{"ClientRequestToken": "token-2", "ReturnConsumedCapacity": "TOTAL", "TransactItems": [
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "UpdateExpression": "ADD balance :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}}},
  {"ConditionCheck": {"TableName": "Log", "Key": {"pk": {"S": "n"}, "sk": {"N": "0"}}, "ConditionExpression": "attribute_not_exists(pk)"}}]}');
SELECT ddb.transact_write_items('{"ClientRequestToken": "token-2", "ReturnConsumedCapacity": "TOTAL", "TransactItems": [
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "UpdateExpression": "ADD balance :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}}},
  {"ConditionCheck": {"TableName": "Log", "Key": {"pk": {"S": "n"}, "sk": {"N": "0"}}, "ConditionExpression": "attribute_not_exists(pk)"}}]}');
SELECT item->'balance' AS balance FROM ddb_data."Acct" WHERE item->'id'->>'S' = 'carol';
-- ... a different request with the same token is refused.
SELECT ddb.transact_write_items('{"ClientRequestToken": "token-1", "TransactItems": [
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "UpdateExpression": "ADD balance :two",
              "ExpressionAttributeValues": {":two": {"N": "2"}}}}]}');
SELECT ddb.transact_write_items('{"ClientRequestToken": "token-1", "ReturnConsumedCapacity": "TOTAL", "TransactItems": [
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "UpdateExpression": "ADD balance :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}');
-- ... after 10 minutes the token is new again.
UPDATE ddb.transact_tokens SET used_at = used_at - interval '11 minutes' WHERE token = 'token-1';
SELECT ddb.transact_write_items('{"ClientRequestToken": "token-1", "TransactItems": [
  {"Update": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "UpdateExpression": "ADD balance :two",
              "ExpressionAttributeValues": {":two": {"N": "2"}}}}]}');
SELECT item->'balance' AS balance FROM ddb_data."Acct" WHERE item->'id'->>'S' = 'carol';
-- ... a cancelled transaction keeps no token.
SELECT ddb.transact_write_items('{"ClientRequestToken": "token-3", "TransactItems": [
  {"ConditionCheck": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "ConditionExpression": "attribute_not_exists(id)"}}]}');
SELECT ddb.transact_write_items('{"ClientRequestToken": "token-3", "TransactItems": [
  {"ConditionCheck": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "ConditionExpression": "attribute_exists(id)"}}]}');
SELECT token, length(request_hash) AS hash_bytes, used_at > now() - interval '1 minute' AS recent
  FROM ddb.transact_tokens ORDER BY token;
-- ... and expired tokens are forgotten by later requests with a token.
UPDATE ddb.transact_tokens SET used_at = used_at - interval '1 hour' WHERE token = 'token-2';
SELECT ddb.transact_write_items('{"ClientRequestToken": "token-4", "TransactItems": [
  {"ConditionCheck": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}, "ConditionExpression": "attribute_exists(id)"}}]}');
SELECT token FROM ddb.transact_tokens ORDER BY token;

-- A transaction takes part in the caller's transaction.
BEGIN;
SELECT ddb.transact_write_items('{"ClientRequestToken": "token-5", "TransactItems": [
  {"Put": {"TableName": "Log", "Item": {"pk": {"S": "rolled"}, "sk": {"N": "1"}}}},
  {"Delete": {"TableName": "Acct", "Key": {"id": {"S": "carol"}}}}]}');
SELECT count(*) AS log_items FROM ddb_data."Log";
ROLLBACK;
SELECT count(*) AS log_items FROM ddb_data."Log";
SELECT count(*) AS carol FROM ddb_data."Acct" WHERE item->'id'->>'S' = 'carol';
SELECT count(*) AS token_5 FROM ddb.transact_tokens WHERE token = 'token-5';
-- ... and a PL/pgSQL handler catches a cancellation or any other error
-- and goes on (the work of the failed call is undone).
DO $$
DECLARE
	body text;
BEGIN
	BEGIN
		PERFORM ddb.transact_write_items('{"TransactItems": [
		  {"Put": {"TableName": "Log", "Item": {"pk": {"S": "caught"}, "sk": {"N": "1"}}}},
		  {"ConditionCheck": {"TableName": "Acct", "Key": {"id": {"S": "nobody"}}, "ConditionExpression": "attribute_exists(id)"}}]}');
	EXCEPTION WHEN SQLSTATE 'YD006' THEN
		GET STACKED DIAGNOSTICS body = PG_EXCEPTION_DETAIL;
		RAISE NOTICE 'cancelled: %', body::jsonb -> 'CancellationReasons';
	END;
	PERFORM ddb.transact_write_items('{"TransactItems": [
	  {"Put": {"TableName": "Log", "Item": {"pk": {"S": "after"}, "sk": {"N": "1"}}}}]}');
END $$;
SELECT item FROM ddb_data."Log" ORDER BY pk, sk;
CREATE ROLE ddb_transact_nobody;
GRANT USAGE ON SCHEMA ddb TO ddb_transact_nobody;
SET ROLE ddb_transact_nobody;
DO $$
BEGIN
	BEGIN
		PERFORM ddb.transact_write_items('{"TransactItems": [
		  {"Put": {"TableName": "Log", "Item": {"pk": {"S": "denied"}, "sk": {"N": "1"}}}}]}');
	EXCEPTION WHEN insufficient_privilege THEN
		RAISE NOTICE 'caught: %', SQLERRM;
	END;
END $$;
RESET ROLE;
REVOKE USAGE ON SCHEMA ddb FROM ddb_transact_nobody;
DROP ROLE ddb_transact_nobody;

-- ======================================================================
-- TransactGetItems
-- ======================================================================

-- Responses follow the request order; a missing item is {}.
SELECT ddb.transact_get_items('{"TransactItems": [
  {"Get": {"TableName": "Acct", "Key": {"id": {"S": "bob"}}}},
  {"Get": {"TableName": "Log", "Key": {"pk": {"S": "after"}, "sk": {"N": "1"}}}},
  {"Get": {"TableName": "Acct", "Key": {"id": {"S": "nobody"}}}},
  {"Get": {"TableName": "Acct", "Key": {"id": {"S": "alice"}}, "ProjectionExpression": "#b, version, nothing",
           "ExpressionAttributeNames": {"#b": "balance"}}},
  {"Get": {"TableName": "Acct", "Key": {"id": {"S": "bob"}}, "ProjectionExpression": "nothing"}}]}');
SELECT ddb.execute('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "Bin", "Key": {"b": {"B": "AA=="}}}}]}');

-- ConsumedCapacity: transactional reads cost double, a missing item too.
SELECT ddb.put_item(jsonb_build_object('TableName', 'Acct', 'Item', jsonb_build_object(
  'id', '{"S": "five"}'::jsonb, 'blob', jsonb_build_object('S', repeat('y', 5000)))));
SELECT jsonb_pretty(ddb.transact_get_items('{"ReturnConsumedCapacity": "TOTAL", "TransactItems": [
  {"Get": {"TableName": "Acct", "Key": {"id": {"S": "five"}}, "ProjectionExpression": "id"}},
  {"Get": {"TableName": "Log", "Key": {"pk": {"S": "after"}, "sk": {"N": "1"}}}},
  {"Get": {"TableName": "Acct", "Key": {"id": {"S": "nobody"}}}}]}'));
SELECT ddb.transact_get_items('{"ReturnConsumedCapacity": "INDEXES", "TransactItems": [
  {"Get": {"TableName": "Acct", "Key": {"id": {"S": "bob"}}, "ProjectionExpression": "id"}}]}');

-- The framework's constraints.
SELECT ddb.transact_get_items('{}');
SELECT ddb.transact_get_items('{"TransactItems": [], "ReturnConsumedCapacity": "all"}');
SELECT pg_temp.short_error('TransactGetItems', jsonb_build_object('TransactItems',
  (SELECT jsonb_agg(jsonb_build_object('Get', jsonb_build_object('TableName', 'Acct',
     'Key', jsonb_build_object('id', jsonb_build_object('S', 'i' || i)))))
     FROM generate_series(1, 101) i)));
SELECT ddb.transact_get_items('{"TransactItems": [{}, {"Get": {"Key": {"id": {"S": "a"}}}},
  {"Get": {"TableName": "bad!name"}}]}');

-- Deserialization.
SELECT ddb.transact_get_items('{"TransactItems": "x"}');
SELECT ddb.transact_get_items('{"TransactItems": [[]]}');
SELECT ddb.transact_get_items('{"TransactItems": [{"Get": "x"}]}');

-- Values and expressions are request-level errors, then the tables.
SELECT ddb.transact_get_items('{"TransactItems": [{"Get": {"TableName": "Nope", "Key": {"id": {"N": "x"}}}}]}');
SELECT ddb.transact_get_items('{"TransactItems": [{"Get": {"TableName": "Nope", "Key": {"id": {"S": "x"}},
  "ProjectionExpression": "!!!"}}]}');
SELECT ddb.transact_get_items('{"TransactItems": [{"Get": {"TableName": "Nope", "Key": {"id": {"S": "x"}},
  "ProjectionExpression": "#xx, #zz", "ExpressionAttributeNames": {"#xx": "x", "#zz": "z", "#qq": "q"}}}]}');
SELECT ddb.transact_get_items('{"TransactItems": [{"Get": {"TableName": "Nope", "Key": {"id": {"S": "x"}},
  "ProjectionExpression": "#xx, #zz", "ExpressionAttributeNames": {"#xx": "x"}}}]}');
SELECT ddb.transact_get_items('{"TransactItems": [{"Get": {"TableName": "Acct", "Key": {"id": {"S": "x"}}}},
  {"Get": {"TableName": "Nope", "Key": {"id": {"S": "x"}}}}]}');

-- Key problems of one action cancel the read.
SELECT ddb.transact_get_items('{"TransactItems": [{"Get": {"TableName": "Acct", "Key": {}}}]}');
SELECT ddb.transact_get_items('{"TransactItems": [
  {"Get": {"TableName": "Acct", "Key": {"id": {"S": "bob"}}}},
  {"Get": {"TableName": "Log", "Key": {"pk": {"S": "x"}, "sk": {"S": "1"}}}},
  {"Get": {"TableName": "Acct", "Key": {"id": {"N": "1"}}}}]}');
SELECT ddb.transact_get_items('{"TransactItems": [{"Get": {"TableName": "Acct", "Key": {"id": {"S": ""}}}}]}');

DROP EXTENSION ddb_emul CASCADE;
