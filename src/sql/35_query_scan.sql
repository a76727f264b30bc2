/*
 * Query and Scan for SQL: set-returning functions that follow
 * LastEvaluatedKey page by page and return every item as a row, reading
 * one page at a time (src/query_scan.c), and the segment function behind
 * parallel scans (src/access.c).
 */

CREATE FUNCTION ddb.scan_segment(partition_key bytea, total_segments integer)
RETURNS integer
AS 'MODULE_PATHNAME', 'ddb_scan_segment'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ddb.scan_segment(bytea, integer) IS
'Segment (0 .. total_segments - 1) of a parallel Scan that returns the items of an encoded partition key';

-- The whole DynamoDB request; Limit is the number of items read per page.
CREATE FUNCTION ddb.query_items(request jsonb, OUT item jsonb)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'ddb_query_items'
LANGUAGE C STRICT STABLE ROWS 100;
COMMENT ON FUNCTION ddb.query_items(jsonb) IS
'Every item of a DynamoDB Query request (all pages), one typed item per row';

CREATE FUNCTION ddb.query_items(table_name text, key_condition text,
                                expression_values jsonb DEFAULT NULL,
                                filter text DEFAULT NULL,
                                expression_names jsonb DEFAULT NULL,
                                scan_forward boolean DEFAULT true,
                                projection text DEFAULT NULL,
                                page_size integer DEFAULT NULL,
                                OUT item jsonb)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'ddb_query_items_args'
LANGUAGE C STABLE ROWS 100;
COMMENT ON FUNCTION ddb.query_items(text, text, jsonb, text, jsonb, boolean, text, integer) IS
'Every item of a Query of table_name by key_condition (all pages), one typed item per row';

CREATE FUNCTION ddb.scan_items(request jsonb, OUT item jsonb)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'ddb_scan_items'
LANGUAGE C STRICT STABLE ROWS 1000;
COMMENT ON FUNCTION ddb.scan_items(jsonb) IS
'Every item of a DynamoDB Scan request (all pages), one typed item per row';

CREATE FUNCTION ddb.scan_items(table_name text,
                               filter text DEFAULT NULL,
                               expression_values jsonb DEFAULT NULL,
                               expression_names jsonb DEFAULT NULL,
                               projection text DEFAULT NULL,
                               segment integer DEFAULT NULL,
                               total_segments integer DEFAULT NULL,
                               page_size integer DEFAULT NULL,
                               OUT item jsonb)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'ddb_scan_items_args'
LANGUAGE C STABLE ROWS 1000;
COMMENT ON FUNCTION ddb.scan_items(text, text, jsonb, jsonb, text, integer, integer, integer) IS
'Every item of a Scan of table_name (all pages, optionally one segment), one typed item per row; a first argument in JSON alone is taken as the whole request';
