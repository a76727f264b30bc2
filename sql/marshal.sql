--
-- marshal: plain JSON <-> DynamoDB typed JSON (src/marshal.c) --
-- ddb.marshal, ddb.marshal_value, ddb.unmarshal, ddb.unmarshal_value: the
-- type mapping, the $SS/$NS/$BS/$B/$M markers, exact numbers, DynamoDB's
-- limits and messages, round trips, and use with the item operations.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- Turn an error into a row, for the tables of cases; the statements
-- further down show each kind of error once with its detail.
CREATE FUNCTION pg_temp.try_marshal(v jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN ddb.marshal_value(v)::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.try_unmarshal(v jsonb, keep boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN ddb.unmarshal_value(v, keep)::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- A JSON value nested n levels deep: n arrays, or n objects {"a": ...}.
CREATE FUNCTION pg_temp.nested_list(n int, inner_value jsonb DEFAULT '1')
RETURNS jsonb LANGUAGE sql AS $$
    SELECT (repeat('[', n) || inner_value::text || repeat(']', n))::jsonb
$$;
CREATE FUNCTION pg_temp.nested_map(n int, inner_value jsonb DEFAULT '1')
RETURNS jsonb LANGUAGE sql AS $$
    SELECT (repeat('{"a":', n) || inner_value::text || repeat('}', n))::jsonb
$$;

--
-- The functions: C, immutable, strict, parallel safe.
--
SELECT p.oid::regprocedure AS function, p.provolatile, p.proisstrict,
       p.proparallel, l.lanname, pg_get_function_result(p.oid) AS result
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'ddb'::regnamespace
  AND p.proname IN ('marshal', 'marshal_value', 'unmarshal', 'unmarshal_value')
ORDER BY 1::text;
SELECT ddb.marshal(NULL), ddb.marshal_value(NULL), ddb.unmarshal(NULL),
       ddb.unmarshal_value(NULL), ddb.unmarshal('{}', NULL);

--
-- marshal: every JSON kind.
--
SELECT ddb.marshal('{"s": "text", "n": 42, "t": true, "f": false, "z": null,
                     "l": [1, "two", [3], {"four": 4}], "m": {"x": {"y": "z"}},
                     "empty_s": "", "empty_l": [], "empty_m": {}}');
SELECT v AS plain, ddb.marshal_value(v) AS typed
FROM (VALUES ('"x"'::jsonb), ('""'), ('0'), ('-1.5'), ('true'), ('false'),
             ('null'), ('[]'), ('{}'), ('[null, [], {}]'),
             ('{"a": {"b": [true]}}')) AS t(v);

--
-- Numbers are exact (jsonb numbers are numeric) and canonical, as DynamoDB
-- stores them.
--
SELECT v::text AS plain, ddb.marshal_value(v) AS typed
FROM (VALUES ('1.0'::jsonb), ('1.10'), ('-0'), ('-0.000'), ('100'), ('1e3'),
             ('1E+3'), ('1.5e2'), ('1e-3'), ('0.1e1'), ('-17.4E37'),
             ('12345678901234567890123456789012345678'),
             ('0.12345678901234567890123456789012345678'),
             ('3.14159265358979323846264338327950288'),
             ('9.9999999999999999999999999999999999999E+125'),
             ('-9.9999999999999999999999999999999999999E+125'),
             ('1E-130'), ('-1E-130'), ('1e125'), ('123456789012345678901234567890123456780000000')) AS t(v);
-- What DynamoDB cannot store: its messages.
SELECT v::text AS plain, pg_temp.try_marshal(v) AS result
FROM (VALUES ('1E+126'::jsonb), ('-1E+126'), ('1E-131'), ('-1E-131'),
             ('123456789012345678901234567890123456789'),
             ('1.00000000000000000000000000000000000001'),
             ('[1, 2, 1e126]'), ('{"$NS": ["1", "1e999"]}'),
             ('{"$NS": [1, "x"]}'), ('{"$NS": [""]}')) AS t(v);
SELECT ddb.marshal('{"n": 1e126}');
SELECT ddb.marshal('{"n": 1e-131}');
SELECT ddb.marshal('{"n": 1.00000000000000000000000000000000000001}');
SELECT ddb.marshal('{"n": {"$NS": ["12a"]}}');
-- jsonb itself cannot hold NaN or Infinity: to_jsonb makes them strings.
SELECT ddb.marshal_value(to_jsonb('NaN'::numeric)),
       ddb.marshal_value(to_jsonb('Infinity'::numeric));

--
-- Strings: any Unicode, kept byte for byte (no normalisation).
--
SELECT ddb.marshal('{"ünïcödé": "Grüße, 世界 🎉", "e\u0301": "\u00e9", "esc": "tab\tnl\nq\"bs\\"}');
SELECT ddb.unmarshal(ddb.marshal('{"ünïcödé": "Grüße, 世界 🎉", "e\u0301": "\u00e9"}'))
     = '{"ünïcödé": "Grüße, 世界 🎉", "e\u0301": "\u00e9"}' AS same;

--
-- Markers: sets and binaries.  Set members are made unique and sorted
-- (numbers numerically, strings and binaries by bytes); NS members may be
-- numbers or numeric strings; base64 may contain line breaks (as
-- PostgreSQL's encode(bytea, 'base64') writes them).
--
SELECT ddb.marshal('{"ss": {"$SS": ["b", "a", "c", "a", "", "é", "z"]},
                     "ns": {"$NS": [10, "2", 1.0, "1", "-1e2", 0.5, "5e-1", -0]},
                     "bs": {"$BS": ["AQ==", "gA==", "AQ==", "fw==", ""]},
                     "b": {"$B": "aGVsbG8="}, "b0": {"$B": ""}}');
SELECT ddb.marshal_value(jsonb_build_object('$B', encode(convert_to(repeat('0123456789', 10), 'UTF8'), 'base64')))
     = jsonb_build_object('B', translate(encode(convert_to(repeat('0123456789', 10), 'UTF8'), 'base64'), E'\n', ''))
     AS newlines_ignored;
SELECT ddb.marshal_value(jsonb_build_object('$BS', jsonb_build_array(E'AQ\r\n==')));
-- Markers anywhere below the item's top level, in lists and maps.
SELECT ddb.marshal('{"l": [{"$SS": ["x"]}, {"$B": "AA=="}, {"m": {"$NS": [1]}}]}');
-- "$M" is a map: the escape for a map whose only member has a marker's name.
SELECT ddb.marshal_value('{"$M": {"$SS": ["x"]}}') AS escaped,
       ddb.marshal_value('{"$M": {}}') AS empty,
       ddb.marshal_value('{"$M": {"a": {"$B": "AA=="}, "b": 1}}') AS members_marshalled,
       ddb.marshal_value('{"$M": {"$M": {"$M": {}}}}') AS nested;
-- Not markers: objects with more than one member, unknown $ names, and the
-- top level of an item (always its attributes).
SELECT ddb.marshal_value('{"$SS": ["a"], "x": 1}') AS two_members,
       ddb.marshal_value('{"$S": "a"}') AS unknown,
       ddb.marshal_value('{"$ss": ["a"]}') AS case_matters,
       ddb.marshal('{"$SS": ["a"], "$B": "AA==", "$M": {}}') AS top_level;
SELECT ddb.marshal('{"$B": "not base64?"}');

--
-- Marker errors: a plain PostgreSQL error (22023) naming the marker; the
-- context line gives the JSON path of the offending value.
--
SELECT v::text AS plain, pg_temp.try_marshal(v) AS result
FROM (VALUES ('{"$SS": "a"}'::jsonb), ('{"$SS": [1]}'), ('{"$SS": [null]}'),
             ('{"$SS": [["a"]]}'), ('{"$NS": [true]}'), ('{"$NS": 1}'),
             ('{"$BS": [1]}'), ('{"$BS": {}}'), ('{"$B": 1}'), ('{"$B": ["AA=="]}'),
             ('{"$M": []}'), ('{"$M": "x"}'), ('{"$M": null}')) AS t(v);
SELECT ddb.marshal_value('{"$SS": ["a", 2]}');
SELECT ddb.marshal_value('{"$NS": [{}]}');
SELECT ddb.marshal_value('{"$BS": "AA=="}');
SELECT ddb.marshal_value('{"$B": null}');
SELECT ddb.marshal_value('{"$M": [1]}');
-- Empty sets: DynamoDB's messages.
SELECT ddb.marshal('{"ss": {"$SS": []}}');
SELECT ddb.marshal('{"ns": {"$NS": []}}');
SELECT ddb.marshal('{"bs": {"$BS": []}}');
-- Bad base64: DynamoDB's SerializationException.
SELECT v::text AS plain, pg_temp.try_marshal(v) AS result
FROM (VALUES ('{"$B": "abc"}'::jsonb), ('{"$B": "ab=c"}'), ('{"$B": "a b="}'),
             ('{"$B": "aGk"}'), ('{"$BS": ["AA==", "!!!!"]}')) AS t(v);
SELECT ddb.marshal('{"b": {"$B": "abcde"}}');

--
-- Items: only an object is an item.
--
SELECT ddb.marshal('[1]');
SELECT ddb.marshal('"x"');
SELECT ddb.marshal('1');
SELECT ddb.marshal('true');
SELECT ddb.marshal('null');
SELECT ddb.marshal('{}');

--
-- Attribute names: 1 .. 65535 bytes, at every level.
--
SELECT ddb.marshal('{"": 1}');
SELECT ddb.marshal('{"m": {"": 1}}');
SELECT ddb.marshal_value('{"": 1}');
SELECT length(ddb.marshal(jsonb_build_object(repeat('n', 65535), 1))::text) AS max_name;
SELECT ddb.marshal(jsonb_build_object(repeat('n', 65536), 1));
SELECT ddb.marshal(jsonb_build_object('m', jsonb_build_object(repeat('n', 65536), 1)));
SELECT ddb.marshal('{"a": 1, "a": 2}') AS last_duplicate_wins;

--
-- Nesting: an item attribute holds at most 31 nested documents below it
-- (32 levels); a value on its own (like an ExpressionAttributeValue) one
-- more.  Sets are not documents.
--
SELECT ddb.marshal(jsonb_build_object('a', pg_temp.nested_list(31))) IS NOT NULL AS list_31;
SELECT ddb.marshal(jsonb_build_object('a', pg_temp.nested_list(32)));
SELECT ddb.marshal(jsonb_build_object('a', pg_temp.nested_map(31))) IS NOT NULL AS map_31;
SELECT ddb.marshal(jsonb_build_object('a', pg_temp.nested_map(32)));
SELECT ddb.marshal(jsonb_build_object('a', pg_temp.nested_map(31, '{"$SS": ["x"]}'))) IS NOT NULL AS set_below_31;
SELECT ddb.marshal(jsonb_build_object('a', pg_temp.nested_map(31, '{"$M": {}}')));
SELECT ddb.marshal_value(pg_temp.nested_list(32)) IS NOT NULL AS value_list_32;
SELECT ddb.marshal_value(pg_temp.nested_list(33));
SELECT ddb.marshal_value(pg_temp.nested_map(33));
-- The same limits as DynamoDB's own validation of the typed form.
SELECT ddb.validate_item(ddb.marshal(jsonb_build_object('a', pg_temp.nested_list(31))))
     = ddb.marshal(jsonb_build_object('a', pg_temp.nested_list(31))) AS same_as_validate;
-- Far deeper than the limit: still DynamoDB's message, no stack trouble.
SELECT ddb.marshal(jsonb_build_object('a', pg_temp.nested_list(5000)));
SELECT ddb.marshal_value(pg_temp.nested_map(5000));

--
-- The context line: a JSON path into the input (jsonpath syntax, so
-- jsonb_path_query finds the value).
--
\set SHOW_CONTEXT errors
SELECT ddb.marshal('{"Tags": [{"Name": "a"}, {"Name": "b", "Score": 1e200}]}');
SELECT ddb.marshal('{"odd name": {"$NS": [1, 2, "three"]}}');
SELECT ddb.marshal('{"x": {"0": {"é": {"$B": "a"}}}}');
SELECT ddb.marshal_value('[[[{"$SS": []}]]]');
SELECT ddb.marshal_value('{"$M": {"k": {"$BS": [1]}}}');
SELECT ddb.marshal(jsonb_build_object('m', jsonb_build_object(repeat('long name ', 10), jsonb_build_object('', 1))));
SELECT ddb.marshal(jsonb_build_object('a', pg_temp.nested_map(32)));
SELECT ddb.marshal('[]');
\set SHOW_CONTEXT never
SELECT jsonb_path_query('{"Tags": [{"Name": "a"}, {"Name": "b", "Score": 1e200}]}',
                        '$.Tags[1].Score') AS found_by_path;

--
-- unmarshal: every type.
--
SELECT ddb.unmarshal('{"s": {"S": "text"}, "n": {"N": "42"}, "t": {"BOOL": true},
                       "f": {"BOOL": false}, "z": {"NULL": true},
                       "l": {"L": [{"N": "1"}, {"S": "two"}, {"L": []}, {"M": {}}]},
                       "m": {"M": {"x": {"M": {"y": {"S": "z"}}}}},
                       "b": {"B": "aGVsbG8="}, "ss": {"SS": ["b", "a"]},
                       "ns": {"NS": ["10", "2", "-1.50"]}, "bs": {"BS": ["gA==", "AQ=="]}}');
-- The same with keep_types: sets and binaries as markers.
SELECT ddb.unmarshal('{"b": {"B": "aGVsbG8="}, "ss": {"SS": ["b", "a"]},
                       "ns": {"NS": ["10", "2", "-1.50"]}, "bs": {"BS": ["gA==", "AQ=="]},
                       "l": {"L": [{"B": ""}, {"SS": [""]}]}}', true);
-- Maps that would read as markers get the "$M" escape, at any depth (the
-- top level is the item, never a marker).
SELECT ddb.unmarshal('{"$B": {"S": "x"}, "m": {"M": {"$SS": {"S": "x"}}},
                       "n": {"M": {"$M": {"M": {"$NS": {"N": "1"}}}}},
                       "two": {"M": {"$B": {"S": "x"}, "y": {"S": "y"}}}}', true);
SELECT ddb.unmarshal('{"m": {"M": {"$SS": {"S": "x"}}}}', false) AS lossy;
-- Numbers come back exact, as JSON numbers.
SELECT v AS typed, ddb.unmarshal_value(v) AS plain
FROM (VALUES ('{"N": "1.0"}'::jsonb), ('{"N": "-0"}'), ('{"N": "1e3"}'),
             ('{"N": "12345678901234567890123456789012345678"}'),
             ('{"N": "-0.000000000000000000000000000000000000012345678901234567890123456789012345678"}'),
             ('{"N": "9.9999999999999999999999999999999999999E+125"}'),
             ('{"N": "1E-130"}')) AS t(v);
SELECT v AS typed, ddb.unmarshal_value(v) AS plain, ddb.unmarshal_value(v, true) AS kept
FROM (VALUES ('{"S": "x"}'::jsonb), ('{"S": ""}'), ('{"BOOL": false}'),
             ('{"NULL": true}'), ('{"B": "AA=="}'), ('{"SS": ["x"]}'),
             ('{"NS": ["1", "0.5"]}'), ('{"BS": ["AA=="]}'), ('{"L": []}'),
             ('{"M": {}}'), ('{"M": {"$B": {"B": "AA=="}}}')) AS t(v);
SELECT jsonb_typeof(ddb.unmarshal_value('{"N": "7"}')) AS n_is,
       jsonb_typeof(ddb.unmarshal_value('{"S": "7"}')) AS s_is,
       jsonb_typeof(ddb.unmarshal_value('{"NULL": true}')) AS null_is;

--
-- unmarshal validates its input like a request item: DynamoDB's messages.
--
SELECT v::text AS typed, pg_temp.try_unmarshal(v) AS result
FROM (VALUES ('{}'::jsonb), ('{"S": "a", "N": "1"}'), ('{"N": "x"}'),
             ('{"N": 1}'), ('{"N": "1e126"}'), ('{"S": 1}'), ('{"B": "abc"}'),
             ('{"NULL": false}'), ('{"SS": []}'), ('{"NS": ["1", "1.0"]}'),
             ('{"SS": ["a", "a"]}'), ('{"L": [{"X": 1}]}'), ('"x"'), ('[]'),
             ('{"M": {"": {"S": "x"}}}')) AS t(v);
SELECT ddb.unmarshal('[]');
SELECT ddb.unmarshal('{"a": "x"}');
SELECT ddb.unmarshal('{"a": {"N": "1e200"}}');
SELECT ddb.unmarshal('{"a": {"SS": []}}');
SELECT ddb.unmarshal_value('{"B": "abc"}');
-- Nesting as for marshal: 32 levels in a value on its own, 31 below an attribute.
SELECT ddb.unmarshal_value(ddb.marshal_value(pg_temp.nested_list(32))) = pg_temp.nested_list(32) AS value_32;
SELECT ddb.unmarshal(jsonb_build_object('a', ddb.marshal_value(pg_temp.nested_list(32))));

--
-- Round trips.
--
-- unmarshal(marshal(p)) = p for plain JSON without markers (jsonb equality
-- compares numbers numerically, so 1.0 = 1).
SELECT p, ddb.unmarshal(ddb.marshal(p)) = p AS round_trip,
       ddb.unmarshal(ddb.marshal(p)) AS result
FROM (VALUES ('{"a": 1.0, "b": [1, "x", null, true, {"c": []}], "d": {}}'::jsonb),
             ('{"big": 99999999999999999999999999999999999999e88, "tiny": -1.5e-129}'),
             ('{"u": "😀", "e": ""}')) AS t(p);
-- marshal(unmarshal(x, true)) = x for every canonical typed item x, and
-- = validate_item(x) for any valid one.
WITH items(x) AS (VALUES
    ('{"s": {"S": "x"}, "n": {"N": "-1.5"}, "b": {"B": "AAEC/w=="}, "t": {"BOOL": true},
       "z": {"NULL": true}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["-3", "0.5", "10"]},
       "bs": {"BS": ["AA==", "gA=="]}, "e": {"B": ""}}'::jsonb),
    ('{"l": {"L": [{"SS": ["x"]}, {"M": {"$M": {"M": {}}}}, {"M": {"$SS": {"NS": ["1"]}}},
                   {"L": [{"B": "AA=="}, {"M": {"$B": {"B": "AA=="}, "x": {"S": ""}}}]}]}}'),
    ('{"$B": {"B": "AA=="}, "$M": {"M": {"$NS": {"S": "x"}}}, "$SS": {"SS": ["$SS"]}}'),
    ('{"n": {"N": "1.0"}, "ns": {"NS": ["2", "1e0", "0.3"]}, "ss": {"SS": ["b", "a"]}}'))
