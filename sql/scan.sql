-- Scan: key order, Limit and 1 MB pages with LastEvaluatedKey,
-- ExclusiveStartKey, FilterExpression (keys allowed), ProjectionExpression,
-- Select, consumed capacity, parallel scans (Segment / TotalSegments) that
-- return every item exactly once, every validation error, and that a Scan
-- reads through the primary key index.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- keys(response): the items' keys "p/s", in order
CREATE FUNCTION pg_temp.keys(resp jsonb) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(concat_ws('/', (SELECT v FROM jsonb_each_text(i -> 'p') AS t(k, v)),
                                            (SELECT v FROM jsonb_each_text(i -> 's') AS t(k, v))),
                             ' ' ORDER BY o), '')
    FROM jsonb_array_elements(resp -> 'Items') WITH ORDINALITY AS e(i, o)
$$;
-- pages(request): follow LastEvaluatedKey, one row per page
CREATE FUNCTION pg_temp.pages(req jsonb)
  RETURNS TABLE (page int, count int, scanned int, items text, last_key jsonb)
  LANGUAGE plpgsql AS $$
DECLARE
  resp jsonb;
BEGIN
  page := 0;
  LOOP
    page := page + 1;
    resp := ddb.scan(req);
    count := resp -> 'Count';
    scanned := resp -> 'ScannedCount';
    items := pg_temp.keys(resp);
    last_key := resp -> 'LastEvaluatedKey';
    RETURN NEXT;
    EXIT WHEN last_key IS NULL;
    req := req || jsonb_build_object('ExclusiveStartKey', last_key);
  END LOOP;
END $$;
-- segment_items(table, total, limit): every item of every segment, with
-- the segment that returned it
CREATE FUNCTION pg_temp.segment_items(tab text, total int, lim int)
  RETURNS TABLE (segment int, item jsonb) LANGUAGE plpgsql AS $$
DECLARE
  req jsonb;
  resp jsonb;
BEGIN
  FOR seg IN 0 .. total - 1 LOOP
    segment := seg;
    req := jsonb_build_object('TableName', tab, 'Segment', seg, 'TotalSegments', total, 'Limit', lim);
    LOOP
      resp := ddb.scan(req);
      FOR item IN SELECT * FROM jsonb_array_elements(resp -> 'Items') LOOP
        RETURN NEXT;
      END LOOP;
      EXIT WHEN NOT resp ? 'LastEvaluatedKey';
      req := req || jsonb_build_object('ExclusiveStartKey', resp -> 'LastEvaluatedKey');
    END LOOP;
  END LOOP;
END $$;

SELECT ddb.create_table('{"TableName": "Pairs", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
                           {"AttributeName": "s", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                {"AttributeName": "s", "KeyType": "RANGE"}]}') IS NOT NULL AS created;
SELECT ddb.create_table('{"TableName": "Singles", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}]}') IS NOT NULL AS created;
SELECT ddb.create_table('{"TableName": "Empty", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "B"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}]}') IS NOT NULL AS created;

SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Pairs', 'Item',
         jsonb_build_object('p', jsonb_build_object('S', p), 's', jsonb_build_object('N', s),
                            'v', jsonb_build_object('N', (length(p) * 10 + s::int)::text)))))
  FROM unnest(ARRAY['b', 'a', U&'\00E9', 'B', 'ab']) AS p, unnest(ARRAY['3', '-1', '20']) AS s;
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Singles', 'Item',
         jsonb_build_object('p', jsonb_build_object('N', n::text), 'even', jsonb_build_object('BOOL', n % 2 = 0)))))
  FROM generate_series(-5, 24) AS n;

-- A whole table in key order: partitions in their key order, each by sort key.
SELECT pg_temp.keys(ddb.scan('{"TableName": "Pairs"}'));
SELECT pg_temp.keys(ddb.execute('Scan', '{"TableName": "Singles"}'));
SELECT ddb.scan('{"TableName": "Empty"}');
SELECT ddb.scan('{"TableName": "Pairs", "Limit": 2}');

-- Limit pages; the last full page keeps LastEvaluatedKey, then an empty one.
SELECT * FROM pg_temp.pages('{"TableName": "Pairs", "Limit": 4}');
SELECT * FROM pg_temp.pages('{"TableName": "Pairs", "Limit": 5}');
SELECT * FROM pg_temp.pages('{"TableName": "Singles", "Limit": 7}');
SELECT * FROM pg_temp.pages('{"TableName": "Empty", "Limit": 1}');

