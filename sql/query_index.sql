-- Query and Scan with IndexName: served by the secondary index's own
-- PostgreSQL index (an index range scan), in index order, with the index's
-- projection, paging with index start keys, capacity charged to the index,
-- and DynamoDB's errors.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- Tasks of projects: a GSI with a sort key (INCLUDE), a GSI without one
-- (KEYS_ONLY), a GSI projecting ALL, and two LSIs (KEYS_ONLY, ALL).
SELECT ddb.create_table('{"TableName": "Tasks", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [
    {"AttributeName": "proj", "AttributeType": "S"}, {"AttributeName": "id", "AttributeType": "N"},
    {"AttributeName": "status", "AttributeType": "S"}, {"AttributeName": "due", "AttributeType": "N"},
    {"AttributeName": "owner", "AttributeType": "S"}, {"AttributeName": "prio", "AttributeType": "N"},
    {"AttributeName": "title", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "proj", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "by-status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}, {"AttributeName": "due", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["title"]}},
    {"IndexName": "by-owner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}},
    {"IndexName": "by-title", "KeySchema": [{"AttributeName": "title", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"}}],
  "LocalSecondaryIndexes": [
    {"IndexName": "by-prio", "KeySchema": [{"AttributeName": "proj", "KeyType": "HASH"}, {"AttributeName": "prio", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}},
    {"IndexName": "by-due", "KeySchema": [{"AttributeName": "proj", "KeyType": "HASH"}, {"AttributeName": "due", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"}}]}') IS NOT NULL AS created;

-- Twelve tasks in three projects.  Several share a status and a due date
-- (ties on the index sort key); tasks 11 and 12 have no status (not in
-- by-status), task 12 no due date and no owner.
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Tasks', 'Item', t)))
  FROM (VALUES
    ('{"proj": {"S": "a"}, "id": {"N": "1"}, "status": {"S": "open"}, "due": {"N": "20"}, "owner": {"S": "ann"}, "prio": {"N": "2"}, "title": {"S": "t1"}, "body": {"S": "one"}}'::jsonb),
    ('{"proj": {"S": "a"}, "id": {"N": "2"}, "status": {"S": "open"}, "due": {"N": "10"}, "owner": {"S": "bob"}, "prio": {"N": "1"}, "title": {"S": "t2"}, "body": {"S": "two"}}'),
    ('{"proj": {"S": "a"}, "id": {"N": "3"}, "status": {"S": "done"}, "due": {"N": "10"}, "owner": {"S": "ann"}, "prio": {"N": "2"}, "title": {"S": "t3"}, "body": {"S": "three"}}'),
    ('{"proj": {"S": "a"}, "id": {"N": "4"}, "status": {"S": "open"}, "due": {"N": "20"}, "owner": {"S": "ann"}, "prio": {"N": "3"}, "title": {"S": "t4"}, "body": {"S": "four"}}'),
    ('{"proj": {"S": "b"}, "id": {"N": "1"}, "status": {"S": "open"}, "due": {"N": "20"}, "owner": {"S": "bob"}, "prio": {"N": "1"}, "title": {"S": "t5"}, "body": {"S": "five"}}'),
    ('{"proj": {"S": "b"}, "id": {"N": "2"}, "status": {"S": "open"}, "due": {"N": "5"},  "owner": {"S": "ann"}, "prio": {"N": "1"}, "title": {"S": "t6"}, "body": {"S": "six"}}'),
    ('{"proj": {"S": "b"}, "id": {"N": "3"}, "status": {"S": "done"}, "due": {"N": "30"}, "owner": {"S": "bob"}, "prio": {"N": "9"}, "title": {"S": "t7"}, "body": {"S": "seven"}}'),
    ('{"proj": {"S": "c"}, "id": {"N": "1"}, "status": {"S": "open"}, "due": {"N": "20"}, "owner": {"S": "ann"}, "prio": {"N": "5"}, "title": {"S": "t8"}, "body": {"S": "eight"}}'),
    ('{"proj": {"S": "c"}, "id": {"N": "2"}, "status": {"S": "open"}, "due": {"N": "30"}, "owner": {"S": "cat"}, "prio": {"N": "5"}, "title": {"S": "t9"}, "body": {"S": "nine"}}'),
    ('{"proj": {"S": "c"}, "id": {"N": "3"}, "status": {"S": "done"}, "due": {"N": "20"}, "owner": {"S": "cat"}, "prio": {"N": "4"}, "title": {"S": "t1"}, "body": {"S": "ten"}}'),
    ('{"proj": {"S": "c"}, "id": {"N": "4"}, "due": {"N": "40"}, "owner": {"S": "ann"}, "prio": {"N": "5"}, "title": {"S": "t2"}, "body": {"S": "eleven"}}'),
    ('{"proj": {"S": "c"}, "id": {"N": "5"}, "prio": {"N": "1"}, "body": {"S": "twelve"}}')) AS v(t);

-- The items of a response as proj/id, in order.
CREATE FUNCTION pg_temp.ids(r jsonb) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg((i -> 'proj' ->> 'S') || '/' || (i -> 'id' ->> 'N'), ' ' ORDER BY o), '')
    FROM jsonb_array_elements(r -> 'Items') WITH ORDINALITY AS x(i, o) $$;
-- The same for every item of every page of a request (ddb.query_items /
-- ddb.scan_items follow LastEvaluatedKey).
CREATE FUNCTION pg_temp.all_ids(req jsonb, is_query boolean DEFAULT true) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg((i -> 'proj' ->> 'S') || '/' || (i -> 'id' ->> 'N'), ' ' ORDER BY o), '')
    FROM (SELECT i, o FROM ddb.query_items(req) WITH ORDINALITY AS q(i, o) WHERE is_query
          UNION ALL
          SELECT i, o FROM ddb.scan_items(req) WITH ORDINALITY AS s(i, o) WHERE NOT is_query) x $$;

-- GSI with a sort key: open tasks by due date, ties (due 20) in table key
-- order (proj, then id); only the projected attributes (keys + title).
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status",
  "KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}}}');
-- backward: everything reversed, the ties too
SELECT pg_temp.ids(ddb.query('{"TableName": "Tasks", "IndexName": "by-status",
  "KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}}, "ScanIndexForward": false}')) AS open_backward;
-- sort key conditions on the index sort key
SELECT c AS condition, pg_temp.ids(ddb.query(jsonb_build_object('TableName', 'Tasks', 'IndexName', 'by-status',
         'KeyConditionExpression', '#s = :s AND ' || c, 'ExpressionAttributeNames', '{"#s": "status"}'::jsonb,
         'ExpressionAttributeValues', '{":s": {"S": "open"}}'::jsonb || v))) AS fwd,
       pg_temp.ids(ddb.query(jsonb_build_object('TableName', 'Tasks', 'IndexName', 'by-status',
         'KeyConditionExpression', '#s = :s AND ' || c, 'ExpressionAttributeNames', '{"#s": "status"}'::jsonb,
         'ExpressionAttributeValues', '{":s": {"S": "open"}}'::jsonb || v, 'ScanIndexForward', false))) AS bwd
  FROM (VALUES ('due = :b', '{":b": {"N": "20"}}'::jsonb), ('due < :b', '{":b": {"N": "20"}}'),
               ('due <= :b', '{":b": {"N": "20"}}'), ('due > :a', '{":a": {"N": "10"}}'),
               ('due >= :b', '{":b": {"N": "20"}}'),
               ('due BETWEEN :a AND :b', '{":a": {"N": "10"}, ":b": {"N": "20"}}')) AS x(c, v);
-- a partition the index does not have
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status",
  "KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "gone"}}}');

-- Paging with Limit through the ties, forward and backward: each page ends
-- with LastEvaluatedKey = the index keys and the table keys of its last item.
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "Limit": 2,
  "KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}}}') - 'Items' AS page1;
SELECT pg_temp.ids(r) AS page2, r -> 'LastEvaluatedKey' AS next
  FROM ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "Limit": 2,
  "KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}},
  "ExclusiveStartKey": {"status": {"S": "open"}, "due": {"N": "20"}, "proj": {"S": "a"}, "id": {"N": "1"}}}') AS r;
SELECT n AS page_size,
       pg_temp.all_ids(jsonb_build_object('TableName', 'Tasks', 'IndexName', 'by-status', 'Limit', n,
         'KeyConditionExpression', '#s = :s', 'ExpressionAttributeNames', '{"#s": "status"}'::jsonb,
         'ExpressionAttributeValues', '{":s": {"S": "open"}}'::jsonb)) AS forward,
       pg_temp.all_ids(jsonb_build_object('TableName', 'Tasks', 'IndexName', 'by-status', 'Limit', n,
         'KeyConditionExpression', '#s = :s', 'ExpressionAttributeNames', '{"#s": "status"}'::jsonb,
         'ExpressionAttributeValues', '{":s": {"S": "open"}}'::jsonb, 'ScanIndexForward', false)) AS backward
  FROM unnest(ARRAY[1, 2, 3, 7]) AS n;
-- a start key before the sort key range restarts inside it; Limit + filter
SELECT pg_temp.ids(ddb.query('{"TableName": "Tasks", "IndexName": "by-status",
  "KeyConditionExpression": "#s = :s AND due >= :d", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}, ":d": {"N": "20"}},
  "ExclusiveStartKey": {"status": {"S": "open"}, "due": {"N": "20"}, "proj": {"S": "a"}, "id": {"N": "4"}}}')) AS after_a4;
SELECT pg_temp.all_ids('{"TableName": "Tasks", "IndexName": "by-status", "Limit": 1,
  "KeyConditionExpression": "#s = :s", "FilterExpression": "proj <> :a",
  "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}, ":a": {"S": "a"}}}') AS filtered_on_table_key;

-- GSI without a sort key (KEYS_ONLY): table key order, keys only.
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-owner",
  "KeyConditionExpression": "#o = :o", "ExpressionAttributeNames": {"#o": "owner"},
  "ExpressionAttributeValues": {":o": {"S": "ann"}}, "Limit": 4}');
SELECT pg_temp.all_ids('{"TableName": "Tasks", "IndexName": "by-owner", "Limit": 2, "ScanIndexForward": false,
  "KeyConditionExpression": "#o = :o", "ExpressionAttributeNames": {"#o": "owner"},
  "ExpressionAttributeValues": {":o": {"S": "ann"}}}') AS ann_backward;
-- GSI projecting ALL: the whole items; the GSI's sort key is the table's id
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-title",
  "KeyConditionExpression": "title = :t", "ExpressionAttributeValues": {":t": {"S": "t1"}},
  "Select": "ALL_ATTRIBUTES"}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-title", "ScanIndexForward": false, "Limit": 1,
  "KeyConditionExpression": "title = :t AND id > :i", "ExpressionAttributeValues": {":t": {"S": "t1"}, ":i": {"N": "0"}},
  "ProjectionExpression": "body"}');

-- LSI (KEYS_ONLY): one project by priority, ties by id; the projected
-- attributes by default, the whole item (read from the table) on request.
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-prio",
  "KeyConditionExpression": "proj = :p AND prio < :x", "ExpressionAttributeValues": {":p": {"S": "a"}, ":x": {"N": "3"}}}');
SELECT pg_temp.ids(ddb.query('{"TableName": "Tasks", "IndexName": "by-prio", "ScanIndexForward": false,
  "KeyConditionExpression": "proj = :p", "ExpressionAttributeValues": {":p": {"S": "c"}}}')) AS c_by_prio_desc;
SELECT pg_temp.all_ids('{"TableName": "Tasks", "IndexName": "by-prio", "Limit": 1,
  "KeyConditionExpression": "proj = :p", "ExpressionAttributeValues": {":p": {"S": "c"}}}') AS c_pages;
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-prio", "Select": "ALL_ATTRIBUTES",
  "KeyConditionExpression": "proj = :p AND prio = :x", "ExpressionAttributeValues": {":p": {"S": "a"}, ":x": {"N": "2"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-prio", "ProjectionExpression": "id, body",
  "KeyConditionExpression": "proj = :p AND prio = :x", "FilterExpression": "begins_with(body, :t)",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":x": {"N": "2"}, ":t": {"S": "th"}}}');
-- the table's sort key may be filtered on in an LSI query; ConsistentRead is allowed
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-due", "ConsistentRead": true,
  "KeyConditionExpression": "proj = :p AND due > :d", "FilterExpression": "id > :i",
  "ExpressionAttributeValues": {":p": {"S": "c"}, ":d": {"N": "20"}, ":i": {"N": "2"}}}');
-- Select COUNT
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-due", "Select": "COUNT",
  "KeyConditionExpression": "proj = :p", "ExpressionAttributeValues": {":p": {"S": "c"}}}');

-- Scan of an index: every item in it (sparse: items without the index
-- keys are not), in index order, with the projection.
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-status", "ProjectionExpression": "proj, id, #s, due",
  "ExpressionAttributeNames": {"#s": "status"}}');
SELECT pg_temp.ids(ddb.scan('{"TableName": "Tasks", "IndexName": "by-owner"}')) AS by_owner,
       pg_temp.ids(ddb.scan('{"TableName": "Tasks", "IndexName": "by-prio"}')) AS by_prio,
       pg_temp.ids(ddb.scan('{"TableName": "Tasks", "IndexName": "by-due"}')) AS by_due;
SELECT n AS page_size, pg_temp.all_ids(jsonb_build_object('TableName', 'Tasks', 'IndexName', 'by-status', 'Limit', n), false) AS scan_pages
  FROM unnest(ARRAY[1, 4]) AS n;
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-status", "Limit": 2, "FilterExpression": "#s = :d",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":d": {"S": "done"}}}');
-- parallel segments: each holds whole index partitions, together the index
SELECT s AS segment, pg_temp.all_ids(jsonb_build_object('TableName', 'Tasks', 'IndexName', 'by-owner', 'Limit', 2,
         'Segment', s, 'TotalSegments', 3), false) AS items
  FROM generate_series(0, 2) AS s;
SELECT count(*) AS entries, count(DISTINCT i) AS distinct_entries
  FROM generate_series(0, 3) AS s,
       LATERAL ddb.scan_items(jsonb_build_object('TableName', 'Tasks', 'IndexName', 'by-status', 'Limit', 1,
         'Segment', s, 'TotalSegments', 4)) AS i;
SELECT pg_temp.all_ids(jsonb_build_object('TableName', 'Tasks', 'IndexName', 'by-prio', 'Limit', 1,
         'Segment', s, 'TotalSegments', 2), false) AS items
  FROM generate_series(0, 1) AS s;

-- A table without a sort key: GSIs with and without a sort key.
SELECT ddb.create_table('{"TableName": "Users", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "user", "AttributeType": "S"},
    {"AttributeName": "team", "AttributeType": "S"}, {"AttributeName": "joined", "AttributeType": "N"},
    {"AttributeName": "email", "AttributeType": "B"}],
  "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "by-team", "KeySchema": [{"AttributeName": "team", "KeyType": "HASH"}, {"AttributeName": "joined", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"}},
    {"IndexName": "by-email", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}}]}') IS NOT NULL AS created;
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Users', 'Item', u)))
  FROM (VALUES
    ('{"user": {"S": "u1"}, "team": {"S": "red"}, "joined": {"N": "2020"}, "email": {"B": "YQ=="}}'::jsonb),
    ('{"user": {"S": "u2"}, "team": {"S": "red"}, "joined": {"N": "2019"}, "email": {"B": "YQ=="}}'),
    ('{"user": {"S": "u3"}, "team": {"S": "red"}, "joined": {"N": "2020"}, "email": {"B": "Yg=="}}'),
    ('{"user": {"S": "u0"}, "team": {"S": "red"}, "joined": {"N": "2020"}}'),
    ('{"user": {"S": "u4"}, "team": {"S": "blue"}, "joined": {"N": "2021"}, "email": {"B": "YQ=="}}')) AS v(u);
