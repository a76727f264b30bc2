--
-- expr_update: UpdateExpression grammar, SET / REMOVE / ADD / DELETE,
-- functions, path rules, UPDATED_OLD / UPDATED_NEW and errors, through
-- ddb.expr_update(), which applies an update to a copy of a given item
-- without touching any table.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- u(expr, item, vals, names): the new item, key attribute "pk".
CREATE FUNCTION pg_temp.u(expr text, item jsonb, vals jsonb DEFAULT NULL,
                          names jsonb DEFAULT NULL) RETURNS jsonb
  LANGUAGE sql AS $$
  SELECT new_item FROM ddb.expr_update(expr, item, names, vals, '{pk}')
$$;
-- r(...): new item and UPDATED_OLD / UPDATED_NEW.
CREATE FUNCTION pg_temp.r(expr text, item jsonb, vals jsonb DEFAULT NULL,
                          names jsonb DEFAULT NULL,
                          OUT new_item jsonb, OUT updated_old jsonb, OUT updated_new jsonb)
  LANGUAGE sql AS $$
  SELECT new_item, updated_old, updated_new
    FROM ddb.expr_update(expr, item, names, vals, '{pk}')
$$;

--
-- SET
--
SELECT pg_temp.u('SET a = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1.50"}}');
SELECT pg_temp.u('set a = :v, b = :w', '{"pk": {"S": "k"}, "a": {"S": "old"}}',
                 '{":v": {"S": "x"}, ":w": {"L": []}}');
SELECT pg_temp.u('  sEt   a=:v  ', '{"pk": {"S": "k"}}', '{":v": {"BOOL": false}}');
-- names from placeholders may hold any character, even dots
SELECT pg_temp.u('SET #a = :v, #b = :v', '{"pk": {"S": "k"}}', '{":v": {"NULL": true}}',
                 '{"#a": "a.b", "#b": "3can include any character!.#="}');
-- empty strings, binaries, lists and maps can be stored; empty sets cannot exist
SELECT pg_temp.u('SET d = :v1, e = :v2, f = :v3, g = :v4', '{"pk": {"S": "k"}}',
                 '{":v1": {"L": []}, ":v2": {"M": {}}, ":v3": {"S": ""}, ":v4": {"B": ""}}');
SELECT pg_temp.u('SET a = :v', '{"pk": {"S": "k"}}', '{":v": {"SS": []}}');
-- nested maps and lists
SELECT pg_temp.u('SET a.c = :v, a.d = :w', '{"pk": {"S": "k"}, "a": {"M": {"b": {"N": "3"}, "c": {"N": "4"}}}}',
                 '{":v": {"N": "7"}, ":w": {"S": "new"}}');
SELECT pg_temp.u('SET a.c[1].#x.y[1] = :v',
                 '{"pk": {"S": "k"}, "a": {"M": {"c": {"L": [{"S": "hi"}, {"M": {"x": {"M": {"y": {"L": [{"N": "3"}, {"N": "5"}, {"N": "7"}]}}}}}]}}}}',
                 '{":v": {"N": "9"}}', '{"#x": "x"}');
SELECT pg_temp.u('SET a.c = :v', '{"pk": {"S": "k"}, "a": {"M": {"c": {"M": {"deep": {"N": "1"}}}}}}',
                 '{":v": {"N": "7"}}') AS replaced_by_other_type;
-- a list index past the end appends; several appends go in index order
SELECT pg_temp.u('SET a[1] = :v', '{"pk": {"S": "k"}, "a": {"L": [{"S": "one"}, {"S": "two"}, {"S": "three"}]}}',
                 '{":v": {"S": "hello"}}');
SELECT pg_temp.u('SET a[7] = :v', '{"pk": {"S": "k"}, "a": {"L": [{"S": "one"}, {"S": "two"}]}}',
                 '{":v": {"S": "end"}}');
SELECT pg_temp.u('SET a[84] = :v1, a[37] = :v2, a[17] = :v3, a[50] = :v4', '{"pk": {"S": "k"}, "a": {"L": [{"S": "x"}]}}',
                 '{":v1": {"S": "a1"}, ":v2": {"S": "a2"}, ":v3": {"S": "a3"}, ":v4": {"S": "a4"}}');
