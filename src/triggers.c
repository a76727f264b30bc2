/*-------------------------------------------------------------------------
 *
 * triggers.c
 *	  Stream-triggered functions: Lambda's event source mappings for
 *	  DynamoDB streams, delivering batches of stream records to SQL
 *	  functions.
 *
 * A mapping (a row of ddb.event_source_mappings) ties one stream -- the
 * table's stream when the mapping was created -- to a function taking one
 * jsonb argument, which is called with {"Records": [record, ...]}: the
 * records of ddb.stream_records in SequenceNumber order, in the Lambda
 * event shape (with eventSourceARN).  The function runs as the role that
 * created the mapping.
 *
 * Delivery.  DdbTriggerStep(now) delivers one batch of one mapping whose
 * batch is ready: BatchSize records are waiting, or the oldest waiting
 * record is older than the batching window (at once when the window is 0),
 * or a failed batch is due for its retry.  Mappings take turns (the one
 * that was served longest ago first), and a mapping being delivered by one
 * transaction is skipped by others (FOR UPDATE SKIP LOCKED).  The function
 * runs in a subtransaction:
 *   - it succeeds: the mapping's position (last_sequence_number) moves past
 *     the batch in the same transaction as the function's effects, so each
 *     record reaches a function that succeeds exactly once -- a crash in
 *     between loses both;
 *   - it fails: its effects are rolled back, the failure is recorded and
 *     the position stays (the shard blocks, as Lambda's does).  The same
 *     batch is retried after a backoff of 1, 2, 4, ... up to 60 seconds,
 *     until it succeeds, MaximumRetryAttempts retries have failed or its
 *     records are older than MaximumRecordAgeInSeconds (or the stream's 24
 *     hours); then the batch goes to the on-failure destination and the
 *     mapping moves past it.
 *   - BisectBatchOnFunctionError: a failed batch of more than one record is
 *     split in halves that are delivered one after the other, each split
 *     again when it fails (splitting uses no retry attempt).  The batches
 *     still to deliver are a stack of their last SequenceNumbers
 *     (pending_batch_ends, innermost last): a failed retry pushes its end,
 *     a split pushes the end of the first half, and delivering pops.
 *   - FunctionResponseTypes [ReportBatchItemFailures]: the function may
 *     return {"batchItemFailures": [{"itemIdentifier": "<SequenceNumber>"}]};
 *     its effects commit, the records before the earliest failure count as
 *     delivered and the rest is a failed batch.
 *
 * The tables are written as their owner (the role that created the
 * extension), so that roles allowed to call these functions need no
 * privilege on them and cannot forge a mapping that runs as somebody else.
 *
 * src/triggers.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/regproc.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "ddb_emul.h"
#include "errors.h"
#include "request.h"
#include "streams.h"
#include "jobs.h"
#include "worker.h"

/* Lambda's limits for DynamoDB event source mappings. */
#define MAX_BATCH_SIZE 10000
#define MAX_BATCHING_WINDOW 300
#define MAX_RETRY_ATTEMPTS 10000
#define MIN_RECORD_AGE 60
#define MAX_RECORD_AGE 604800

/* Records older than this are gone from the stream. */
#define RETENTION_SECONDS (24 * 60 * 60)

/* Lambda's limit on a synchronous invocation's payload. */
#define MAX_PAYLOAD_BYTES (6 * 1024 * 1024)

/* Retries of a failed batch wait 1, 2, 4, ... seconds, at most this. */
#define MAX_BACKOFF_SECONDS 60

/* The advisory lock that ddb.pause_background_delivery() holds. */
#define PAUSE_LOCK_KEY1 0x64646265	/* "ddbe" */
#define PAUSE_LOCK_KEY2 0x736d6170	/* "smap" */

static const char *const starting_positions[] = {"TRIM_HORIZON", "LATEST", "AT_TIMESTAMP", NULL};

/* The columns an on-failure destination may have (see 74_triggers.sql). */
static const char *const failure_columns[] = {
	"mapping_uuid", "owner", "stream_arn", "function", "condition",
	"start_sequence_number", "end_sequence_number", "batch_size",
	"approximate_invoke_count", "error", "error_sqlstate", "payload",
	"record", "created_at", NULL
};

/* A saved user id and security context. */
/* A mapping being delivered: its settings and where it is. */
typedef struct Mapping
{
	char	   *uuid;
	char	   *stream_arn;
	Oid			function;
	Oid			owner;
	int			batch_size;
	int			max_retries;
	int			max_age;
	bool		bisect;
	bool		report_failures;
	Oid			on_failure;
	char	   *last_error;
	char	   *last_error_sqlstate;

	/* position and retry state, updated in place */
	Datum		position;		/* numeric */
	int			nends;
	Datum	   *ends;			/* numeric, innermost last */
	int			retry_attempts;
	int			invoke_count;
} Mapping;

/* The records of one batch, in SequenceNumber order. */
typedef struct Batch
{
	int			n;
	Datum	   *seqs;			/* numeric */
	TimestampTz *created;
	Jsonb	  **records;
} Batch;

/* A batch given up on, for the on-failure destination. */
typedef struct FailedBatch
{
	const char *condition;
	char	   *start_seq;		/* NULL when its records are gone */
	char	   *end_seq;
	int			count;
	TimestampTz first_created;
	TimestampTz last_created;
	Jsonb	   *payload;		/* NULL when its records are gone */
	const char *error;
	const char *sqlstate;
	int			invoke_count;
} FailedBatch;

/* Nonzero while a mapping's function runs (it must not deliver itself). */
static int	delivering = 0;

static SPIPlanPtr pick_plan = NULL;
static SPIPlanPtr batch_plan = NULL;
static SPIPlanPtr update_plan = NULL;

PG_FUNCTION_INFO_V1(ddb_create_event_source_mapping);
PG_FUNCTION_INFO_V1(ddb_update_event_source_mapping);
PG_FUNCTION_INFO_V1(ddb_delete_event_source_mapping);
PG_FUNCTION_INFO_V1(ddb_deliver_stream_batches_now);
PG_FUNCTION_INFO_V1(ddb_pause_background_delivery);
PG_FUNCTION_INFO_V1(ddb_resume_background_delivery);

/* ---------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------
 */

/* Run a saved plan that must succeed; returns SPI_processed. */
static uint64
exec_plan(SPIPlanPtr plan, Datum *vals, const char *nulls, int expected)
{
	int			ret = SPI_execute_plan(plan, vals, nulls, false, 0);

	if (ret != expected)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	return SPI_processed;
}

/* Prepare and keep a plan once per backend. */
static SPIPlanPtr
keep_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types)
{
	if (*plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(sql, nargs, types);

		if (p == NULL)
			elog(ERROR, "SPI_prepare(\"%s\") failed: %s", sql,
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*plan = p;
	}
	return *plan;
}

static int
numeric_compare(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

static Datum
numeric_from_cstring(const char *s)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(s),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* A SequenceNumber as the records spell it: at least 31 digits. */
static char *
sequence_number(Datum seq)
{
	char	   *digits = DatumGetCString(DirectFunctionCall1(numeric_out, seq));
	int			len = strlen(digits);

	if (len >= 31)
		return digits;
	return psprintf("%0*d%s", 31 - len, 0, digits);
}

/* The advisory lock tag of ddb.pause_background_delivery(). */
static void
pause_locktag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, PAUSE_LOCK_KEY1, PAUSE_LOCK_KEY2, 2);
}

/* Does this session hold ddb.pause_background_delivery()? */
static bool
paused_by_me(void)
{
	LOCKTAG		tag;

	pause_locktag(&tag);
	return LockHeldByMe(&tag, ShareLock);
}

/*
 * Say so when enabled mappings will not be delivered by themselves (unless
 * this session paused the worker: then it delivers itself).
 */
