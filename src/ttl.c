/*-------------------------------------------------------------------------
 *
 * ttl.c
 *	  Time to Live: UpdateTimeToLive, DescribeTimeToLive, and the expiry
 *	  of items -- the TTL step of the background worker and its
 *	  synchronous twin ddb.ttl_sweep_now().
 *
 * The setting lives in ddb.tables (ttl_attribute, ttl_status).  Enabling
 * it also creates a partial expression index on the item table,
 *
 *     CREATE INDEX "<table>#ttl" ON ddb_data."<table>"
 *         (ddb.ttl_expiry(item, '<attribute>'))
 *         WHERE ddb.ttl_expiry(item, '<attribute>') IS NOT NULL
 *
 * where ddb.ttl_expiry() is the attribute's number when it is a top-level
 * N and NULL otherwise, so the index holds exactly the items that can
 * expire, ordered by expiry time.  Finding the expired items of a table
 * is then one index range scan, however big the table is and however
 * few of its items have expired: a sweep of 1.1 million items with none
 * expired takes 2-16 ms with the index and 1.1-1.6 s without (a full
 * scan, every ttl_interval), and the worker deletes 40-50 thousand
 * expired items a second (test/bench_ttl.sh).  The price is one more
 * index on every write to a table with TTL enabled (about 15% of a
 * PutItem's time, and no HOT updates).  The index is built by the
 * UpdateTimeToLive call itself (CREATE INDEX cannot be CONCURRENTLY in a
 * transaction), which blocks writers of that table while it is built
 * (1.5-3.6 s for 1.1 million items).  Disabling TTL drops it.
 *
 * An item is eligible when the attribute is a top-level N whose value,
 * in seconds since the epoch, lies between now minus five years and now
 * (DynamoDB ignores values more than five years in the past).  Each step
 * works on one table, in table name order, continuing where the previous
 * step stopped:
 *
 *   1. SELECT ctid ... WHERE expiry BETWEEN lower AND now ORDER BY expiry
 *      LIMIT n FOR UPDATE SKIP LOCKED -- rows a writer holds are skipped,
 *      never waited for; a row updated after the statement's snapshot is
 *      re-checked on its newest version by the row lock;
 *   2. when some rows were locked: DdbMarkTtlTransaction(), so the stream
 *      records of the deletes carry DynamoDB's TTL userIdentity;
 *   3. DELETE ... WHERE ctid = ANY(locked) AND the expiry test again.
 *
 * A step that finds nothing writes nothing (no transaction id, no WAL).
 * While one table has more expired items than a batch, the following
 * steps stay on it, each starting at the expiry time the previous batch
 * reached, so a long sweep never rescans the index entries of the rows it
 * already deleted.  A step that fails (say, a broken table) has already
 * moved the cursor past its table, so the next step goes on with the next
 * table.
 *
 * src/ttl.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "ddb_emul.h"
#include "decoder.h"
#include "errors.h"
#include "ops.h"
#include "request.h"
#include "worker.h"

/* ddb_emul.ttl_batch_size, defined with the other settings in worker.c. */
extern int	ddb_ttl_batch_size;

#define TTL_MAX_ATTRIBUTE_LENGTH 255

/*
 * Where the sweep of this backend stands: the table the last step worked
 * on, whether the next step stays on it, and from which expiry time on.
 * Kept in TopMemoryContext between steps (and transactions).
 */
static char *cursor_table = NULL;
static bool cursor_resume = false;
static char *cursor_lower = NULL;	/* numeric text, or NULL */

static void
reset_cursor(void)
{
	if (cursor_table)
		pfree(cursor_table);
	if (cursor_lower)
		pfree(cursor_lower);
	cursor_table = NULL;
	cursor_lower = NULL;
	cursor_resume = false;
}

