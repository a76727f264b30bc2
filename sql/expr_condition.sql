--
-- expr_condition: ConditionExpression / FilterExpression grammar, functions,
-- evaluation and errors, through ddb.expr_eval_condition(), which evaluates
-- an expression against a given item without touching any table.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

-- The item most checks run against.
CREATE FUNCTION pg_temp.item() RETURNS jsonb LANGUAGE sql AS $$
  SELECT '{"pk": {"S": "k1"},
           "n": {"N": "5"}, "neg": {"N": "-12.5"}, "big": {"N": "1e20"},
           "s": {"S": "hello"}, "e": {"S": ""}, "u": {"S": "é"},
           "b": {"B": "aGk="}, "b7f": {"B": "fw=="}, "b80": {"B": "gA=="},
           "t": {"BOOL": true}, "f": {"BOOL": false}, "nul": {"NULL": true},
           "l": {"L": [{"N": "1"}, {"S": "x"}, {"L": [{"N": "2"}]}, {"SS": ["a"]}]},
           "m": {"M": {"x": {"N": "1"}, "y": {"L": [{"N": "-1"}, {"N": "2"}, {"N": "0"}]},
                       "z": {"M": {}}, "a.b": {"S": "dot"}}},
           "ss": {"SS": ["a", "b", "c"]}, "ns": {"NS": ["1", "2", "3"]},
           "bs": {"BS": ["aGk=", "eA=="]}, "el": {"L": []}}'::jsonb
$$;
-- c(expr, vals, names): evaluate against the item above.
CREATE FUNCTION pg_temp.c(expr text, vals jsonb DEFAULT NULL, names jsonb DEFAULT NULL)
  RETURNS boolean LANGUAGE sql AS $$
  SELECT ddb.expr_eval_condition(expr, pg_temp.item(), names, vals)
$$;

--
-- Comparators on every type
--
SELECT pg_temp.c('n = :v', '{":v": {"N": "5.00"}}') AS num_eq_numeric,
       pg_temp.c('n <> :v', '{":v": {"N": "5"}}') AS num_ne,
       pg_temp.c('n < :v', '{":v": {"N": "10"}}') AS num_lt_numeric_not_text,
       pg_temp.c('neg < :v', '{":v": {"N": "-12"}}') AS neg_lt,
       pg_temp.c('big > :v', '{":v": {"N": "99999999999999999999"}}') AS big_gt,
       pg_temp.c('n <= :v AND n >= :v', '{":v": {"N": "5"}}') AS le_ge;
SELECT pg_temp.c('s = :v', '{":v": {"S": "hello"}}') AS str_eq,
       pg_temp.c('s < :v', '{":v": {"S": "help"}}') AS str_lt,
       pg_temp.c('u > :v', '{":v": {"S": "z"}}') AS utf8_bytes_after_ascii,
       pg_temp.c('e = :v', '{":v": {"S": ""}}') AS empty_string,
       pg_temp.c('b = :v', '{":v": {"B": "aGk="}}') AS bin_eq,
       pg_temp.c('b80 > b7f') AS bin_unsigned,
       pg_temp.c('b80 > :v', '{":v": {"B": "fw=="}}') AS bin_unsigned_const;
SELECT pg_temp.c('t = :v', '{":v": {"BOOL": true}}') AS bool_eq,
       pg_temp.c('t = f') AS bool_ne,
       pg_temp.c('nul = :v', '{":v": {"NULL": true}}') AS null_eq,
       pg_temp.c('ss = :v', '{":v": {"SS": ["c", "a", "b"]}}') AS set_unordered,
       pg_temp.c('ns = :v', '{":v": {"NS": ["3.0", "1", "2"]}}') AS numset_numeric,
       pg_temp.c('bs = :v', '{":v": {"BS": ["eA==", "aGk="]}}') AS binset,
       pg_temp.c('ss = :v', '{":v": {"SS": ["a", "b"]}}') AS set_subset_ne;