static void
warn_if_worker_not_running(void)
{
	if (DdbWorkerRunning() || paused_by_me())
		return;
	if (!DdbPreloaded())
		ereport(WARNING,
				(errmsg("ddb_emul's background worker is not running"),
				 errdetail("Stream batches are delivered by themselves only when ddb_emul is in shared_preload_libraries."),
				 errhint("Deliver the batches that are ready with SELECT ddb.deliver_stream_batches_now().")));
	else
		ereport(WARNING,
				(errmsg("ddb_emul's background worker is not running in this database"),
				 errdetail("Stream batches are delivered by themselves only while the worker runs."),
				 errhint("Deliver the batches that are ready with SELECT ddb.deliver_stream_batches_now(), or see SELECT * FROM ddb.worker_status().")));
}

static void
check_not_delivering(void)
{
	if (delivering > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("stream batches cannot be delivered from inside an event source mapping's function")));
}

static void
check_not_null(FunctionCallInfo fcinfo, int arg, const char *what)
{
	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
}

/* ---------------------------------------------------------------------
 * Checking settings
 * ---------------------------------------------------------------------
 */

static void
check_range(DdbConstraints *c, FunctionCallInfo fcinfo, int arg, const char *path,
			int min, int max)
{
	int			v;

	if (PG_ARGISNULL(arg))
		return;
	v = PG_GETARG_INT32(arg);
	if (v < min)
		DdbConstraintAdd(c, psprintf("%d", v), path,
						 psprintf("Member must have value greater than or equal to %d", min));
	else if (v > max)
		DdbConstraintAdd(c, psprintf("%d", v), path,
						 psprintf("Member must have value less than or equal to %d", max));
}

/*
 * FunctionResponseTypes: at most one member, ReportBatchItemFailures.
 * Returns whether it asks for ReportBatchItemFailures.
 */
static bool
check_response_types(DdbConstraints *c, ArrayType *arr)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	bool		report = false;
	StringInfoData value;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	initStringInfo(&value);
	appendStringInfoChar(&value, '[');
	for (i = 0; i < n; i++)
		appendStringInfo(&value, "%s%s", i ? ", " : "",
						 nulls[i] ? "null" : TextDatumGetCString(elems[i]));
	appendStringInfoChar(&value, ']');
	for (i = 0; i < n; i++)
	{
		if (nulls[i] || strcmp(TextDatumGetCString(elems[i]), "ReportBatchItemFailures") != 0)
		{
			DdbConstraintAdd(c, value.data, "functionResponseTypes",
							 "Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]");
			return false;
		}
		report = true;
	}
	if (n > 1)
		DdbConstraintAdd(c, value.data, "functionResponseTypes",
						 "Member must have length less than or equal to 1");
	return report;
}

/*
 * Check that a function can be a mapping's: a plain function taking one
 * jsonb argument, not returning a set (returning jsonb when it reports
 * batch item failures), executable by role.
 */
static void
check_function(Oid fn, Oid role, bool report_failures)
{
	HeapTuple	tp;
	Form_pg_proc proc;
	AclResult	aclresult;

	tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(tp))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function with OID %u does not exist", fn)));
	proc = (Form_pg_proc) GETSTRUCT(tp);
	if (proc->prokind != PROKIND_FUNCTION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s is not a function", format_procedure(fn)),
				 errdetail("An event source mapping calls a function, not a procedure, aggregate or window function.")));
	if (proc->proretset)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event source mapping function %s must not return a set",
						format_procedure(fn))));
	if (proc->pronargs != 1 || proc->proargtypes.values[0] != JSONBOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event source mapping function %s must take one jsonb argument",
						format_procedure(fn))));
	if (report_failures && proc->prorettype != JSONBOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event source mapping function %s must return jsonb to report batch item failures",
						format_procedure(fn))));
	ReleaseSysCache(tp);

	aclresult = pg_proc_aclcheck(fn, role, ACL_EXECUTE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FUNCTION, get_func_name(fn));
}

/*
 * Check an on-failure destination: a table with a column "record" that
 * role may insert into.
 */
static void
check_destination(Oid rel, Oid role)
{
	char		relkind = get_rel_relkind(rel);
	char	   *name = get_rel_name(rel);
	AclResult	aclresult;

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", rel)));
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("on-failure destination \"%s\" is not a table", name)));
	if (get_attnum(rel, "record") == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("on-failure destination \"%s\" has no column \"record\"", name),
				 errdetail("A destination gets Lambda's OnFailure record in its column \"record\", and the columns of ddb.event_source_failures it has.")));
	aclresult = pg_class_aclcheck(rel, role, ACL_INSERT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_TABLE, name);
}

/* ---------------------------------------------------------------------
 * Managing mappings
 * ---------------------------------------------------------------------
 */

/* Raise Lambda's error for a second mapping of a stream and function. */
static void
mapping_exists_error(const char *arn, Oid fn)
{
	Oid			types[2] = {TEXTOID, OIDOID};
	Datum		vals[2] = {CStringGetTextDatum(arn), ObjectIdGetDatum(fn)};
	char	   *existing = "";

	if (DdbSpiExec("SELECT uuid::text FROM ddb.event_source_mappings WHERE stream_arn = $1 AND function = $2",
			 2, types, vals, NULL, SPI_OK_SELECT) > 0)
		existing = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	ddb_error(DDB_EX_RESOURCE_IN_USE,
			  "The event source arn (\" %s \") and function (\" %s \") provided mapping already exists. Please update or delete the existing mapping with UUID %s",	/* (unconfirmed) */
			  arn, get_func_name(fn), existing);
}

/*
 * The stream a mapping reads: the enabled stream of a table, or a stream
 * given by its ARN.  Sets *arn and *table.
 */
static void
resolve_event_source(const char *source, char **arn, char **table)
{
	Oid			types[1] = {TEXTOID};
	Datum		vals[1] = {CStringGetTextDatum(source)};
	HeapTuple	row;
	TupleDesc	desc;

	if (strncmp(source, "arn:", 4) == 0)
	{
		if (DdbSpiExec("SELECT stream_arn, table_name FROM ddb.streams WHERE stream_arn = $1",
				 1, types, vals, NULL, SPI_OK_SELECT) == 0)
			ddb_error(DDB_EX_RESOURCE_NOT_FOUND,
					  "Requested resource not found: Stream: %s not found", source);
	}
	else
	{
		if (DdbSpiExec("SELECT s.stream_arn, t.table_name FROM ddb.tables t"
				 " LEFT JOIN ddb.streams s ON s.table_name = t.table_name AND s.disabled_at IS NULL"
				 " WHERE t.table_name = $1",
				 1, types, vals, NULL, SPI_OK_SELECT) == 0)
			ddb_error(DDB_EX_RESOURCE_NOT_FOUND,
					  "Requested resource not found: Table: %s not found", source);
	}
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	*arn = SPI_getvalue(row, desc, 1);
	*table = SPI_getvalue(row, desc, 2);
	if (*arn == NULL)
		ddb_validation_error("Table %s does not have a stream enabled", source);	/* (ddb_emul) */
}

/*
 * ddb.create_event_source_mapping(event_source, function, starting_position,
 * batch_size, maximum_batching_window_in_seconds, maximum_retry_attempts,
 * maximum_record_age_in_seconds, bisect_batch_on_function_error,
 * function_response_types, on_failure, enabled): deliver the records of a
 * stream to a function run as the calling role.  Returns the mapping's UUID.
 */
