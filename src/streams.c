/*-------------------------------------------------------------------------
 *
 * streams.c
 *	  The DynamoDB Streams API -- ListStreams, DescribeStream,
 *	  GetShardIterator, GetRecords -- over records that the output plugin
 *	  ddb_emul decodes from the WAL.
 *
 * Storage.  Every database with a stream has one logical replication slot,
 * ddb_emul_streams_<database oid>, using our own output plugin.  The pump
 * (ddb.stream_pump(), run by GetShardIterator/GetRecords/DescribeStream
 * before they read, and every second by the background worker) moves the
 * slot's records into the table ddb.stream_records, keyed by stream ARN
 * and SequenceNumber; readers page through that table.  So:
 *   - any number of independent readers each see every record (a shard
 *     iterator is just a position in the table, no slot per reader);
 *   - AT/AFTER_SEQUENCE_NUMBER and TRIM_HORIZON are index range reads;
 *   - WAL never waits for a reader that went away: the one slot is
 *     advanced as soon as its records are stored, and records older than
 *     24 hours are deleted (TrimmedDataAccessException after that);
 *   - exactly once: the pump peeks at the slot, inserts with ON CONFLICT
 *     DO NOTHING on (stream, SequenceNumber) -- the plugin gives a change
 *     the same SequenceNumber every time it is decoded -- and advances the
 *     slot only past records already committed to the table.
 * The slot exists while some table of the database has a stream; it is
 * created when the first stream is enabled (which must happen before that
 * transaction writes anything: PostgreSQL creates logical slots only in
 * transactions without writes) and dropped by the pump once no stream is
 * enabled and every record has been read out of it.
 *
 * A stream has one shard.
 *
 * src/streams.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/standby.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "ddb_emul.h"
#include "ops.h"
#include "request.h"
#include "streams.h"
#include "values.h"

#define ITERATOR_LIFETIME_SECONDS (15 * 60)
#define MAX_RECORDS_PER_CALL 1000
#define MAX_RESPONSE_BYTES (1024 * 1024)

static const char *const iterator_types[] = {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER",
"AFTER_SEQUENCE_NUMBER", NULL};

/* Name of this database's streams slot. */
char *
DdbStreamSlotName(void)
{
	return psprintf("ddb_emul_streams_%u", MyDatabaseId);
}

/* Run a query that must succeed; returns SPI_processed. */
static uint64
exec(const char *sql, int nargs, Oid *types, Datum *vals, const char *nulls,
	 bool read_only, int expected)
{
	int			ret = nargs ? SPI_execute_with_args(sql, nargs, types, vals, nulls, read_only, 0)
		: SPI_execute(sql, read_only, 0);

	if (ret != expected)
		elog(ERROR, "SPI_execute(\"%s\") failed: %s", sql, SPI_result_code_string(ret));
	return SPI_processed;
}

static bool
slot_exists(void)
{
	Oid			types[1] = {TEXTOID};
	Datum		vals[1] = {CStringGetTextDatum(DdbStreamSlotName())};

	return exec("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1",
				1, types, vals, NULL, true, SPI_OK_SELECT) > 0;
}

/*
 * Make sure this database's streams slot exists; called by CreateTable and
 * UpdateTable before they write anything when they enable a stream.
 */
void
DdbStreamsEnsureSlot(void)
{
	Oid			types[1] = {TEXTOID};
	Datum		vals[1];

	if (wal_level < WAL_LEVEL_LOGICAL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("DynamoDB streams need wal_level = logical"),
				 errhint("Set wal_level = logical in postgresql.conf and restart the server.")));
	/* The pump drops an unused slot under this lock. */
	exec("SELECT pg_advisory_xact_lock(hashtext('ddb_emul.stream_pump'))",
		 0, NULL, NULL, NULL, false, SPI_OK_SELECT);
	if (slot_exists())
		return;
	if (GetTopTransactionIdIfAny() != InvalidTransactionId)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the first stream of a database must be enabled in a transaction that has not written yet"),
				 errdetail("The stream records are decoded through a logical replication slot, which PostgreSQL creates only in such a transaction."),
				 errhint("Enable the stream in a transaction of its own, or run SELECT ddb.stream_slot_create() first.")));
	vals[0] = CStringGetTextDatum(DdbStreamSlotName());
	exec("SELECT pg_create_logical_replication_slot($1, 'ddb_emul')",
		 1, types, vals, NULL, false, SPI_OK_SELECT);
}

