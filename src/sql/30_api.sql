/*
 * The wire-level API: ddb.execute(action, request) and one function per
 * action, each taking and returning DynamoDB's JSON 1.0 bodies.
 */
CREATE FUNCTION ddb.execute(action text, request jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_execute'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION ddb.execute(text, jsonb) IS
'Run a DynamoDB API action (e.g. ''PutItem'') on a JSON 1.0 request body';

CREATE FUNCTION ddb.create_table(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_create_table' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION ddb.describe_table(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_describe_table' LANGUAGE C STRICT STABLE;
CREATE FUNCTION ddb.list_tables(request jsonb DEFAULT '{}') RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_list_tables' LANGUAGE C STRICT STABLE;
CREATE FUNCTION ddb.delete_table(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_delete_table' LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION ddb.put_item(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_put_item' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION ddb.get_item(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_get_item' LANGUAGE C STRICT STABLE;
CREATE FUNCTION ddb.delete_item(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_delete_item' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION ddb.update_item(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_update_item' LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION ddb.query(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_query' LANGUAGE C STRICT STABLE;
CREATE FUNCTION ddb.scan(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_scan' LANGUAGE C STRICT STABLE;
CREATE FUNCTION ddb.batch_get_item(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_batch_get_item' LANGUAGE C STRICT STABLE;
CREATE FUNCTION ddb.batch_write_item(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_batch_write_item' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION ddb.transact_get_items(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_transact_get_items' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION ddb.transact_write_items(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_transact_write_items' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION ddb.update_table(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_update_table' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION ddb.update_time_to_live(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_update_time_to_live' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION ddb.describe_time_to_live(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_describe_time_to_live' LANGUAGE C STRICT STABLE;