Datum
ddb_create_event_source_mapping(PG_FUNCTION_ARGS)
{
	Oid			caller = GetUserId();
	char	   *source;
	Oid			fn;
	char	   *position;
	bool		report = false;
	bool		enabled;
	Oid			on_failure = PG_ARGISNULL(9) ? InvalidOid : PG_GETARG_OID(9);
	DdbConstraints c;
	char	   *arn;
	char	   *table;
	DdbSavedUser	saved;
	Oid			types[13] = {TEXTOID, TEXTOID, OIDOID, OIDOID, TEXTOID, INT4OID, INT4OID,
	INT4OID, INT4OID, BOOLOID, TEXTARRAYOID, OIDOID, BOOLOID};
	Datum		vals[13];
	char		nulls[13];
	Datum		result;
	bool		isnull;

	check_not_null(fcinfo, 0, "event_source");
	check_not_null(fcinfo, 1, "function");
	check_not_null(fcinfo, 2, "starting_position");
	check_not_null(fcinfo, 3, "batch_size");
	check_not_null(fcinfo, 4, "maximum_batching_window_in_seconds");
	check_not_null(fcinfo, 5, "maximum_retry_attempts");
	check_not_null(fcinfo, 6, "maximum_record_age_in_seconds");
	check_not_null(fcinfo, 7, "bisect_batch_on_function_error");
	check_not_null(fcinfo, 8, "function_response_types");
	check_not_null(fcinfo, 10, "enabled");
	source = text_to_cstring(PG_GETARG_TEXT_PP(0));
	fn = PG_GETARG_OID(1);
	position = text_to_cstring(PG_GETARG_TEXT_PP(2));
	enabled = PG_GETARG_BOOL(10);

	/* Lambda's constraints on the request members. */
	DdbConstraintsInit(&c);
	check_range(&c, fcinfo, 3, "batchSize", 1, MAX_BATCH_SIZE);
	check_range(&c, fcinfo, 4, "maximumBatchingWindowInSeconds", 0, MAX_BATCHING_WINDOW);
	check_range(&c, fcinfo, 5, "maximumRetryAttempts", -1, MAX_RETRY_ATTEMPTS);
	check_range(&c, fcinfo, 6, "maximumRecordAgeInSeconds", -1, MAX_RECORD_AGE);
	DdbCheckEnum(&c, position, "startingPosition", starting_positions);
	report = check_response_types(&c, PG_GETARG_ARRAYTYPE_P(8));
	DdbConstraintsRaise(&c);
	if (strcmp(position, "AT_TIMESTAMP") == 0)
		ddb_validation_error("Unsupported starting position for DynamoDB streams: AT_TIMESTAMP");	/* (unconfirmed) */
	if (PG_GETARG_INT32(6) >= 0 && PG_GETARG_INT32(6) < MIN_RECORD_AGE)
		ddb_validation_error("MaximumRecordAgeInSeconds must be -1 or between %d and %d",	/* (unconfirmed) */
							 MIN_RECORD_AGE, MAX_RECORD_AGE);

	check_function(fn, caller, report);
	if (OidIsValid(on_failure))
		check_destination(on_failure, caller);

	DdbBeginCatalog("event_source_mappings", InvalidOid, &saved);
	resolve_event_source(source, &arn, &table);

	memset(nulls, ' ', sizeof(nulls));
	vals[0] = CStringGetTextDatum(table);
	vals[1] = CStringGetTextDatum(arn);
	vals[2] = ObjectIdGetDatum(fn);
	vals[3] = ObjectIdGetDatum(caller);
	vals[4] = CStringGetTextDatum(position);
	vals[5] = PG_GETARG_DATUM(3);
	vals[6] = PG_GETARG_DATUM(4);
	vals[7] = PG_GETARG_DATUM(5);
	vals[8] = PG_GETARG_DATUM(6);
	vals[9] = PG_GETARG_DATUM(7);
	vals[10] = PG_GETARG_DATUM(8);
	vals[11] = ObjectIdGetDatum(on_failure);
	nulls[11] = OidIsValid(on_failure) ? ' ' : 'n';
	vals[12] = BoolGetDatum(enabled);

	/*
	 * LATEST: after every change committed before now, that is with a
	 * commit record before the current WAL insert position.
	 */
	if (DdbSpiExec("INSERT INTO ddb.event_source_mappings (table_name, stream_arn, function, owner,"
			 " starting_position, batch_size, maximum_batching_window_in_seconds,"
			 " maximum_retry_attempts, maximum_record_age_in_seconds,"
			 " bisect_batch_on_function_error, function_response_types, on_failure, enabled,"
			 " last_sequence_number)"
			 " VALUES ($1, $2, $3::pg_catalog.regprocedure, $4::pg_catalog.regrole, $5, $6, $7,"
			 "   $8, $9, $10, $11, $12::pg_catalog.regclass, $13,"
			 "   CASE WHEN $5 = 'TRIM_HORIZON' THEN 0"
			 "   ELSE ddb.stream_sequence_number(pg_catalog.pg_current_wal_insert_lsn(), 0)::numeric - 1 END)"
			 " ON CONFLICT (stream_arn, function) DO NOTHING RETURNING uuid",
			 13, types, vals, nulls, SPI_OK_INSERT_RETURNING) == 0)
		mapping_exists_error(arn, fn);
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	result = SPI_datumTransfer(result, false, 16);
	DdbEndCatalog(&saved);

	if (enabled)
		warn_if_worker_not_running();
	PG_RETURN_DATUM(result);
}

/*
 * Lock a mapping's row and check that the caller may change it (is a
 * member of its owner role).  Returns the owner.
 */
static Oid
lock_mapping(Datum uuid, Oid caller)
{
	Oid			types[1] = {UUIDOID};
	Datum		vals[1] = {uuid};
	bool		isnull;
	Oid			owner;

	if (DdbSpiExec("SELECT owner::oid FROM ddb.event_source_mappings WHERE uuid = $1 FOR UPDATE",
			 1, types, vals, NULL, SPI_OK_SELECT) == 0)
		ddb_error(DDB_EX_RESOURCE_NOT_FOUND, "The resource you requested does not exist.");
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (!has_privs_of_role(caller, owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of event source mapping %s",
						DatumGetCString(DirectFunctionCall1(uuid_out, uuid)))));
	return owner;
}

/*
 * The row SPI returned, as a composite of the function's result type,
 * allocated in context cxt.
 */
static Datum
returned_row(FunctionCallInfo fcinfo, MemoryContext cxt)
{
	TupleDesc	desc;
	Datum	   *values;
	bool	   *isnull;
	int			i;
	HeapTuple	tuple;
	MemoryContext old;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (desc->natts != SPI_tuptable->tupdesc->natts)
		elog(ERROR, "ddb.event_source_mappings does not match the function's result type");
	old = MemoryContextSwitchTo(cxt);
	desc = BlessTupleDesc(desc);
	values = palloc(sizeof(Datum) * desc->natts);
	isnull = palloc(sizeof(bool) * desc->natts);
	for (i = 0; i < desc->natts; i++)
		values[i] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &isnull[i]);
	tuple = heap_form_tuple(desc, values, isnull);
	MemoryContextSwitchTo(old);
	return HeapTupleGetDatum(tuple);
}

/*
 * ddb.update_event_source_mapping(uuid, function, batch_size,
 * maximum_batching_window_in_seconds, maximum_retry_attempts,
 * maximum_record_age_in_seconds, bisect_batch_on_function_error,
 * function_response_types, on_failure, enabled): change what is given (not
 * NULL); on_failure => '-' removes the destination.  Returns the mapping.
 */
