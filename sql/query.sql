-- Query: key conditions, order of S / N / B sort keys both ways, Limit and
-- 1 MB pages with LastEvaluatedKey, ExclusiveStartKey, FilterExpression,
-- ProjectionExpression, Select, consumed capacity, every validation error,
-- and that a Query reads through the primary key index.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- sk(response, attr): the values of attribute attr of the items, in order
CREATE FUNCTION pg_temp.sk(resp jsonb, attr text) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg((SELECT v FROM jsonb_each_text(i -> attr) AS t(k, v)), ' ' ORDER BY o), '')
    FROM jsonb_array_elements(resp -> 'Items') WITH ORDINALITY AS e(i, o)
$$;
-- q(table, key condition, values, extra members): Query, sort key values
CREATE FUNCTION pg_temp.q(tab text, kc text, vals jsonb, extra jsonb DEFAULT '{}', attr text DEFAULT 's')
  RETURNS text LANGUAGE sql AS $$
  SELECT pg_temp.sk(ddb.query(jsonb_build_object('TableName', tab, 'KeyConditionExpression', kc,
                                                 'ExpressionAttributeValues', vals) || extra), attr)
$$;
-- pages(action, request): follow LastEvaluatedKey, one row per page
CREATE FUNCTION pg_temp.pages(action text, req jsonb, attr text DEFAULT 's')
  RETURNS TABLE (page int, count int, scanned int, items text, last_key jsonb)
  LANGUAGE plpgsql AS $$
DECLARE
  resp jsonb;
BEGIN
  page := 0;
  LOOP
    page := page + 1;
    resp := ddb.execute(action, req);
    count := resp -> 'Count';
    scanned := resp -> 'ScannedCount';
    items := pg_temp.sk(resp, attr);
    last_key := resp -> 'LastEvaluatedKey';
    RETURN NEXT;
    EXIT WHEN last_key IS NULL;
    req := req || jsonb_build_object('ExclusiveStartKey', last_key);
  END LOOP;
END $$;

SELECT ddb.create_table('{"TableName": "Nums", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
                           {"AttributeName": "s", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                {"AttributeName": "s", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
SELECT ddb.create_table('{"TableName": "Strs", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "N"},
                           {"AttributeName": "s", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                {"AttributeName": "s", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
SELECT ddb.create_table('{"TableName": "Bins", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "B"},
                           {"AttributeName": "s", "AttributeType": "B"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                {"AttributeName": "s", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
SELECT ddb.create_table('{"TableName": "Hash", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}]}') IS NOT NULL AS created;

-- Numbers, in random order, in partition "a"; a few in "b" and "aa".
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Nums', 'Item',
         jsonb_build_object('p', jsonb_build_object('S', p), 's', jsonb_build_object('N', n),
                            'v', jsonb_build_object('N', ord::text)))))
  FROM (VALUES ('a', '10', 1), ('a', '-1', 2), ('a', '1e3', 3), ('a', '0.5', 4), ('a', '-1.5', 5),
               ('a', '0', 6), ('a', '-100', 7), ('a', '1.5', 8), ('a', '2', 9), ('a', '-0.5', 10),
               ('a', '1', 11), ('a', '9.9E20', 12), ('a', '-9.9E20', 13), ('a', '1E-20', 14),
               ('a', '-1E-20', 15), ('a', '100', 16), ('a', '0.001', 17), ('a', '-1e10', 18),
               ('b', '1', 19), ('b', '2', 20), ('aa', '5', 21)) AS v(p, n, ord);

-- Strings: UTF-8 byte order (U+FF61 before U+1F600, unlike UTF-16).
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Strs', 'Item',
         jsonb_build_object('p', '{"N": "1"}'::jsonb, 's', jsonb_build_object('S', s)))))
  FROM unnest(ARRAY['b', 'ab', 'Z', U&'\00E9', 'aa', '~', U&'\+01F600', 'a', U&'\4E2D',
                    U&'\FF61', 'A', U&'\00FF', 'z', U&'\007F', 'a b', 'a~']) AS s;

-- Binaries: unsigned byte order (0x80 after 0x7F), shorter prefix first.
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Bins', 'Item',
         jsonb_build_object('p', '{"B": "AQ=="}'::jsonb,
                            's', jsonb_build_object('B', encode(s, 'base64'))))))
  FROM unnest(ARRAY['\xff'::bytea, '\x00', '\x80', '\x7f', '\x0000', '\x00ff', '\x01',
                    '\xff00', '\xffff', '\x7fff']) AS s;

