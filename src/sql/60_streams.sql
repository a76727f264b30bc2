/*
 * DynamoDB Streams: the streams of tables (kept 24 hours after they are
 * disabled or their table deleted) and the records decoded from the WAL
 * by the output plugin ddb_emul (kept 24 hours).  See src/streams.c.
 */
CREATE TABLE ddb.streams (
	stream_arn	text PRIMARY KEY COLLATE "C",
	table_name	text NOT NULL COLLATE "C",
	stream_label text NOT NULL,
	view_type	text NOT NULL,
	key_schema	jsonb NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	start_lsn	pg_lsn NOT NULL,
	disabled_at timestamptz,
	end_lsn		pg_lsn
);
CREATE INDEX ON ddb.streams (table_name) WHERE disabled_at IS NULL;
COMMENT ON TABLE ddb.streams IS 'ddb_emul: DynamoDB streams, enabled and recently disabled';

CREATE TABLE ddb.stream_records (
	stream_arn	text NOT NULL COLLATE "C",
	seq			numeric NOT NULL,
	lsn			pg_lsn NOT NULL,
	record		jsonb NOT NULL,
	created_at	timestamptz NOT NULL,
	PRIMARY KEY (stream_arn, seq)
);
CREATE INDEX ON ddb.stream_records (created_at);
COMMENT ON TABLE ddb.stream_records IS 'ddb_emul: stream records of the last 24 hours, in the Lambda event shape';
GRANT SELECT ON ddb.streams, ddb.stream_records TO PUBLIC;

/* How far the pump decoded the slot (committed with what it stored). */
CREATE TABLE ddb.stream_pump_state (decoded_upto pg_lsn NOT NULL);
INSERT INTO ddb.stream_pump_state VALUES ('0/0');

/*
 * A streams slot left by an earlier installation of the extension in this
 * database would decode changes against catalogs that no longer exist.
 */
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
 WHERE slot_name = 'ddb_emul_streams_' || (SELECT oid FROM pg_database WHERE datname = current_database());

/* The SequenceNumber the plugin gives change n of a transaction committed at lsn. */
CREATE FUNCTION ddb.stream_sequence_number(lsn pg_lsn, n integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lpad((lsn - '0/0'::pg_lsn)::text, 20, '0') || lpad(n::text, 10, '0') || '0' $$;

CREATE FUNCTION ddb.stream_pump() RETURNS bigint
AS 'MODULE_PATHNAME', 'ddb_stream_pump' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.stream_pump() IS
'ddb_emul: move newly decoded stream records into ddb.stream_records; returns how many';
CREATE FUNCTION ddb.stream_slot_create() RETURNS void
AS 'MODULE_PATHNAME', 'ddb_stream_slot_create' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.stream_slot_create() IS
'ddb_emul: create this database''s streams slot ahead of enabling a stream in a writing transaction';

CREATE FUNCTION ddb.list_streams(request jsonb DEFAULT '{}') RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_list_streams' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION ddb.describe_stream(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_describe_stream' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION ddb.get_shard_iterator(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_get_shard_iterator' LANGUAGE C STRICT VOLATILE;
CREATE FUNCTION ddb.get_records(request jsonb) RETURNS jsonb
AS 'MODULE_PATHNAME', 'ddb_get_records' LANGUAGE C STRICT VOLATILE;