-- ExclusiveStartKey need not exist.
SELECT pg_temp.keys(ddb.scan('{"TableName": "Pairs", "ExclusiveStartKey": {"p": {"S": "a"}, "s": {"N": "3"}}}'));
SELECT pg_temp.keys(ddb.scan('{"TableName": "Pairs", "ExclusiveStartKey": {"p": {"S": "aa"}, "s": {"N": "0"}}}'));
SELECT pg_temp.keys(ddb.scan('{"TableName": "Singles", "ExclusiveStartKey": {"p": {"N": "19.5"}}}'));

-- FilterExpression may use key attributes; it applies after Limit, and
-- LastEvaluatedKey is the last item read even when it was filtered out.
SELECT * FROM pg_temp.pages('{"TableName": "Pairs", "Limit": 4,
  "FilterExpression": "s > :zero AND begins_with(p, :a)", "ExpressionAttributeValues": {":zero": {"N": "0"}, ":a": {"S": "a"}}}');
SELECT ddb.scan('{"TableName": "Singles", "FilterExpression": "p BETWEEN :lo AND :hi",
  "ExpressionAttributeValues": {":lo": {"N": "-1"}, ":hi": {"N": "1"}}}');
SELECT ddb.scan('{"TableName": "Singles", "FilterExpression": "even = :t AND p > :n", "Select": "COUNT",
  "ExpressionAttributeValues": {":n": {"N": "19"}, ":t": {"BOOL": true}}}');

-- ProjectionExpression and Select.
SELECT ddb.scan('{"TableName": "Pairs", "Limit": 3, "ProjectionExpression": "v, #p",
  "ExpressionAttributeNames": {"#p": "p"}}');
SELECT ddb.scan('{"TableName": "Pairs", "Limit": 3, "ProjectionExpression": "nothere", "Select": "SPECIFIC_ATTRIBUTES"}');
SELECT ddb.scan('{"TableName": "Pairs", "Select": "COUNT"}');
SELECT ddb.scan('{"TableName": "Pairs", "Select": "COUNT", "Limit": 7}');
SELECT ddb.scan('{"TableName": "Singles", "Select": "ALL_ATTRIBUTES", "Limit": 1}');

-- ConsumedCapacity: one rounding over everything read.
SELECT sum(size) FROM ddb_data."Pairs";
SELECT ddb.scan('{"TableName": "Pairs", "Select": "COUNT", "ReturnConsumedCapacity": "TOTAL"}');
SELECT ddb.scan('{"TableName": "Pairs", "Select": "COUNT", "ReturnConsumedCapacity": "INDEXES", "ConsistentRead": true,
  "FilterExpression": "v = :v", "ExpressionAttributeValues": {":v": {"N": "0"}}}');
SELECT ddb.scan('{"TableName": "Empty", "ReturnConsumedCapacity": "TOTAL"}');

-- 1 MB pages: the item that brings the sum of sizes to 1 MB ends the page.
SELECT ddb.create_table('{"TableName": "Big", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}]}') IS NOT NULL AS created;
SELECT count(ddb.put_item(jsonb_build_object('TableName', 'Big', 'Item',
         jsonb_build_object('p', jsonb_build_object('N', i::text),
                            'd', jsonb_build_object('S', repeat('x', 349520))))))
  FROM generate_series(1, 7) AS i;
SELECT min(size), max(size) FROM ddb_data."Big";
SELECT * FROM pg_temp.pages('{"TableName": "Big", "ProjectionExpression": "p"}');
SELECT * FROM pg_temp.pages('{"TableName": "Big", "ProjectionExpression": "p", "Limit": 2}');
SELECT ddb.scan('{"TableName": "Big", "Select": "COUNT", "ReturnConsumedCapacity": "TOTAL"}');

-- Parallel scans: the segments are disjoint and together return every item
-- exactly once, whatever their number and page size.
SELECT total, lim, count(*) AS items, count(DISTINCT item) AS distinct_items,
       count(DISTINCT segment) FILTER (WHERE item IS NOT NULL) AS segments_with_items
  FROM (VALUES (1, 100), (2, 3), (3, 1), (7, 2), (16, 5), (1000, 100)) AS t(total, lim),
       LATERAL pg_temp.segment_items('Singles', total, lim)
 GROUP BY total, lim ORDER BY total;