/* Run a statement that must succeed with the expected SPI result code. */
static void
exec_sql(const char *sql, int nargs, Oid *types, Datum *vals, int expected)
{
	int			ret = nargs > 0 ?
		SPI_execute_with_args(sql, nargs, types, vals, NULL, false, 0) :
		SPI_execute(sql, false, 0);

	if (ret != expected)
		elog(ERROR, "SPI_execute(\"%s\") failed: %s", sql, SPI_result_code_string(ret));
}

/* The SQL expression of an item's expiry time for attribute attr. */
static char *
expiry_expr(const char *attr)
{
	return psprintf("ddb.ttl_expiry(item, %s)", quote_literal_cstr(attr));
}

/* Name of the TTL index of a table (cannot clash: '#' is not in names). */
static char *
ttl_index_name(const char *table)
{
	return DdbPhysicalName(psprintf("%s#ttl", table));
}

/* Seconds since the epoch of ts, as numeric. */
static Datum
epoch_seconds(TimestampTz ts)
{
	return DirectFunctionCall2(extract_timestamptz,
							   CStringGetTextDatum("epoch"),
							   TimestampTzGetDatum(ts));
}

/* ---------------------------------------------------------------------
 * Expiry
 * ---------------------------------------------------------------------
 */

/*
 * Delete at most max_items expired items of one table (see the file
 * header).  *locked gets the number of rows locked (a full batch means
 * more may be left); the expiry time of the last one goes to
 * cursor_lower.
 */
static int64
sweep_table(const char *physical, const char *attr, int max_items, int64 *locked)
{
	char	   *rel = quote_qualified_identifier(DDB_DATA_SCHEMA, physical);
	char	   *expr = expiry_expr(attr);
	TimestampTz now = GetCurrentTimestamp();
	Interval	five_years;
	Datum		now_epoch;
	Datum		floor_epoch;
	Datum		lower;
	Oid			types[3];
	Datum		vals[3];
	Datum	   *tids;
	ArrayType  *tid_array;
	int			save_nestlevel;
	uint64		n;
	uint64		i;
	int64		deleted;

	/* Deleted (DeleteTable) since the catalog row was read: nothing to do. */
	if (!OidIsValid(get_relname_relid(physical, get_namespace_oid(DDB_DATA_SCHEMA, false))))
	{
		*locked = 0;
		return 0;
	}

	memset(&five_years, 0, sizeof(five_years));
	five_years.month = 5 * MONTHS_PER_YEAR;
	now_epoch = epoch_seconds(now);
	floor_epoch = epoch_seconds(DatumGetTimestampTz(
													DirectFunctionCall2(timestamptz_mi_interval,
																		TimestampTzGetDatum(now),
																		IntervalPGetDatum(&five_years))));
	lower = floor_epoch;
	if (cursor_lower != NULL)
		lower = DirectFunctionCall2(numeric_larger, floor_epoch,
									DirectFunctionCall3(numeric_in,
														CStringGetDatum(cursor_lower),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));

	/* Always the index, as the access layer does for its range reads. */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("enable_bitmapscan", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	types[0] = NUMERICOID;
	types[1] = NUMERICOID;
	types[2] = INT4OID;
	vals[0] = lower;
	vals[1] = now_epoch;
	vals[2] = Int32GetDatum(max_items);
	exec_sql(psprintf("SELECT ctid, %s FROM %s WHERE %s >= $1 AND %s <= $2"
					  " ORDER BY %s LIMIT $3 FOR UPDATE SKIP LOCKED",
					  expr, rel, expr, expr, expr),
			 3, types, vals, SPI_OK_SELECT);
	n = SPI_processed;
	*locked = (int64) n;
	if (n == 0)
	{
		AtEOXact_GUC(true, save_nestlevel);
		return 0;
	}

	tids = palloc(n * sizeof(Datum));
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		ItemPointer tid = palloc(sizeof(ItemPointerData));

		ItemPointerCopy((ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[i],
														  SPI_tuptable->tupdesc, 1,
														  &isnull)),
						tid);
		tids[i] = PointerGetDatum(tid);
	}
	{
		char	   *last = SPI_getvalue(SPI_tuptable->vals[n - 1], SPI_tuptable->tupdesc, 2);

		if (cursor_lower)
			pfree(cursor_lower);
		cursor_lower = MemoryContextStrdup(TopMemoryContext, last);
	}
	tid_array = construct_array(tids, (int) n, TIDOID, sizeof(ItemPointerData),
								false, TYPALIGN_SHORT);

	/* The stream records of what follows are TTL deletions. */
	DdbMarkTtlTransaction();

	types[0] = TIDARRAYOID;
	vals[0] = PointerGetDatum(tid_array);
	vals[1] = floor_epoch;
	vals[2] = now_epoch;
	types[2] = NUMERICOID;
	exec_sql(psprintf("DELETE FROM %s WHERE ctid = ANY ($1) AND %s >= $2 AND %s <= $3",
					  rel, expr, expr),
			 3, types, vals, SPI_OK_DELETE);
	deleted = (int64) SPI_processed;
	AtEOXact_GUC(true, save_nestlevel);
	return deleted;
}

