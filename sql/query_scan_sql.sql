-- ddb.query_items and ddb.scan_items: every page of a Query or a Scan as
-- rows, in SQL (joins, LATERAL, aggregates), read one page at a time.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

SELECT ddb.create_table('{"TableName": "Orders", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "customer", "AttributeType": "S"},
                           {"AttributeName": "order_no", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
                {"AttributeName": "order_no", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Orders', 'Item', jsonb_build_object(
         'customer', jsonb_build_object('S', c),
         'order_no', jsonb_build_object('N', n::text),
         'amount', jsonb_build_object('N', (n * 10 + length(c))::text),
         'status', jsonb_build_object('S', CASE WHEN n % 3 = 0 THEN 'open' ELSE 'shipped' END)))))
  FROM unnest(ARRAY['alice', 'bob', 'carol']) AS c, generate_series(1, 7) AS n;

-- An ordinary table to join with.
CREATE TABLE customers (name text PRIMARY KEY, city text);
INSERT INTO customers VALUES ('alice', 'Lyon'), ('bob', 'Oslo'), ('dave', 'Rome');

-- The request form: all pages, page_size (Limit) items read per page.
SELECT item FROM ddb.query_items('{"TableName": "Orders", "KeyConditionExpression": "customer = :c",
  "ExpressionAttributeValues": {":c": {"S": "bob"}}, "Limit": 2, "ProjectionExpression": "order_no, #s",
  "ExpressionAttributeNames": {"#s": "status"}}');
SELECT count(*) FROM ddb.query_items('{"TableName": "Orders", "KeyConditionExpression": "customer = :c",
  "ExpressionAttributeValues": {":c": {"S": "bob"}, ":open": {"S": "open"}}, "Limit": 1,
  "FilterExpression": "#s = :open", "ExpressionAttributeNames": {"#s": "status"}}');
-- a starting key in the request starts there
SELECT item -> 'order_no' ->> 'N' AS order_no
  FROM ddb.query_items('{"TableName": "Orders", "KeyConditionExpression": "customer = :c",
  "ExpressionAttributeValues": {":c": {"S": "bob"}}, "ScanIndexForward": false,
  "ExclusiveStartKey": {"customer": {"S": "bob"}, "order_no": {"N": "4"}}}');

-- The argument form.
SELECT item -> 'order_no' ->> 'N' AS order_no, item -> 'amount' ->> 'N' AS amount
  FROM ddb.query_items('Orders', 'customer = :c AND order_no BETWEEN :lo AND :hi',
                       '{":c": {"S": "alice"}, ":lo": {"N": "2"}, ":hi": {"N": "5"}}');
SELECT item
  FROM ddb.query_items('Orders', '#c = :c', '{":c": {"S": "carol"}, ":open": {"S": "open"}}',
                       filter => '#s = :open', expression_names => '{"#c": "customer", "#s": "status"}',
                       scan_forward => false, projection => 'order_no, #s', page_size => 2);
SELECT count(*) FROM ddb.query_items('Orders', 'customer = :c', '{":c": {"S": "nobody"}}');

-- Joins: a Query per row of an ordinary table (LATERAL), or a Scan joined.
SELECT c.name, c.city, count(o.item) AS orders, sum((o.item -> 'amount' ->> 'N')::numeric) AS amount
  FROM customers AS c
  LEFT JOIN LATERAL ddb.query_items('Orders', 'customer = :c',
                                    jsonb_build_object(':c', jsonb_build_object('S', c.name))) AS o ON true
 GROUP BY c.name, c.city ORDER BY c.name;
SELECT o.item -> 'customer' ->> 'S' AS customer, c.city, count(*)
  FROM ddb.scan_items('Orders', '#s = :open', '{":open": {"S": "open"}}', '{"#s": "status"}') AS o
  JOIN customers AS c ON c.name = o.item -> 'customer' ->> 'S'
 GROUP BY 1, 2 ORDER BY 1;

-- Scans: the whole table in key order, with small pages, and one segment
-- at a time (together every item once).
SELECT string_agg((item -> 'customer' ->> 'S') || '/' || (item -> 'order_no' ->> 'N'), ' ')
  FROM ddb.scan_items('Orders', page_size => 4);