SELECT pg_temp.u('SET a[0] = :v', '{"pk": {"S": "k"}, "a": {"L": []}}', '{":v": {"N": "1"}}') AS into_empty_list;
-- right-hand sides read the item as it was before the update
SELECT pg_temp.u('SET a = b, b = a', '{"pk": {"S": "k"}, "a": {"N": "1"}, "b": {"S": "two"}}') AS swap;
SELECT pg_temp.u('SET z = a.c.x, y = a.c', '{"pk": {"S": "k"}, "a": {"M": {"c": {"M": {"x": {"N": "7"}}}}}}') AS copy_nested;
SELECT pg_temp.u('SET #one = #two', '{"pk": {"S": "k"}, "a": {"S": "hello"}}', NULL,
                 '{"#one": "c", "#two": "a"}');
SELECT pg_temp.u('SET k2 = pk', '{"pk": {"S": "k"}}') AS read_key;
SELECT pg_temp.u('SET a = a', '{"pk": {"S": "k"}, "a": {"S": "same"}}') AS self;
SELECT pg_temp.u('SET x = :v, y = x', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET z = z', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET z = a.b[1]', '{"pk": {"S": "k"}, "a": {"M": {"b": {"L": [{"N": "1"}]}}}}');
-- the parent of the target must exist with the right type
SELECT pg_temp.u('SET a.c = :v', '{"pk": {"S": "k"}, "a": {"S": "hello"}}', '{":v": {"N": "7"}}');
SELECT pg_temp.u('SET b.c = :v', '{"pk": {"S": "k"}, "b": {"L": [{"S": "hi"}]}}', '{":v": {"N": "7"}}');
SELECT pg_temp.u('SET c.c = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "7"}}');
SELECT pg_temp.u('SET a[0] = :v', '{"pk": {"S": "k"}, "a": {"S": "hello"}}', '{":v": {"N": "7"}}');
SELECT pg_temp.u('SET m[1] = :v', '{"pk": {"S": "k"}, "m": {"M": {"1": {"S": "a"}}}}', '{":v": {"N": "7"}}');
SELECT pg_temp.u('SET l.#1 = :v', '{"pk": {"S": "k"}, "l": {"L": [{"S": "a"}, {"S": "b"}]}}', '{":v": {"N": "7"}}',
                 '{"#1": "1"}');
SELECT pg_temp.u('SET a[5].b = :v', '{"pk": {"S": "k"}, "a": {"L": [{"M": {}}]}}', '{":v": {"N": "7"}}');
SELECT pg_temp.u('SET a[0].b = :v', '{"pk": {"S": "k"}, "a": {"L": [{"M": {}}]}}', '{":v": {"N": "7"}}') AS inside_element;

--
-- + and -
--
SELECT pg_temp.u('SET b = :v1 + :v2, c = :v1 - :v2', '{"pk": {"S": "k"}}', '{":v1": {"N": "4"}, ":v2": {"N": "3"}}');
SELECT pg_temp.u('SET a = a + :v, b = :v - a', '{"pk": {"S": "k"}, "a": {"N": "2"}}', '{":v": {"N": "0.5"}}');
SELECT pg_temp.u('SET n = n + n', '{"pk": {"S": "k"}, "n": {"N": "-7"}}');
SELECT pg_temp.u('SET #nn = :seven - #n', '{"pk": {"S": "k"}, "n": {"N": "2"}}', '{":seven": {"N": "7"}}',
                 '{"#nn": "nn", "#n": "n"}');
-- exact decimal arithmetic on 38 digits
SELECT pg_temp.u('SET a = a + :v', '{"pk": {"S": "k"}, "a": {"N": "99999999999999999999999999999999999998"}}',
                 '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET a = a + :v', '{"pk": {"S": "k"}, "a": {"N": "0.1"}}', '{":v": {"N": "0.2"}}');
SELECT pg_temp.u('SET a = a + :v', '{"pk": {"S": "k"}, "a": {"N": "1e50"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET a = a - :v', '{"pk": {"S": "k"}, "a": {"N": "-9.9999999999999999999999999999999999999E+125"}}',
                 '{":v": {"N": "1e125"}}');