SELECT ddb.marshal(ddb.unmarshal(x, true)) = ddb.validate_item(x) AS round_trip,
       ddb.unmarshal(x, true) AS plain
FROM items;
SELECT ddb.marshal_value(ddb.unmarshal_value(v, true)) AS back
FROM (VALUES ('{"M": {"$M": {"L": [{"M": {"$B": {"S": "x"}}}]}}}'::jsonb),
             ('{"L": [{"NS": ["1"]}, {"BS": ["AA=="]}]}'), ('{"N": "1.50"}')) AS t(v);
-- Lossy without keep_types: sets become lists, binaries strings.
SELECT ddb.marshal(ddb.unmarshal('{"ss": {"SS": ["a"]}, "b": {"B": "AA=="}}')) AS lossy;

--
-- With the item operations: marshal produces valid items, unmarshal reads
-- them back, also straight from the table.
--
SELECT ddb.create_table('{"TableName": "Music",
  "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"},
                           {"AttributeName": "Year", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"},
                {"AttributeName": "Year", "KeyType": "RANGE"}],
  "BillingMode": "PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT ddb.put_item(jsonb_build_object('TableName', 'Music', 'Item', ddb.marshal(t)))
FROM (VALUES ('{"Artist": "No One You Know", "Year": 2001, "Title": "Call Me Today",
                "Genres": {"$SS": ["pop", "rock"]}, "Rating": 4.50,
                "Cover": {"$B": "iVBORw0KGgo="}, "Tracks": [{"n": 1, "t": "Intro"}]}'::jsonb),
             ('{"Artist": "Acme Band", "Year": 1999.0, "Title": "Happy Day", "Charted": null}'))
     AS v(t);