SELECT ddb.query('{"TableName": "Users", "IndexName": "by-team", "Limit": 3,
  "KeyConditionExpression": "team = :t", "ExpressionAttributeValues": {":t": {"S": "red"}}}');
SELECT string_agg(i -> 'user' ->> 'S', ' ') AS red_backward_pages
  FROM ddb.query_items('{"TableName": "Users", "IndexName": "by-team", "Limit": 1, "ScanIndexForward": false,
  "KeyConditionExpression": "team = :t", "ExpressionAttributeValues": {":t": {"S": "red"}}}') AS q(i);
SELECT ddb.query('{"TableName": "Users", "IndexName": "by-email", "Limit": 1,
  "KeyConditionExpression": "email = :e", "ExpressionAttributeValues": {":e": {"B": "YQ=="}}}');
SELECT string_agg(i -> 'user' ->> 'S', ' ') AS by_email_pages
  FROM ddb.scan_items('{"TableName": "Users", "IndexName": "by-email", "Limit": 1}') AS s(i);
SELECT ddb.query('{"TableName": "Users", "IndexName": "by-email",
  "KeyConditionExpression": "email = :e", "ExpressionAttributeValues": {":e": {"B": "YQ=="}},
  "ExclusiveStartKey": {"email": {"B": "YQ=="}, "user": {"S": "u1"}}}');

