--
-- values: attribute values (src/values.c, src/values_json.c) -- number
-- canonicalisation and limits, AttributeValue validation and its exact
-- DynamoDB messages, item size, and the order-preserving key encoding.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- Helpers that turn an error into a row, for the long tables of cases; the
-- statements further down show each message once with its JSON body.
CREATE FUNCTION pg_temp.try_number(s text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN ddb.canonical_number(s);
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.try_item(item jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN ddb.validate_item(item)::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

--
-- Numbers: normalisation (plain decimal, no '+', no leading zeros, no
-- trailing fractional zeros, -0 is 0).
--
SELECT input, ddb.canonical_number(input) AS canonical,
       ddb.canonical_number(input) = expected AS ok
FROM (VALUES ('1.0', '1'), ('01', '1'), ('007', '7'), ('001.23', '1.23'),
             ('1.10', '1.1'), ('100.000', '100'), ('1e3', '1000'),
             ('1.5e2', '150'), ('1e-3', '0.001'), ('.5', '0.5'),
             ('-.5', '-0.5'), ('0e5', '0'), ('-0.0', '0'), ('-0', '0'),
             ('0', '0'), ('000', '0'), ('0.0e-200', '0'), ('0e999999999999999999', '0'),
             ('1e20', '100000000000000000000'), ('+3', '3'), ('.123', '0.123'),
             ('0001.23', '1.23'), ('1e+5', '100000'), ('1E5', '100000'),
             ('-17.4E37', '-174000000000000000000000000000000000000'),
             ('3.', '3'), ('+.5e1', '5'), ('12.50e-1', '1.25'), ('-0.00012300', '-0.000123'),
             ('1200', '1200'), ('120.0e1', '1200'), ('0.1e1', '1'))
     AS t(input, expected);

-- Range: exponent of the first digit from -130 to 125, 38 significant
-- digits (leading and trailing zeros do not count).
SELECT input, pg_temp.try_number(input) AS result
FROM (VALUES ('9.9999999999999999999999999999999999999E+125'),
             ('-9.9999999999999999999999999999999999999E+125'),
             ('1E+126'), ('-1E+126'), ('10E125'), ('0.1E127'),
             ('1E-130'), ('-1E-130'), ('0.1E-129'), ('1E-131'), ('-1E-131'),
             ('10E-132'),
             ('12345678901234567890123456789012345678'),
             ('123456789012345678901234567890123456789'),
             ('-1.23456789012345678901234567890123456789'),
             ('1234567890123456789012345678901234567800000'),
             ('0.000012345678901234567890123456789012345678'),
             ('1.00000000000000000000000000000000000001'),
             ('1.0000000000000000000000000000000000001'),
             ('1234567890123456789012345678901234567890e100'),
             ('1234567890123456789012345678901234567890e-170'),
             ('1e99999999999999999999'), ('1e-99999999999999999999'))
     AS t(input);

-- Syntax: Java BigDecimal's, nothing else.
SELECT input, pg_temp.try_number(input) AS result
FROM (VALUES (' 1'), ('1 '), ('NaN'), ('Infinity'), ('-Infinity'), ('0x10'),
             ('dog'), ('1e'), ('e1'), ('.'), ('-'), ('+'), ('1.2.3'),
             ('1e5.5'), ('--1'), ('+-1'), ('1e+-5'), ('1,5'), ('1_000'),
             ('٣'), ('1d'), ('1f'), ('.e1'))
     AS t(input);

-- Each message once, with its JSON body.
SELECT ddb.canonical_number('');
SELECT ddb.canonical_number('12a');
SELECT ddb.canonical_number('1e126');
SELECT ddb.canonical_number('1e-131');
SELECT ddb.canonical_number('123456789012345678901234567890123456789');

-- Cross-check against PostgreSQL's numeric on random numbers written in
-- many ways (leading zeros, decimal point anywhere, exponent forms).
SELECT setseed(0.2024);
CREATE TEMP TABLE rnd AS
SELECT i, k, e, neg, p,
       (1 + floor(r1 * 9))::int::text ||
       coalesce((SELECT string_agg(floor(random() * 10)::int::text, '')
                 FROM generate_series(1, k - 1) WHERE i > 0), '') AS digits,
       r2, r3
FROM (SELECT i,
             (1 + floor(random() * 38))::int AS k,
             floor(random() * 256)::int - 130 AS e,
             random() < 0.5 AS neg,
             random() AS r1, random() AS r2, random() AS r3,
             random() AS rp
      FROM generate_series(1, 3000) i) s,
     LATERAL (SELECT floor(rp * (k + 1))::int AS p) pp;
CREATE TEMP TABLE rnd_text AS
SELECT i,
       CASE WHEN neg THEN '-' WHEN r3 < 0.1 THEN '+' ELSE '' END ||
       CASE WHEN r3 > 0.8 THEN '00' ELSE '' END ||
       CASE WHEN p = length(digits) THEN digits
            ELSE left(digits, p) || '.' || substr(digits, p + 1) ||
                 CASE WHEN r2 < 0.3 THEN '000' ELSE '' END END ||
       CASE WHEN r2 < 0.5 THEN 'e' ELSE 'E' END ||
       CASE WHEN r3 BETWEEN 0.4 AND 0.6 AND e - p + 1 >= 0 THEN '+' ELSE '' END ||
       (e - p + 1)::text AS s
FROM rnd;
SELECT count(*) AS numbers,
       count(*) FILTER (WHERE ddb.canonical_number(s) = trim_scale(s::numeric)::text) AS same_as_numeric
FROM rnd_text;

--
-- AttributeValue validation: happy paths for every type; the result is the
-- canonical item (numbers normalised, sets sorted in key order, map keys in
-- jsonb order).
--
SELECT ddb.validate_item('{
  "s": {"S": "text"}, "s_empty": {"S": ""}, "s_esc": {"S": "quote \" backslash \\ tab \t nl \n é ☃"},
  "n": {"N": "-12.50e1"}, "b": {"B": "aGk="}, "b_empty": {"B": ""},
  "t": {"BOOL": true}, "f": {"BOOL": false}, "nul": {"NULL": true},
  "m": {"M": {"zz": {"N": "1"}, "a": {"S": "x"}, "bb": {"M": {}}}}, "m_empty": {"M": {}},
  "l": {"L": [{"N": "2.0"}, {"S": "two"}, {"L": []}, {"NS": ["3", "1"]}]}, "l_empty": {"L": []},
  "ss": {"SS": ["b", "a", "", "B", "ab", "é"]},
  "ns": {"NS": ["10", "9", "-1", "1e2", "-1.5", "0", "0.001"]},
  "bs": {"BS": ["gA==", "fw==", "AA==", "AAA=", ""]}}');

-- Unknown members and members that are JSON null are ignored.
SELECT ddb.validate_item('{"a": {"S": "a", "X": 1}, "b": {"N": "1", "S": null}, "c": {"BOOL": false, "foo": {"bar": []}}}');

-- Every error message once, with its JSON body.
SELECT ddb.validate_item('{"a": {}}');
SELECT ddb.validate_item('{"a": {"X": "1"}}');
SELECT ddb.validate_item('{"a": {"S": null}}');
SELECT ddb.validate_item('{"a": {"S": "a", "N": "1"}}');
SELECT ddb.validate_item('{"a": {"NULL": false}}');
SELECT ddb.validate_item('{"a": {"SS": []}}');
SELECT ddb.validate_item('{"a": {"NS": []}}');
SELECT ddb.validate_item('{"a": {"BS": []}}');
SELECT ddb.validate_item('{"a": {"SS": ["a", "a"]}}');
SELECT ddb.validate_item('{"a": {"BS": ["Yg==", "Yg=="]}}');
SELECT ddb.validate_item('{"a": {"NS": ["1", "1.0"]}}');
SELECT ddb.validate_item('{"a": {"NS": ["1", "b", "a"]}}');
SELECT ddb.validate_item('{"a": {"NS": ["1", ""]}}');
SELECT ddb.validate_item('{"a": {"N": "1e126"}}');
SELECT ddb.validate_item('{"": {"S": "x"}}');
SELECT ddb.validate_item('{"a": {"M": {"": {"S": "x"}}}}');
SELECT ddb.validate_item('{"a": {"N": 1}}');
SELECT ddb.validate_item('{"a": {"B": "abcde"}}');
SELECT ddb.validate_item('{"a": {"B": "ab!="}}');
SELECT ddb.validate_item('{"a": {"B": "AB=="}}');
SELECT ddb.validate_item('[{"a": {"S": "x"}}]');
SELECT ddb.validate_item('{"a": "x"}');

-- Errors in DynamoDB's order: deserialization errors anywhere in the value
-- first, then members in the order S, SS, N, NS, B, BS, M, L, BOOL, NULL,
-- each before the count of members; a value before its name.
SELECT item, pg_temp.try_item(item::jsonb) AS result
FROM (VALUES ('{"a": {"NULL": false}, "b": {"N": 5}}'),
             ('{"a": {"L": [{"NULL": false}, {"S": 1}]}}'),
             ('{"a": {"S": "a", "N": "x"}}'),
             ('{"a": {"S": "a", "NULL": false}}'),
             ('{"a": {"N": "1", "SS": []}}'),
             ('{"a": {"N": "x", "NS": ["y"]}}'),
             ('{"a": {"BOOL": true, "NULL": true}}'),
             ('{"": {"N": "x"}}'),
             ('{"a": {"S": "x", "SS": ["a", "a"], "B": "!!!!"}}'))
     AS t(item);

-- Wrong JSON kinds: SerializationException "<TOKEN> cannot be converted to <Type>".
SELECT item, pg_temp.try_item(item::jsonb) AS result
FROM (VALUES ('{"a": {"S": 1}}'), ('{"a": {"S": true}}'), ('{"a": {"S": {}}}'),
             ('{"a": {"S": []}}'), ('{"a": {"N": 1.5}}'), ('{"a": {"B": false}}'),
             ('{"a": {"BOOL": "true"}}'), ('{"a": {"BOOL": 1}}'), ('{"a": {"NULL": "true"}}'),
             ('{"a": {"M": []}}'), ('{"a": {"M": "x"}}'), ('{"a": {"L": {}}}'),
             ('{"a": {"L": "x"}}'), ('{"a": {"SS": "a"}}'), ('{"a": {"SS": {}}}'),
             ('{"a": {"SS": [1]}}'), ('{"a": {"SS": ["a", null]}}'), ('{"a": {"NS": [1]}}'),
             ('{"a": {"NS": [false]}}'), ('{"a": {"BS": [1]}}'), ('{"a": {"BS": "YQ=="}}'),
             ('{"a": "x"}'), ('{"a": 1}'), ('{"a": true}'), ('{"a": false}'), ('{"a": null}'),
             ('{"a": []}'), ('{"a": {"L": ["x"]}}'), ('{"a": {"M": {"b": 1}}}'),
             ('[]'), ('"x"'), ('1'), ('null'))
     AS t(item);

-- Base64: standard alphabet with padding, canonical.
SELECT b64, pg_temp.try_item(jsonb_build_object('a', jsonb_build_object('B', b64))) AS result
FROM (VALUES (''), ('YQ=='), ('YWI='), ('YWJj'), ('+/+/'), ('AAAAAA=='),
             ('YQ'), ('YQ='), ('YWJjZ'), ('ab!='), ('a b='), ('éaa'), ('=AAA'),
             ('A=AA'), ('AA=A'), ('A==='), ('===='), ('AB=='), ('AAB='), ('YR=='),
             ('YWK='))
     AS t(b64);

-- Sets: members compared as stored (numbers normalised first), sorted in
-- key order; empty strings and binaries are allowed as members.
SELECT pg_temp.try_item('{"a": {"SS": ["", "x"]}, "b": {"BS": ["", "YQ=="]}}');
SELECT pg_temp.try_item('{"a": {"NS": ["1e2", "100"]}}');
SELECT pg_temp.try_item('{"a": {"NS": ["-0", "0.0"]}}');
SELECT pg_temp.try_item('{"a": {"SS": ["a", "A"]}}');
SELECT pg_temp.try_item('{"a": {"BS": ["YQ==", "YWE="]}}');

-- Nesting: an item attribute holds at most 31 nested documents.
SELECT depth, CASE WHEN r LIKE 'YD%' THEN r ELSE 'ok' END AS result
FROM generate_series(29, 33) depth,
     LATERAL pg_temp.try_item(jsonb_build_object('a',
         (repeat('{"L": [', depth) || '{"S": "x"}' || repeat(']}', depth))::jsonb)) r;
SELECT ddb.validate_item(jsonb_build_object('a',
         (repeat('{"M": {"k": ', 32) || '{"S": "x"}' || repeat('}}', 32))::jsonb));
SELECT ddb.validate_item(jsonb_build_object('a',
         (repeat('{"M": {"k": ', 15) || repeat('{"L": [', 17) || '{"NULL": true}' ||
          repeat(']}', 17) || repeat('}}', 15))::jsonb));
SELECT ddb.item_size(jsonb_build_object('a',
         (repeat('{"M": {"k": ', 16) || repeat('{"L": [', 15) || '{"NULL": true}' ||
          repeat(']}', 15) || repeat('}}', 16))::jsonb)) AS size_31_levels;

-- Attribute names: 1 .. 65535 bytes, at the top and inside maps.
SELECT ddb.item_size(jsonb_build_object(repeat('n', 65535), '{"S": ""}'::jsonb)) AS size;
SELECT ddb.item_size(jsonb_build_object(repeat('n', 65536), '{"S": ""}'::jsonb));
SELECT ddb.item_size(jsonb_build_object('a', jsonb_build_object('M',
         jsonb_build_object(repeat('é', 32768), '{"S": ""}'::jsonb))));
SELECT ddb.item_size(jsonb_build_object('a', jsonb_build_object('M',
         jsonb_build_object(repeat('n', 65535), '{"S": ""}'::jsonb)))) AS size;

--
-- Item size: names plus values; S and B by bytes, N by dynalite's model
-- (1 + ceil(digits/2), + 1 when digits and exponent are both even, + 1 when
-- negative), BOOL and NULL 1, L and M 3 + 1 per element (+ name bytes).
--
SELECT ddb.item_size('{"id": {"S": "abc"}, "n": {"N": "12345"}, "flag": {"BOOL": true},
                       "l": {"L": [{"S": "xy"}]}}') AS size_22;
SELECT value, ddb.item_size(jsonb_build_object('a', value::jsonb)) - 1 AS size
FROM (VALUES ('{"S": "abc"}'), ('{"S": ""}'), ('{"S": "é☃"}'), ('{"B": "aGk="}'), ('{"B": ""}'),
             ('{"N": "0"}'), ('{"N": "-0.0"}'), ('{"N": "1"}'), ('{"N": "10"}'), ('{"N": "12"}'),
             ('{"N": "1.2"}'), ('{"N": "123"}'), ('{"N": "1234"}'), ('{"N": "0.12"}'),
             ('{"N": "0.012"}'), ('{"N": "-1"}'), ('{"N": "-1.2"}'), ('{"N": "1e125"}'),
             ('{"N": "12345678901234567890123456789012345678"}'),
             ('{"N": "1.2345678901234567890123456789012345678"}'),
             ('{"N": "-1.2345678901234567890123456789012345678"}'),
             ('{"BOOL": false}'), ('{"NULL": true}'), ('{"L": []}'), ('{"M": {}}'),
             ('{"L": [{"S": "ab"}, {"N": "1"}]}'), ('{"M": {"k": {"S": "v"}, "kk": {"L": []}}}'),
             ('{"SS": ["a", "bc"]}'), ('{"NS": ["1", "12", "-1.2"]}'), ('{"BS": ["YQ==", "YWJj"]}'))
     AS t(value);
SELECT ddb.item_size('{}') AS empty_item;
SELECT ddb.item_size(jsonb_build_object('a', jsonb_build_object('S', repeat('x', 400000)))) AS big;
SELECT ddb.item_size('{"a": {"N": "x"}}');

--
-- Key encoding: byte order of encodings is DynamoDB's order of values, and
-- decoding gives back the canonical value.
--
SELECT v, ddb.encode_key(v::jsonb) AS key
FROM (VALUES ('{"N": "0"}'), ('{"N": "1"}'), ('{"N": "1.2"}'), ('{"N": "1.23"}'),
             ('{"N": "12"}'), ('{"N": "-1"}'), ('{"N": "-1.2"}'), ('{"N": "-1.23"}'),
             ('{"N": "1E-130"}'), ('{"N": "-1E-130"}'), ('{"N": "9.9E125"}'),
             ('{"N": "-9.9E125"}'), ('{"S": "abc"}'), ('{"S": ""}'), ('{"S": "é"}'),
             ('{"B": "AAEC/w=="}'), ('{"B": ""}'))
     AS t(v);

-- Numbers: random ones from above plus edge cases, in numeric order.
CREATE TEMP TABLE keynums AS
SELECT DISTINCT ddb.canonical_number(s) AS n FROM (
    SELECT s FROM rnd_text
    UNION ALL
    SELECT unnest(array['0', '1', '-1', '1.2', '1.23', '-1.2', '-1.23', '10', '-10', '9', '-9',
                        '0.1', '-0.1', '0.0999', '-0.0999', '1E-130', '-1E-130', '2E-130',
                        '9.9999999999999999999999999999999999999E+125',
                        '-9.9999999999999999999999999999999999999E+125',
                        '99999999999999999999999999999999999999',
                        '-99999999999999999999999999999999999999',
                        '1.0000000000000000000000000000000000001', '1.0000000000000000000000000000000000002',
                        '-1.0000000000000000000000000000000000001', '1E125', '-1E125', '1E124', '-1E124'])
) t;
SELECT count(*) > 2900 AS enough,
       array_agg(n ORDER BY ddb.encode_key(jsonb_build_object('N', n)))
         = array_agg(n ORDER BY n::numeric) AS same_order,
       bool_and(ddb.decode_key(ddb.encode_key(jsonb_build_object('N', n)), 'N')
                = jsonb_build_object('N', n)) AS round_trip,
       bool_and(ddb.encode_key(jsonb_build_object('N', n)) =
                ddb.encode_key(jsonb_build_object('N', CASE WHEN n LIKE '%.%' THEN n || '00'
                                                            ELSE n || '.00' END))) AS equal_values_equal_keys
FROM keynums;

-- Number sets are sorted numerically.
SELECT (SELECT array_agg(x ORDER BY ord) FROM jsonb_array_elements_text(
            ddb.validate_item(jsonb_build_object('a', jsonb_build_object('NS',
                (SELECT jsonb_agg(n) FROM keynums))))->'a'->'NS') WITH ORDINALITY AS e(x, ord))
       = (SELECT array_agg(n ORDER BY n::numeric) FROM keynums) AS ns_sorted;

-- Strings and binaries: bytewise unsigned order (0x80 after 0x7F).
CREATE TEMP TABLE keystrs AS
SELECT DISTINCT s FROM (
    SELECT string_agg(chr((ARRAY[32, 48, 65, 97, 122, 127, 128, 233, 255, 256, 9731, 65533, 128512])
                          [1 + floor(random() * 13)::int]), '') AS s
    FROM generate_series(1, 2000) i, generate_series(1, 1 + i % 5) j
    GROUP BY i
    UNION ALL SELECT '' UNION ALL SELECT 'a' UNION ALL SELECT 'ab' UNION ALL SELECT 'b'
) t;
SELECT array_agg(s ORDER BY ddb.encode_key(jsonb_build_object('S', s)))
         = array_agg(s ORDER BY s COLLATE "C") AS s_order,
       array_agg(s ORDER BY ddb.encode_key(jsonb_build_object('B', encode(convert_to(s, 'UTF8'), 'base64'))))
         = array_agg(s ORDER BY convert_to(s, 'UTF8')) AS b_order,
       bool_and(ddb.decode_key(ddb.encode_key(jsonb_build_object('S', s)), 'S') = jsonb_build_object('S', s))
         AS s_round_trip,
       bool_and(ddb.decode_key(ddb.encode_key(jsonb_build_object('B', encode(convert_to(s, 'UTF8'), 'base64'))), 'B')
                = jsonb_build_object('B', encode(convert_to(s, 'UTF8'), 'base64'))) AS b_round_trip
FROM keystrs;
SELECT ddb.encode_key('{"B": "gA=="}') > ddb.encode_key('{"B": "fw=="}') AS x80_after_x7f;
SELECT ddb.decode_key('\x00ff80'::bytea, 'B');

-- Only S, N and B values have a key encoding; invalid values report their error.
SELECT ddb.encode_key('{"SS": ["a"]}');
SELECT ddb.encode_key('{"BOOL": true}');
SELECT ddb.encode_key('{"N": "1e126"}');
SELECT ddb.encode_key('{"N": 1}');

-- Decoding accepts exactly what encode_key produces.
SELECT ddb.decode_key('\x02'::bytea, 'N') AS zero;
SELECT ddb.decode_key(''::bytea, 'N');
SELECT ddb.decode_key('\x0200'::bytea, 'N');
SELECT ddb.decode_key('\x04'::bytea, 'N');
SELECT ddb.decode_key('\x0382'::bytea, 'N');
SELECT ddb.decode_key('\x038201'::bytea, 'N');
SELECT ddb.decode_key('\x038202010102'::bytea, 'N') AS ok;
SELECT ddb.decode_key('\x03820201'::bytea, 'N');
SELECT ddb.decode_key('\x03820b'::bytea, 'N');
SELECT ddb.decode_key('\x017dfd'::bytea, 'N');
SELECT ddb.decode_key('\x017dfdff'::bytea, 'N') AS ok;
SELECT ddb.decode_key('\x017dfeff'::bytea, 'N');
SELECT ddb.decode_key('\x017d02ff'::bytea, 'N');
-- Every exponent byte is valid: the extremes.
SELECT ddb.decode_key(k, 'N') AS value
FROM unnest(array['\x03ff02', '\x030002', '\x0100fdff', '\x01fffdff']::bytea[]) k;
SELECT ddb.decode_key('\x0382'::bytea || decode(repeat('02', 38), 'hex'), 'N') AS ok;
SELECT ddb.decode_key('\x0382'::bytea || decode(repeat('02', 39), 'hex'), 'N');
SELECT ddb.decode_key('\xff'::bytea, 'S');
SELECT ddb.decode_key('\x01'::bytea, 'SS');
SELECT ddb.decode_key('\x01'::bytea, 'X');

DROP EXTENSION ddb_emul;