SELECT pg_temp.c('l = :v', '{":v": {"L": [{"N": "1.0"}, {"S": "x"}, {"L": [{"N": "2"}]}, {"SS": ["a"]}]}}') AS list_eq,
       pg_temp.c('m.y = :v', '{":v": {"L": [{"N": "2"}, {"N": "-1"}, {"N": "0"}]}}') AS list_order_matters,
       pg_temp.c('m.z = :v', '{":v": {"M": {}}}') AS empty_map,
       pg_temp.c('m = :v', '{":v": {"M": {"x": {"N": "1"}}}}') AS map_needs_all_keys,
       pg_temp.c('el = :v', '{":v": {"L": []}}') AS empty_list;
-- different types are never equal nor ordered; <> is then true
SELECT pg_temp.c('n = :v', '{":v": {"S": "5"}}') AS n_eq_s,
       pg_temp.c('n <> :v', '{":v": {"S": "5"}}') AS n_ne_s,
       pg_temp.c('n < :v', '{":v": {"S": "6"}}') AS n_lt_s,
       pg_temp.c('s >= :v', '{":v": {"B": "aGk="}}') AS s_ge_b,
       pg_temp.c('l < :v', '{":v": {"N": "1"}}') AS list_from_item_lt;
-- missing attributes: = is false, <> true, ordering false; two missing are not equal
SELECT pg_temp.c('q = :v', '{":v": {"N": "1"}}') AS missing_eq,
       pg_temp.c('q <> :v', '{":v": {"N": "1"}}') AS missing_ne,
       pg_temp.c(':v > q', '{":v": {"N": "1"}}') AS missing_gt,
       pg_temp.c('q = z') AS two_missing_eq,
       pg_temp.c('q <> z') AS two_missing_ne,
       pg_temp.c('q <= z OR q >= z') AS two_missing_ordered;
-- constants may be on either side, or both
SELECT pg_temp.c(':a < :b', '{":a": {"N": "1"}, ":b": {"N": "2"}}') AS two_constants,
       pg_temp.c(':a = n', '{":a": {"N": "5"}}') AS constant_first;
-- an ordering comparison with a constant that is not S, N or B is an error
SELECT pg_temp.c('n < :v', '{":v": {"L": [{"N": "1"}]}}');
SELECT pg_temp.c(':v >= n', '{":v": {"SS": ["a"]}}');
SELECT pg_temp.c('n > :v', '{":v": {"BOOL": true}}');
SELECT pg_temp.c('n <= :v', '{":v": {"NULL": true}}');
SELECT pg_temp.c('n = :v', '{":v": {"M": {}}}') AS eq_accepts_any_type;
-- the two sides may not be the same path
SELECT pg_temp.c('n = n');
SELECT pg_temp.c('#a < n', NULL, '{"#a": "n"}');
SELECT pg_temp.c('m.y[1] <> m.y[1]');
SELECT pg_temp.c('m.y[1] <> m.y[2]') AS different_paths_ok;

--
-- BETWEEN
--
SELECT pg_temp.c('n BETWEEN :a AND :b', '{":a": {"N": "1"}, ":b": {"N": "10"}}') AS num_between,
       pg_temp.c('n between :a and :b', '{":a": {"N": "5"}, ":b": {"N": "5"}}') AS inclusive,
       pg_temp.c('s BETWEEN :a AND :b', '{":a": {"S": "a"}, ":b": {"S": "hello"}}') AS str_between,
       pg_temp.c('b80 BETWEEN b7f AND :b', '{":b": {"B": "gQ=="}}') AS bin_between,
       pg_temp.c('n BETWEEN :a AND :b', '{":a": {"N": "6"}, ":b": {"N": "10"}}') AS below,
       pg_temp.c('q BETWEEN :a AND :b', '{":a": {"N": "1"}, ":b": {"N": "10"}}') AS missing,
       pg_temp.c('n BETWEEN :a AND :b', '{":a": {"S": "1"}, ":b": {"S": "9"}}') AS other_type;