SELECT ddb.put_item('{"TableName": "Hash", "Item": {"p": {"S": "one"}, "x": {"N": "1"}}}');
SELECT ddb.put_item('{"TableName": "Hash", "Item": {"p": {"S": "two"}, "x": {"N": "2"}}}');

-- Whole partitions, forward and backward.
SELECT pg_temp.q('Nums', 'p = :p', '{":p": {"S": "a"}}');
SELECT pg_temp.q('Nums', 'p = :p', '{":p": {"S": "a"}}', '{"ScanIndexForward": false}');
SELECT pg_temp.q('Nums', 'p = :p', '{":p": {"S": "b"}}');
SELECT pg_temp.q('Nums', 'p = :p', '{":p": {"S": "nothing"}}');
SELECT pg_temp.q('Strs', 'p = :p', '{":p": {"N": "1"}}');
SELECT pg_temp.q('Strs', 'p = :p', '{":p": {"N": "1.0"}}', '{"ScanIndexForward": false}');
SELECT pg_temp.q('Bins', 'p = :p', '{":p": {"B": "AQ=="}}');
SELECT pg_temp.q('Bins', 'p = :p', '{":p": {"B": "AQ=="}}', '{"ScanIndexForward": false}');

-- The whole response.
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "b"}}}');
SELECT ddb.execute('Query', '{"TableName": "Hash", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "one"}}}');
SELECT ddb.query('{"TableName": "Hash", "KeyConditionExpression": "#k = :p",
  "ExpressionAttributeNames": {"#k": "p"}, "ExpressionAttributeValues": {":p": {"S": "three"}}}');