-- ReturnConsumedCapacity: charged to the index, on the size of the index
-- entries read (the projected attributes); an LSI's fetches from the table
-- are charged to the table.
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "Select": "COUNT", "ReturnConsumedCapacity": "INDEXES",
  "KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "Select": "COUNT", "ReturnConsumedCapacity": "TOTAL",
  "KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-prio", "Select": "COUNT", "ReturnConsumedCapacity": "INDEXES",
  "ConsistentRead": true, "KeyConditionExpression": "proj = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-prio", "Select": "ALL_ATTRIBUTES", "ReturnConsumedCapacity": "INDEXES",
  "KeyConditionExpression": "proj = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}') -> 'ConsumedCapacity' AS lsi_fetch;
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-due", "Select": "COUNT", "ReturnConsumedCapacity": "INDEXES"}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-due", "Select": "COUNT", "ReturnConsumedCapacity": "NONE"}');
-- Big items: a KEYS_ONLY index reads only its small entries, so one page
-- holds every entry (the 1 MB page limit counts entry sizes) and costs little.
SELECT ddb.create_table('{"TableName": "Blobs", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
  "GlobalSecondaryIndexes": [{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}}]}') IS NOT NULL AS created;
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Blobs', 'Item', jsonb_build_object(
         'k', jsonb_build_object('S', 'k' || lpad(i::text, 2, '0')), 'g', '{"S": "g"}'::jsonb,
         'blob', jsonb_build_object('S', repeat('x', 100000))))))
  FROM generate_series(1, 15) AS i;