-- bounds from the item: a mismatch or reversed bounds are just false
SELECT pg_temp.c('n BETWEEN s AND :b', '{":b": {"N": "10"}}') AS mixed_from_item,
       pg_temp.c('n BETWEEN :a AND m.x', '{":a": {"N": "10"}}') AS reversed_from_item;
-- constant bounds: same type, lower <= upper, S/N/B only
SELECT pg_temp.c('n BETWEEN :a AND :b', '{":a": {"N": "2"}, ":b": {"S": "dog"}}');
SELECT pg_temp.c('n BETWEEN :a AND :b', '{":a": {"N": "2"}, ":b": {"N": "1"}}');
SELECT pg_temp.c('s BETWEEN :a AND :b', '{":a": {"S": "b"}, ":b": {"S": "a"}}');
SELECT pg_temp.c('n BETWEEN :a AND :b', '{":a": {"L": []}, ":b": {"L": []}}');
SELECT pg_temp.c(':v BETWEEN n AND n', '{":v": {"BOOL": true}}');
-- BETWEEN binds tighter than AND
SELECT pg_temp.c('n BETWEEN :a AND :b AND s = :s',
                 '{":a": {"N": "1"}, ":b": {"N": "9"}, ":s": {"S": "hello"}}') AS between_and;
SELECT pg_temp.c('n BETWEEN :a');
SELECT pg_temp.c('n BETWEEN :a OR :b', '{":a": {"N": "1"}, ":b": {"N": "9"}}');

--
-- IN
--
SELECT pg_temp.c('n IN (:a, :b)', '{":a": {"S": "5"}, ":b": {"N": "5.0"}}') AS in_mixed_types,
       pg_temp.c('s in (:a)', '{":a": {"S": "x"}}') AS no_match,
       pg_temp.c('q IN (:a, q)', '{":a": {"S": "x"}}') AS missing,
       pg_temp.c('ss IN (:a, m)', '{":a": {"SS": ["b", "c", "a"]}}') AS set_in,
       pg_temp.c('n IN (m.x, (n))') AS paths_in_list;
SELECT pg_temp.c('n IN ()');
SELECT pg_temp.c('n IN :a', '{":a": {"N": "1"}}');
-- 99 values (100 operands with the left side) are fine, 100 are not
SELECT pg_temp.c('n IN (' || string_agg(':v' || i, ', ') || ')',
                 jsonb_object_agg(':v' || i, jsonb_build_object('N', i::text)))
  FROM generate_series(1, 99) i;
SELECT pg_temp.c('n IN (' || string_agg(':v' || i, ', ') || ')',
                 jsonb_object_agg(':v' || i, jsonb_build_object('N', i::text)))
  FROM generate_series(1, 100) i;

--
-- AND, OR, NOT and parentheses
--
SELECT pg_temp.c('n = :five AND s = :s', '{":five": {"N": "5"}, ":s": {"S": "hello"}}') AS and_true,
       pg_temp.c('n = :five aNd s = :five', '{":five": {"N": "5"}}') AS and_false,
       pg_temp.c('n = :one Or s = :s', '{":one": {"N": "1"}, ":s": {"S": "hello"}}') AS or_true,
       pg_temp.c('NOT n = :one', '{":one": {"N": "1"}}') AS not_true,
       pg_temp.c('nOt NOT n = :one', '{":one": {"N": "1"}}') AS not_not,
       pg_temp.c('NOT NOT NOT NOT n = :five', '{":five": {"N": "5"}}') AS not4;