-- Every sort key operator, both directions.
SELECT pg_temp.q('Nums', 'p = :p AND s = :v', '{":p": {"S": "a"}, ":v": {"N": "1.50"}}');
SELECT pg_temp.q('Nums', 'p = :p AND s = :v', '{":p": {"S": "a"}, ":v": {"N": "3"}}');
SELECT pg_temp.q('Nums', 'p = :p AND s < :v', '{":p": {"S": "a"}, ":v": {"N": "0"}}');
SELECT pg_temp.q('Nums', 'p = :p AND s < :v', '{":p": {"S": "a"}, ":v": {"N": "0"}}', '{"ScanIndexForward": false}');
SELECT pg_temp.q('Nums', 'p = :p AND s <= :v', '{":p": {"S": "a"}, ":v": {"N": "-1"}}');
SELECT pg_temp.q('Nums', 'p = :p AND s > :v', '{":p": {"S": "a"}, ":v": {"N": "1.5"}}');
SELECT pg_temp.q('Nums', 'p = :p AND s > :v', '{":p": {"S": "a"}, ":v": {"N": "1.5"}}', '{"ScanIndexForward": false}');
SELECT pg_temp.q('Nums', 'p = :p AND s >= :v', '{":p": {"S": "a"}, ":v": {"N": "1.5"}}');
SELECT pg_temp.q('Nums', ':v <= s AND p = :p', '{":p": {"S": "a"}, ":v": {"N": "100"}}');
SELECT pg_temp.q('Nums', 'p = :p AND s BETWEEN :lo AND :hi', '{":p": {"S": "a"}, ":lo": {"N": "-1"}, ":hi": {"N": "1"}}');
SELECT pg_temp.q('Nums', 'p = :p AND s BETWEEN :lo AND :hi', '{":p": {"S": "a"}, ":lo": {"N": "-1"}, ":hi": {"N": "1"}}', '{"ScanIndexForward": false}');
SELECT pg_temp.q('Nums', 'p = :p AND s BETWEEN :lo AND :lo', '{":p": {"S": "a"}, ":lo": {"N": "0"}}');
SELECT pg_temp.q('Strs', 'p = :p AND begins_with(s, :pre)', '{":p": {"N": "1"}, ":pre": {"S": "a"}}');
SELECT pg_temp.q('Strs', 'p = :p AND begins_with(s, :pre)', '{":p": {"N": "1"}, ":pre": {"S": "a"}}', '{"ScanIndexForward": false}');
SELECT pg_temp.q('Strs', 'p = :p AND begins_with(s, :pre)', '{":p": {"N": "1"}, ":pre": {"S": "\u00e9"}}');
SELECT pg_temp.q('Strs', 'p = :p AND s > :v', '{":p": {"N": "1"}, ":v": {"S": "z"}}');
SELECT pg_temp.q('Strs', 'p = :p AND s < :v', '{":p": {"N": "1"}, ":v": {"S": "a"}}');
SELECT pg_temp.q('Bins', 'p = :p AND begins_with(s, :pre)', '{":p": {"B": "AQ=="}, ":pre": {"B": "AA=="}}');
SELECT pg_temp.q('Bins', 'p = :p AND begins_with(s, :pre)', '{":p": {"B": "AQ=="}, ":pre": {"B": "fw=="}}');
-- a prefix of 0xFF bytes has no upper bound
SELECT pg_temp.q('Bins', 'p = :p AND begins_with(s, :pre)', '{":p": {"B": "AQ=="}, ":pre": {"B": "/w=="}}');
SELECT pg_temp.q('Bins', 'p = :p AND begins_with(s, :pre)', '{":p": {"B": "AQ=="}, ":pre": {"B": "//8="}}', '{"ScanIndexForward": false}');
SELECT pg_temp.q('Bins', 'p = :p AND s BETWEEN :lo AND :hi', '{":p": {"B": "AQ=="}, ":lo": {"B": "fw=="}, ":hi": {"B": "/w=="}}');

-- Limit pages through a partition; the page that reads the last item
-- still has LastEvaluatedKey when Limit stopped it, and the next is empty.
SELECT * FROM pg_temp.pages('Query', '{"TableName": "Nums", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}, "Limit": 6}');
SELECT * FROM pg_temp.pages('Query', '{"TableName": "Nums", "KeyConditionExpression": "p = :p AND s > :v",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":v": {"N": "0"}}, "Limit": 4, "ScanIndexForward": false}');
SELECT * FROM pg_temp.pages('Query', '{"TableName": "Nums", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "b"}}, "Limit": 1}');
SELECT * FROM pg_temp.pages('Query', '{"TableName": "Strs", "KeyConditionExpression": "p = :p AND begins_with(s, :a)",
  "ExpressionAttributeValues": {":p": {"N": "1"}, ":a": {"S": "a"}}, "Limit": 2}');
SELECT * FROM pg_temp.pages('Query', '{"TableName": "Hash", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "one"}}, "Limit": 1}', 'x');

