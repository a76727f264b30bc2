--
-- expr_projection: ProjectionExpression through ddb.expr_project(), which
-- projects a given item without touching any table.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE EXTENSION ddb_emul;

CREATE FUNCTION pg_temp.item() RETURNS jsonb LANGUAGE sql AS $$
  SELECT '{"p": {"S": "key"}, "c": {"S": "sort"},
           "a": {"M": {"b": {"L": [{"N": "2"}, {"N": "4"}, {"M": {"x": {"S": "hi"}, "y": {"S": "yo"}}}]},
                       "c": {"N": "5"}}},
           "b": {"S": "hello"}, "a.b": {"S": "dotted"},
           "l": {"L": [{"L": [{"N": "0"}, {"N": "1"}]}, {"S": "x"}, {"N": "2"}, {"N": "3"}]},
           "status": {"S": "on"}}'::jsonb
$$;
CREATE FUNCTION pg_temp.p(expr text, names jsonb DEFAULT NULL) RETURNS jsonb
  LANGUAGE sql AS $$ SELECT ddb.expr_project(expr, pg_temp.item(), names) $$;

-- top-level attributes; key attributes only when asked for
SELECT pg_temp.p('b');
SELECT pg_temp.p('c, b');
SELECT pg_temp.p('p,c');
SELECT pg_temp.p('  b  ,   status2  ');
SELECT pg_temp.p('nonexistent') AS nothing_is_empty_item;
-- a missing item stays missing
SELECT ddb.expr_project('b', NULL) IS NULL AS no_item;

-- nested paths keep their nesting; list elements keep their order
SELECT pg_temp.p('a');
SELECT pg_temp.p('a.b');
SELECT pg_temp.p('a.b[0]');
SELECT pg_temp.p('a.b[2].y');
SELECT pg_temp.p('a.b[0], a.b[1]');
SELECT pg_temp.p('a.b[2], a.b[0]') AS index_order;
SELECT pg_temp.p('a.b[0], a.c');
SELECT pg_temp.p('a.c, b');
SELECT pg_temp.p('l[3], l[0][1], l[1]');
SELECT pg_temp.p('a.x, a.b[0], x, a.b[3].x') AS missing_paths_skipped;
SELECT pg_temp.p('a.b[3], a.x.y, a.b.x, a[0], a.b[0].x, a.b[0][0], b.c, l[9]') AS nothing_resolves;

-- names and placeholders
SELECT pg_temp.p('#n1.#n2', '{"#n1": "a", "#n2": "c"}');
SELECT pg_temp.p('#name', '{"#name": "a.b"}') AS dotted_name;
SELECT pg_temp.p('#s', '{"#s": "status"}') AS reserved_via_placeholder;
SELECT pg_temp.p('status');
SELECT pg_temp.p('a.#n2', '{"#wrong": "b"}');
SELECT pg_temp.p('a.#n2', '{"#n2": "b", "#unused": "x"}');
SELECT pg_temp.p('#a', '{}');

-- overlapping and conflicting paths
SELECT pg_temp.p('b, b');
SELECT pg_temp.p('a.b[0],a.b[0]');
SELECT pg_temp.p('a, a.b[0]');
SELECT pg_temp.p('a.b.d, a.b');
SELECT pg_temp.p('#x, a.c', '{"#x": "a"}');
SELECT pg_temp.p('a.b, a[1]');
SELECT pg_temp.p('a.b.c, a.b[1]');
SELECT pg_temp.p('a[1], a.b');
SELECT pg_temp.p('a.b, a.c, a.b.d.e, a[2]');
SELECT pg_temp.p('a.b, a.c[2]') AS not_overlapping;

-- syntax
SELECT pg_temp.p('a,');
SELECT pg_temp.p(',a');
SELECT pg_temp.p('a,,b');
SELECT pg_temp.p('a b');
SELECT pg_temp.p('a.');
SELECT pg_temp.p('a[');
SELECT pg_temp.p('a[x]');
SELECT pg_temp.p('a[-1]');
SELECT pg_temp.p('size(a)');
SELECT pg_temp.p(':v');
SELECT pg_temp.p('(a)');
SELECT pg_temp.p('a!!');
SELECT pg_temp.p('and, or');
SELECT pg_temp.p('');
-- limits
SELECT pg_temp.p('a' || repeat('.b', 31)) AS levels_32;
SELECT pg_temp.p('a' || repeat('.b', 32));
SELECT pg_temp.p('a[99999999999999]');
SELECT pg_temp.p(string_agg('x' || i, ', ')) AS many_paths
  FROM generate_series(1, 700) i;
SELECT pg_temp.p(string_agg('x' || i, ', '))
  FROM generate_series(1, 800) i;

DROP EXTENSION ddb_emul;