-- NOT binds tighter than AND, AND tighter than OR
SELECT pg_temp.c('NOT n = :five AND q = :five', '{":five": {"N": "5"}}') AS not_before_and,
       pg_temp.c('n = :five OR q = :five AND q = :five', '{":five": {"N": "5"}}') AS and_before_or,
       pg_temp.c('(n = :five OR q = :five) AND q = :five', '{":five": {"N": "5"}}') AS parens,
       pg_temp.c('NOT (n = :five AND q = :five)', '{":five": {"N": "5"}}') AS not_parens,
       pg_temp.c('((n = :five) AND (s = s2 OR t = t2)) OR f = t', '{":five": {"N": "5"}}') AS nested;
-- parentheses around an operand; a doubled pair is redundant
SELECT pg_temp.c('(n) = :five AND :five = (n)', '{":five": {"N": "5"}}') AS operand_parens,
       pg_temp.c('(size(s)) = :five', '{":five": {"N": "5"}}') AS function_parens,
       pg_temp.c('(attribute_exists(n))') AS condition_function_parens;
SELECT pg_temp.c('((n = :five))', '{":five": {"N": "5"}}');
SELECT pg_temp.c('((n)) = :five', '{":five": {"N": "5"}}');
SELECT pg_temp.c('NOT ((attribute_exists(n)))');
SELECT pg_temp.c('n IN ((:five))', '{":five": {"N": "5"}}') AS list_item_in_parens;
SELECT pg_temp.c('n IN (((:five)))', '{":five": {"N": "5"}}');
-- a bare operand is not a condition
SELECT pg_temp.c('n');
SELECT pg_temp.c(':five', '{":five": {"N": "5"}}');
SELECT pg_temp.c('NOT n');
SELECT pg_temp.c('n AND attribute_exists(s)');
SELECT pg_temp.c('attribute_exists(s) OR n');
SELECT pg_temp.c('(n)');
SELECT pg_temp.c('(n = :five) = :five', '{":five": {"N": "5"}}');

--
-- Functions
--
-- attribute_exists / attribute_not_exists
SELECT pg_temp.c('attribute_exists(n)') AS exists_top,
       pg_temp.c('attribute_exists(m.y[2])') AS exists_nested,
       pg_temp.c('attribute_exists(m.y[3])') AS past_end,
       pg_temp.c('attribute_exists(s.x)') AS dot_on_string,
       pg_temp.c('attribute_exists(m[0])') AS index_on_map,
       pg_temp.c('attribute_exists(#d)', NULL, '{"#d": "a.b"}') AS dot_in_name_via_ref,
       pg_temp.c('attribute_exists(m.#d)', NULL, '{"#d": "a.b"}') AS nested_dot_name,
       pg_temp.c('attribute_not_exists(q) AND attribute_not_exists(m.q)') AS not_exists,
       pg_temp.c('attribute_exists (nul)') AS null_value_exists;
SELECT ddb.expr_eval_condition('attribute_not_exists(pk)', NULL) AS no_item_create_only,
       ddb.expr_eval_condition('attribute_exists(pk)', NULL) AS no_item_exists;
SELECT pg_temp.c('attribute_exists(:v)', '{":v": {"N": "1"}}');
SELECT pg_temp.c('attribute_not_exists(size(s))');
SELECT pg_temp.c('attribute_exists(n, s)');
SELECT pg_temp.c('attribute_exists(n) = :v', '{":v": {"BOOL": true}}');
-- attribute_type
SELECT string_agg(t || '=' || pg_temp.c('attribute_type(' || a || ', :t)',
                                         jsonb_build_object(':t', jsonb_build_object('S', t)))::text, ' ' ORDER BY t)
  FROM (VALUES ('S', 's'), ('N', 'n'), ('B', 'b'), ('BOOL', 't'), ('NULL', 'nul'),
               ('M', 'm'), ('L', 'l'), ('SS', 'ss'), ('NS', 'ns'), ('BS', 'bs')) v(t, a);