-- FilterExpression applies after Limit: Count counts what passed, and
-- LastEvaluatedKey is the last item read even when it was filtered out.
SELECT * FROM pg_temp.pages('Query', '{"TableName": "Nums", "KeyConditionExpression": "p = :p",
  "FilterExpression": "v > :seven", "Limit": 5,
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":seven": {"N": "7"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p",
  "FilterExpression": "attribute_not_exists(v)", "ExpressionAttributeValues": {":p": {"S": "a"}}}');

-- ProjectionExpression and Select.
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p",
  "ProjectionExpression": "v, nothing", "ExpressionAttributeValues": {":p": {"S": "b"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "SPECIFIC_ATTRIBUTES",
  "ProjectionExpression": "#s", "ExpressionAttributeNames": {"#s": "s"},
  "ExpressionAttributeValues": {":p": {"S": "b"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "ALL_ATTRIBUTES",
  "ExpressionAttributeValues": {":p": {"S": "b"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "COUNT",
  "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "COUNT",
  "FilterExpression": "v <= :two", "Limit": 4, "ExpressionAttributeValues": {":p": {"S": "a"}, ":two": {"N": "2"}}}');

-- ConsumedCapacity: one rounding over the sum of the sizes read (filtered
-- items included), at least one unit, half of it when not consistent.
SELECT sum(size) AS partition_a_bytes FROM ddb_data."Nums" WHERE pk = ddb.encode_key('{"S": "a"}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "COUNT",
  "ReturnConsumedCapacity": "TOTAL", "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "COUNT",
  "ReturnConsumedCapacity": "INDEXES", "ConsistentRead": true, "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "COUNT",
  "ReturnConsumedCapacity": "TOTAL", "ExpressionAttributeValues": {":p": {"S": "none"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "COUNT",
  "ReturnConsumedCapacity": "NONE", "ExpressionAttributeValues": {":p": {"S": "a"}}}');

-- 1 MB pages: the item whose size brings the sum to 1 MB (1048576 bytes)
-- or beyond is the last one of the page, before FilterExpression.
SELECT ddb.create_table('{"TableName": "Big", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
                           {"AttributeName": "s", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                {"AttributeName": "s", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
-- partition "exact": items of exactly 262144 bytes, four make 1 MB
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Big', 'Item',
         jsonb_build_object('p', '{"S": "exact"}'::jsonb, 's', jsonb_build_object('N', i::text),
                            'd', jsonb_build_object('S', repeat('x', 262138))))))
  FROM generate_series(1, 9) AS i;
-- partition "under": the fourth item is one byte smaller
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Big', 'Item',
         jsonb_build_object('p', '{"S": "under"}'::jsonb, 's', jsonb_build_object('N', i::text),
                            'd', jsonb_build_object('S', repeat('x', CASE WHEN i = 4 THEN 262137 ELSE 262138 END))))))
  FROM generate_series(1, 6) AS i;
SELECT ddb.decode_key(pk, 'S') ->> 'S' AS p, count(*), min(size), max(size), sum(size)
  FROM ddb_data."Big" GROUP BY 1 ORDER BY 1;
SELECT * FROM pg_temp.pages('Query', '{"TableName": "Big", "KeyConditionExpression": "p = :p",
  "ProjectionExpression": "s", "ExpressionAttributeValues": {":p": {"S": "exact"}}}');
SELECT * FROM pg_temp.pages('Query', '{"TableName": "Big", "KeyConditionExpression": "p = :p",
  "ProjectionExpression": "s", "ExpressionAttributeValues": {":p": {"S": "under"}}}');
SELECT * FROM pg_temp.pages('Query', '{"TableName": "Big", "KeyConditionExpression": "p = :p",
  "ProjectionExpression": "s", "ScanIndexForward": false, "ExpressionAttributeValues": {":p": {"S": "exact"}}}');
-- a filter that keeps nothing: empty pages, each of 1 MB read
SELECT * FROM pg_temp.pages('Query', '{"TableName": "Big", "KeyConditionExpression": "p = :p",
  "FilterExpression": "attribute_not_exists(d)", "ExpressionAttributeValues": {":p": {"S": "exact"}}}');
-- Limit stops a page before 1 MB does
SELECT * FROM pg_temp.pages('Query', '{"TableName": "Big", "KeyConditionExpression": "p = :p", "Limit": 3,
  "ProjectionExpression": "s", "ExpressionAttributeValues": {":p": {"S": "exact"}}}');
SELECT ddb.query('{"TableName": "Big", "KeyConditionExpression": "p = :p", "Select": "COUNT",
  "ReturnConsumedCapacity": "TOTAL", "ExpressionAttributeValues": {":p": {"S": "exact"}}}');

-- ExclusiveStartKey continues after the given key, which need not exist.
SELECT pg_temp.q('Nums', 'p = :p', '{":p": {"S": "a"}}',
  '{"ExclusiveStartKey": {"p": {"S": "a"}, "s": {"N": "1"}}}');
SELECT pg_temp.q('Nums', 'p = :p', '{":p": {"S": "a"}}',
  '{"ExclusiveStartKey": {"p": {"S": "a"}, "s": {"N": "0.7"}}, "ScanIndexForward": false}');
SELECT pg_temp.q('Nums', 'p = :p AND s BETWEEN :lo AND :hi', '{":p": {"S": "a"}, ":lo": {"N": "-1"}, ":hi": {"N": "1"}}',
  '{"ExclusiveStartKey": {"p": {"S": "a"}, "s": {"N": "1"}}}');
SELECT pg_temp.q('Nums', 'p = :p AND s BETWEEN :lo AND :hi', '{":p": {"S": "a"}, ":lo": {"N": "-1"}, ":hi": {"N": "1"}}',
  '{"ExclusiveStartKey": {"p": {"S": "a"}, "s": {"N": "-1"}}, "ScanIndexForward": false}');
SELECT pg_temp.q('Strs', 'p = :p AND begins_with(s, :pre)', '{":p": {"N": "1"}, ":pre": {"S": "a"}}',
  '{"ExclusiveStartKey": {"p": {"N": "1"}, "s": {"S": "a "}}}');
SELECT ddb.query('{"TableName": "Hash", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "one"}}, "ExclusiveStartKey": {"p": {"S": "one"}}}');

-- Query always reads through the primary key index, never the table,
-- even on a small table whose statistics would favour a sequential scan.
-- (pg_stat_xact_user_tables may include counts of earlier transactions
-- not yet reported, so compare before and after.)
-- The session's planner settings do not change that, and are left as
-- they were.
ANALYZE ddb_data."Nums";
BEGIN;
SET LOCAL enable_indexscan = off;
SET LOCAL enable_seqscan = on;
SELECT seq_scan AS seq_before, idx_scan AS idx_before FROM pg_stat_xact_user_tables
 WHERE relid = 'ddb_data."Nums"'::regclass \gset
SELECT count(*) FROM ddb.query_items('Nums', 'p = :p', '{":p": {"S": "a"}}', page_size => 2);
SELECT pg_temp.q('Nums', 'p = :p AND s < :v', '{":p": {"S": "a"}, ":v": {"N": "0"}}', '{"ScanIndexForward": false}');
SELECT seq_scan - :seq_before AS seq_scans, idx_scan - :idx_before AS index_scans
  FROM pg_stat_xact_user_tables WHERE relid = 'ddb_data."Nums"'::regclass;
SHOW enable_indexscan;
SHOW enable_seqscan;
COMMIT;

-- Errors.  JSON types first.
SELECT ddb.query('{"TableName": 1}');
SELECT ddb.query('{"TableName": "Nums", "Limit": "1"}');
SELECT ddb.query('{"TableName": "Nums", "Limit": 3000000000}');
SELECT ddb.query('{"TableName": "Nums", "ScanIndexForward": "no"}');
SELECT ddb.query('{"TableName": "Nums", "ExclusiveStartKey": []}');
SELECT ddb.query('{"TableName": "Nums", "ExclusiveStartKey": {"p": {"S": 1}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": ["p = :p"]}');
SELECT ddb.query('[]');
-- parameter constraints, all listed
SELECT ddb.query('{}');
SELECT ddb.query('{"TableName": "x", "Limit": 0, "Select": "count", "ReturnConsumedCapacity": "all",
  "IndexName": "i!"}');
SELECT ddb.query('{"TableName": "Nums", "Limit": -1}');
-- legacy parameters
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "KeyConditions": {},
  "QueryFilter": {}, "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditions": {}, "FilterExpression": "v = :v", "AttributesToGet": ["v"]}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditions": {}, "FilterExpression": "v = :v"}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditions": {"p": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}}');
SELECT ddb.query('{"TableName": "Nums", "ExpressionAttributeNames": {"#a": "a"}}');
SELECT ddb.query('{"TableName": "Nums", "ExpressionAttributeValues": {":a": {"S": "a"}}, "ProjectionExpression": "a"}');
-- start key values, then the missing key condition
SELECT ddb.query('{"TableName": "Nums", "ExclusiveStartKey": {"p": {"N": "x"}}}');
SELECT ddb.query('{"TableName": "Nums", "ExclusiveStartKey": {"p": {"SS": []}}}');
SELECT ddb.query('{"TableName": "Nums"}');
-- expressions
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = "}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "FilterExpression": "",
  "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":q": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeNames": {"#x": "x"},
  "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p OR s = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nope", "KeyConditionExpression": "a = :p AND b = :p AND c = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}}');
-- Select
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "ALL_ATTRIBUTES",
  "ProjectionExpression": "v", "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "ALL_PROJECTED_ATTRIBUTES",
  "ProjectionExpression": "v", "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "COUNT",
  "ProjectionExpression": "v", "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "SPECIFIC_ATTRIBUTES",
  "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "Select": "ALL_PROJECTED_ATTRIBUTES",
  "ExpressionAttributeValues": {":p": {"S": "a"}}}');
-- the table, then its indexes
SELECT ddb.query('{"TableName": "Nope", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "IndexName": "byV", "Select": "ALL_PROJECTED_ATTRIBUTES",
  "KeyConditionExpression": "v = :p", "ExpressionAttributeValues": {":p": {"N": "1"}}}');
-- the key condition against the key schema
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "s = :s", "ExpressionAttributeValues": {":s": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p < :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p AND v = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p AND s > :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p AND begins_with(s, :s)",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Hash", "KeyConditionExpression": "p = :p AND s = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}');
-- the start key: its attributes, then the key condition, then its bounds
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"p": {"S": "a"}, "s": {"N": "1"}, "v": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"x": {"S": "a"}, "s": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"p": {"N": "1"}, "s": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "s = :s", "ExpressionAttributeValues": {":s": {"N": "1"}},
  "ExclusiveStartKey": {"p": {"S": "a"}, "s": {"S": "1"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"p": {"S": "a"}, "x": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"p": {"S": "a"}, "s": {"S": "1"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"p": {"S": ""}, "s": {"N": "1"}}}');
SELECT ddb.query(jsonb_build_object('TableName', 'Nums', 'KeyConditionExpression', 'p = :p',
  'ExpressionAttributeValues', '{":p": {"S": "a"}}'::jsonb,
  'ExclusiveStartKey', jsonb_build_object('p', jsonb_build_object('S', repeat('a', 2049)), 's', '{"N": "1"}'::jsonb)));
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"p": {"S": "b"}, "s": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p AND s > :s",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "5"}},
  "ExclusiveStartKey": {"p": {"S": "a"}, "s": {"N": "5"}}}');
SELECT ddb.query('{"TableName": "Strs", "KeyConditionExpression": "p = :p AND begins_with(s, :s)",
  "ExpressionAttributeValues": {":p": {"N": "1"}, ":s": {"S": "a"}},
  "ExclusiveStartKey": {"p": {"N": "1"}, "s": {"S": "b"}}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p AND s < :s",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "5"}},
  "ExclusiveStartKey": {"p": {"S": "b"}, "s": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Hash", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"p": {"S": "b"}}}');
-- paths below key attributes, and filters on key attributes
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ProjectionExpression": "v, s.x"}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ProjectionExpression": "#p[0]", "ExpressionAttributeNames": {"#p": "p"}}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "FilterExpression": "v > :p OR s > :p"}');
SELECT ddb.query('{"TableName": "Nums", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "FilterExpression": "size(p) > :p"}');
SELECT ddb.query('{"TableName": "Hash", "KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": {"S": "a"}},
  "FilterExpression": "attribute_exists(p.q)"}');

SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