Datum
ddb_update_event_source_mapping(PG_FUNCTION_ARGS)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	Oid			caller = GetUserId();
	Datum		uuid;
	Oid			owner;
	DdbConstraints c;
	bool		report = false;
	bool		report_given = !PG_ARGISNULL(7);
	DdbSavedUser	saved;
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	Oid			fn;
	char	   *arn;
	bool		enabled;
	Oid			types[11] = {UUIDOID, OIDOID, INT4OID, INT4OID, INT4OID, INT4OID, BOOLOID,
	TEXTARRAYOID, OIDOID, BOOLOID, BOOLOID};
	Datum		vals[11];
	char		nulls[11];
	int			i;
	Datum		result;

	check_not_null(fcinfo, 0, "uuid");
	uuid = PG_GETARG_DATUM(0);

	DdbConstraintsInit(&c);
	check_range(&c, fcinfo, 2, "batchSize", 1, MAX_BATCH_SIZE);
	check_range(&c, fcinfo, 3, "maximumBatchingWindowInSeconds", 0, MAX_BATCHING_WINDOW);
	check_range(&c, fcinfo, 4, "maximumRetryAttempts", -1, MAX_RETRY_ATTEMPTS);
	check_range(&c, fcinfo, 5, "maximumRecordAgeInSeconds", -1, MAX_RECORD_AGE);
	if (report_given)
		report = check_response_types(&c, PG_GETARG_ARRAYTYPE_P(7));
	DdbConstraintsRaise(&c);
	if (!PG_ARGISNULL(5) && PG_GETARG_INT32(5) >= 0 && PG_GETARG_INT32(5) < MIN_RECORD_AGE)
		ddb_validation_error("MaximumRecordAgeInSeconds must be -1 or between %d and %d",	/* (unconfirmed) */
							 MIN_RECORD_AGE, MAX_RECORD_AGE);

	DdbBeginCatalog("event_source_mappings", InvalidOid, &saved);
	owner = lock_mapping(uuid, caller);
	{
		Oid			t1[1] = {UUIDOID};
		Datum		v1[1] = {uuid};

		DdbSpiExec("SELECT function::oid, stream_arn,"
			 " 'ReportBatchItemFailures' = ANY (function_response_types), enabled"
			 " FROM ddb.event_source_mappings WHERE uuid = $1",
			 1, t1, v1, NULL, SPI_OK_SELECT);
	}
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	fn = DatumGetObjectId(SPI_getbinval(row, desc, 1, &isnull));
	arn = SPI_getvalue(row, desc, 2);
	if (!report_given)
		report = DatumGetBool(SPI_getbinval(row, desc, 3, &isnull));
	enabled = PG_ARGISNULL(9) ? DatumGetBool(SPI_getbinval(row, desc, 4, &isnull)) : PG_GETARG_BOOL(9);

	/* The function runs as the mapping's owner: check it as them. */
	if (!PG_ARGISNULL(1))
	{
		Oid			t2[3] = {TEXTOID, OIDOID, UUIDOID};
		Datum		v2[3];

		fn = PG_GETARG_OID(1);
		v2[0] = CStringGetTextDatum(arn);
		v2[1] = ObjectIdGetDatum(fn);
		v2[2] = uuid;
		if (DdbSpiExec("SELECT 1 FROM ddb.event_source_mappings"
				 " WHERE stream_arn = $1 AND function = $2 AND uuid <> $3",
				 3, t2, v2, NULL, SPI_OK_SELECT) > 0)
			mapping_exists_error(arn, fn);
	}
	if (!PG_ARGISNULL(1) || report_given)
		check_function(fn, owner, report);
	if (!PG_ARGISNULL(8) && OidIsValid(PG_GETARG_OID(8)))
		check_destination(PG_GETARG_OID(8), owner);

	for (i = 0; i < 10; i++)
	{
		vals[i] = PG_ARGISNULL(i) ? (Datum) 0 : PG_GETARG_DATUM(i);
		nulls[i] = PG_ARGISNULL(i) ? 'n' : ' ';
	}
	/* on_failure: NULL keeps it, InvalidOid ('-') removes it. */
	vals[10] = BoolGetDatum(!PG_ARGISNULL(8));
	nulls[10] = ' ';
	DdbSpiExec("UPDATE ddb.event_source_mappings SET"
		 " function = coalesce($2::pg_catalog.regprocedure, function),"
		 " batch_size = coalesce($3, batch_size),"
		 " maximum_batching_window_in_seconds = coalesce($4, maximum_batching_window_in_seconds),"
		 " maximum_retry_attempts = coalesce($5, maximum_retry_attempts),"
		 " maximum_record_age_in_seconds = coalesce($6, maximum_record_age_in_seconds),"
		 " bisect_batch_on_function_error = coalesce($7, bisect_batch_on_function_error),"
		 " function_response_types = coalesce($8, function_response_types),"
		 " on_failure = CASE WHEN $11 THEN nullif($9, 0)::pg_catalog.regclass ELSE on_failure END,"
		 " enabled = coalesce($10, enabled),"
		 " last_modified = now()"
		 " WHERE uuid = $1 RETURNING *",
		 11, types, vals, nulls, SPI_OK_UPDATE_RETURNING);
	result = returned_row(fcinfo, caller_cxt);
	DdbEndCatalog(&saved);

	if (enabled)
		warn_if_worker_not_running();
	PG_RETURN_DATUM(result);
}

/* ddb.delete_event_source_mapping(uuid): delete a mapping; returns it. */
Datum
ddb_delete_event_source_mapping(PG_FUNCTION_ARGS)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	Oid			caller = GetUserId();
	Oid			types[1] = {UUIDOID};
	Datum		vals[1];
	DdbSavedUser	saved;
	Datum		result;

	check_not_null(fcinfo, 0, "uuid");
	vals[0] = PG_GETARG_DATUM(0);
	DdbBeginCatalog("event_source_mappings", InvalidOid, &saved);
	lock_mapping(vals[0], caller);
	DdbSpiExec("DELETE FROM ddb.event_source_mappings WHERE uuid = $1 RETURNING *",
		 1, types, vals, NULL, SPI_OK_DELETE_RETURNING);
	result = returned_row(fcinfo, caller_cxt);
	DdbEndCatalog(&saved);
	PG_RETURN_DATUM(result);
}

/* ---------------------------------------------------------------------
 * Delivering
 * ---------------------------------------------------------------------
 */

/*
 * Lock the next mapping with a batch ready at now, the one served longest
 * ago first, skipping mappings that other transactions are delivering.
 * Returns false when there is none.
 */