SELECT pg_temp.c('attribute_type(n, :t)', '{":t": {"S": "S"}}') AS wrong_type,
       pg_temp.c('attribute_type(q, :t)', '{":t": {"S": "S"}}') AS missing,
       pg_temp.c('attribute_type(:v, :t)', '{":v": {"N": "1"}, ":t": {"S": "N"}}') AS constant_first_arg;
SELECT pg_temp.c('attribute_type(n, :t)', '{":t": {"S": "DOG"}}');
SELECT pg_temp.c('attribute_type(n, :t)', '{":t": {"S": "n"}}');
SELECT pg_temp.c('attribute_type(n, :t)', '{":t": {"N": "1"}}');
SELECT pg_temp.c('attribute_type(n, s)');
SELECT pg_temp.c('attribute_type(n, n)');
SELECT pg_temp.c('attribute_type(n)');
-- begins_with: strings and binaries, operands in either order
SELECT pg_temp.c('begins_with(s, :p)', '{":p": {"S": "he"}}') AS str_prefix,
       pg_temp.c('begins_with(s, :p)', '{":p": {"S": "hello"}}') AS whole,
       pg_temp.c('begins_with(s, :p)', '{":p": {"S": ""}}') AS empty_prefix,
       pg_temp.c('begins_with(s, :p)', '{":p": {"S": "hex"}}') AS not_prefix,
       pg_temp.c('begins_with(b, :p)', '{":p": {"B": "aA=="}}') AS bin_prefix,
       pg_temp.c('begins_with(b, :p)', '{":p": {"S": "h"}}') AS bin_vs_str,
       pg_temp.c('begins_with(:w, s)', '{":w": {"S": "hello world"}}') AS reversed,
       pg_temp.c('begins_with(n, e)') AS item_number,
       pg_temp.c('begins_with(q, :p)', '{":p": {"S": "h"}}') AS missing;
SELECT pg_temp.c('begins_with(s, :p)', '{":p": {"N": "1"}}');
SELECT pg_temp.c('begins_with(:p, s)', '{":p": {"SS": ["a"]}}');
SELECT pg_temp.c('begins_with(s, s)');
SELECT pg_temp.c('begins_with(s, size(s))');
SELECT pg_temp.c('BEGINS_WITH(s, :p)', '{":p": {"S": "h"}}');
SELECT pg_temp.c('begins_with(s)');
-- contains: substring, set member, list element
SELECT pg_temp.c('contains(s, :v)', '{":v": {"S": "ell"}}') AS substring,
       pg_temp.c('contains(s, :v)', '{":v": {"S": ""}}') AS empty_substring,
       pg_temp.c('contains(s, :v)', '{":v": {"S": "help"}}') AS no_substring,
       pg_temp.c('contains(b, :v)', '{":v": {"B": "aQ=="}}') AS bytes,
       pg_temp.c('contains(ss, :v)', '{":v": {"S": "b"}}') AS string_set,
       pg_temp.c('contains(ns, :v)', '{":v": {"N": "2.0"}}') AS number_set,
       pg_temp.c('contains(bs, :v)', '{":v": {"B": "eA=="}}') AS binary_set,
       pg_temp.c('contains(ns, :v)', '{":v": {"S": "2"}}') AS set_other_type,
       pg_temp.c('contains(l, :v)', '{":v": {"L": [{"N": "2"}]}}') AS list_holds_list,
       pg_temp.c('contains(l, :v)', '{":v": {"SS": ["a"]}}') AS list_holds_set,
       pg_temp.c('contains(l, :v)', '{":v": {"S": "x"}}') AS list_holds_string,
       pg_temp.c('contains(m, :v)', '{":v": {"S": "x"}}') AS map_never,
       pg_temp.c('contains(q, :v)', '{":v": {"S": "x"}}') AS missing,
       pg_temp.c('contains(:v, s)', '{":v": {"S": "oh hello"}}') AS constant_haystack;