/*
 * The TTL step (worker.h): delete at most max_items expired items of the
 * next table with TTL enabled.  *more is false once every table has been
 * visited since the sweep began (the next call starts over).
 */
int64
DdbTtlSweepStep(int max_items, bool *more)
{
	Oid			types[2] = {TEXTOID, BOOLOID};
	Datum		vals[2];
	char		nulls[2] = {' ', ' '};
	int			ret;
	char	   *name;
	char	   *physical;
	char	   *attr;
	int64		locked = 0;
	int64		deleted;

	if (max_items < 1)
		max_items = 1;
	vals[0] = cursor_table ? CStringGetTextDatum(cursor_table) : (Datum) 0;
	nulls[0] = cursor_table ? ' ' : 'n';
	vals[1] = BoolGetDatum(cursor_resume);
	ret = SPI_execute_with_args("SELECT table_name, physical_name, ttl_attribute FROM ddb.tables"
								" WHERE ttl_status = 'ENABLED' AND ttl_attribute IS NOT NULL"
								"   AND ($1 IS NULL OR table_name > $1 OR ($2 AND table_name = $1))"
								" ORDER BY table_name LIMIT 1",
								2, types, vals, nulls, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
	{
		/* Every table visited: the sweep is complete. */
		reset_cursor();
		*more = false;
		return 0;
	}
	name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	physical = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	attr = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);

	/* Move the cursor first: should this table fail, the next step skips it. */
	if (cursor_table == NULL || strcmp(cursor_table, name) != 0)
	{
		reset_cursor();
		cursor_table = MemoryContextStrdup(TopMemoryContext, name);
	}
	cursor_resume = false;
	*more = true;

	deleted = sweep_table(physical, attr, max_items, &locked);
	if (locked >= max_items)
		cursor_resume = true;	/* a full batch: stay on this table */
	else if (cursor_lower)
	{
		pfree(cursor_lower);
		cursor_lower = NULL;
	}
	return deleted;
}

PG_FUNCTION_INFO_V1(ddb_ttl_sweep_now);

/*
 * ddb.ttl_sweep_now(max_items integer DEFAULT NULL) RETURNS bigint
 *
 * Run the TTL steps of the worker in the caller's transaction until no
 * table has expired items left (or max_items were deleted); returns the
 * number deleted.
 */