SELECT r -> 'Count' AS count, r ? 'LastEvaluatedKey' AS more, r -> 'ConsumedCapacity' AS capacity
  FROM ddb.scan('{"TableName": "Blobs", "Select": "COUNT", "ReturnConsumedCapacity": "INDEXES"}') AS r;
SELECT r -> 'Count' AS count, r ? 'LastEvaluatedKey' AS more, r -> 'ConsumedCapacity' AS capacity
  FROM ddb.scan('{"TableName": "Blobs", "IndexName": "by-g", "Select": "COUNT", "ReturnConsumedCapacity": "INDEXES"}') AS r;
SELECT r -> 'Count' AS count, r ? 'LastEvaluatedKey' AS more, r -> 'ConsumedCapacity' AS capacity
  FROM ddb.query('{"TableName": "Blobs", "IndexName": "by-g", "ReturnConsumedCapacity": "TOTAL",
  "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "g"}}}') AS r;

-- Every index read is a range scan of the index's own PostgreSQL index:
-- the statements the access layer runs, planned as it plans them.
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET enable_sort = off;
SET enable_incremental_sort = off;
SET plan_cache_mode = force_generic_plan;
PREPARE gsi_query(bytea, bytea, bytea, bytea, bytea, bigint) AS
SELECT pk, sk, item, size, ddb.index_key(item, 'status', 'S') AS ih, ddb.index_key(item, 'due', 'N') AS ir FROM ddb_data."Tasks" WHERE ddb.index_key(item, 'status', 'S') IS NOT NULL AND ddb.index_key(item, 'due', 'N') IS NOT NULL AND ddb.index_key(item, 'status', 'S') = $1 AND (ddb.index_key(item, 'due', 'N'), pk, sk) >= ($2, $3, $4) AND ddb.index_key(item, 'due', 'N') < $5 ORDER BY ddb.index_key(item, 'due', 'N'), pk, sk LIMIT $6;
EXPLAIN (COSTS OFF) EXECUTE gsi_query('\x6f70656e', '\x', '\x', '\x', '\xff', 64);
PREPARE gsi_hash_query(bytea, bytea, bytea, bigint) AS
SELECT pk, sk, item, size, ddb.index_key(item, 'owner', 'S') AS ih, NULL::bytea AS ir FROM ddb_data."Tasks" WHERE ddb.index_key(item, 'owner', 'S') IS NOT NULL AND ddb.index_key(item, 'owner', 'S') = $1 AND (pk, sk) >= ($2, $3) ORDER BY pk, sk LIMIT $4;
EXPLAIN (COSTS OFF) EXECUTE gsi_hash_query('\x616e6e', '\x', '\x', 64);
PREPARE lsi_query(bytea, bytea, bytea, bytea, bigint) AS
SELECT pk, sk, item, size, pk AS ih, ddb.index_key(item, 'prio', 'N') AS ir FROM ddb_data."Tasks" WHERE ddb.index_key(item, 'prio', 'N') IS NOT NULL AND pk = $1 AND ddb.index_key(item, 'prio', 'N') >= $2 AND (ddb.index_key(item, 'prio', 'N'), sk) < ($3, $4) ORDER BY ddb.index_key(item, 'prio', 'N') DESC, sk DESC LIMIT $5;
EXPLAIN (COSTS OFF) EXECUTE lsi_query('\x61', '\x', '\xff', '\x', 64);
PREPARE gsi_scan_segment(bytea, bytea, bytea, bytea, integer, integer, bigint) AS
SELECT pk, sk, item, size, ddb.index_key(item, 'status', 'S') AS ih, ddb.index_key(item, 'due', 'N') AS ir FROM ddb_data."Tasks" WHERE ddb.index_key(item, 'status', 'S') IS NOT NULL AND ddb.index_key(item, 'due', 'N') IS NOT NULL AND (ddb.index_key(item, 'status', 'S'), ddb.index_key(item, 'due', 'N'), pk, sk) >= ($1, $2, $3, $4) AND ddb.scan_segment(ddb.index_key(item, 'status', 'S'), $5) = $6 ORDER BY ddb.index_key(item, 'status', 'S'), ddb.index_key(item, 'due', 'N'), pk, sk LIMIT $7;
EXPLAIN (COSTS OFF) EXECUTE gsi_scan_segment('\x', '\x', '\x', '\x', 2, 0, 64);
DEALLOCATE ALL;
RESET ALL;
-- ... and at run time: the index scans are counted on the indexes, and
-- there is no sequential scan and no primary key scan of the table.
SELECT pg_stat_force_next_flush();
CREATE TEMP TABLE scans_before AS
  SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE schemaname = 'ddb_data' AND relname = 'Tasks'
  UNION ALL SELECT '(seq scan)', seq_scan FROM pg_stat_user_tables WHERE schemaname = 'ddb_data' AND relname = 'Tasks';
SELECT pg_temp.ids(ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "Limit": 3,
  "KeyConditionExpression": "#s = :s AND due BETWEEN :a AND :b", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}, ":a": {"N": "10"}, ":b": {"N": "20"}}}')) AS gsi,
       pg_temp.ids(ddb.query('{"TableName": "Tasks", "IndexName": "by-prio", "ScanIndexForward": false,
  "KeyConditionExpression": "proj = :p AND prio <= :x", "ExpressionAttributeValues": {":p": {"S": "a"}, ":x": {"N": "2"}}}')) AS lsi,
       pg_temp.ids(ddb.scan('{"TableName": "Tasks", "IndexName": "by-owner", "Segment": 1, "TotalSegments": 2}')) AS gsi_scan;
SELECT pg_stat_force_next_flush();
SELECT b.indexrelname AS scanned, a.idx_scan - b.idx_scan AS scans
  FROM scans_before b
  JOIN (SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE schemaname = 'ddb_data' AND relname = 'Tasks'
        UNION ALL SELECT '(seq scan)', seq_scan FROM pg_stat_user_tables WHERE schemaname = 'ddb_data' AND relname = 'Tasks') a
    USING (indexrelname)
 ORDER BY 1;

-- Errors.  The index must exist ...
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "nope", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "x"}}}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "nope"}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "nope", "ExclusiveStartKey": {"proj": {"S": "a"}, "id": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Nope", "IndexName": "by-status", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "x"}}}');
-- ... GSIs are read eventually consistent only ...
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-owner", "ConsistentRead": true,
  "KeyConditionExpression": "#o = :o", "ExpressionAttributeNames": {"#o": "owner"}, "ExpressionAttributeValues": {":o": {"S": "ann"}}}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-title", "ConsistentRead": true}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-prio", "ConsistentRead": true, "Select": "COUNT"}');