/*
 * Record a stream of table (enabled now, with label) in ddb.streams.
 */
void
DdbStreamRegister(const char *table, const char *label, const char *view_type,
				  Jsonb *key_schema)
{
	Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID};
	Datum		vals[5];

	vals[0] = CStringGetTextDatum(psprintf("arn:aws:dynamodb:%s:%s:table/%s/stream/%s",
										   ddb_region, ddb_account_id, table, label));
	vals[1] = CStringGetTextDatum(table);
	vals[2] = CStringGetTextDatum(label);
	vals[3] = CStringGetTextDatum(view_type);
	vals[4] = JsonbPGetDatum(key_schema);
	exec("INSERT INTO ddb.streams (stream_arn, table_name, stream_label, view_type, key_schema,"
		 " start_lsn) VALUES ($1, $2, $3, $4, $5, pg_current_wal_insert_lsn())",
		 5, types, vals, NULL, false, SPI_OK_INSERT);
}

/* Mark the enabled stream of table disabled (stream turned off, table deleted). */
void
DdbStreamDisable(const char *table)
{
	Oid			types[1] = {TEXTOID};
	Datum		vals[1] = {CStringGetTextDatum(table)};

	exec("UPDATE ddb.streams SET disabled_at = now(), end_lsn = pg_current_wal_insert_lsn()"
		 " WHERE table_name = $1 AND disabled_at IS NULL",
		 1, types, vals, NULL, false, SPI_OK_UPDATE);
}

/*
 * Move the slot's records into ddb.stream_records; trim what is older than
 * 24 hours.  Returns the number of new records.  Serialised by an advisory
 * lock (a slot serves one backend at a time).
 */
int64
DdbStreamPump(void)
{
	return DdbStreamPumpExt(true);
}

/*
 * The pump; with wait false it returns -1 at once when another pump holds
 * the lock (the background worker, which must not wait while it holds the
 * extension lock that DROP EXTENSION needs).
 */
