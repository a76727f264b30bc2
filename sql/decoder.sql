-- The logical-decoding output plugin ddb_emul: DynamoDB Streams records.
-- Records are shown with their volatile parts masked (eventID,
-- ApproximateCreationDateTime, SequenceNumber, the stream label); the end
-- checks those over every record seen.
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- Servers with the setting output_plugin_libraries (a patch of this
-- PostgreSQL build) accept only the output plugins it lists.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_settings WHERE name = 'output_plugin_libraries') THEN
    PERFORM set_config('output_plugin_libraries',
                       current_setting('output_plugin_libraries') || ', ddb_emul', false);
  END IF;
END $$;

-- Every record the test reads, in order (unlogged: not decoded itself).
CREATE UNLOGGED TABLE decoder_records (n bigserial PRIMARY KEY, slot text, data text);

CREATE FUNCTION decoder_mask(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(t,
    '"eventID":"[0-9a-f]{32}"', '"eventID":"<id>"'),
    '"ApproximateCreationDateTime":[0-9]+,', '"ApproximateCreationDateTime":<time>,'),
    '"SequenceNumber":"[0-9]{31}"', '"SequenceNumber":"<seq>"'),
    '/stream/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}"', '/stream/<label>"')
$$;

-- Consume the slot's changes: keep them in decoder_records, return them masked.
CREATE FUNCTION decoder_get(slot name, VARIADIC options text[] DEFAULT '{}')
RETURNS SETOF text LANGUAGE sql AS $$
  WITH got AS (
    INSERT INTO decoder_records (slot, data)
    SELECT slot, c.data
      FROM pg_logical_slot_get_changes(slot, NULL, NULL, VARIADIC options)
           WITH ORDINALITY AS c (lsn, xid, data, o)
     ORDER BY c.o
    RETURNING n, data)
  SELECT decoder_mask(data) FROM got ORDER BY n
$$;

-- The same without consuming (and without keeping).
CREATE FUNCTION decoder_peek(slot name, VARIADIC options text[] DEFAULT '{}')
RETURNS SETOF text LANGUAGE sql AS $$
  SELECT decoder_mask(c.data)
    FROM pg_logical_slot_peek_changes(slot, NULL, NULL, VARIADIC options)
         WITH ORDINALITY AS c (lsn, xid, data, o)
   ORDER BY c.o
$$;

-- Tables of every StreamViewType, and one without a stream.
SELECT ddb.create_table('{"TableName": "Keys", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "B"}],
  "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}')
  -> 'TableDescription' -> 'StreamSpecification' AS keys;
SELECT ddb.create_table('{"TableName": "New", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                           {"AttributeName": "sk", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"}],
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}}')
  -> 'TableDescription' -> 'StreamSpecification' AS new;
SELECT ddb.create_table('{"TableName": "Old", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "OLD_IMAGE"}}')
  -> 'TableDescription' -> 'StreamSpecification' AS old;
SELECT ddb.create_table('{"TableName": "Both", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}')
  -> 'TableDescription' -> 'StreamSpecification' AS both;
SELECT ddb.create_table('{"TableName": "Plain", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]}')
  -> 'TableDescription' ? 'StreamSpecification' AS plain_has_stream;

-- Old images (and dropping identical updates) need the whole old row in
-- the WAL; "Keys" keeps the default identity: its old rows hold the key.
ALTER TABLE ddb_data."New" REPLICA IDENTITY FULL;
ALTER TABLE ddb_data."Old" REPLICA IDENTITY FULL;
ALTER TABLE ddb_data."Both" REPLICA IDENTITY FULL;
ALTER TABLE ddb_data."Keys" REPLICA IDENTITY DEFAULT;

SELECT 'init' FROM pg_create_logical_replication_slot('ddb_s', 'ddb_emul');

-- Nothing yet; creating tables (ddb.tables rows) gives nothing either.
SELECT ddb.create_table('{"TableName": "Later", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}}') IS NOT NULL AS created;
SELECT * FROM decoder_get('ddb_s');

