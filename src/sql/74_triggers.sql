/*
 * Stream-triggered functions: Lambda's event source mappings for DynamoDB
 * streams, with SQL functions in the place of Lambda functions.  See
 * src/triggers.c.
 *
 * A mapping delivers the records of one stream (the table's stream when the
 * mapping was created), in SequenceNumber order, in batches
 * {"Records": [record, ...]} to a function taking one jsonb argument, run
 * as the role that created the mapping.  The function's effects and the
 * mapping's new position commit together, so every record reaches a
 * function that succeeds exactly once.
 *
 * The tables are written only by the functions below (as the extension's
 * owner); every role sees the mappings of the roles it is a member of, and
 * their failures.
 */
CREATE TABLE ddb.event_source_mappings (
	uuid		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	table_name	text NOT NULL COLLATE "C",
	stream_arn	text NOT NULL COLLATE "C",
	function	regprocedure NOT NULL,
	owner		regrole NOT NULL,
	starting_position text NOT NULL CHECK (starting_position IN ('TRIM_HORIZON', 'LATEST')),
	batch_size	integer NOT NULL CHECK (batch_size BETWEEN 1 AND 10000),
	maximum_batching_window_in_seconds integer NOT NULL
		CHECK (maximum_batching_window_in_seconds BETWEEN 0 AND 300),
	maximum_retry_attempts integer NOT NULL CHECK (maximum_retry_attempts BETWEEN -1 AND 10000),
	maximum_record_age_in_seconds integer NOT NULL
		CHECK (maximum_record_age_in_seconds = -1
			   OR maximum_record_age_in_seconds BETWEEN 60 AND 604800),
	bisect_batch_on_function_error boolean NOT NULL,
	function_response_types text[] NOT NULL DEFAULT '{}',
	on_failure	regclass,
	enabled		boolean NOT NULL,
	-- where it is: every record up to last_sequence_number has been
	-- delivered (or sent to the on-failure destination)
	last_sequence_number numeric NOT NULL,
	-- a failed batch is retried as it was: the last SequenceNumbers of the
	-- batches still to deliver before going on, innermost (the next) last;
	-- bisecting pushes the end of a batch's first half
	pending_batch_ends numeric[] NOT NULL DEFAULT '{}',
	retry_attempts integer NOT NULL DEFAULT 0,	/* failed retries of the pending batch */
	invoke_count integer NOT NULL DEFAULT 0,	/* invocations since the last success */
	next_attempt_at timestamptz,
	last_processing_result text NOT NULL DEFAULT 'No records processed',
	last_error	text,
	last_error_sqlstate text,
	last_attempt_at timestamptz,
	batches_delivered bigint NOT NULL DEFAULT 0,
	records_delivered bigint NOT NULL DEFAULT 0,
	records_failed bigint NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_modified timestamptz NOT NULL DEFAULT now(),
	UNIQUE (stream_arn, function)
);
COMMENT ON TABLE ddb.event_source_mappings IS
'ddb_emul: event source mappings, delivering stream records to functions';

/*
 * The default on-failure destination: batches that exhausted their retries
 * or grew too old, with Lambda's OnFailure invocation record.  A table
 * given as a mapping's on_failure gets the same rows, in the columns it has
 * among these (by name).
 */
CREATE TABLE ddb.event_source_failures (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	mapping_uuid uuid NOT NULL,
	owner		regrole NOT NULL,
	stream_arn	text NOT NULL COLLATE "C",
	function	regprocedure NOT NULL,
	condition	text NOT NULL,
	start_sequence_number text,
	end_sequence_number text NOT NULL,
	batch_size	integer NOT NULL,
	approximate_invoke_count integer NOT NULL,
	error		text,
	error_sqlstate text,
	payload		jsonb,
	record		jsonb NOT NULL,
	created_at	timestamptz NOT NULL
);
CREATE INDEX ON ddb.event_source_failures (mapping_uuid, id);
COMMENT ON TABLE ddb.event_source_failures IS
'ddb_emul: stream batches that event source mappings gave up on';

ALTER TABLE ddb.event_source_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE ddb.event_source_failures ENABLE ROW LEVEL SECURITY;
CREATE POLICY event_source_mappings_of_owner ON ddb.event_source_mappings FOR SELECT
	USING (pg_catalog.pg_has_role(owner::oid, 'USAGE'));