int64
DdbStreamPumpExt(bool wait)
{
	Oid			types[1] = {TEXTOID};
	Datum		vals[1];
	Datum		upto;
	int64		n;

	if (wal_level < WAL_LEVEL_LOGICAL)
		return 0;
	if (wait)
		exec("SELECT pg_advisory_xact_lock(hashtext('ddb_emul.stream_pump'))",
			 0, NULL, NULL, NULL, false, SPI_OK_SELECT);
	else
	{
		bool		isnull;

		exec("SELECT pg_try_advisory_xact_lock(hashtext('ddb_emul.stream_pump'))",
			 0, NULL, NULL, NULL, false, SPI_OK_SELECT);
		if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
			return -1;
	}
	if (!slot_exists())
		return 0;
	vals[0] = CStringGetTextDatum(DdbStreamSlotName());

	/*
	 * Forget what is already stored: advance past the stored records and
	 * past what an earlier pump decoded (and committed) without finding
	 * records, so changes to tables without streams do not hold WAL back.
	 */
	exec("SELECT pg_replication_slot_advance($1, m)"
		 " FROM (SELECT greatest((SELECT max(lsn) FROM ddb.stream_records),"
		 "                       (SELECT decoded_upto FROM ddb.stream_pump_state)) AS m) s,"
		 "      pg_replication_slots r"
		 " WHERE r.slot_name = $1 AND m > r.confirmed_flush_lsn",
		 1, types, vals, NULL, false, SPI_OK_SELECT);

	/*
	 * Decode what is flushed now -- decoding reads no further than the
	 * flush position, so that, not the insert position, is how far this
	 * pump gets -- and remember it.
	 */
	exec("SELECT pg_current_wal_flush_lsn()", 0, NULL, NULL, NULL, false, SPI_OK_SELECT);
	{
		bool		isnull;

		upto = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	}
	{
		Oid			t2[2] = {TEXTOID, LSNOID};
		Datum		v2[2] = {vals[0], upto};

		n = exec("INSERT INTO ddb.stream_records (stream_arn, seq, lsn, record, created_at)"
				 " SELECT r->>'eventSourceARN', (r->'dynamodb'->>'SequenceNumber')::numeric, c.lsn, r,"
				 "   to_timestamp((r->'dynamodb'->>'ApproximateCreationDateTime')::float8)"
				 " FROM pg_logical_slot_peek_changes($1, $2, NULL) c,"
				 "   LATERAL (SELECT c.data::jsonb AS r) x"
				 " ON CONFLICT DO NOTHING",
				 2, t2, v2, NULL, false, SPI_OK_INSERT);
		exec("UPDATE ddb.stream_pump_state SET decoded_upto = $2 WHERE $1 IS NOT NULL",
			 2, t2, v2, NULL, false, SPI_OK_UPDATE);
	}

	/*
	 * A running-transactions record here gives the next pump's slot advance
	 * a restart point near the current position, so decoding does not start
	 * again from far back (PostgreSQL writes one only every 15 s).
	 */
	LogStandbySnapshot();

	/*
	 * With no stream enabled and nothing new decoded, the slot has nothing
	 * left to give: drop it so it holds no WAL back.
	 */
	if (n == 0 &&
		exec("SELECT 1 FROM ddb.streams WHERE disabled_at IS NULL LIMIT 1",
			 0, NULL, NULL, NULL, false, SPI_OK_SELECT) == 0)
		exec("SELECT pg_drop_replication_slot($1)", 1, types, vals, NULL, false, SPI_OK_SELECT);

	/* 24-hour retention, for records and for the streams themselves. */
	exec("DELETE FROM ddb.stream_records WHERE created_at < now() - interval '24 hours'",
		 0, NULL, NULL, NULL, false, SPI_OK_DELETE);
	exec("DELETE FROM ddb.streams WHERE disabled_at < now() - interval '24 hours'",
		 0, NULL, NULL, NULL, false, SPI_OK_DELETE);
	return n;
}

PG_FUNCTION_INFO_V1(ddb_stream_pump);

/* ddb.stream_pump() RETURNS bigint */
Datum
ddb_stream_pump(PG_FUNCTION_ARGS)
{
	int64		n;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	n = DdbStreamPump();
	SPI_finish();
	PG_RETURN_INT64(n);
}

PG_FUNCTION_INFO_V1(ddb_stream_slot_create);

/* ddb.stream_slot_create() RETURNS void: create the slot ahead of time. */
Datum
ddb_stream_slot_create(PG_FUNCTION_ARGS)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	DdbStreamsEnsureSlot();
	SPI_finish();
	PG_RETURN_VOID();
}

/* ---------------------------------------------------------------------
 * The API
 * ---------------------------------------------------------------------
 */

/* The shard id of a stream: its creation time and a hash of its ARN. */
static char *
shard_id(const char *arn, int64 created_ms)
{
	return psprintf("shardId-%013lld-%08x", (long long) created_ms,
					DatumGetUInt32(hash_any((const unsigned char *) arn, strlen(arn))));
}

typedef struct StreamRow
{
	char	   *arn;
	char	   *table_name;
	char	   *label;
	char	   *view_type;
	Jsonb	   *key_schema;
	int64		created_ms;
	bool		disabled;
	char	   *start_seq;		/* first sequence number the shard can hold */
	char	   *end_seq;		/* NULL while enabled */
} StreamRow;