-- NEW_AND_OLD_IMAGES: the record shape of each event, as in DynamoDB's
-- example (SizeBytes 26, 59 and 38).
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "101"}, "Message": {"S": "New item!"}}}');
SELECT ddb.update_item('{"TableName": "Both", "Key": {"Id": {"N": "101"}},
  "UpdateExpression": "SET Message = :m",
  "ExpressionAttributeValues": {":m": {"S": "This item has changed"}}}');
SELECT ddb.delete_item('{"TableName": "Both", "Key": {"Id": {"N": "101"}}}');
SELECT * FROM decoder_get('ddb_s');

-- No record: identical put, update to identical values (a number spelled
-- differently, a REMOVE of a missing attribute), delete of a missing item,
-- a failed condition.
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "1"}, "n": {"N": "10"}, "m": {"M": {"a": {"S": "x"}, "b": {"S": "y"}}}}}');
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "1"}, "m": {"M": {"b": {"S": "y"}, "a": {"S": "x"}}}, "n": {"N": "10"}}}');
SELECT ddb.update_item('{"TableName": "Both", "Key": {"Id": {"N": "1"}},
  "UpdateExpression": "SET n = :n", "ExpressionAttributeValues": {":n": {"N": "1.0e1"}}}');
SELECT ddb.update_item('{"TableName": "Both", "Key": {"Id": {"N": "1"}}, "UpdateExpression": "REMOVE nothing"}');
SELECT ddb.delete_item('{"TableName": "Both", "Key": {"Id": {"N": "2"}}}');
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "1"}, "n": {"N": "11"}},
  "ConditionExpression": "attribute_not_exists(Id)"}');
SELECT * FROM decoder_get('ddb_s');

-- KEYS_ONLY, binary key, default replica identity: keys come from the key
-- column, also for the REMOVE.
SELECT ddb.put_item('{"TableName": "Keys", "Item": {"id": {"B": "AAEC"}, "v": {"N": "1"}}}');
SELECT ddb.execute('PutItem', '{"TableName": "Keys", "Item": {"id": {"B": "AAEC"}, "v": {"N": "2"}}}');
SELECT ddb.delete_item('{"TableName": "Keys", "Key": {"id": {"B": "AAEC"}}}');
SELECT * FROM decoder_get('ddb_s');

-- NEW_IMAGE with a sort key: INSERT and MODIFY carry NewImage, REMOVE only Keys.
SELECT ddb.put_item('{"TableName": "New", "Item": {"pk": {"S": "a"}, "sk": {"N": "1.50"}, "tags": {"SS": ["y", "x"]}}}');
SELECT ddb.execute('UpdateItem', '{"TableName": "New", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.5"}},
  "UpdateExpression": "ADD tags :t", "ExpressionAttributeValues": {":t": {"SS": ["z"]}}}');
SELECT ddb.execute('DeleteItem', '{"TableName": "New", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.5"}}}');
SELECT * FROM decoder_get('ddb_s');

-- OLD_IMAGE: INSERT has no image, MODIFY and REMOVE the old one.
SELECT ddb.put_item('{"TableName": "Old", "Item": {"Id": {"N": "-7"}, "flag": {"BOOL": true}}}');
SELECT ddb.put_item('{"TableName": "Old", "Item": {"Id": {"N": "-7"}, "flag": {"BOOL": false}, "nil": {"NULL": true}}}');
SELECT ddb.delete_item('{"TableName": "Old", "Key": {"Id": {"N": "-7"}}}');
SELECT * FROM decoder_get('ddb_s');

-- Several items in one transaction, over two tables: one record each, in
-- change order, written at commit.
BEGIN;
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "3"}}}');
SELECT ddb.put_item('{"TableName": "New", "Item": {"pk": {"S": "b"}, "sk": {"N": "2"}}}');
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "2"}}}');
SELECT ddb.update_item('{"TableName": "Both", "Key": {"Id": {"N": "3"}},
  "UpdateExpression": "SET x = :x", "ExpressionAttributeValues": {":x": {"L": [{"S": "é"}]}}}');
SELECT ddb.delete_item('{"TableName": "Both", "Key": {"Id": {"N": "2"}}}');
SELECT * FROM decoder_peek('ddb_s');
COMMIT;
SELECT * FROM decoder_get('ddb_s');