SELECT count(*) FROM ddb.scan_items('{"TableName": "Orders", "Limit": 5}'::jsonb);
SELECT s AS segment, count(i.item)
  FROM generate_series(0, 2) AS s
  LEFT JOIN LATERAL ddb.scan_items('Orders', segment => s, total_segments => 3, page_size => 2) AS i ON true
 GROUP BY s ORDER BY s;
SELECT count(*), count(DISTINCT i.item)
  FROM generate_series(0, 2) AS s,
       LATERAL ddb.scan_items('Orders', segment => s, total_segments => 3, page_size => 2) AS i;
SELECT item FROM ddb.scan_items('Orders', 'order_no = :n AND customer <> :c',
                                '{":n": {"N": "7"}, ":c": {"S": "bob"}}', projection => 'customer, amount');

-- Pages of many items, each read in several range statements.
SELECT ddb.create_table('{"TableName": "Events", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"},
                           {"AttributeName": "t", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"},
                {"AttributeName": "t", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Events', 'Item', jsonb_build_object(
         'k', jsonb_build_object('S', 'k' || (i % 3)), 't', jsonb_build_object('N', i::text),
         'body', jsonb_build_object('S', repeat(chr(97 + i % 26), i % 300))))))
  FROM generate_series(1, 3000) AS i;
SELECT count(*), sum((item -> 't' ->> 'N')::int), sum(length(item -> 'body' ->> 'S'))
  FROM ddb.query_items('Events', 'k = :k', '{":k": {"S": "k1"}}');
SELECT count(*), sum((item -> 't' ->> 'N')::int), sum(length(item -> 'body' ->> 'S'))
  FROM ddb.query_items('Events', 'k = :k', '{":k": {"S": "k1"}}', scan_forward => false, page_size => 300);
SELECT count(*), sum((item -> 't' ->> 'N')::int), sum(length(item -> 'body' ->> 'S'))
  FROM ddb.query_items('Events', 'k = :k AND t > :t',
                       '{":k": {"S": "k2"}, ":t": {"N": "1000"}, ":n": {"N": "100"}}',
                       filter => 'size(body) > :n');
SELECT count(*), sum((item -> 't' ->> 'N')::int), sum(length(item -> 'body' ->> 'S'))
  FROM ddb.scan_items('Events');
SELECT count(*), sum((item -> 't' ->> 'N')::int) FROM ddb.scan_items('Events', projection => 't', page_size => 700);
SELECT sum(n), sum(t) FROM (SELECT count(*) AS n, sum((item -> 't' ->> 'N')::int) AS t
  FROM generate_series(0, 3) AS s, LATERAL ddb.scan_items('Events', segment => s, total_segments => 4) GROUP BY s) AS x;

-- Select COUNT returns no items, so no rows.
SELECT count(*) FROM ddb.scan_items('{"TableName": "Orders", "Select": "COUNT"}'::jsonb);

-- In the select list the function is read row by row: LIMIT stops it
-- after the pages it needed (one index scan per page here).
BEGIN;
SELECT idx_scan AS idx_before FROM pg_stat_xact_user_tables WHERE relid = 'ddb_data."Orders"'::regclass \gset
SELECT ddb.scan_items('Orders', page_size => 1) -> 'order_no' LIMIT 2;
SELECT idx_scan - :idx_before AS index_scans FROM pg_stat_xact_user_tables
 WHERE relid = 'ddb_data."Orders"'::regclass;
COMMIT;

-- DynamoDB's errors come through unchanged.
SELECT * FROM ddb.query_items('Orders', 'customer = :c', '{":c": {"N": "1"}}');
SELECT * FROM ddb.query_items('{"TableName": "Nope", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "x"}}}');
SELECT * FROM ddb.scan_items('Orders', 'status = :s', '{":s": {"S": "open"}}');
SELECT * FROM ddb.scan_items('Orders', segment => 3, total_segments => 3);
SELECT * FROM ddb.scan_items('[]'::jsonb);
-- A request written as an untyped literal resolves to the table-name form,
-- which takes it as the request (a table name never starts with "{").
SELECT count(*) FROM ddb.scan_items('{"TableName": "Orders", "Limit": 10}');
SELECT * FROM ddb.scan_items(' {"TableName": "Orders"}', 'a = :a');
SELECT * FROM ddb.scan_items('{"TableName": "Orders"');
SELECT * FROM ddb.query_items(NULL, 'a = :a');

DROP TABLE customers;
SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