SELECT total, count(*) AS items, count(DISTINCT item) AS distinct_items
  FROM (VALUES (2), (5)) AS t(total), LATERAL pg_temp.segment_items('Pairs', total, 2)
 GROUP BY total ORDER BY total;
-- the items of one partition are all in one segment
SELECT count(*) AS partitions, max(segments) AS max_segments_per_partition
  FROM (SELECT count(DISTINCT segment) AS segments
          FROM pg_temp.segment_items('Pairs', 4, 1) GROUP BY item -> 'p') AS t;
-- a segment's items are the ones ddb.scan_segment assigns to it
SELECT bool_and(ddb.scan_segment(ddb.encode_key(item -> 'p'), 5) = segment) AS consistent
  FROM pg_temp.segment_items('Singles', 5, 4);
SELECT ddb.scan('{"TableName": "Singles", "Segment": 999999, "TotalSegments": 1000000, "Select": "COUNT"}');
SELECT ddb.scan_segment('\x01', 1) AS only_segment;
SELECT ddb.scan_segment('\x01', 0);
-- within a segment, pages continue in key order
SELECT * FROM pg_temp.pages('{"TableName": "Singles", "Segment": 1, "TotalSegments": 3, "Limit": 4}');
SELECT ddb.scan('{"TableName": "Singles", "Segment": 0, "TotalSegments": 1, "Select": "COUNT"}');

-- Scan always reads through the primary key index, never the table.
ANALYZE ddb_data."Singles";
BEGIN;
SELECT seq_scan AS seq_before, idx_scan AS idx_before FROM pg_stat_xact_user_tables
 WHERE relid = 'ddb_data."Singles"'::regclass \gset
SELECT ddb.scan('{"TableName": "Singles", "Select": "COUNT"}');
SELECT ddb.scan('{"TableName": "Singles", "Select": "COUNT", "Segment": 2, "TotalSegments": 4}');
SELECT seq_scan - :seq_before AS seq_scans, idx_scan - :idx_before AS index_scans
  FROM pg_stat_xact_user_tables WHERE relid = 'ddb_data."Singles"'::regclass;
COMMIT;