static bool
pick_mapping(TimestampTz now, Mapping *m)
{
	static Oid	types[1] = {TIMESTAMPTZOID};
	Datum		vals[1] = {TimestampTzGetDatum(now)};
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	Datum		d;

	keep_plan(&pick_plan,
			  "SELECT m.uuid::text, m.stream_arn, m.function::oid, m.owner::oid, m.batch_size,"
			  "  m.maximum_retry_attempts, m.maximum_record_age_in_seconds,"
			  "  m.bisect_batch_on_function_error,"
			  "  'ReportBatchItemFailures' = ANY (m.function_response_types), m.on_failure::oid,"
			  "  m.last_sequence_number, m.pending_batch_ends, m.retry_attempts, m.invoke_count,"
			  "  m.last_error, m.last_error_sqlstate"
			  " FROM ddb.event_source_mappings m"
			  " WHERE m.enabled AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= $1)"
			  "  AND EXISTS (SELECT 1 FROM ddb.stream_records r"
			  "              WHERE r.stream_arn = m.stream_arn AND r.seq > m.last_sequence_number)"
			  "  AND (m.maximum_batching_window_in_seconds = 0"
			  "       OR cardinality(m.pending_batch_ends) > 0"
			  "       OR (SELECT r.created_at FROM ddb.stream_records r"
			  "           WHERE r.stream_arn = m.stream_arn AND r.seq > m.last_sequence_number"
			  "           ORDER BY r.seq LIMIT 1)"
			  "          <= $1 - make_interval(secs => m.maximum_batching_window_in_seconds)"
			  "       OR (SELECT count(*) FROM (SELECT 1 FROM ddb.stream_records r"
			  "           WHERE r.stream_arn = m.stream_arn AND r.seq > m.last_sequence_number"
			  "           ORDER BY r.seq LIMIT m.batch_size) x) >= m.batch_size)"
			  " ORDER BY m.last_attempt_at NULLS FIRST, m.uuid"
			  " LIMIT 1 FOR UPDATE OF m SKIP LOCKED",
			  1, types);
	if (exec_plan(pick_plan, vals, NULL, SPI_OK_SELECT) == 0)
		return false;

	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	m->uuid = SPI_getvalue(row, desc, 1);
	m->stream_arn = SPI_getvalue(row, desc, 2);
	m->function = DatumGetObjectId(SPI_getbinval(row, desc, 3, &isnull));
	m->owner = DatumGetObjectId(SPI_getbinval(row, desc, 4, &isnull));
	m->batch_size = DatumGetInt32(SPI_getbinval(row, desc, 5, &isnull));
	m->max_retries = DatumGetInt32(SPI_getbinval(row, desc, 6, &isnull));
	m->max_age = DatumGetInt32(SPI_getbinval(row, desc, 7, &isnull));
	m->bisect = DatumGetBool(SPI_getbinval(row, desc, 8, &isnull));
	m->report_failures = DatumGetBool(SPI_getbinval(row, desc, 9, &isnull));
	d = SPI_getbinval(row, desc, 10, &isnull);
	m->on_failure = isnull ? InvalidOid : DatumGetObjectId(d);
	m->position = datumCopy(SPI_getbinval(row, desc, 11, &isnull), false, -1);
	{
		ArrayType  *arr = DatumGetArrayTypePCopy(SPI_getbinval(row, desc, 12, &isnull));
		Datum	   *elems;
		bool	   *elemnulls;
		int			i;

		deconstruct_array(arr, NUMERICOID, -1, false, TYPALIGN_INT, &elems, &elemnulls, &m->nends);
		/* room for the two ends a split may push */
		m->ends = palloc(sizeof(Datum) * (m->nends + 2));
		for (i = 0; i < m->nends; i++)
			m->ends[i] = elems[i];
	}
	m->retry_attempts = DatumGetInt32(SPI_getbinval(row, desc, 13, &isnull));
	m->invoke_count = DatumGetInt32(SPI_getbinval(row, desc, 14, &isnull));
	m->last_error = SPI_getvalue(row, desc, 15);
	m->last_error_sqlstate = SPI_getvalue(row, desc, 16);
	return true;
}

/*
 * Read a mapping's next batch: the records after its position, up to the
 * end of the pending batch if there is one, at most batch_size of them and
 * at most MAX_PAYLOAD_BYTES (but at least one).
 */
static void
read_batch(Mapping *m, Batch *b)
{
	static Oid	types[4] = {TEXTOID, NUMERICOID, NUMERICOID, INT4OID};
	Datum		vals[4];
	uint64		n;
	uint64		i;
	int64		bytes = 0;

	keep_plan(&batch_plan,
			  "SELECT seq, created_at, record FROM ddb.stream_records"
			  " WHERE stream_arn = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
			  4, types);
	vals[0] = CStringGetTextDatum(m->stream_arn);
	vals[1] = m->position;
	vals[2] = m->nends > 0 ? m->ends[m->nends - 1] : numeric_from_cstring("Infinity");
	vals[3] = Int32GetDatum(m->batch_size);
	n = exec_plan(batch_plan, vals, NULL, SPI_OK_SELECT);

	b->n = 0;
	b->seqs = palloc(sizeof(Datum) * (n + 1));
	b->created = palloc(sizeof(TimestampTz) * (n + 1));
	b->records = palloc(sizeof(Jsonb *) * (n + 1));
	/* The values stay in SPI's tuple table until the step ends. */
	for (i = 0; i < n; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Jsonb	   *rec = DatumGetJsonbP(SPI_getbinval(row, desc, 3, &isnull));

		if (i > 0 && bytes + VARSIZE(rec) > MAX_PAYLOAD_BYTES)
			break;
		bytes += VARSIZE(rec);
		b->seqs[i] = SPI_getbinval(row, desc, 1, &isnull);
		b->created[i] = DatumGetTimestampTz(SPI_getbinval(row, desc, 2, &isnull));
		b->records[i] = rec;
		b->n++;
	}
}

/* Append zero bytes up to the next int boundary, as jsonb's encoder does. */
static void
pad_to_int(StringInfo buf)
{
	while ((Size) buf->len != INTALIGN(buf->len))
		appendStringInfoCharMacro(buf, '\0');
}

/*
 * {"Records": [records from..to-1]}, assembled from the records' binary
 * containers without decoding them: a jsonb container refers to its parts
 * by offsets relative to itself and only needs to start int-aligned (in the
 * whole value), as the root of each stored record does.  The layout is the
 * one convertJsonbObject() and convertJsonbArray() write: the root object's
 * JEntries (its key's as an offset, the first of every JB_OFFSET_STRIDE),
 * the key, then the array, each element padded to an int boundary with the
 * padding counted in its length.
 */
static Jsonb *
build_payload(Batch *b, int from, int to)
{
	static const char key[] = "Records";
	StringInfoData buf;
	int			n = to - from;
	int			root_entries;
	int			array_start;
	int			array_entries;
	uint32		total = 0;
	uint32		header;
	JEntry		meta;
	int			i;
	Size		size = VARHDRSZ + 3 * sizeof(uint32) + sizeof(key) + 3 + n * sizeof(JEntry);

	for (i = from; i < to; i++)
		size += VARSIZE(b->records[i]) - VARHDRSZ + 3;
	if (size > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("stream batch too large for jsonb")));
	initStringInfo(&buf);
	enlargeStringInfo(&buf, (int) size);

	/* the varlena header, set at the end; the root object */
	buf.len = VARHDRSZ;
	header = 1 | JB_FOBJECT;
	appendBinaryStringInfo(&buf, (char *) &header, sizeof(uint32));
	root_entries = buf.len;
	buf.len += 2 * sizeof(JEntry);
	appendBinaryStringInfo(&buf, key, strlen(key));

	/* the array */
	array_start = buf.len;
	pad_to_int(&buf);
	header = n | JB_FARRAY;
	appendBinaryStringInfo(&buf, (char *) &header, sizeof(uint32));
	array_entries = buf.len;
	buf.len += n * sizeof(JEntry);
	for (i = 0; i < n; i++)
	{
		Jsonb	   *rec = b->records[from + i];
		int			start = buf.len;

		pad_to_int(&buf);
		appendBinaryStringInfo(&buf, (char *) &rec->root, VARSIZE(rec) - VARHDRSZ);
		total += buf.len - start;
		if (i % JB_OFFSET_STRIDE == 0)
			meta = JENTRY_ISCONTAINER | JENTRY_HAS_OFF | total;
		else
			meta = JENTRY_ISCONTAINER | (buf.len - start);
		memcpy(buf.data + array_entries + i * sizeof(JEntry), &meta, sizeof(JEntry));
	}

	/* the root's entries: the key (an offset), then the array (a length) */
	meta = JENTRY_ISSTRING | JENTRY_HAS_OFF | (uint32) strlen(key);
	memcpy(buf.data + root_entries, &meta, sizeof(JEntry));
	meta = JENTRY_ISCONTAINER | (uint32) (buf.len - array_start);
	memcpy(buf.data + root_entries + sizeof(JEntry), &meta, sizeof(JEntry));

	SET_VARSIZE(buf.data, buf.len);
	return (Jsonb *) buf.data;
}

/* Raise the error for a ReportBatchItemFailures response Lambda rejects. */
static void
invalid_response(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid batchItemFailures in the function's response"),
			 errdetail("%s", detail)));
}