-- Rolled back: nothing; a rolled-back subtransaction loses its records only.
BEGIN;
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "50"}}}');
ROLLBACK;
BEGIN;
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "51"}}}');
SAVEPOINT sp;
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "52"}}}');
ROLLBACK TO SAVEPOINT sp;
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "53"}}}');
COMMIT;
SELECT * FROM decoder_get('ddb_s');

-- A table without a stream, and tables that are not item tables: nothing.
SELECT ddb.put_item('{"TableName": "Plain", "Item": {"k": {"S": "a"}}}');
SELECT ddb.delete_item('{"TableName": "Plain", "Key": {"k": {"S": "a"}}}');
CREATE TABLE decoder_other (a int PRIMARY KEY);
INSERT INTO decoder_other VALUES (1);
UPDATE ddb.tables SET extra = extra WHERE table_name = 'Plain';
SELECT * FROM decoder_get('ddb_s');

-- Plain SQL on an item table (not the API's way): an UPDATE of the key is a
-- REMOVE and an INSERT, whose SequenceNumbers differ in the last digit; an
-- UPDATE that leaves the item as it is gives nothing, also when the item is
-- TOASTed and the WAL holds only a pointer to it.
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "80"}, "a": {"S": "x"}}}');
SELECT ddb.put_item(format('{"TableName": "Both", "Item": {"Id": {"N": "81"}, "big": {"S": "%s"}}}',
                           (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 6000) AS i))::jsonb)
  IS NOT NULL AS big_put;
SELECT count(*) FROM decoder_get('ddb_s');
UPDATE ddb_data."Both" SET pk = ddb.encode_key('{"N": "82"}'), item = item || '{"Id": {"N": "82"}}'
 WHERE pk = ddb.encode_key('{"N": "80"}');
UPDATE ddb_data."Both" SET size = size WHERE pk = ddb.encode_key('{"N": "81"}');
UPDATE ddb_data."Both" SET item = item WHERE pk = ddb.encode_key('{"N": "82"}');
SELECT * FROM decoder_get('ddb_s');
WITH r AS (SELECT n, data::jsonb->'dynamodb'->>'SequenceNumber' AS seq
             FROM decoder_records ORDER BY n DESC LIMIT 2)
SELECT count(DISTINCT left(seq, 30)) AS changes, string_agg(right(seq, 1), ',' ORDER BY n) AS last_digits
  FROM r;
SELECT ddb.delete_item('{"TableName": "Both", "Key": {"Id": {"N": "81"}}}');
SELECT length(t) > 192000 AS whole_old_image FROM decoder_get('ddb_s') AS t;

-- UpdateTable enables and disables a stream: records from then on only.
SELECT ddb.put_item('{"TableName": "Plain", "Item": {"k": {"S": "before"}}}');
SELECT ddb.update_table('{"TableName": "Plain",
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}}')
  -> 'TableDescription' -> 'StreamSpecification' AS enabled;
SELECT ddb.put_item('{"TableName": "Plain", "Item": {"k": {"S": "during"}}}');
SELECT ddb.update_table('{"TableName": "Plain", "StreamSpecification": {"StreamEnabled": false}}')
  -> 'TableDescription' ? 'StreamSpecification' AS still_enabled;
SELECT ddb.put_item('{"TableName": "Plain", "Item": {"k": {"S": "after"}}}');
SELECT * FROM decoder_get('ddb_s');

-- TTL deletions: a transactional 'ddb_emul.ttl' message marks the REMOVE
-- records after it in its transaction; other records and other
-- transactions are not marked, nor is a non-transactional message.
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "60"}, "exp": {"N": "1"}}}');
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "61"}, "exp": {"N": "1"}}}');
SELECT ddb.put_item('{"TableName": "Keys", "Item": {"id": {"B": "/w=="}}}');
SELECT count(*) FROM decoder_get('ddb_s');
BEGIN;
SELECT 'marked' FROM pg_logical_emit_message(true, 'ddb_emul.ttl', '');
SELECT ddb.delete_item('{"TableName": "Both", "Key": {"Id": {"N": "60"}}}');
SELECT ddb.delete_item('{"TableName": "Keys", "Key": {"id": {"B": "/w=="}}}');
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "62"}}}');
COMMIT;
SELECT 'not transactional' FROM pg_logical_emit_message(false, 'ddb_emul.ttl', '');
SELECT ddb.delete_item('{"TableName": "Both", "Key": {"Id": {"N": "61"}}}');
SELECT * FROM decoder_get('ddb_s');