/* The stream with ARN arn, or NULL. */
static StreamRow *
find_stream(const char *arn)
{
	Oid			types[1] = {TEXTOID};
	Datum		vals[1] = {CStringGetTextDatum(arn)};
	HeapTuple	tup;
	TupleDesc	desc;
	StreamRow  *s;
	bool		isnull;

	if (exec("SELECT stream_arn, table_name, stream_label, view_type, key_schema,"
			 "  (extract(epoch FROM created_at) * 1000)::bigint, disabled_at IS NOT NULL,"
			 "  ddb.stream_sequence_number(start_lsn, 0),"
			 "  coalesce((SELECT lpad(max(seq)::text, 31, '0') FROM ddb.stream_records r WHERE r.stream_arn = s.stream_arn),"
			 "           ddb.stream_sequence_number(end_lsn, 0))"
			 " FROM ddb.streams s WHERE stream_arn = $1",
			 1, types, vals, NULL, false, SPI_OK_SELECT) == 0)
		return NULL;
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	s = palloc0(sizeof(StreamRow));
	s->arn = SPI_getvalue(tup, desc, 1);
	s->table_name = SPI_getvalue(tup, desc, 2);
	s->label = SPI_getvalue(tup, desc, 3);
	s->view_type = SPI_getvalue(tup, desc, 4);
	s->key_schema = DatumGetJsonbPCopy(SPI_getbinval(tup, desc, 5, &isnull));
	s->created_ms = DatumGetInt64(SPI_getbinval(tup, desc, 6, &isnull));
	s->disabled = DatumGetBool(SPI_getbinval(tup, desc, 7, &isnull));
	s->start_seq = SPI_getvalue(tup, desc, 8);
	s->end_seq = s->disabled ? SPI_getvalue(tup, desc, 9) : NULL;
	return s;
}

static StreamRow *
required_stream(JsonbContainer *req)
{
	DdbConstraints c;
	char	   *arn = DdbReqString(req, "StreamArn", NULL);
	StreamRow  *s;

	DdbConstraintsInit(&c);
	if (arn == NULL)
		DdbConstraintAdd(&c, NULL, "streamArn", "Member must not be null");
	else if (strlen(arn) < 37)
		DdbConstraintAdd(&c, arn, "streamArn", "Member must have length greater than or equal to 37");
	else if (strlen(arn) > 1024)
		DdbConstraintAdd(&c, arn, "streamArn", "Member must have length less than or equal to 1024");
	DdbConstraintsRaise(&c);
	s = find_stream(arn);
	if (s == NULL)
		ddb_error(DDB_EX_RESOURCE_NOT_FOUND,
				  "Requested resource not found: Stream: %s not found", arn);
	return s;
}

Jsonb *
DdbListStreams(JsonbContainer *req)
{
	DdbConstraints c;
	int64		limit = 100;
	bool		have_limit = DdbReqInt64(req, "Limit", &limit);
	int			tlen = 0;
	char	   *table = DdbReqString(req, "TableName", &tlen);
	char	   *start = DdbReqString(req, "ExclusiveStartStreamArn", NULL);
	Oid			types[3] = {TEXTOID, TEXTOID, INT8OID};
	Datum		vals[3];
	char		nulls[3] = {' ', ' ', ' '};
	uint64		i,
				n,
				got;
	JsonbParseState *ps = NULL;

	DdbConstraintsInit(&c);
	if (have_limit && limit < 1)
		DdbConstraintAdd(&c, psprintf(INT64_FORMAT, limit), "limit",
						 "Member must have value greater than or equal to 1");
	if (have_limit && limit > 100)
		DdbConstraintAdd(&c, psprintf(INT64_FORMAT, limit), "limit",
						 "Member must have value less than or equal to 100");
	if (table)
		DdbCheckRequiredTableName(&c, table, tlen, "tableName");
	DdbConstraintsRaise(&c);

	if (table)
		vals[0] = CStringGetTextDatum(table);
	else
		nulls[0] = 'n';
	if (start)
		vals[1] = CStringGetTextDatum(start);
	else
		nulls[1] = 'n';
	vals[2] = Int64GetDatum(limit + 1);
	got = exec("SELECT stream_arn, table_name, stream_label FROM ddb.streams"
			   " WHERE ($1 IS NULL OR table_name = $1) AND ($2 IS NULL OR stream_arn > $2)"
			   " ORDER BY stream_arn COLLATE \"C\" LIMIT $3",
			   3, types, vals, nulls, false, SPI_OK_SELECT);
	n = Min(got, (uint64) limit);
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushKey(&ps, "Streams");
	pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];

		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		DdbPushCString(&ps, "StreamArn", SPI_getvalue(tup, SPI_tuptable->tupdesc, 1));
		DdbPushCString(&ps, "TableName", SPI_getvalue(tup, SPI_tuptable->tupdesc, 2));
		DdbPushCString(&ps, "StreamLabel", SPI_getvalue(tup, SPI_tuptable->tupdesc, 3));
		pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
	if (got > (uint64) limit)
		DdbPushCString(&ps, "LastEvaluatedStreamArn",
					   SPI_getvalue(SPI_tuptable->vals[n - 1], SPI_tuptable->tupdesc, 1));
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