-- ... the key condition is on the index's key schema ...
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "proj = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s AND id = :i",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "open"}, ":i": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-owner", "KeyConditionExpression": "#o = :o AND id = :i",
  "ExpressionAttributeNames": {"#o": "owner"}, "ExpressionAttributeValues": {":o": {"S": "ann"}, ":i": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-prio", "KeyConditionExpression": "proj = :p AND id = :i",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":i": {"N": "1"}}}');
-- ... the filter may not use the index's keys ...
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "FilterExpression": "due > :d", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}, ":d": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "FilterExpression": "title = :t OR #s = :t", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}, ":t": {"S": "t1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-prio", "KeyConditionExpression": "proj = :p",
  "FilterExpression": "prio > :x", "ExpressionAttributeValues": {":p": {"S": "a"}, ":x": {"N": "1"}}}');
-- ... a GSI that does not project everything cannot return everything ...
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "Select": "ALL_ATTRIBUTES",
  "KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "open"}}}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-owner", "Select": "ALL_ATTRIBUTES"}');
-- ... nor filter on or project attributes it does not hold (an LSI can)
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "FilterExpression": "body <> :s AND prio > :p", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}, ":p": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "ProjectionExpression": "title, body.x, prio", "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":s": {"S": "open"}}}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-owner", "ProjectionExpression": "proj, title"}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-owner", "FilterExpression": "attribute_exists(title)"}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "ProjectionExpression": "proj, id, title, due, #s", "FilterExpression": "title > :t",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "done"}, ":t": {"S": "t3"}}}');
-- Start keys: the index keys and the table keys, nothing else
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "open"}},
  "ExclusiveStartKey": {"proj": {"S": "a"}, "id": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "open"}},
  "ExclusiveStartKey": {"proj": {"S": "a"}, "id": {"N": "1"}, "due": {"N": "1"}, "x": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "open"}},
  "ExclusiveStartKey": {"status": {"N": "1"}, "due": {"N": "1"}, "proj": {"S": "a"}, "id": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "open"}},
  "ExclusiveStartKey": {"status": {"S": "open"}, "due": {"S": "1"}, "proj": {"S": "a"}, "id": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "open"}},
  "ExclusiveStartKey": {"status": {"S": "open"}, "due": {"N": "1"}, "proj": {"S": "a"}, "id": {"S": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "open"}},
  "ExclusiveStartKey": {"status": {"S": "open"}, "due": {"N": "1"}, "proj": {"S": "a"}, "x": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "open"}},
  "ExclusiveStartKey": {"status": {"S": "done"}, "due": {"N": "1"}, "proj": {"S": "a"}, "id": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-status", "KeyConditionExpression": "#s = :s AND due > :d",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "open"}, ":d": {"N": "10"}},
  "ExclusiveStartKey": {"status": {"S": "open"}, "due": {"N": "10"}, "proj": {"S": "a"}, "id": {"N": "2"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-prio", "KeyConditionExpression": "proj = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"proj": {"S": "a"}, "prio": {"N": "1"}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-prio", "KeyConditionExpression": "proj = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"proj": {"S": "a"}, "prio": {"N": "1"}, "id": {"B": "YQ=="}}}');
SELECT ddb.query('{"TableName": "Tasks", "IndexName": "by-prio", "KeyConditionExpression": "proj = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}},
  "ExclusiveStartKey": {"proj": {"S": "b"}, "prio": {"N": "1"}, "id": {"N": "1"}}}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-owner", "ExclusiveStartKey": {"owner": {"S": "ann"}, "proj": {"S": "a"}}}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-owner",
  "ExclusiveStartKey": {"owner": {"N": "1"}, "proj": {"S": "a"}, "id": {"N": "1"}}}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-owner",
  "ExclusiveStartKey": {"owner": {"S": "ann"}, "proj": {"N": "1"}, "id": {"N": "1"}}}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-owner", "Segment": 0, "TotalSegments": 2,
  "ExclusiveStartKey": {"owner": {"S": "ann"}, "proj": {"S": "a"}, "id": {"N": "1"}}}');