SELECT ddb.unmarshal(item) FROM ddb_data."Music" ORDER BY pk, sk;
SELECT ddb.unmarshal(item, keep_types => true) FROM ddb_data."Music" ORDER BY pk, sk;
-- Plain SQL over the items.
SELECT i->>'Artist' AS artist, (i->'Year')::numeric AS year, i->'Genres' AS genres
FROM ddb_data."Music", ddb.unmarshal(item) AS i
WHERE (i->'Year')::numeric > 2000;
-- GetItem with a marshalled key, its Item unmarshalled.
SELECT ddb.unmarshal(ddb.get_item(jsonb_build_object('TableName', 'Music',
         'Key', ddb.marshal('{"Artist": "Acme Band", "Year": 1999}')))->'Item');
-- An ExpressionAttributeValue from marshal_value.
SELECT ddb.update_item(jsonb_build_object('TableName', 'Music',
         'Key', ddb.marshal('{"Artist": "Acme Band", "Year": 1999}'),
         'UpdateExpression', 'SET Genres = :g, Cover = :c',
         'ExpressionAttributeValues', jsonb_build_object(
             ':g', ddb.marshal_value('{"$SS": ["ska"]}'),
             ':c', ddb.marshal_value(jsonb_build_object('$B', encode('\x00ff'::bytea, 'base64')))),
         'ReturnValues', 'ALL_NEW'))->'Attributes' AS updated;
SELECT decode(ddb.unmarshal(item)->>'Cover', 'base64') AS cover
FROM ddb_data."Music" ORDER BY pk, sk;
-- A table of plain rows into items, and back.
CREATE TEMP TABLE albums(artist text, year int, title text, tags text[]);
INSERT INTO albums VALUES ('Zed', 2020, 'Last', ARRAY['b', 'a', 'b']), ('Zed', 2021, 'Next', NULL);
SELECT ddb.put_item(jsonb_build_object('TableName', 'Music', 'Item',
         ddb.marshal(jsonb_strip_nulls(jsonb_build_object(
             'Artist', artist, 'Year', year, 'Title', title,
             'Tags', CASE WHEN tags IS NOT NULL THEN jsonb_build_object('$SS', to_jsonb(tags)) END)))))
FROM albums;
SELECT r.*
FROM ddb_data."Music",
     jsonb_to_record(ddb.unmarshal(item)) AS r("Artist" text, "Year" int, "Title" text, "Tags" text[])
WHERE pk = ddb.encode_key('{"S": "Zed"}')
ORDER BY sk;
SELECT ddb.delete_table('{"TableName": "Music"}') IS NOT NULL AS dropped;

DROP EXTENSION ddb_emul;