SELECT pg_temp.c('contains(s, s)');
SELECT pg_temp.c('contains(s, :a, :b)', '{":a": {"S": "x"}, ":b": {"S": "x"}}');
-- size: bytes of S and B, members of sets, lists and maps
SELECT pg_temp.c('size(s) = :v', '{":v": {"N": "5"}}') AS string,
       pg_temp.c('size(u) = :v', '{":v": {"N": "2"}}') AS utf8_bytes,
       pg_temp.c('size(e) = :v', '{":v": {"N": "0"}}') AS empty,
       pg_temp.c('size(b) = :v', '{":v": {"N": "2"}}') AS binary,
       pg_temp.c('size(ss) = :v AND size(ns) = :v', '{":v": {"N": "3"}}') AS sets,
       pg_temp.c('size(l) = :v AND size(m) = :v', '{":v": {"N": "4"}}') AS list_map,
       pg_temp.c('size(el) = :v', '{":v": {"N": "0"}}') AS empty_list,
       pg_temp.c('size(:c) = :v', '{":c": {"S": "abc"}, ":v": {"N": "3"}}') AS constant,
       pg_temp.c('size(s) > size(b) AND size(s) BETWEEN :a AND :b AND size(s) IN (:b)',
                 '{":a": {"N": "1"}, ":b": {"N": "5"}}') AS in_comparisons,
       pg_temp.c('size(s) = :v', '{":v": {"S": "5"}}') AS compared_to_string;
SELECT pg_temp.c('size(n) = :v OR size(t) = :v OR size(nul) = :v OR size(q) = :v',
                 '{":v": {"N": "1"}}') AS undefined_size,
       pg_temp.c('size(n) <> :v', '{":v": {"N": "1"}}') AS undefined_ne;
