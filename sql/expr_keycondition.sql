--
-- expr_keycondition: KeyConditionExpression checked against a key schema
-- through ddb.expr_key_condition(expr, names, vals, hash_key, hash_type,
-- range_key, range_type), which returns the partition key value and the
-- sort key condition without touching any table.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- k(expr, vals, names): table with partition key pk (S) and sort key sk (N)
CREATE FUNCTION pg_temp.k(expr text, vals jsonb, names jsonb DEFAULT NULL) RETURNS jsonb
  LANGUAGE sql AS $$
  SELECT ddb.expr_key_condition(expr, names, vals, 'pk', 'S', 'sk', 'N')
$$;

-- partition key alone, or with one sort key condition, in any order
SELECT pg_temp.k('pk = :p', '{":p": {"S": "a"}}');
SELECT pg_temp.k(':p = pk', '{":p": {"S": "a"}}');
SELECT pg_temp.k('pk = :p AND sk = :s', '{":p": {"S": "a"}, ":s": {"N": "1.0"}}');
SELECT pg_temp.k('sk < :s and pk = :p', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('pk = :p AND sk <= :s', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('pk = :p AND sk > :s', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('pk = :p AND sk >= :s', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
-- a constant on the left mirrors the operator
SELECT pg_temp.k('pk = :p AND :s < sk', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('pk = :p AND :s >= sk', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('pk = :p AND sk BETWEEN :lo AND :hi', '{":p": {"S": "a"}, ":lo": {"N": "1"}, ":hi": {"N": "9"}}');
SELECT pg_temp.k('(pk = :p) AND (sk BETWEEN :lo AND :hi)', '{":p": {"S": "a"}, ":lo": {"N": "1"}, ":hi": {"N": "9"}}');
SELECT pg_temp.k('#k = :p AND #s > :s', '{":p": {"S": "a"}, ":s": {"N": "1"}}', '{"#k": "pk", "#s": "sk"}');
SELECT ddb.expr_key_condition('pk = :p AND begins_with(sk, :pre)', NULL,
                              '{":p": {"N": "1"}, ":pre": {"S": "ab"}}', 'pk', 'N', 'sk', 'S');
SELECT ddb.expr_key_condition('pk = :p AND begins_with(sk, :pre)', NULL,
                              '{":p": {"B": "AA=="}, ":pre": {"B": "gA=="}}', 'pk', 'B', 'sk', 'B');
SELECT ddb.expr_key_condition('pk = :p', NULL, '{":p": {"S": "a"}}', 'pk', 'S') AS hash_only_table;

-- operators that are not allowed
SELECT pg_temp.k('pk = :p OR sk = :s', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('NOT pk = :p', '{":p": {"S": "a"}}');
SELECT pg_temp.k('pk IN (:p)', '{":p": {"S": "a"}}');
SELECT pg_temp.k('pk = :p AND sk <> :s', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('pk = :p AND attribute_exists(sk)', '{":p": {"S": "a"}}');
SELECT pg_temp.k('pk = :p AND attribute_not_exists(sk)', '{":p": {"S": "a"}}');
SELECT pg_temp.k('pk = :p AND attribute_type(sk, :t)', '{":p": {"S": "a"}, ":t": {"S": "N"}}');
SELECT pg_temp.k('pk = :p AND contains(sk, :s)', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('pk = :p AND size(sk) = :s', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('pk = :p AND :lo BETWEEN sk AND :hi', '{":p": {"S": "a"}, ":lo": {"N": "1"}, ":hi": {"N": "2"}}');
SELECT pg_temp.k('pk = :p AND begins_with(:s, sk)', '{":p": {"S": "a"}, ":s": {"S": "1"}}');
SELECT pg_temp.k('pk = sk', NULL);
SELECT pg_temp.k('pk.x = :p', '{":p": {"S": "a"}}');
SELECT pg_temp.k('pk[0] = :p', '{":p": {"S": "a"}}');
SELECT pg_temp.k(':p = :s', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('pk = :p AND pk = :p', '{":p": {"S": "a"}}');
SELECT pg_temp.k('pk = :p AND sk > :s AND sk < :s', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('pk = :p AND sk > :s AND x = :s', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
-- against the key schema
SELECT pg_temp.k('sk = :s', '{":s": {"N": "1"}}');
SELECT pg_temp.k('x = :s', '{":s": {"N": "1"}}');
SELECT pg_temp.k('pk < :p', '{":p": {"S": "a"}}');
SELECT pg_temp.k('begins_with(pk, :p)', '{":p": {"S": "a"}}');
SELECT pg_temp.k('pk = :p AND x = :s', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT ddb.expr_key_condition('pk = :p AND x = :s', NULL, '{":p": {"S": "a"}, ":s": {"N": "1"}}', 'pk', 'S');
SELECT pg_temp.k('pk = :p', '{":p": {"N": "1"}}');
SELECT pg_temp.k('pk = :p AND sk = :s', '{":p": {"S": "a"}, ":s": {"S": "1"}}');
SELECT pg_temp.k('pk = :p AND sk BETWEEN :lo AND :hi', '{":p": {"S": "a"}, ":lo": {"S": "1"}, ":hi": {"S": "9"}}');
SELECT pg_temp.k('pk = :p AND begins_with(sk, :s)', '{":p": {"S": "a"}, ":s": {"S": "1"}}');
SELECT pg_temp.k('pk = :p AND begins_with(sk, :s)', '{":p": {"S": "a"}, ":s": {"N": "1"}}');
SELECT pg_temp.k('pk = :p', '{":p": {"SS": ["a"]}}');
SELECT pg_temp.k('pk = :p', '{":p": {"L": []}}');
-- errors of the condition grammar come first, with the KeyCondition name
SELECT pg_temp.k('pk = :p AND', '{":p": {"S": "a"}}');
SELECT pg_temp.k('pk = :p AND sk BETWEEN :hi AND :lo', '{":p": {"S": "a"}, ":lo": {"N": "1"}, ":hi": {"N": "9"}}');
SELECT pg_temp.k('pk = :x', '{":p": {"S": "a"}}');
SELECT pg_temp.k('pk = :p', '{":p": {"S": "a"}, ":q": {"S": "a"}}');
SELECT pg_temp.k('', '{":p": {"S": "a"}}');

DROP EXTENSION ddb_emul;