-- operand types: constants are checked up front, item values when applying
SELECT pg_temp.u('SET b = :v1 + :v2', '{"pk": {"S": "k"}}', '{":v1": {"S": "dog"}, ":v2": {"N": "3"}}');
SELECT pg_temp.u('SET b = a - :v', '{"pk": {"S": "k"}}', '{":v": {"L": []}}');
SELECT pg_temp.u('SET b = :v + a', '{"pk": {"S": "k"}}', '{":v": {"SS": ["1"]}}');
SELECT pg_temp.u('SET b = a + :v', '{"pk": {"S": "k"}, "a": {"S": "x"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET b = a + :v', '{"pk": {"S": "k"}, "a": {"NS": ["1"]}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET b = q + :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
-- exactly one + or -; parentheses around operands or the whole value
SELECT pg_temp.u('SET b = :v + :v + :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET b = (:v + :v), c = (:v) - :v, d = ((:v))', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET b = (((:v)))', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET b = (a.b).c + :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET (a = :v)', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET b = :v * :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');

--
-- if_not_exists and list_append
--
SELECT pg_temp.u('SET a = if_not_exists(a, :v), b = if_not_exists(c, :w)',
                 '{"pk": {"S": "k"}, "a": {"N": "2"}}', '{":v": {"N": "3"}, ":w": {"N": "4"}}');
SELECT pg_temp.u('SET b = if_not_exists(a, :v)', '{"pk": {"S": "k"}, "a": {"N": "2"}}', '{":v": {"N": "6"}}') AS copies_a;
SELECT pg_temp.u('SET b = if_not_exists(b, :one) + :two', '{"pk": {"S": "k"}}',
                 '{":one": {"N": "2"}, ":two": {"N": "3"}}') AS counter;
SELECT pg_temp.u('SET a = if_not_exists(b, if_not_exists(c, :v))', '{"pk": {"S": "k"}}', '{":v": {"N": "3"}}') AS nested;
SELECT pg_temp.u('SET a = list_append(:v1, :v2)', '{"pk": {"S": "k"}}',
                 '{":v1": {"L": [{"N": "4"}, {"S": "hello"}]}, ":v2": {"L": [{"S": "hi"}, {"N": "7"}]}}');
SELECT pg_temp.u('SET a = list_append(a, :v), b = list_append(:v, a), c = list_append(a, a)',
                 '{"pk": {"S": "k"}, "a": {"L": [{"S": "x"}]}}', '{":v": {"L": [{"N": "1"}]}}');
SELECT pg_temp.u('SET l = list_append(if_not_exists(l, :empty), :new)', '{"pk": {"S": "k"}}',
                 '{":empty": {"L": []}, ":new": {"L": [{"S": "first"}]}}') AS append_idiom;
SELECT pg_temp.u('SET a = list_append(b, :v)', '{"pk": {"S": "k"}}', '{":v": {"L": []}}');
SELECT pg_temp.u('SET a = list_append(:v, b)', '{"pk": {"S": "k"}, "b": {"SS": ["x"]}}', '{":v": {"L": []}}');
SELECT pg_temp.u('SET a = list_append(:v, :w)', '{"pk": {"S": "k"}}', '{":v": {"L": []}, ":w": {"S": "hi"}}');
SELECT pg_temp.u('SET a = list_append(list_append(:v, :v), :v)', '{"pk": {"S": "k"}}', '{":v": {"L": []}}');
SELECT pg_temp.u('SET a = list_append(:v)', '{"pk": {"S": "k"}}', '{":v": {"L": []}}');
SELECT pg_temp.u('SET a = if_not_exists(:v, :v)', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET a = if_not_exists(if_not_exists(a, :v), :v)', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET a = if_not_exists(a, :v + :v)', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET a = LIST_APPEND(:v, :v)', '{"pk": {"S": "k"}}', '{":v": {"L": []}}');
SELECT pg_temp.u('SET a = size(b)', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET a = f123_hi(b, c, d)', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET a = _f(b)', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET if_not_exists(a, :v) = a', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');

--
-- REMOVE
--
SELECT pg_temp.u('REMOVE a, c', '{"pk": {"S": "k"}, "a": {"S": "x"}, "b": {"S": "y"}}');
SELECT pg_temp.u('REMOVE a.c[1].x.y[1], a.c[1].q',
                 '{"pk": {"S": "k"}, "a": {"M": {"b": {"N": "3"}, "c": {"L": [{"S": "hi"}, {"M": {"x": {"M": {"y": {"L": [{"N": "3"}, {"N": "5"}, {"N": "7"}]}}}, "q": {"N": "2"}}}]}}}}');
SELECT pg_temp.u('REMOVE a.b', '{"pk": {"S": "k"}, "a": {"M": {"b": {"N": "1"}}}}') AS leaves_empty_map;
SELECT pg_temp.u('REMOVE a[0]', '{"pk": {"S": "k"}, "a": {"L": [{"N": "1"}]}}') AS leaves_empty_list;
SELECT pg_temp.u('REMOVE a[1], a[3]', '{"pk": {"S": "k"}, "a": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"N": "3"}, {"N": "4"}]}}') AS original_positions;
SELECT pg_temp.u('REMOVE a[17], b[7], c', '{"pk": {"S": "k"}, "a": {"L": [{"N": "4"}]}, "b": {"L": []}}') AS past_the_end;
SELECT pg_temp.u('REMOVE a.y, b[7], c', '{"pk": {"S": "k"}, "a": {"M": {"x": {"N": "3"}}}, "b": {"L": [{"S": "hi"}]}}') AS missing_leaves;
SELECT pg_temp.u('REMOVE a.c', '{"pk": {"S": "k"}, "a": {"S": "hello"}}');
SELECT pg_temp.u('REMOVE c.c', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('REMOVE a[0]', '{"pk": {"S": "k"}, "a": {"M": {}}}');
-- on an item that does not exist, REMOVE and DELETE of a bad path do nothing
SELECT new_item, creates_item
  FROM ddb.expr_update('REMOVE x.y, z[0]', '{"pk": {"S": "k"}}', NULL, NULL, '{pk}', false);
SELECT new_item FROM ddb.expr_update('DELETE x.y :s', '{"pk": {"S": "k"}}', NULL,
                                     '{":s": {"SS": ["a"]}}', '{pk}', false);
SELECT new_item FROM ddb.expr_update('SET x.y = :s', '{"pk": {"S": "k"}}', NULL,
                                     '{":s": {"SS": ["a"]}}', '{pk}', false);
-- REMOVE and SET on one list: indexes are the positions before the update
SELECT pg_temp.u('REMOVE a[1] SET a[3] = :v', '{"pk": {"S": "k"}, "a": {"L": [{"N": "2"}, {"N": "3"}, {"N": "4"}, {"N": "5"}, {"N": "6"}, {"N": "7"}]}}',
                 '{":v": {"N": "17"}}');
SELECT pg_temp.u('SET a[3] = :v REMOVE a[1]', '{"pk": {"S": "k"}, "a": {"L": [{"N": "2"}, {"N": "3"}, {"N": "4"}, {"N": "5"}, {"N": "6"}, {"N": "7"}]}}',
                 '{":v": {"N": "17"}}');
SELECT pg_temp.u('REMOVE a[0] SET a[9] = :v, a[1].x = :v', '{"pk": {"S": "k"}, "a": {"L": [{"N": "1"}, {"M": {}}]}}',
                 '{":v": {"N": "9"}}');
SELECT pg_temp.u('REMOVE a SET b = a', '{"pk": {"S": "k"}, "a": {"S": "hello"}}') AS read_removed;

--
-- ADD
--
SELECT pg_temp.u('ADD a :v', '{"pk": {"S": "k"}, "a": {"N": "3"}}', '{":v": {"N": "4"}}');
SELECT pg_temp.u('ADD b :v', '{"pk": {"S": "k"}}', '{":v": {"N": "-7.5"}}') AS creates_number;
SELECT pg_temp.u('ADD s :v', '{"pk": {"S": "k"}, "s": {"SS": ["dog", "cat"]}}', '{":v": {"SS": ["pig", "cat"]}}');
SELECT pg_temp.u('ADD s :v', '{"pk": {"S": "k"}}', '{":v": {"NS": ["1", "2.0"]}}') AS creates_set;
SELECT pg_temp.u('ADD s :v', '{"pk": {"S": "k"}, "s": {"BS": ["YQ=="]}}', '{":v": {"BS": ["Yg=="]}}');
SELECT pg_temp.u('ADD m.n :v, m.s :w, l[1] :v, l[5] :v',
                 '{"pk": {"S": "k"}, "m": {"M": {"n": {"N": "1"}}}, "l": {"L": [{"N": "1"}, {"N": "2"}]}}',
                 '{":v": {"N": "10"}, ":w": {"SS": ["x"]}}') AS nested;
SELECT pg_temp.u('ADD a :v', '{"pk": {"S": "k"}, "a": {"N": "99999999999999999999999999999999999999"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('ADD a :v', '{"pk": {"S": "k"}, "a": {"S": "hi"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('ADD a :v', '{"pk": {"S": "k"}, "a": {"SS": ["x"]}}', '{":v": {"NS": ["1"]}}');
SELECT pg_temp.u('ADD a :v', '{"pk": {"S": "k"}, "a": {"NS": ["1"]}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('ADD a :v', '{"pk": {"S": "k"}, "a": {"L": [{"N": "1"}]}}', '{":v": {"L": [{"N": "2"}]}}');
SELECT pg_temp.u('ADD a.b :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('ADD a :v', '{"pk": {"S": "k"}}', '{":v": {"S": "hello"}}');
SELECT pg_temp.u('ADD a :v', '{"pk": {"S": "k"}}', '{":v": {"B": "YQ=="}}');
SELECT pg_temp.u('ADD a :v', '{"pk": {"S": "k"}}', '{":v": {"BOOL": true}}');
SELECT pg_temp.u('ADD a :v', '{"pk": {"S": "k"}}', '{":v": {"NULL": true}}');
SELECT pg_temp.u('ADD a :v', '{"pk": {"S": "k"}}', '{":v": {"M": {}}}');
SELECT pg_temp.u('ADD a b', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('ADD a = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');

--
-- DELETE
--
SELECT pg_temp.u('DELETE s :v', '{"pk": {"S": "k"}, "s": {"SS": ["dog", "cat", "mouse"]}}', '{":v": {"SS": ["cat", "mouse", "pig"]}}');
SELECT pg_temp.u('DELETE s :v', '{"pk": {"S": "k"}, "s": {"NS": ["1", "2"]}}', '{":v": {"NS": ["1.0", "2"]}}') AS emptied_removed;
SELECT pg_temp.u('DELETE s :v, m.t :v, l[0] :v',
                 '{"pk": {"S": "k"}, "m": {"M": {"t": {"BS": ["YQ=="]}}}, "l": {"L": [{"BS": ["YQ=="]}, {"N": "1"}]}}',
                 '{":v": {"BS": ["YQ=="]}}') AS nested_emptied;
SELECT pg_temp.u('DELETE s :v', '{"pk": {"S": "k"}, "s": {"SS": ["a"]}}', '{":v": {"NS": ["1"]}}');
SELECT pg_temp.u('DELETE s :v', '{"pk": {"S": "k"}, "s": {"N": "1"}}', '{":v": {"NS": ["1"]}}');
SELECT pg_temp.u('DELETE s.a :v', '{"pk": {"S": "k"}, "s": {"N": "1"}}', '{":v": {"NS": ["1"]}}');
SELECT pg_temp.u('DELETE s :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('DELETE s :v', '{"pk": {"S": "k"}}', '{":v": {"S": "a"}}');
SELECT pg_temp.u('DELETE s :v', '{"pk": {"S": "k"}}', '{":v": {"L": [{"S": "a"}]}}');

--
-- Clauses, paths and the order of checks
--
SELECT pg_temp.u('SET c = :v REMOVE b ADD n :one DELETE s :s', '{"pk": {"S": "k"}, "b": {"N": "1"}, "s": {"SS": ["x", "y"]}}',
                 '{":v": {"N": "3"}, ":one": {"N": "1"}, ":s": {"SS": ["x"]}}') AS all_clauses;
SELECT pg_temp.u('delete s :s add n :one remove b set c = :v', '{"pk": {"S": "k"}, "b": {"N": "1"}, "s": {"SS": ["x", "y"]}}',
                 '{":v": {"N": "3"}, ":one": {"N": "1"}, ":s": {"SS": ["x"]}}') AS any_order;
SELECT pg_temp.u('SET a = :v SET b = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET a = :v REMOVE b SET c = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('remove #d set a = b remove e', '{"pk": {"S": "k"}}', NULL, '{"#d": "d"}');
SELECT pg_temp.u('add #d :e set a = b add e :f', '{"pk": {"S": "k"}}', NULL, '{"#d": "d"}');
SELECT pg_temp.u('delete #d :e set a = b delete #e :f', '{"pk": {"S": "k"}}', NULL, '{"#d": "d", "#e": "e"}');
SELECT pg_temp.u('HELLO b = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET a = :v,', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET a = :v, REMOVE b', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET a :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('REMOVE a = b', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('REMOVE :a', '{"pk": {"S": "k"}}', '{":a": {"N": "1"}}');
SELECT pg_temp.u('SET :a = :b', '{"pk": {"S": "k"}}', '{":a": {"N": "1"}, ":b": {"N": "1"}}');
SELECT pg_temp.u('SET a = set', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET a[:v] = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET a = "eight"', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET _123 = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET 123a = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET hi-there = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET # = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}', '{"#a": "x"}');
SELECT pg_temp.u('SET a = :', '{"pk": {"S": "k"}}', '{":a": {"N": "1"}}');
SELECT pg_temp.u('SET a = :v', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET #a = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}', '{"#b": "a"}');
SELECT pg_temp.u('SET a = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}, ":w": {"N": "2"}}');
SELECT pg_temp.u('SET a = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}', '{"#x": "x"}');
SELECT pg_temp.u('', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET a = :v, ' || repeat(' ', 4090), '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
-- reserved words, as written
SELECT pg_temp.u(' set #c = :c set abOrt = true ', '{"pk": {"S": "k"}}', '{":a": {"S": "a"}}', '{"#a": "a"}');
SELECT pg_temp.u(' remove Absolute ', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET a.size = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
-- unknown function before a repeated clause, undefined names before values
SELECT pg_temp.u('set #c = if_not_exist(:c) set c = d', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET #c = if_not_exists(:c)', '{"pk": {"S": "k"}}', '{":a": {"S": "a"}}', '{"#a": "a"}');
SELECT pg_temp.u('SET #a = if_not_exists(:c)', '{"pk": {"S": "k"}}', '{":a": {"S": "a"}}', '{"#a": "a"}');
-- overlapping paths (before conflicts), compared after placeholders are resolved
SELECT pg_temp.u('SET a = :v REMOVE a', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET #a1 = :v, #a2 = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}', '{"#a1": "a", "#a2": "a"}');
SELECT pg_temp.u('set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)', '{"pk": {"S": "k"}}', NULL,
                 '{"#c": "c", "#d": "[3]"}');
SELECT pg_temp.u('set c.b.#c = a, c = a, #d = a', '{"pk": {"S": "k"}}', NULL, '{"#c": "c", "#d": "[3]"}');
SELECT pg_temp.u('set #c[3].#d = a, #c[3] = a', '{"pk": {"S": "k"}}', NULL, '{"#c": "c", "#d": "[3]"}');
SELECT pg_temp.u('remove c, #c.a, #d', '{"pk": {"S": "k"}}', NULL, '{"#c": "c", "#d": "[3]"}');
SELECT pg_temp.u('SET a[1][1][1][1] = :v, a[1][1] = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('set #c[3].#d = a, #c.#d[3] = if_not_exists(a)', '{"pk": {"S": "k"}}', NULL,
                 '{"#c": "c", "#d": "[3]"}');
SELECT pg_temp.u('remove a.#c set a[1] = #d', '{"pk": {"S": "k"}}', NULL, '{"#c": "c", "#d": "[3]"}');
SELECT pg_temp.u('SET a.b.c = :v, a.b[2] = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET a.b = :v, a.c = :v, a[1].b = :v, a[2] = :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('SET a.b = :v, a.c.d = :v, b.x = :v REMOVE a.x, b.y',
                 '{"pk": {"S": "k"}, "a": {"M": {"x": {"N": "3"}, "c": {"M": {}}}}, "b": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}}',
                 '{":v": {"N": "10"}}') AS no_overlap;
-- ADD / DELETE operand types come after overlaps, function errors last
SELECT pg_temp.u('set b = list_append(:a, a), c = if_not_exists(a) add a.b :a', '{"pk": {"S": "k"}}', '{":a": {"S": "a"}}');
SELECT pg_temp.u('set b = list_append(:a, a), c = if_not_exists(a)', '{"pk": {"S": "k"}}', '{":a": {"S": "a"}}');
SELECT pg_temp.u('set a = :a + :c', '{"pk": {"S": "k"}}', '{":a": {"S": "a"}, ":c": {"B": "YQ=="}}');

--
-- Key attributes
--
SELECT pg_temp.u('SET pk = :v', '{"pk": {"S": "k"}}', '{":v": {"S": "x"}}');
SELECT pg_temp.u('REMOVE d SET b = :v, pk = :v', '{"pk": {"S": "k"}}', '{":v": {"S": "x"}}');
SELECT pg_temp.u('ADD pk.b :v', '{"pk": {"S": "k"}}', '{":v": {"N": "1"}}');
SELECT pg_temp.u('DELETE #k :v', '{"pk": {"S": "k"}}', '{":v": {"SS": ["k"]}}', '{"#k": "pk"}');
SELECT new_item FROM ddb.expr_update('delete b :a remove a', '{"a": {"S": "x"}, "b": {"S": "y"}}', NULL,
                                     '{":a": {"NS": ["1"]}}', '{a,b}');
SELECT pg_temp.u('SET x = pk.y', '{"pk": {"S": "k"}}');
SELECT pg_temp.u('SET x = list_append(pk[0], :v)', '{"pk": {"S": "k"}}', '{":v": {"L": []}}');

--
-- UPDATED_OLD and UPDATED_NEW
--
SELECT * FROM pg_temp.r('SET b = :v, c = :w', '{"pk": {"S": "k"}, "a": {"S": "hi"}, "b": {"S": "dog"}}',
                        '{":v": {"S": "cat"}, ":w": {"S": "hello"}}');
SELECT * FROM pg_temp.r('SET b = :v', '{"pk": {"S": "k"}, "b": {"S": "cat"}}', '{":v": {"S": "cat"}}') AS same_value;
SELECT * FROM pg_temp.r('REMOVE b', '{"pk": {"S": "k"}, "b": {"S": "cat"}}');
SELECT * FROM pg_temp.r('SET b = :v', '{"pk": {"S": "k"}}', '{":v": {"S": "cat"}}') AS new_attribute;
SELECT * FROM pg_temp.r('SET a = a + :v', '{"pk": {"S": "k"}, "a": {"N": "1"}}', '{":v": {"N": "1"}}');
SELECT * FROM pg_temp.r('ADD s :v DELETE t :v', '{"pk": {"S": "k"}, "s": {"SS": ["a"]}, "t": {"SS": ["a", "b"]}}',
                        '{":v": {"SS": ["b"]}}');
-- nested targets are returned with their nesting, not the whole attribute
SELECT * FROM pg_temp.r('SET a.c[1] = :v, a.b = :w', '{"pk": {"S": "k"}, "a": {"M": {"b": {"S": "yo"}, "c": {"L": [{"N": "1"}, {"N": "7"}, {"N": "3"}]}}}, "d": {"S": "cat"}}',
                        '{":v": {"N": "8"}, ":w": {"S": "dog"}}');
SELECT * FROM pg_temp.r('REMOVE a.c[1], a.c[3]', '{"pk": {"S": "k"}, "a": {"M": {"c": {"L": [{"N": "1"}, {"N": "3"}, {"N": "3"}]}}}}');
SELECT * FROM pg_temp.r('SET a.x1 = :v', '{"pk": {"S": "k"}, "a": {"M": {}}}', '{":v": {"N": "8"}}');
-- an element appended past the end is not in UPDATED_NEW; after a removal
-- the element that moved into the position is
SELECT * FROM pg_temp.r('SET a.c[100] = :v', '{"pk": {"S": "k"}, "a": {"M": {"c": {"L": [{"N": "1"}]}}}}', '{":v": {"N": "70"}}');
SELECT * FROM pg_temp.r('REMOVE a.c[1]', '{"pk": {"S": "k"}, "a": {"M": {"c": {"L": [{"N": "1"}, {"N": "2"}, {"N": "70"}]}}}}');
SELECT * FROM pg_temp.r('SET l[2] = :v, l[0] = :v', '{"pk": {"S": "k"}, "l": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}}',
                        '{":v": {"N": "0"}}') AS list_order;

--
-- Whether a missing item is created
--
SELECT creates_item FROM ddb.expr_update('SET a = :v', '{"pk": {"S": "k"}}', NULL, '{":v": {"N": "1"}}', '{pk}', false);
SELECT creates_item FROM ddb.expr_update('ADD a :v', '{"pk": {"S": "k"}}', NULL, '{":v": {"N": "1"}}', '{pk}', false);
SELECT creates_item FROM ddb.expr_update('REMOVE a', '{"pk": {"S": "k"}}', NULL, NULL, '{pk}', false);
SELECT creates_item FROM ddb.expr_update('DELETE a :v', '{"pk": {"S": "k"}}', NULL, '{":v": {"NS": ["1"]}}', '{pk}', false);
SELECT creates_item FROM ddb.expr_update('REMOVE a SET b = :v', '{"pk": {"S": "k"}}', NULL, '{":v": {"N": "1"}}', '{pk}', false);

DROP EXTENSION ddb_emul;