-- Errors.  JSON types and constraints.
SELECT ddb.scan('{"TableName": "Pairs", "Segment": "1"}');
SELECT ddb.scan('{"TableName": "Pairs", "TotalSegments": true}');
SELECT ddb.scan('{"TableName": "Pairs", "ExclusiveStartKey": {"p": "a"}}');
SELECT ddb.scan('{"TableName": "Pairs", "Segment": -1, "TotalSegments": 0}');
SELECT ddb.scan('{"TableName": "Pairs", "Segment": 1000000, "TotalSegments": 1000001}');
SELECT ddb.scan('{"TableName": "a", "Limit": 0, "Select": "NONE", "ReturnConsumedCapacity": "SOME"}');
-- legacy parameters
SELECT ddb.scan('{"TableName": "Pairs", "ScanFilter": {}, "FilterExpression": "a = b", "ProjectionExpression": "a"}');
SELECT ddb.scan('{"TableName": "Pairs", "ScanFilter": {}, "ConditionalOperator": "AND"}');
SELECT ddb.scan('{"TableName": "Pairs", "AttributesToGet": ["a"]}');
SELECT ddb.scan('{"TableName": "Pairs", "ExpressionAttributeValues": {":a": {"S": "a"}}, "ProjectionExpression": "a"}');
SELECT ddb.scan('{"TableName": "Pairs", "ExpressionAttributeNames": {"#a": "a"}}');
-- start key values, then Segment and TotalSegments
SELECT ddb.scan('{"TableName": "Pairs", "ExclusiveStartKey": {"p": {"B": "!"}}}');
SELECT ddb.scan('{"TableName": "Pairs", "ExclusiveStartKey": {"p": {"NS": ["1", "1.0"]}}}');
SELECT ddb.scan('{"TableName": "Pairs", "Segment": 0}');
SELECT ddb.scan('{"TableName": "Pairs", "Segment": 1}');
SELECT ddb.scan('{"TableName": "Pairs", "TotalSegments": 2}');
SELECT ddb.scan('{"TableName": "Pairs", "Segment": 1, "TotalSegments": 1}');
SELECT ddb.scan('{"TableName": "Pairs", "Segment": 5, "TotalSegments": 2, "FilterExpression": "x"}');
-- expressions
SELECT ddb.scan('{"TableName": "Pairs", "FilterExpression": "a = :a"}');
SELECT ddb.scan('{"TableName": "Pairs", "FilterExpression": "a = :a", "ExpressionAttributeValues": {":a": {"S": "a"}, ":b": {"S": "b"}}}');
SELECT ddb.scan('{"TableName": "Pairs", "ProjectionExpression": "a, a"}');
-- Select
SELECT ddb.scan('{"TableName": "Pairs", "Select": "ALL_ATTRIBUTES", "ProjectionExpression": "a"}');
SELECT ddb.scan('{"TableName": "Pairs", "Select": "COUNT", "ProjectionExpression": "a"}');
SELECT ddb.scan('{"TableName": "Pairs", "Select": "SPECIFIC_ATTRIBUTES"}');
SELECT ddb.scan('{"TableName": "Pairs", "Select": "ALL_PROJECTED_ATTRIBUTES"}');
-- the table and its indexes
SELECT ddb.scan('{"TableName": "Nope"}');
SELECT ddb.scan('{"TableName": "Pairs", "IndexName": "byV"}');
SELECT ddb.scan('{"TableName": "Pairs", "IndexName": "byV", "ExclusiveStartKey": {"p": {"S": "a"}, "s": {"N": "1"}}}');
-- the start key against the key schema, then its segment
SELECT ddb.scan('{"TableName": "Pairs", "ExclusiveStartKey": {"p": {"S": "a"}}}');
SELECT ddb.scan('{"TableName": "Pairs", "ExclusiveStartKey": {}}');
SELECT ddb.scan('{"TableName": "Pairs", "ExclusiveStartKey": {"p": {"S": "a"}, "x": {"N": "1"}}}');
SELECT ddb.scan('{"TableName": "Pairs", "ExclusiveStartKey": {"p": {"N": "1"}, "s": {"N": "1"}}}');
SELECT ddb.scan('{"TableName": "Pairs", "ExclusiveStartKey": {"p": {"S": "a"}, "s": {"S": "1"}}}');
SELECT ddb.scan('{"TableName": "Singles", "ExclusiveStartKey": {"p": {"S": "1"}}}');
SELECT ddb.scan('{"TableName": "Empty", "ExclusiveStartKey": {"p": {"B": ""}}}');
SELECT ddb.scan(jsonb_build_object('TableName', 'Pairs', 'ExclusiveStartKey',
  jsonb_build_object('p', '{"S": "a"}'::jsonb, 's', jsonb_build_object('N', '1'))
  || jsonb_build_object('p', jsonb_build_object('S', repeat('a', 2049)))));
SELECT ddb.scan(jsonb_build_object('TableName', 'Singles', 'Segment', 1, 'TotalSegments', 2,
  'ExclusiveStartKey', jsonb_build_object('p', jsonb_build_object('N',
     (SELECT min(n) FROM generate_series(1, 100) AS n
       WHERE ddb.scan_segment(ddb.encode_key(jsonb_build_object('N', n::text)), 2) = 0)::text))));
SELECT ddb.scan(jsonb_build_object('TableName', 'Singles', 'Segment', 0, 'TotalSegments', 2, 'Select', 'COUNT',
  'ExclusiveStartKey', jsonb_build_object('p', jsonb_build_object('N',
     (SELECT min(n) FROM generate_series(1, 100) AS n
       WHERE ddb.scan_segment(ddb.encode_key(jsonb_build_object('N', n::text)), 2) = 0)::text))));
-- paths below key attributes
SELECT ddb.scan('{"TableName": "Pairs", "ProjectionExpression": "v, s[1]"}');
SELECT ddb.scan('{"TableName": "Pairs", "FilterExpression": "attribute_exists(#p.b.c)", "ExpressionAttributeNames": {"#p": "p"}}');
-- (the segment of the start key is checked first)
SELECT ddb.scan(jsonb_build_object('TableName', 'Pairs', 'TotalSegments', 2,
  'Segment', 1 - ddb.scan_segment(ddb.encode_key('{"S": "a"}'), 2),
  'FilterExpression', 'attribute_exists(s.b)',
  'ExclusiveStartKey', '{"p": {"S": "a"}, "s": {"N": "1"}}'::jsonb));

SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
