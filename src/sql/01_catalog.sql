/*
 * Catalog of DynamoDB tables.
 *
 * One row per DynamoDB table.  The physical item table lives in schema
 * ddb_data (see physical_name); its columns are
 *   pk   bytea   -- ddb.encode_key() of the partition key value
 *   sk   bytea   -- ddb.encode_key() of the sort key value (composite keys only)
 *   item jsonb   -- the whole item in DynamoDB's typed JSON, canonical
 *   size integer -- DynamoDB's size of the item in bytes
 * with PRIMARY KEY (pk[, sk]).
 *
 * The table is a user catalog table so that the logical-decoding output
 * plugin can read key schemas and stream settings while decoding.
 */
CREATE SCHEMA ddb_data;
COMMENT ON SCHEMA ddb_data IS 'ddb_emul: one physical table per DynamoDB table';

CREATE TABLE ddb.tables (
	table_name		text PRIMARY KEY COLLATE "C",
	table_id		uuid NOT NULL,
	physical_name	text NOT NULL UNIQUE COLLATE "C",
	hash_key		text NOT NULL,
	hash_type		text NOT NULL CHECK (hash_type IN ('S', 'N', 'B')),
	range_key		text,
	range_type		text CHECK (range_type IN ('S', 'N', 'B')),
	attribute_definitions jsonb NOT NULL,
	key_schema		jsonb NOT NULL,
	billing_mode	text NOT NULL DEFAULT 'PROVISIONED',
	read_capacity	bigint NOT NULL DEFAULT 0,
	write_capacity	bigint NOT NULL DEFAULT 0,
	stream_enabled	boolean NOT NULL DEFAULT false,
	stream_view_type text,
	stream_label	text,
	ttl_attribute	text,
	ttl_status		text NOT NULL DEFAULT 'DISABLED',
	local_indexes	jsonb,
	global_indexes	jsonb,
	extra			jsonb NOT NULL DEFAULT '{}',	/* SSE, TableClass, DeletionProtection, Tags */
	created_at		timestamptz NOT NULL DEFAULT now(),
	CHECK ((range_key IS NULL) = (range_type IS NULL))
) WITH (user_catalog_table = true);

COMMENT ON TABLE ddb.tables IS 'ddb_emul: DynamoDB tables and their key schemas';

-- pg_dump keeps the catalog's rows (the item tables are ordinary tables).
SELECT pg_catalog.pg_extension_config_dump('ddb.tables', '');

GRANT USAGE ON SCHEMA ddb TO PUBLIC;
GRANT SELECT ON ddb.tables TO PUBLIC;