SELECT pg_temp.c('size(s)');
SELECT pg_temp.c('size(:v) = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('size(:v) > :w', '{":v": {"BOOL": true}, ":w": {"N": "1"}}');
SELECT pg_temp.c('size(size(s)) = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('size(s, s) = :v', '{":v": {"N": "1"}}');
-- unknown, misused and update-only functions
SELECT pg_temp.c('dog(s) = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('if_not_exists(s, s) = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('list_append(s, s) = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('if_not_exists(s, :v)', '{":v": {"N": "1"}}');
SELECT pg_temp.c('contains(s, begins_with(s, :v))', '{":v": {"S": "x"}}');
SELECT pg_temp.c('s IN (attribute_exists(s))');
SELECT pg_temp.c('_f(s)');
SELECT pg_temp.c('contains()');

--
-- Document paths, names and reserved words
--
SELECT pg_temp.c('m.y[1] = :v', '{":v": {"N": "2"}}') AS index_path,
       pg_temp.c('l[2][0] = :v', '{":v": {"N": "2"}}') AS nested_index,
       pg_temp.c('l [ 2 ] [ 0 ] = :v', '{":v": {"N": "2"}}') AS spaces_in_path,
       pg_temp.c('m.y[007] = :v', '{":v": {"N": "0"}}') AS index_past_end_missing,
       pg_temp.c('#m.#y[0] < #n', NULL, '{"#m": "m", "#y": "y", "#n": "n"}') AS refs,
       pg_temp.c('#1 = :_', '{":_": {"N": "5"}}', '{"#1": "n"}') AS digit_and_underscore_refs,
       pg_temp.c('A_b9 <> :v', '{":v": {"N": "1"}}') AS name_chars,
       pg_temp.c('#kw = :v', '{":v": {"N": "5"}}', '{"#kw": "status"}') AS reserved_via_ref;
SELECT pg_temp.c('status = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('m.Count = :v', '{":v": {"N": "1"}}');
-- function names are not checked against reserved words (SIZE is one)
SELECT pg_temp.c('SIZE(s) = :v', '{":v": {"N": "1"}}');
-- 32 levels are fine, 33 are not; list indexes must fit
SELECT pg_temp.c('attribute_exists(a' || repeat('.b', 31) || ')') AS levels_32;
SELECT pg_temp.c('attribute_exists(a' || repeat('.b', 32) || ')');
SELECT pg_temp.c('attribute_exists(a' || repeat('[0]', 40) || ')');
SELECT pg_temp.c('attribute_exists(l[2147483647])') AS max_index;
SELECT pg_temp.c('attribute_exists(l[2147483648])');
SELECT pg_temp.c('attribute_exists(l[99999999999999])');
-- syntax errors: the token and the text around it
SELECT pg_temp.c('n-s = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('()');
SELECT pg_temp.c('n = ');
SELECT pg_temp.c('n = :v s', '{":v": {"N": "1"}}');
SELECT pg_temp.c('_n = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('1n = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n = "x"');
SELECT pg_temp.c('n == :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n != :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n < > :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('# = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n = :', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n = :v!', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n[:v] = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n[#i] = :v', '{":v": {"N": "1"}}', '{"#i": "x"}');
SELECT pg_temp.c('n.[0] = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n. = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n.and = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n = :v AND', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n = :v OR OR n = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('é = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('(n = :v', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n = :v)', '{":v": {"N": "1"}}');
SELECT pg_temp.c('size(s) = :v,', '{":v": {"N": "1"}}');
SELECT pg_temp.c('   ');
SELECT pg_temp.c('');

--
-- ExpressionAttributeNames / ExpressionAttributeValues
--
SELECT pg_temp.c('#x = :v', '{":v": {"N": "1"}}', '{"#y": "n"}');
SELECT pg_temp.c('n = :x', '{":v": {"N": "1"}}');
SELECT pg_temp.c('n = :v', '{":v": {"N": "5"}, ":w": {"N": "1"}}');
SELECT pg_temp.c('#a = :v', '{":v": {"N": "5"}}', '{"#a": "n", "#b": "s", "#c": "t"}');
-- unused names are reported before unused values
SELECT pg_temp.c('#a = :v', '{":v": {"N": "5"}, ":w": {"N": "1"}}', '{"#a": "n", "#b": "s"}');
SELECT pg_temp.c('n = :v', '{}');
SELECT pg_temp.c('n = :v', '{":v": {"N": "1"}}', '{}');
SELECT pg_temp.c('n = :v', '{"v": {"N": "1"}}');
SELECT pg_temp.c('n = :v', '{":v": {"N": "1"}, ":": {"N": "1"}}');
SELECT pg_temp.c('#a = :v', '{":v": {"N": "1"}}', '{"a": "n"}');
SELECT pg_temp.c('#a = :v', '{":v": {"N": "1"}}', '{"#a-b": "n"}');
SELECT pg_temp.c('#a = :v', '{":v": {"N": "1"}}', '{"#a": ""}');
SELECT pg_temp.c('n = :v', '{":v": {"N": "x"}}');
SELECT pg_temp.c('n = :v', '{":v": {"SS": []}}');
SELECT pg_temp.c('n = :v', '{":v": {}}');
SELECT pg_temp.c('n = :v', '{":v": {"N": 1}}');
SELECT pg_temp.c('n = :v', '[]');
SELECT pg_temp.c('#a = :v', '{":v": {"N": "1"}}', '{"#a": 1}');
-- the first undefined reference of a condition, in the order written
SELECT pg_temp.c('#a = :v AND #b = :w', '{":v": {"N": "1"}}', '{"#a": "n"}');
SELECT pg_temp.c('#a = :w AND #b = :v', '{":v": {"N": "1"}}', '{"#a": "n"}');

--
-- Limits and the order of checks
--
SELECT pg_temp.c(repeat(' ', 4090) || 'n = :v', '{":v": {"N": "5"}}') AS size_4096;
SELECT pg_temp.c(repeat(' ', 4091) || 'n = :v', '{":v": {"N": "5"}}');
-- 300 operators are fine, 301 are not
SELECT pg_temp.c('NOT ' || string_agg('n = :v', ' OR '), '{":v": {"N": "5"}}') AS ops_300
  FROM generate_series(1, 150);
SELECT pg_temp.c('NOT NOT ' || string_agg('n = :v', ' OR '), '{":v": {"N": "5"}}')
  FROM generate_series(1, 150);
-- syntax first, then redundant parentheses, unknown function, misused
-- function, reserved word, then per condition: undefined reference,
-- operand count, identical operands, operand type
SELECT pg_temp.c('((status = dog(:x))) AND');
SELECT pg_temp.c('((status = dog(:x)))');
SELECT pg_temp.c('status = dog(:x) AND size(s)');
SELECT pg_temp.c('status = size(:x) AND size(s)');
SELECT pg_temp.c('status = size(:x)');
SELECT pg_temp.c('s = size(:x, s) AND begins_with(s, s)');
SELECT pg_temp.c('s = size(s, s) AND begins_with(s, s)');
SELECT pg_temp.c('begins_with(s, s) AND n < :l', '{":l": {"L": []}}');
SELECT pg_temp.c('n < :l AND begins_with(s, s)', '{":l": {"L": []}}');

--
-- FilterExpression and KeyConditionExpression use the same grammar
--
SELECT ddb.expr_eval_condition('contains(ss, :v)', pg_temp.item(), NULL,
                               '{":v": {"S": "a"}}', 'Filter') AS filter;
SELECT ddb.expr_eval_condition('n < ', pg_temp.item(), NULL, NULL, 'Filter');
SELECT ddb.expr_eval_condition('pk = :v', pg_temp.item(), NULL,
                               '{":v": {"S": "k1"}}', 'KeyCondition') AS key_condition;
SELECT ddb.expr_eval_condition('pk = :v', pg_temp.item(), NULL, NULL, 'KeyCondition');
SELECT ddb.expr_eval_condition('pk = :v', pg_temp.item(), NULL, NULL, 'Update');

--
-- The top-level attributes an expression refers to
--
SELECT ddb.expr_top_level_names('#a.b = :v AND size(c[1]) > :v OR attribute_exists(#a) OR d IN (e, :v)',
                                'Condition', '{"#a": "x"}', '{":v": {"N": "1"}}');
SELECT ddb.expr_top_level_names('SET a.b = c + :v REMOVE d[0] ADD #e :v', 'Update',
                                '{"#e": "e"}', '{":v": {"N": "1"}}');
SELECT ddb.expr_top_level_names('a, b.c, #d[1]', 'Projection', '{"#d": "d"}');

--
-- Parsed expressions are cached per backend
--
SELECT ddb.expr_cache_reset();
SELECT pg_temp.c('n = :v AND attribute_exists(s)', '{":v": {"N": "5"}}') AS first;
SELECT pg_temp.c('n = :v AND attribute_exists(s)', '{":v": {"N": "6"}}') AS again_other_values;
SELECT pg_temp.c('#n = :v AND attribute_exists(s)', '{":v": {"N": "5"}}', '{"#n": "n"}') AS other_text;
SELECT entries, hits, misses FROM ddb.expr_cache_stats();
-- an error while binding leaves the cache usable
SELECT pg_temp.c('n = :v AND attribute_exists(s)', '{":w": {"N": "5"}}');
SELECT pg_temp.c('n = :v AND attribute_exists(s)', '{":v": {"N": "5"}}') AS after_error;
SELECT entries, hits, misses FROM ddb.expr_cache_stats();
-- syntax errors are not cached
SELECT pg_temp.c('n = = :v', '{":v": {"N": "5"}}');
SELECT entries FROM ddb.expr_cache_stats();
SELECT ddb.expr_cache_reset();
SELECT entries, hits, misses FROM ddb.expr_cache_stats();

DROP EXTENSION ddb_emul;
