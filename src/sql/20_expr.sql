/*
 * Expression engine: functions that evaluate a DynamoDB expression against
 * a given item without touching any table.  They take DynamoDB's typed
 * JSON (an item is {"name": {"S": "x"}, ...}; names and vals are the
 * request's ExpressionAttributeNames / ExpressionAttributeValues) and raise
 * the same errors as the item operations, so they serve to test and debug
 * expressions.
 */
CREATE FUNCTION ddb.expr_eval_condition(expr text, item jsonb,
										names jsonb DEFAULT NULL,
										vals jsonb DEFAULT NULL,
										kind text DEFAULT 'Condition')
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'ddb_expr_eval_condition'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION ddb.expr_eval_condition(text, jsonb, jsonb, jsonb, text) IS
	'ddb_emul: evaluate a Condition/Filter/KeyCondition expression against an item (no table involved)';

CREATE FUNCTION ddb.expr_project(expr text, item jsonb, names jsonb DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ddb_expr_project'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION ddb.expr_project(text, jsonb, jsonb) IS
	'ddb_emul: apply a ProjectionExpression to an item (no table involved)';

CREATE FUNCTION ddb.expr_update(expr text, item jsonb,
								names jsonb DEFAULT NULL,
								vals jsonb DEFAULT NULL,
								key_names text[] DEFAULT NULL,
								item_existed boolean DEFAULT true,
								OUT new_item jsonb,
								OUT updated_old jsonb,
								OUT updated_new jsonb,
								OUT creates_item boolean)
	AS 'MODULE_PATHNAME', 'ddb_expr_update'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION ddb.expr_update(text, jsonb, jsonb, jsonb, text[], boolean) IS
	'ddb_emul: apply an UpdateExpression to a copy of an item and return the result with UPDATED_OLD/UPDATED_NEW (no table involved)';

CREATE FUNCTION ddb.expr_key_condition(expr text, names jsonb, vals jsonb,
									   hash_key text, hash_type text,
									   range_key text DEFAULT NULL,
									   range_type text DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ddb_expr_key_condition'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION ddb.expr_key_condition(text, jsonb, jsonb, text, text, text, text) IS
	'ddb_emul: check a KeyConditionExpression against a key schema and return its parts (no table involved)';

CREATE FUNCTION ddb.expr_top_level_names(expr text, kind text DEFAULT 'Condition',
										 names jsonb DEFAULT NULL,
										 vals jsonb DEFAULT NULL)
	RETURNS text[]
	AS 'MODULE_PATHNAME', 'ddb_expr_top_level_names'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION ddb.expr_top_level_names(text, text, jsonb, jsonb) IS
	'ddb_emul: top-level attribute names an expression refers to';

CREATE FUNCTION ddb.expr_cache_stats(OUT entries integer, OUT hits bigint,
									 OUT misses bigint, OUT evictions bigint,
									 OUT bytes bigint)
	AS 'MODULE_PATHNAME', 'ddb_expr_cache_stats'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION ddb.expr_cache_stats() IS
	'ddb_emul: statistics of this backend''s cache of parsed expressions';

CREATE FUNCTION ddb.expr_cache_reset() RETURNS void
	AS 'MODULE_PATHNAME', 'ddb_expr_cache_reset'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION ddb.expr_cache_reset() IS
	'ddb_emul: empty this backend''s cache of parsed expressions';