/*
 * How many leading records of the batch a ReportBatchItemFailures response
 * acknowledges: all unless batchItemFailures lists some, else those before
 * the earliest listed.  A response Lambda would reject is an error (so the
 * whole batch fails).
 */
static int
acknowledged(Datum result, bool isnull, Batch *b)
{
	Jsonb	   *jb;
	JsonbValue *failures;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			first = b->n;

	if (isnull)
		return b->n;
	jb = DatumGetJsonbP(result);
	if (!JB_ROOT_IS_OBJECT(jb))
		return b->n;
	failures = getKeyJsonValueFromContainer(&jb->root, "batchItemFailures",
											strlen("batchItemFailures"), NULL);
	if (failures == NULL || failures->type == jbvNull)
		return b->n;
	if (failures->type != jbvBinary || !JsonContainerIsArray(failures->val.binary.data))
		invalid_response("batchItemFailures is not an array.");

	it = JsonbIteratorInit(failures->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		JsonbValue *id;
		char	   *digits;
		Datum		seq;
		int			i;
		int			j;

		if (tok != WJB_ELEM)
			continue;
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			invalid_response("A member of batchItemFailures is not an object.");
		id = getKeyJsonValueFromContainer(v.val.binary.data, "itemIdentifier",
										  strlen("itemIdentifier"), NULL);
		if (id == NULL || id->type != jbvString || id->val.string.len == 0)
			invalid_response("A member of batchItemFailures has no itemIdentifier.");
		digits = pnstrdup(id->val.string.val, id->val.string.len);
		for (i = 0; digits[i]; i++)
			if (!isdigit((unsigned char) digits[i]))
				break;
		if (digits[i] != '\0' || i > 40)
			invalid_response(psprintf("itemIdentifier \"%s\" is not a SequenceNumber of the batch.", digits));
		seq = numeric_from_cstring(digits);
		for (j = 0; j < b->n; j++)
			if (numeric_compare(seq, b->seqs[j]) == 0)
				break;
		if (j == b->n)
			invalid_response(psprintf("itemIdentifier \"%s\" is not a SequenceNumber of the batch.", digits));
		first = Min(first, j);
	}
	return first;
}

/*
 * Call the mapping's function with payload, as its owner.  *isnull and the
 * result are the function's.
 */
static Datum
call_function(Mapping *m, Jsonb *payload, bool *isnull)
{
	FmgrInfo	flinfo;
	LOCAL_FCINFO(fcinfo, 1);
	DdbSavedUser	saved;
	Datum		result;

	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(m->owner)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role with OID %u does not exist", m->owner)));
	check_function(m->function, m->owner, m->report_failures);

	fmgr_info(m->function, &flinfo);
	InitFunctionCallInfoData(*fcinfo, &flinfo, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = JsonbPGetDatum(payload);
	fcinfo->args[0].isnull = false;

	DdbSwitchUser(m->owner, &saved);
	PushActiveSnapshot(GetTransactionSnapshot());
	result = FunctionCallInvoke(fcinfo);
	*isnull = fcinfo->isnull;
	PopActiveSnapshot();
	DdbRestoreUser(&saved);
	return result;
}

/*
 * Deliver records[0..n-1] of the batch to the mapping's function in a
 * subtransaction.  Returns how many leading records the function took:
 * all of them when it succeeded, fewer when it reported batch item
 * failures (its effects stay), none when it failed (its effects are rolled
 * back and *error, *sqlstate say why).
 */
static int
invoke(Mapping *m, Batch *b, Jsonb *payload, char **error, char **sqlstate)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	DdbSavedUser	saved;
	int			save_delivering = delivering;
	volatile int taken = 0;

	GetUserIdAndSecContext(&saved.userid, &saved.sec_context);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	delivering++;

	PG_TRY();
	{
		bool		isnull;
		Datum		result = call_function(m, payload, &isnull);

		taken = m->report_failures ? acknowledged(result, isnull, b) : b->n;
		delivering = save_delivering;
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		if (taken < b->n)
		{
			*error = psprintf("The function reported batch item failures from SequenceNumber %s.",
							  sequence_number(b->seqs[taken]));
			*sqlstate = NULL;
		}
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		delivering = save_delivering;
		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		DdbRestoreUser(&saved);

		/* A cancel is the caller's, not the function's failure. */
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			ReThrowError(edata);
		*error = edata->message ? edata->message : pstrdup("unknown error");
		*sqlstate = pstrdup(unpack_sql_state(edata->sqlerrcode));
		taken = 0;
	}
	PG_END_TRY();

	return taken;
}

/* The shard id the Streams API gives the stream (see streams.c), or NULL. */
static char *
shard_id(const char *arn)
{
	Oid			types[1] = {TEXTOID};
	Datum		vals[1] = {CStringGetTextDatum(arn)};
	bool		isnull;
	int64		created_ms;

	if (DdbSpiExec("SELECT (extract(epoch FROM created_at) * 1000)::bigint FROM ddb.streams"
			 " WHERE stream_arn = $1",
			 1, types, vals, NULL, SPI_OK_SELECT) == 0)
		return NULL;
	created_ms = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	return psprintf("shardId-%013lld-%08x", (long long) created_ms,
					DatumGetUInt32(hash_any((const unsigned char *) arn, strlen(arn))));
}

/* The columns of table rel that an on-failure destination fills, quoted. */
static char *
destination_columns(Oid rel)
{
	StringInfoData cols;
	int			i;

	initStringInfo(&cols);
	for (i = 0; failure_columns[i] != NULL; i++)
		if (get_attnum(rel, failure_columns[i]) != InvalidAttrNumber)
			appendStringInfo(&cols, "%s%s", cols.len ? ", " : "",
							 quote_identifier(failure_columns[i]));
	return cols.data;
}

/* Insert the failure row (the query select_sql makes) into table rel. */
static void
insert_failure(Oid rel, const char *select_sql, Oid *types, Datum *vals, char *nulls)
{
	char	   *name = get_rel_name(rel);
	char	   *nsp;
	char	   *cols;

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", rel)));
	nsp = get_namespace_name(get_rel_namespace(rel));
	cols = destination_columns(rel);
	DdbSpiExec(psprintf("INSERT INTO %s (%s) SELECT %s FROM (%s) f",
				  quote_qualified_identifier(nsp, name), cols, cols, select_sql),
		 17, types, vals, nulls, SPI_OK_INSERT);
}

/*
 * Send a batch given up on to the mapping's on-failure destination (as the
 * mapping's owner), or to ddb.event_source_failures when it has none or
 * that fails.
 */