Jsonb *
DdbDescribeStream(JsonbContainer *req)
{
	StreamRow  *s;
	JsonbParseState *ps = NULL;
	char	   *created;

	DdbStreamPump();
	s = required_stream(req);
	created = psprintf("%lld.%03lld", (long long) (s->created_ms / 1000),
					   (long long) (s->created_ms % 1000));

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushKey(&ps, "StreamDescription");
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushCString(&ps, "StreamArn", s->arn);
	DdbPushCString(&ps, "StreamLabel", s->label);
	DdbPushCString(&ps, "StreamStatus", s->disabled ? "DISABLED" : "ENABLED");
	DdbPushCString(&ps, "StreamViewType", s->view_type);
	DdbPushNumeric(&ps, "CreationRequestDateTime",
				   DirectFunctionCall3(numeric_in, CStringGetDatum(created),
									   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
	DdbPushCString(&ps, "TableName", s->table_name);
	DdbPushJsonb(&ps, "KeySchema", s->key_schema);
	DdbPushKey(&ps, "Shards");
	pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushCString(&ps, "ShardId", shard_id(s->arn, s->created_ms));
	DdbPushKey(&ps, "SequenceNumberRange");
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushCString(&ps, "StartingSequenceNumber", s->start_seq);
	if (s->end_seq)
		DdbPushCString(&ps, "EndingSequenceNumber", s->end_seq);
	pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
	pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

/*
 * A shard iterator is base64 text of "<arn>|<after>|<issued ms>": the
 * reader's next record is the first whose SequenceNumber is greater than
 * <after> (a decimal number).
 */
static char *
make_iterator(const char *arn, const char *after)
{
	StringInfoData raw;
	StringInfoData out;
	int64		now_ms = (GetCurrentTimestamp() / 1000) + (int64) 946684800000;

	initStringInfo(&raw);
	appendStringInfo(&raw, "%s|%s|" INT64_FORMAT, arn, after, now_ms);
	initStringInfo(&out);
	DdbBase64Encode(&out, raw.data, raw.len);
	return out.data;
}

static void
parse_iterator(const char *it, char **arn, char **after, int64 *issued_ms)
{
	DdbValueError err;
	int			len;
	char	   *raw = DdbBase64Decode(it, strlen(it), &len, &err);
	char	   *p1,
			   *p2;

	if (raw == NULL || (p2 = strrchr(raw, '|')) == NULL)
		ddb_validation_error("Invalid ShardIterator");	/* (unconfirmed) */
	*p2 = '\0';
	if ((p1 = strrchr(raw, '|')) == NULL)
		ddb_validation_error("Invalid ShardIterator");
	*p1 = '\0';
	*arn = raw;
	*after = p1 + 1;
	*issued_ms = strtoll(p2 + 1, NULL, 10);
}

Jsonb *
DdbGetShardIterator(JsonbContainer *req)
{
	DdbConstraints c;
	char	   *shard = DdbReqString(req, "ShardId", NULL);
	char	   *type = DdbReqString(req, "ShardIteratorType", NULL);
	char	   *seq = DdbReqString(req, "SequenceNumber", NULL);
	StreamRow  *s;
	char	   *after = NULL;
	JsonbParseState *ps = NULL;

	DdbConstraintsInit(&c);
	if (shard == NULL)
		DdbConstraintAdd(&c, NULL, "shardId", "Member must not be null");
	if (type == NULL)
		DdbConstraintAdd(&c, NULL, "shardIteratorType", "Member must not be null");
	DdbCheckEnum(&c, type, "shardIteratorType", iterator_types);
	DdbConstraintsRaise(&c);

	DdbStreamPump();
	s = required_stream(req);
	if (strcmp(shard, shard_id(s->arn, s->created_ms)) != 0)
		ddb_error(DDB_EX_RESOURCE_NOT_FOUND,
				  "Requested resource not found: Shard does not exist");	/* (unconfirmed) */
	if (strcmp(type, "AT_SEQUENCE_NUMBER") == 0 || strcmp(type, "AFTER_SEQUENCE_NUMBER") == 0)
	{
		Oid			types[3] = {TEXTOID, TEXTOID, BOOLOID};
		Datum		vals[3];
		int			i;

		if (seq == NULL)
			ddb_validation_error("SequenceNumber is required for ShardIteratorType %s", type);	/* (unconfirmed) */
		for (i = 0; seq[i]; i++)
			if (!isdigit((unsigned char) seq[i]))
				ddb_validation_error("Invalid SequenceNumber: %s", seq);	/* (unconfirmed) */
		if (strlen(seq) < 21 || strlen(seq) > 40)
			ddb_validation_error("Invalid SequenceNumber: %s", seq);
		/* Trimmed: older than the oldest record still kept, once records were trimmed. */
		vals[0] = CStringGetTextDatum(s->arn);
		vals[1] = CStringGetTextDatum(seq);
		vals[2] = BoolGetDatum(strcmp(type, "AT_SEQUENCE_NUMBER") == 0);
		exec("SELECT CASE WHEN $3 THEN ($2::numeric - 1)::text ELSE $2 END,"
			 "  $2::numeric < ddb.stream_sequence_number(st.start_lsn, 0)::numeric"
			 "  AND NOT EXISTS (SELECT 1 FROM ddb.stream_records r WHERE r.stream_arn = $1 AND r.seq <= $2::numeric)"
			 "  AND st.created_at < now() - interval '24 hours'"
			 " FROM ddb.streams st WHERE st.stream_arn = $1",
			 3, types, vals, NULL, false, SPI_OK_SELECT);
		after = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		{
			bool		isnull;

			if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)))
				ddb_error(DDB_EX_TRIMMED_DATA_ACCESS,
						  "Attempted to access data that has been trimmed");	/* (unconfirmed) */
		}
	}
	else if (seq != NULL)
		ddb_validation_error("SequenceNumber must not be specified with ShardIteratorType %s", type);	/* (unconfirmed) */
	else if (strcmp(type, "TRIM_HORIZON") == 0)
		after = "0";
	else
	{
		Oid			types[1] = {TEXTOID};
		Datum		vals[1] = {CStringGetTextDatum(s->arn)};

		/* LATEST: after the newest record now. */
		exec("SELECT coalesce(max(seq), 0)::text FROM ddb.stream_records WHERE stream_arn = $1",
			 1, types, vals, NULL, false, SPI_OK_SELECT);
		after = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	}

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushCString(&ps, "ShardIterator", make_iterator(s->arn, after));
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

/*
 * A record as GetRecords returns it: the Streams API spells userIdentity's
 * members Type and PrincipalId, and the record carries no eventSourceARN
 * (Lambda adds that).
 */
static Jsonb *
api_record(Jsonb *rec)
{
	JsonbParseState *ps = NULL;
	JsonbIterator *it = JsonbIteratorInit(&rec->root);
	JsonbIteratorToken tok;
	JsonbValue	v;
	JsonbValue *res = NULL;

	tok = JsonbIteratorNext(&it, &v, true);
	res = pushJsonbValue(&ps, tok, NULL);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			char	   *key = pnstrdup(v.val.string.val, v.val.string.len);
			JsonbValue	val;

			tok = JsonbIteratorNext(&it, &val, true);
			if (strcmp(key, "eventSourceARN") == 0 || strcmp(key, "tableName") == 0)
				continue;
			if (strcmp(key, "userIdentity") == 0)
			{
				DdbPushKey(&ps, "userIdentity");
				pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
				DdbPushCString(&ps, "PrincipalId", "dynamodb.amazonaws.com");
				DdbPushCString(&ps, "Type", "Service");
				pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
				continue;
			}
			pushJsonbValue(&ps, WJB_KEY, &v);
			res = pushJsonbValue(&ps, WJB_VALUE, &val);
		}
		else
			res = pushJsonbValue(&ps, tok, tok == WJB_END_OBJECT ? NULL : &v);
	}
	return JsonbValueToJsonb(res);
}