-- Options: include-table-name, tables (a filter), format-version.
SELECT ddb.put_item('{"TableName": "Both", "Item": {"Id": {"N": "70"}}}');
SELECT ddb.put_item('{"TableName": "New", "Item": {"pk": {"S": "c"}, "sk": {"N": "3"}}}');
SELECT ddb.put_item('{"TableName": "Later", "Item": {"k": {"S": "z"}}}');
SELECT * FROM decoder_peek('ddb_s', 'include-table-name', 'on', 'format-version', '1');
SELECT * FROM decoder_peek('ddb_s', 'tables', ' New , Later', 'include-table-name', 'yes');
SELECT * FROM decoder_peek('ddb_s', 'tables', 'Nope');
SELECT count(*) FROM decoder_get('ddb_s', 'include-table-name', 'false');

-- Option errors.
SELECT * FROM decoder_peek('ddb_s', 'include-xids', '1');
SELECT * FROM decoder_peek('ddb_s', 'format-version', '2');
SELECT * FROM decoder_peek('ddb_s', 'format-version', 'one');
SELECT * FROM decoder_peek('ddb_s', 'format-version', '');
SELECT * FROM decoder_peek('ddb_s', 'include-table-name', 'maybe');
SELECT * FROM decoder_peek('ddb_s', 'tables', 'New,,Both');

-- A transaction larger than logical_decoding_work_mem is spilled to disk and
-- decoded the same: every change once, in order, big (TOASTed) items whole.
SET logical_decoding_work_mem = '64kB';
BEGIN;
SELECT count(ddb.put_item(format('{"TableName": "Both", "Item": {"Id": {"N": "%s"}, "pad": {"S": "%s"}}}',
                                 1000 + i, repeat('p', 500))::jsonb))
  FROM generate_series(1, 400) AS i;
SELECT ddb.put_item(format('{"TableName": "Both", "Item": {"Id": {"N": "2000"}, "big": {"S": "%s"}}}',
                           (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 6000) AS i))::jsonb)
  IS NOT NULL AS big_put;