Datum
ddb_ttl_sweep_now(PG_FUNCTION_ARGS)
{
	volatile int64 limit = -1;	/* no limit */
	volatile int64 total = 0;

	if (!PG_ARGISNULL(0))
	{
		limit = PG_GETARG_INT32(0);
		if (limit < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_items must not be negative")));
		if (limit == 0)
			PG_RETURN_INT64(0);
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	reset_cursor();
	PG_TRY();
	{
		bool		more = true;

		while (more && (limit < 0 || total < limit))
		{
			int			batch = ddb_ttl_batch_size;

			if (limit >= 0 && limit - total < batch)
				batch = (int) (limit - total);
			total += DdbTtlSweepStep(batch, &more);
			CHECK_FOR_INTERRUPTS();
		}
	}
	PG_FINALLY();
	{
		reset_cursor();
	}
	PG_END_TRY();
	SPI_finish();
	PG_RETURN_INT64(total);
}

/* ---------------------------------------------------------------------
 * The API
 * ---------------------------------------------------------------------
 */

/*
 * TimeToLiveSpecification must be a structure; DynamoDB's deserializer
 * words the other cases its own way.
 */
static JsonbContainer *
specification(JsonbContainer *req)
{
	JsonbValue *v = DdbReqMember(req, "TimeToLiveSpecification");

	if (v == NULL)
		return NULL;
	if (v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data))
		return v->val.binary.data;
	if (v->type == jbvBinary)
		ddb_error(DDB_EX_SERIALIZATION,
				  "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.TimeToLiveSpecification");
	ddb_error(DDB_EX_SERIALIZATION, "Unexpected field type");
}

/* The TableName of a TTL request, validated. */
static char *
ttl_table_name(JsonbContainer *req, DdbConstraints *c)
{
	int			len = 0;
	char	   *name = DdbReqString(req, "TableName", &len);

	DdbCheckRequiredTableName(c, name, len, "tableName");
	return name;
}

/* The catalog row's physical relation, for cache invalidation. */
static Oid
physical_relid(const char *physical)
{
	return get_relname_relid(physical, get_namespace_oid(DDB_DATA_SCHEMA, false));
}

/*
 * UpdateTimeToLive: enable TTL on one attribute or disable it.  The
 * change takes effect at once (DynamoDB answers ENABLING for up to an
 * hour and refuses a second change within that hour; neither is
 * emulated).
 */
Jsonb *
DdbUpdateTimeToLive(JsonbContainer *req)
{
	DdbConstraints c;
	JsonbContainer *spec = specification(req);
	char	   *attr = NULL;
	int			attrlen = 0;
	bool		enabled = false;
	bool		have_enabled = false;
	char	   *name;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	int			ret;
	HeapTuple	tup;
	TupleDesc	tupdesc;
	char	   *physical;
	char	   *cur_attr;
	char	   *cur_status;
	bool		is_enabled;
	char	   *qualified;
	Oid			relid;
	JsonbParseState *ps = NULL;

	if (spec != NULL)
	{
		attr = DdbReqString(spec, "AttributeName", &attrlen);
		have_enabled = DdbReqBool(spec, "Enabled", &enabled);
	}

	DdbConstraintsInit(&c);
	name = ttl_table_name(req, &c);
	if (spec == NULL)
		DdbConstraintAdd(&c, NULL, "timeToLiveSpecification", "Member must not be null");
	else
	{
		if (attr == NULL)
			DdbConstraintAdd(&c, NULL, "timeToLiveSpecification.attributeName",
							 "Member must not be null");
		else
		{
			int			chars = pg_mbstrlen_with_len(attr, attrlen);

			if (chars < 1)
				DdbConstraintAdd(&c, attr, "timeToLiveSpecification.attributeName",
								 "Member must have length greater than or equal to 1");
			else if (chars > TTL_MAX_ATTRIBUTE_LENGTH)
				DdbConstraintAdd(&c, attr, "timeToLiveSpecification.attributeName",
								 "Member must have length less than or equal to 255");
		}
		if (!have_enabled)
			DdbConstraintAdd(&c, NULL, "timeToLiveSpecification.enabled",
							 "Member must not be null");
	}
	DdbConstraintsRaise(&c);

	/* The current setting, locked against concurrent changes. */
	args[0] = CStringGetTextDatum(name);
	ret = SPI_execute_with_args("SELECT physical_name, ttl_attribute, ttl_status"
								" FROM ddb.tables WHERE table_name = $1 FOR UPDATE",
								1, argtypes, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ddb_error(DDB_EX_RESOURCE_NOT_FOUND,
				  "Requested resource not found: Table: %s not found", name);
	tup = SPI_tuptable->vals[0];
	tupdesc = SPI_tuptable->tupdesc;
	physical = SPI_getvalue(tup, tupdesc, 1);
	cur_attr = SPI_getvalue(tup, tupdesc, 2);
	cur_status = SPI_getvalue(tup, tupdesc, 3);
	is_enabled = strcmp(cur_status, "DISABLED") != 0 && cur_attr != NULL;

	if (enabled && is_enabled)
	{
		if (strcmp(cur_attr, attr) == 0)
			ddb_validation_error("TimeToLive is already enabled");
		ddb_validation_error("TimeToLive is active on a different AttributeName: current AttributeName is %s",
							 cur_attr);
	}
	if (!enabled && !is_enabled)
		ddb_validation_error("TimeToLive is already disabled");
	if (!enabled && strcmp(cur_attr, attr) != 0)
		ddb_validation_error("TimeToLive is active on a different AttributeName: current AttributeName is %s",
							 cur_attr);

	qualified = quote_qualified_identifier(DDB_DATA_SCHEMA, physical);
	args[1] = CStringGetTextDatum(attr);
	if (enabled)
	{
		char	   *expr = expiry_expr(attr);

		exec_sql("UPDATE ddb.tables SET ttl_attribute = $2, ttl_status = 'ENABLED'"
				 " WHERE table_name = $1",
				 2, argtypes, args, SPI_OK_UPDATE);
		exec_sql(psprintf("CREATE INDEX %s ON %s (%s) WHERE %s IS NOT NULL",
						  quote_identifier(ttl_index_name(name)), qualified, expr, expr),
				 0, NULL, NULL, SPI_OK_UTILITY);
		if (!DdbWorkerRunning())
			ereport(WARNING,
					(errmsg("the ddb_emul background worker is not running in this database"),
					 errdetail("Expired items are deleted only by SELECT ddb.ttl_sweep_now()."),
					 errhint("The worker runs when ddb_emul is in shared_preload_libraries; SELECT * FROM ddb.worker_status() shows its state.")));
	}
	else
	{
		exec_sql("UPDATE ddb.tables SET ttl_attribute = NULL, ttl_status = 'DISABLED'"
				 " WHERE table_name = $1",
				 1, argtypes, args, SPI_OK_UPDATE);
		exec_sql(psprintf("DROP INDEX IF EXISTS %s",
						  quote_qualified_identifier(DDB_DATA_SCHEMA, ttl_index_name(name))),
				 0, NULL, NULL, SPI_OK_UTILITY);
	}
	relid = physical_relid(physical);
	if (OidIsValid(relid))
		CacheInvalidateRelcacheByRelid(relid);

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushKey(&ps, "TimeToLiveSpecification");
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushBool(&ps, "Enabled", enabled);
	DdbPushStringValue(&ps, "AttributeName", attr, attrlen);
	pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

/*
 * DescribeTimeToLive: ENABLED with the attribute, or DISABLED.
 */
Jsonb *
DdbDescribeTimeToLive(JsonbContainer *req)
{
	DdbConstraints c;
	char	   *name;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	int			ret;
	char	   *attr;
	char	   *status;
	JsonbParseState *ps = NULL;

	DdbConstraintsInit(&c);
	name = ttl_table_name(req, &c);
	DdbConstraintsRaise(&c);

	args[0] = CStringGetTextDatum(name);
	ret = SPI_execute_with_args("SELECT ttl_attribute, ttl_status FROM ddb.tables"
								" WHERE table_name = $1",
								1, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ddb_error(DDB_EX_RESOURCE_NOT_FOUND,
				  "Requested resource not found: Table: %s not found", name);
	attr = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushKey(&ps, "TimeToLiveDescription");
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushCString(&ps, "TimeToLiveStatus", status);
	if (strcmp(status, "DISABLED") != 0 && attr != NULL)
		DdbPushCString(&ps, "AttributeName", attr);
	pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}