static void
write_failure(Mapping *m, FailedBatch *fb, TimestampTz now)
{
	static const char *select_sql =
	"SELECT $1::uuid AS mapping_uuid, $2::oid::pg_catalog.regrole AS owner,"
	"  $3::text AS stream_arn, $4::oid::pg_catalog.regprocedure AS function,"
	"  $5::text AS condition, $6::text AS start_sequence_number, $7::text AS end_sequence_number,"
	"  $8::integer AS batch_size, $9::integer AS approximate_invoke_count,"
	"  $10::text AS error, $11::text AS error_sqlstate, $12::jsonb AS payload,"
	"  jsonb_build_object("
	"    'requestContext', jsonb_build_object('requestId', gen_random_uuid(), 'functionArn', $14::text,"
	"       'condition', $5::text, 'approximateInvokeCount', $9::integer),"
	"    'responseContext', CASE WHEN $9::integer > 0 THEN jsonb_build_object('statusCode', 200,"
	"       'executedVersion', '$LATEST', 'functionError', 'Unhandled') ELSE '{}'::jsonb END,"
	"    'version', '1.0',"
	"    'timestamp', to_char($13::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
	"    'DDBStreamBatchInfo', jsonb_strip_nulls(jsonb_build_object("
	"       'shardId', $15::text, 'startSequenceNumber', $6::text, 'endSequenceNumber', $7::text,"
	"       'approximateArrivalOfFirstRecord',"
	"         to_char($16::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	"       'approximateArrivalOfLastRecord',"
	"         to_char($17::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	"       'batchSize', $8::integer, 'streamArn', $3::text))) AS record,"
	"  $13::timestamptz AS created_at";
	Oid			types[17] = {TEXTOID, OIDOID, TEXTOID, OIDOID, TEXTOID, TEXTOID, TEXTOID,
		INT4OID, INT4OID, TEXTOID, TEXTOID, JSONBOID, TIMESTAMPTZOID, TEXTOID, TEXTOID,
	TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		vals[17];
	char		nulls[17];
	char	   *shard = shard_id(m->stream_arn);
	char	   *fname = get_func_name(m->function);
	bool		written = false;

	memset(nulls, ' ', sizeof(nulls));
	vals[0] = CStringGetTextDatum(m->uuid);
	vals[1] = ObjectIdGetDatum(m->owner);
	vals[2] = CStringGetTextDatum(m->stream_arn);
	vals[3] = ObjectIdGetDatum(m->function);
	vals[4] = CStringGetTextDatum(fb->condition);
	vals[5] = fb->start_seq ? CStringGetTextDatum(fb->start_seq) : (Datum) 0;
	nulls[5] = fb->start_seq ? ' ' : 'n';
	vals[6] = CStringGetTextDatum(fb->end_seq);
	vals[7] = Int32GetDatum(fb->count);
	vals[8] = Int32GetDatum(fb->invoke_count);
	vals[9] = fb->error ? CStringGetTextDatum(fb->error) : (Datum) 0;
	nulls[9] = fb->error ? ' ' : 'n';
	vals[10] = fb->sqlstate ? CStringGetTextDatum(fb->sqlstate) : (Datum) 0;
	nulls[10] = fb->sqlstate ? ' ' : 'n';
	vals[11] = fb->payload ? JsonbPGetDatum(fb->payload) : (Datum) 0;
	nulls[11] = fb->payload ? ' ' : 'n';
	vals[12] = TimestampTzGetDatum(now);
	vals[13] = CStringGetTextDatum(psprintf("arn:aws:lambda:%s:%s:function:%s", ddb_region,
											ddb_account_id, fname ? fname : "unknown"));
	vals[14] = shard ? CStringGetTextDatum(shard) : (Datum) 0;
	nulls[14] = shard ? ' ' : 'n';
	vals[15] = TimestampTzGetDatum(fb->first_created);
	vals[16] = TimestampTzGetDatum(fb->last_created);
	nulls[15] = nulls[16] = fb->count > 0 ? ' ' : 'n';

	if (OidIsValid(m->on_failure))
	{
		MemoryContext oldcontext = CurrentMemoryContext;
		ResourceOwner oldowner = CurrentResourceOwner;
		DdbSavedUser	saved;

		GetUserIdAndSecContext(&saved.userid, &saved.sec_context);
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(oldcontext);
		PG_TRY();
		{
			DdbSavedUser	as_owner;

			DdbSwitchUser(m->owner, &as_owner);
			insert_failure(m->on_failure, select_sql, types, vals, nulls);
			DdbRestoreUser(&as_owner);
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcontext);
			CurrentResourceOwner = oldowner;
			written = true;
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(oldcontext);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcontext);
			CurrentResourceOwner = oldowner;
			DdbRestoreUser(&saved);
			if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
				ReThrowError(edata);
			ereport(WARNING,
					(errmsg("could not write a failed batch to on-failure destination \"%s\": %s",
							get_rel_name(m->on_failure) ? get_rel_name(m->on_failure) : "?",
							edata->message),
					 errdetail("The batch of event source mapping %s is in ddb.event_source_failures.",
							   m->uuid)));
		}
		PG_END_TRY();
	}
	if (!written)
		insert_failure(get_relname_relid("event_source_failures", get_namespace_oid("ddb", false)),
					   select_sql, types, vals, nulls);
}

/*
 * Turn JIT compilation off until jit_restore(): the step's queries are
 * short, but their estimated costs grow with ddb.stream_records, and
 * compiling them would take far longer than running them.  Returns the GUC
 * nesting level to restore.
 */