SELECT ddb.scan('{"TableName": "Tasks", "IndexName": "by-owner", "Segment": 1, "TotalSegments": 2,
  "ExclusiveStartKey": {"owner": {"S": "ann"}, "proj": {"S": "a"}, "id": {"N": "1"}}}');

-- An index that is still being built (CREATING, backfilling) cannot be
-- read; once ACTIVE it can.
CREATE PROCEDURE pg_temp.wait_active(tbl text, idx text) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..600 LOOP
    IF (SELECT e->>'IndexStatus' FROM ddb.tables, jsonb_array_elements(global_indexes) e
         WHERE table_name = tbl AND e->>'IndexName' = idx) = 'ACTIVE' THEN
      RETURN;
    END IF;
    COMMIT;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RAISE EXCEPTION 'index % of % did not become ACTIVE in 30 s', idx, tbl;
END $$;
SELECT pg_advisory_lock(hashtext('ddb_emul.backfill'));
SELECT ddb.update_table('{"TableName": "Users",
  "AttributeDefinitions": [{"AttributeName": "city", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by-city",
    "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}}]}')
  -> 'TableDescription' -> 'GlobalSecondaryIndexes' @> '[{"IndexName": "by-city", "IndexStatus": "CREATING"}]' AS creating;
SELECT ddb.update_item('{"TableName": "Users", "Key": {"user": {"S": "u1"}},
  "UpdateExpression": "SET city = :c", "ExpressionAttributeValues": {":c": {"S": "Oslo"}}}');
SELECT ddb.query('{"TableName": "Users", "IndexName": "by-city",
  "KeyConditionExpression": "city = :c", "ExpressionAttributeValues": {":c": {"S": "Oslo"}}}');
SELECT ddb.scan('{"TableName": "Users", "IndexName": "by-city"}');
SELECT pg_advisory_unlock(hashtext('ddb_emul.backfill'));
CALL pg_temp.wait_active('Users', 'by-city');
SELECT ddb.query('{"TableName": "Users", "IndexName": "by-city",
  "KeyConditionExpression": "city = :c", "ExpressionAttributeValues": {":c": {"S": "Oslo"}}}');
SELECT ddb.scan('{"TableName": "Users", "IndexName": "by-city"}');

SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