Jsonb *
DdbGetRecords(JsonbContainer *req)
{
	DdbConstraints c;
	char	   *iterator = DdbReqString(req, "ShardIterator", NULL);
	int64		limit = MAX_RECORDS_PER_CALL;
	bool		have_limit = DdbReqInt64(req, "Limit", &limit);
	char	   *arn,
			   *after;
	int64		issued_ms;
	int64		now_ms = (GetCurrentTimestamp() / 1000) + (int64) 946684800000;
	StreamRow  *s;
	Oid			types[3] = {TEXTOID, TEXTOID, INT8OID};
	Datum		vals[3];
	uint64		i,
				n;
	int64		bytes = 0;
	char	   *last = NULL;
	bool		drained;
	JsonbParseState *ps = NULL;

	DdbConstraintsInit(&c);
	if (iterator == NULL)
		DdbConstraintAdd(&c, NULL, "shardIterator", "Member must not be null");
	else if (strlen(iterator) > 2048)
		DdbConstraintAdd(&c, iterator, "shardIterator", "Member must have length less than or equal to 2048");
	if (have_limit && limit < 1)
		DdbConstraintAdd(&c, psprintf(INT64_FORMAT, limit), "limit",
						 "Member must have value greater than or equal to 1");
	if (have_limit && limit > MAX_RECORDS_PER_CALL)
		DdbConstraintAdd(&c, psprintf(INT64_FORMAT, limit), "limit",
						 "Member must have value less than or equal to 1000");
	DdbConstraintsRaise(&c);

	parse_iterator(iterator, &arn, &after, &issued_ms);
	if (now_ms - issued_ms > ITERATOR_LIFETIME_SECONDS * 1000)
	{
		char	   *created;
		char	   *now;

		created = pstrdup(timestamptz_to_str((issued_ms - (int64) 946684800000) * 1000));
		now = pstrdup(timestamptz_to_str(GetCurrentTimestamp()));
		ddb_error(DDB_EX_EXPIRED_ITERATOR,
				  "Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of 900000 milliseconds.",	/* (unconfirmed) */
				  created, now);
	}
	DdbStreamPump();
	s = find_stream(arn);
	if (s == NULL)
		ddb_error(DDB_EX_RESOURCE_NOT_FOUND,
				  "Requested resource not found: Stream: %s not found", arn);

	vals[0] = CStringGetTextDatum(arn);
	vals[1] = CStringGetTextDatum(after);
	vals[2] = Int64GetDatum(limit);
	n = exec("SELECT seq::text, record FROM ddb.stream_records"
			 " WHERE stream_arn = $1 AND seq > $2::numeric ORDER BY seq LIMIT $3",
			 3, types, vals, NULL, false, SPI_OK_SELECT);

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushKey(&ps, "Records");
	pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		Jsonb	   *rec = DatumGetJsonbP(SPI_getbinval(SPI_tuptable->vals[i],
													   SPI_tuptable->tupdesc, 2, &isnull));
		JsonbValue	v;
		Jsonb	   *out;

		if (i > 0 && bytes + VARSIZE(rec) > MAX_RESPONSE_BYTES)
			break;
		bytes += VARSIZE(rec);
		out = api_record(rec);
		v.type = jbvBinary;
		v.val.binary.data = &out->root;
		v.val.binary.len = VARSIZE(out) - VARHDRSZ;
		pushJsonbValue(&ps, WJB_ELEM, &v);
		last = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	}
	pushJsonbValue(&ps, WJB_END_ARRAY, NULL);

	/* A disabled stream's shard is closed: no iterator once it is drained. */
	drained = false;
	if (s->disabled && last == NULL)
	{
		Oid			t2[2] = {TEXTOID, TEXTOID};
		Datum		v2[2];
		bool		isnull;

		v2[0] = CStringGetTextDatum(after);
		v2[1] = CStringGetTextDatum(s->end_seq);
		exec("SELECT $1::numeric >= $2::numeric", 2, t2, v2, NULL, true, SPI_OK_SELECT);
		drained = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	if (!drained)
		DdbPushCString(&ps, "NextShardIterator", make_iterator(arn, last ? last : after));
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}