CREATE POLICY event_source_failures_of_owner ON ddb.event_source_failures FOR SELECT
	USING (pg_catalog.pg_has_role(owner::oid, 'USAGE'));
GRANT SELECT ON ddb.event_source_mappings, ddb.event_source_failures TO PUBLIC;

CREATE FUNCTION ddb.create_event_source_mapping(
	event_source text,
	function regprocedure,
	starting_position text,
	batch_size integer DEFAULT 100,
	maximum_batching_window_in_seconds integer DEFAULT 0,
	maximum_retry_attempts integer DEFAULT -1,
	maximum_record_age_in_seconds integer DEFAULT -1,
	bisect_batch_on_function_error boolean DEFAULT false,
	function_response_types text[] DEFAULT '{}',
	on_failure regclass DEFAULT NULL,
	enabled boolean DEFAULT true)
RETURNS uuid
AS 'MODULE_PATHNAME', 'ddb_create_event_source_mapping' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.create_event_source_mapping(text, regprocedure, text, integer, integer,
	integer, integer, boolean, text[], regclass, boolean) IS
'ddb_emul: deliver the records of a table''s stream in batches to a function run as the calling role; returns the mapping''s UUID';

CREATE FUNCTION ddb.update_event_source_mapping(
	uuid uuid,
	function regprocedure DEFAULT NULL,
	batch_size integer DEFAULT NULL,
	maximum_batching_window_in_seconds integer DEFAULT NULL,
	maximum_retry_attempts integer DEFAULT NULL,
	maximum_record_age_in_seconds integer DEFAULT NULL,
	bisect_batch_on_function_error boolean DEFAULT NULL,
	function_response_types text[] DEFAULT NULL,
	on_failure regclass DEFAULT NULL,
	enabled boolean DEFAULT NULL)
RETURNS ddb.event_source_mappings
AS 'MODULE_PATHNAME', 'ddb_update_event_source_mapping' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.update_event_source_mapping(uuid, regprocedure, integer, integer, integer,
	integer, boolean, text[], regclass, boolean) IS
'ddb_emul: change what is given (not NULL) of an event source mapping; on_failure => ''-'' removes the destination; returns the mapping';

CREATE FUNCTION ddb.delete_event_source_mapping(uuid uuid)
RETURNS ddb.event_source_mappings
AS 'MODULE_PATHNAME', 'ddb_delete_event_source_mapping' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.delete_event_source_mapping(uuid) IS
'ddb_emul: delete an event source mapping; returns it as it was';

CREATE FUNCTION ddb.deliver_stream_batches_now(now timestamptz DEFAULT now(),
											   pump boolean DEFAULT true)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ddb_deliver_stream_batches_now' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION ddb.deliver_stream_batches_now(timestamptz, boolean) IS
'ddb_emul: pump the streams, then deliver in this transaction every batch ready at the given time; returns how many batches functions took';

CREATE FUNCTION ddb.pause_background_delivery() RETURNS void
AS 'MODULE_PATHNAME', 'ddb_pause_background_delivery' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION ddb.pause_background_delivery() IS
'ddb_emul: until ddb.resume_background_delivery() or the end of this session, the background worker delivers no stream batches';
CREATE FUNCTION ddb.resume_background_delivery() RETURNS boolean
AS 'MODULE_PATHNAME', 'ddb_resume_background_delivery' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION ddb.resume_background_delivery() IS
'ddb_emul: end this session''s ddb.pause_background_delivery(); returns whether it held one';

-- Mappings run functions as the role that created them: who may create
-- them is the administrator's decision (GRANT EXECUTE on these functions).
REVOKE EXECUTE ON FUNCTION
	ddb.create_event_source_mapping(text, regprocedure, text, integer, integer, integer, integer,
									boolean, text[], regclass, boolean),
	ddb.update_event_source_mapping(uuid, regprocedure, integer, integer, integer, integer,
									boolean, text[], regclass, boolean),
	ddb.delete_event_source_mapping(uuid),
	ddb.deliver_stream_batches_now(timestamptz, boolean),
	ddb.pause_background_delivery(),
	ddb.resume_background_delivery() FROM PUBLIC;