SELECT count(ddb.update_item(format('{"TableName": "Both", "Key": {"Id": {"N": "%s"}},
    "UpdateExpression": "REMOVE #p", "ExpressionAttributeNames": {"#p": "pad"}}', 1000 + i)::jsonb))
  FROM generate_series(1, 400, 2) AS i;
SELECT ddb.delete_item('{"TableName": "Both", "Key": {"Id": {"N": "2000"}}}');
COMMIT;
SELECT count(*) AS records FROM decoder_get('ddb_s');
WITH r AS (SELECT n, data::jsonb AS d FROM decoder_records
            WHERE n > (SELECT max(n) - 602 FROM decoder_records))
SELECT d->>'eventName' AS event, count(*),
       min((d->'dynamodb'->'Keys'->'Id'->>'N')::int) AS first_id,
       max((d->'dynamodb'->'Keys'->'Id'->>'N')::int) AS last_id,
       sum((d->'dynamodb'->>'SizeBytes')::bigint) AS size_bytes,
       sum(length(d->'dynamodb'->'NewImage'->'big'->>'S')) AS big_new,
       sum(length(d->'dynamodb'->'OldImage'->'big'->>'S')) AS big_old
  FROM r GROUP BY 1 ORDER BY min(n);
-- in change order: the puts by id, then the updates by id, then the delete
WITH r AS (SELECT n, data::jsonb AS d FROM decoder_records
            WHERE n > (SELECT max(n) - 602 FROM decoder_records))
SELECT bool_and(ok) AS change_order FROM (
  SELECT (d->'dynamodb'->'Keys'->'Id'->>'N')::int >
         lag((d->'dynamodb'->'Keys'->'Id'->>'N')::int) OVER (ORDER BY n)
         OR d->>'eventName' <> lag(d->>'eventName') OVER (ORDER BY n) AS ok
    FROM r) s;
SELECT spill_txns > 0 AS spilled, spill_count > 0 AS spilled_some
  FROM pg_stat_replication_slots WHERE slot_name = 'ddb_s';
RESET logical_decoding_work_mem;

-- DeleteTable: nothing.
SELECT ddb.delete_table('{"TableName": "Later"}') -> 'TableDescription' ->> 'TableStatus' AS status;
SELECT * FROM decoder_get('ddb_s');

-- Over every record seen: unique eventIDs, SequenceNumbers of 31 digits
-- increasing in output order, commit times of today, ARNs naming the
-- table's stream label, SizeBytes = item size of Keys + images, regions.
WITH r AS (SELECT n, data::jsonb AS d FROM decoder_records)
SELECT count(*) AS records,
       count(DISTINCT d->>'eventID') = count(*) AS unique_event_ids,
       bool_and(d->>'eventID' ~ '^[0-9a-f]{32}$') AS event_id_format,
       bool_and(d->'dynamodb'->>'SequenceNumber' ~ '^[0-9]{31}$') AS seq_format,
       bool_and(abs((d->'dynamodb'->>'ApproximateCreationDateTime')::numeric
                    - extract(epoch FROM now())) < 3600) AS recent,
       bool_and((d->'dynamodb'->>'SizeBytes')::int =
                ddb.item_size(d->'dynamodb'->'Keys')
                + coalesce(ddb.item_size(d->'dynamodb'->'NewImage'), 0)
                + coalesce(ddb.item_size(d->'dynamodb'->'OldImage'), 0)) AS size_bytes,
       bool_and(d->>'awsRegion' = 'ddblocal') AS region
  FROM r;
WITH r AS (SELECT n, d->'dynamodb'->>'SequenceNumber' AS seq FROM decoder_records,
             LATERAL (SELECT data::jsonb AS d) j)
SELECT bool_and(seq COLLATE "C" > prev COLLATE "C") AS increasing
  FROM (SELECT seq, lag(seq) OVER (ORDER BY n) AS prev FROM r) s WHERE prev IS NOT NULL;
SELECT t.table_name, count(*) AS records,
       bool_and(d->>'eventSourceARN' = 'arn:aws:dynamodb:ddblocal:000000000000:table/'
                || t.table_name || '/stream/' || t.stream_label) AS arn
  FROM decoder_records, LATERAL (SELECT data::jsonb AS d) j
  JOIN ddb.tables t ON d->>'eventSourceARN' LIKE '%:table/' || t.table_name || '/stream/%'
 GROUP BY 1 ORDER BY 1;

-- The same change decoded again (a slot restarting from an older position)
-- keeps its SequenceNumber and eventID.
SELECT 'init' FROM pg_create_logical_replication_slot('ddb_s2', 'ddb_emul');
SELECT ddb.put_item('{"TableName": "Old", "Item": {"Id": {"N": "1"}}}');
SELECT a.data = b.data AS same_record
  FROM pg_logical_slot_peek_changes('ddb_s2', NULL, NULL) a,
       pg_logical_slot_peek_changes('ddb_s2', NULL, NULL) b;
SELECT a.data = b.data AS same_on_both_slots
  FROM pg_logical_slot_get_changes('ddb_s2', NULL, NULL) a,
       pg_logical_slot_get_changes('ddb_s', NULL, NULL) b;

SELECT pg_drop_replication_slot('ddb_s');
SELECT pg_drop_replication_slot('ddb_s2');
DROP FUNCTION decoder_get(name, text[]);
DROP FUNCTION decoder_peek(name, text[]);
DROP FUNCTION decoder_mask(text);
DROP TABLE decoder_records;
DROP TABLE decoder_other;
-- The streams slot outlives the extension: drop it too.
SELECT count(pg_drop_replication_slot(slot_name)) >= 0 AS dropped
  FROM pg_replication_slots WHERE slot_name LIKE 'ddb_emul_streams_%';
SET client_min_messages = warning;
DROP EXTENSION ddb_emul CASCADE;