static int
jit_off(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

static void
jit_restore(int level)
{
	AtEOXact_GUC(true, level);
}

/* Forget the pending batches that end at or before the position. */
static void
pop_delivered(Mapping *m)
{
	while (m->nends > 0 && numeric_compare(m->ends[m->nends - 1], m->position) <= 0)
		m->nends--;
}

/* Make the batch ending at seq the next to deliver. */
static void
push_end(Mapping *m, Datum seq)
{
	if (m->nends == 0 || numeric_compare(m->ends[m->nends - 1], seq) != 0)
		m->ends[m->nends++] = seq;
}

/* Write the mapping's new state. */
static void
save_mapping(Mapping *m, bool has_next, TimestampTz next_attempt_at, const char *result,
			 const char *error, const char *sqlstate, int batches, int records, int failed)
{
	static Oid	types[12] = {TEXTOID, NUMERICOID, NUMERICARRAYOID, INT4OID, INT4OID,
		TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID, INT4OID, INT4OID, INT4OID};
	Datum		vals[12];
	char		nulls[12];

	keep_plan(&update_plan,
			  "UPDATE ddb.event_source_mappings SET last_sequence_number = $2,"
			  " pending_batch_ends = $3, retry_attempts = $4, invoke_count = $5,"
			  " next_attempt_at = $6, last_attempt_at = clock_timestamp(),"
			  " last_processing_result = coalesce($7, last_processing_result),"
			  " last_error = coalesce($8, last_error),"
			  " last_error_sqlstate = CASE WHEN $8 IS NULL THEN last_error_sqlstate ELSE $9 END,"
			  " batches_delivered = batches_delivered + $10,"
			  " records_delivered = records_delivered + $11,"
			  " records_failed = records_failed + $12"
			  " WHERE uuid = $1::uuid",
			  12, types);
	memset(nulls, ' ', sizeof(nulls));
	vals[0] = CStringGetTextDatum(m->uuid);
	vals[1] = m->position;
	vals[2] = PointerGetDatum(m->nends > 0 ?
							  construct_array(m->ends, m->nends, NUMERICOID, -1, false, TYPALIGN_INT) :
							  construct_empty_array(NUMERICOID));
	vals[3] = Int32GetDatum(m->retry_attempts);
	vals[4] = Int32GetDatum(m->invoke_count);
	vals[5] = TimestampTzGetDatum(next_attempt_at);
	nulls[5] = has_next ? ' ' : 'n';
	vals[6] = result ? CStringGetTextDatum(result) : (Datum) 0;
	nulls[6] = result ? ' ' : 'n';
	vals[7] = error ? CStringGetTextDatum(error) : (Datum) 0;
	nulls[7] = error ? ' ' : 'n';
	vals[8] = sqlstate ? CStringGetTextDatum(sqlstate) : (Datum) 0;
	nulls[8] = sqlstate ? ' ' : 'n';
	vals[9] = Int32GetDatum(batches);
	vals[10] = Int32GetDatum(records);
	vals[11] = Int32GetDatum(failed);
	exec_plan(update_plan, vals, nulls, SPI_OK_UPDATE);
}

/* Fill fb with records from..to-1 of the batch. */
static void
failed_records(FailedBatch *fb, Batch *b, int from, int to, Jsonb *payload)
{
	fb->start_seq = sequence_number(b->seqs[from]);
	fb->end_seq = sequence_number(b->seqs[to - 1]);
	fb->count = to - from;
	fb->first_created = b->created[from];
	fb->last_created = b->created[to - 1];
	fb->payload = payload ? payload : build_payload(b, from, to);
}

/*
 * Deliver one ready batch of one mapping, as described at the top of this
 * file.  Adds to *delivered the batches a function took.  Returns false
 * when no mapping had a batch ready.
 */
static bool
trigger_step(TimestampTz now, int64 *delivered)
{
	Oid			relid = DdbCatalogRelid("event_source_mappings");
	MemoryContext stepcxt;
	MemoryContext oldcxt;
	DdbSavedUser	saved;
	Mapping		m;
	Batch		b;
	TimestampTz cutoff;
	int			expired;
	Jsonb	   *payload;
	int			taken;
	char	   *error = NULL;
	char	   *sqlstate = NULL;
	bool		found;
	int			guc_level;

	if (!OidIsValid(relid))
		return false;
	stepcxt = AllocSetContextCreate(CurrentMemoryContext, "ddb_emul trigger step",
									ALLOCSET_DEFAULT_SIZES);
	DdbBeginCatalog("event_source_mappings", relid, &saved);
	oldcxt = MemoryContextSwitchTo(stepcxt);
	guc_level = jit_off();

	found = pick_mapping(now, &m);
	if (!found)
		goto done;
	read_batch(&m, &b);

	/* The records of a pending batch were trimmed while it waited. */
	if (b.n == 0)
	{
		if (m.nends > 0)
		{
			FailedBatch fb = {0};

			fb.condition = "RecordAgeExceeded";
			fb.end_seq = sequence_number(m.ends[m.nends - 1]);
			fb.error = m.last_error;
			fb.sqlstate = m.last_error_sqlstate;
			fb.invoke_count = m.invoke_count;
			write_failure(&m, &fb, now);
			m.position = m.ends[m.nends - 1];
			pop_delivered(&m);
			m.retry_attempts = m.invoke_count = 0;
		}
		save_mapping(&m, false, 0, NULL, NULL, NULL, 0, 0, 0);
		goto done;
	}

	/* Records older than the maximum age (or the stream's 24 hours) go. */
	cutoff = now - (int64) (m.max_age >= 0 ? m.max_age : RETENTION_SECONDS) * USECS_PER_SEC;
	for (expired = 0; expired < b.n && b.created[expired] < cutoff; expired++)
		;
	if (expired > 0)
	{
		FailedBatch fb = {0};

		fb.condition = "RecordAgeExceeded";
		failed_records(&fb, &b, 0, expired, NULL);
		fb.error = m.invoke_count > 0 ? m.last_error : NULL;
		fb.sqlstate = m.invoke_count > 0 ? m.last_error_sqlstate : NULL;
		fb.invoke_count = m.invoke_count;
		write_failure(&m, &fb, now);
		m.position = b.seqs[expired - 1];
		pop_delivered(&m);
		m.retry_attempts = m.invoke_count = 0;
		save_mapping(&m, false, 0, NULL, NULL, NULL, 0, 0, expired);
		goto done;
	}

	/* The function runs with the session's settings. */
	payload = build_payload(&b, 0, b.n);
	jit_restore(guc_level);
	taken = invoke(&m, &b, payload, &error, &sqlstate);
	guc_level = jit_off();

	if (taken == b.n)
	{
		m.position = b.seqs[b.n - 1];
		pop_delivered(&m);
		m.retry_attempts = m.invoke_count = 0;
		save_mapping(&m, false, 0, "OK", NULL, NULL, 1, b.n, 0);
		(*delivered)++;
		goto done;
	}

	/* Records before the first failed one (batch item failures) are done. */
	if (taken > 0)
	{
		m.position = b.seqs[taken - 1];
		pop_delivered(&m);
		(*delivered)++;
	}
	m.invoke_count++;
	if (m.bisect && b.n - taken > 1)
	{
		/* Deliver the first half of what failed next, then the rest. */
		push_end(&m, b.seqs[b.n - 1]);
		push_end(&m, b.seqs[taken + (b.n - taken + 1) / 2 - 1]);
		save_mapping(&m, false, 0, "PROBLEM: Function call failed", error, sqlstate,
					 taken > 0, taken, 0);
	}
	else if (m.max_retries >= 0 && m.retry_attempts + 1 > m.max_retries)
	{
		FailedBatch fb = {0};

		fb.condition = "RetryAttemptsExhausted";
		failed_records(&fb, &b, taken, b.n, taken == 0 ? payload : NULL);
		fb.error = error;
		fb.sqlstate = sqlstate;
		fb.invoke_count = m.invoke_count;
		write_failure(&m, &fb, now);
		m.position = b.seqs[b.n - 1];
		pop_delivered(&m);
		m.retry_attempts = m.invoke_count = 0;
		save_mapping(&m, false, 0, "PROBLEM: Function call failed", error, sqlstate,
					 taken > 0, taken, b.n - taken);
	}
	else
	{
		int			backoff;

		m.retry_attempts++;
		backoff = m.retry_attempts > 6 ? MAX_BACKOFF_SECONDS :
			Min(1 << (m.retry_attempts - 1), MAX_BACKOFF_SECONDS);
		push_end(&m, b.seqs[b.n - 1]);
		save_mapping(&m, true, now + (int64) backoff * USECS_PER_SEC,
					 "PROBLEM: Function call failed", error, sqlstate, taken > 0, taken, 0);
	}

done:
	jit_restore(guc_level);
	MemoryContextSwitchTo(oldcxt);
	DdbEndCatalog(&saved);
	MemoryContextDelete(stepcxt);
	return found;
}

/*
 * The background worker's step: deliver one ready batch, unless a session
 * holds ddb.pause_background_delivery().  Returns false when no batch was
 * ready (or delivery is paused).
 */
bool
DdbTriggerStep(TimestampTz now)
{
	LOCKTAG		tag;
	int64		delivered = 0;

	if (TIMESTAMP_NOT_FINITE(now) || delivering > 0)
		return false;
	pause_locktag(&tag);
	if (LockAcquire(&tag, RowExclusiveLock, false, true) == LOCKACQUIRE_NOT_AVAIL)
		return false;
	return trigger_step(now, &delivered);
}

/*
 * ddb.deliver_stream_batches_now(now, pump): pump the streams (unless pump
 * is false), then deliver in the caller's transaction every batch ready at
 * now.  Returns how many batches functions took.
 */
Datum
ddb_deliver_stream_batches_now(PG_FUNCTION_ARGS)
{
	TimestampTz now = PG_GETARG_TIMESTAMPTZ(0);
	bool		pump = PG_GETARG_BOOL(1);
	int64		delivered = 0;

	check_not_delivering();
	if (TIMESTAMP_NOT_FINITE(now))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("now must be finite")));
	if (pump)
	{
		DdbSavedUser	saved;

		DdbBeginCatalog("event_source_mappings", InvalidOid, &saved);
		DdbStreamPump();
		DdbEndCatalog(&saved);
	}
	while (trigger_step(now, &delivered))
		CHECK_FOR_INTERRUPTS();
	PG_RETURN_INT64(delivered);
}

/*
 * ddb.pause_background_delivery(): until ddb.resume_background_delivery()
 * or the end of the session, the background worker delivers no batches
 * (ddb.deliver_stream_batches_now() still does).  Pauses nest.
 */
Datum
ddb_pause_background_delivery(PG_FUNCTION_ARGS)
{
	LOCKTAG		tag;

	pause_locktag(&tag);
	(void) LockAcquire(&tag, ShareLock, true, false);
	PG_RETURN_VOID();
}

/* ddb.resume_background_delivery(): end one pause; returns whether there was one. */
Datum
ddb_resume_background_delivery(PG_FUNCTION_ARGS)
{
	LOCKTAG		tag;

	pause_locktag(&tag);
	if (!LockHeldByMe(&tag, ShareLock))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(LockRelease(&tag, ShareLock, true));
}
