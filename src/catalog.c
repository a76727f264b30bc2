/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  The ddb.tables catalog and the control plane: CreateTable,
 *	  DescribeTable, ListTables and DeleteTable, plus the per-backend cache
 *	  of table descriptions that the data plane reads.
 *
 * Cache entries are keyed by DynamoDB table name.  An entry is marked
 * stale by a relcache invalidation of its physical relation (DROP, ALTER,
 * or an explicit CacheInvalidateRelcacheByRelid when the catalog row
 * changes) and replaced at its next lookup; stale entries are freed at the
 * end of the transaction, so a pointer handed out stays usable for the
 * rest of the transaction.
 *
 * src/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "access.h"
#include "backfill.h"
#include "catalog.h"
#include "ddb_emul.h"
#include "request.h"
#include "streams.h"

/* ---------------------------------------------------------------------
 * Table cache
 * ---------------------------------------------------------------------
 */

#define DDB_TABLE_NAME_MAX 256

typedef struct TableCacheEntry
{
	char		name[DDB_TABLE_NAME_MAX];	/* hash key */
	DdbTable   *table;
	MemoryContext cxt;			/* holds *table and its plans */
	bool		valid;
} TableCacheEntry;

static HTAB *table_cache = NULL;
static MemoryContext table_cache_cxt = NULL;
static List *stale_entries = NIL;	/* StaleEntry, in table_cache_cxt */

typedef struct StaleEntry
{
	DdbTable   *table;
	MemoryContext cxt;
} StaleEntry;
static bool xact_callback_registered = false;

static void
table_cache_inval(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	TableCacheEntry *e;

	if (table_cache == NULL)
		return;
	hash_seq_init(&status, table_cache);
	while ((e = hash_seq_search(&status)) != NULL)
	{
		if (relid == InvalidOid || e->table == NULL || e->table->relid == relid)
			e->valid = false;
	}
}

/* Free the memory of entries replaced during the transaction. */
static void
table_cache_xact_callback(XactEvent event, void *arg)
{
	ListCell   *lc;

	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT)
		return;
	if (stale_entries == NIL)
		return;
	foreach(lc, stale_entries)
	{
		StaleEntry *se = (StaleEntry *) lfirst(lc);

		DdbAccessFreePlans(se->table);
		MemoryContextDelete(se->cxt);
		pfree(se);
	}
	list_free(stale_entries);
	stale_entries = NIL;
}

static void
table_cache_init(void)
{
	HASHCTL		ctl;

	table_cache_cxt = AllocSetContextCreate(CacheMemoryContext,
											"ddb_emul table cache",
											ALLOCSET_SMALL_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = DDB_TABLE_NAME_MAX;
	ctl.entrysize = sizeof(TableCacheEntry);
	ctl.hcxt = table_cache_cxt;
	table_cache = hash_create("ddb_emul tables", 64, &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	CacheRegisterRelcacheCallback(table_cache_inval, (Datum) 0);
	if (!xact_callback_registered)
	{
		RegisterXactCallback(table_cache_xact_callback, NULL);
		xact_callback_registered = true;
	}
}

MemoryContext
DdbTableCacheContext(void)
{
	if (table_cache == NULL)
		table_cache_init();
	return table_cache_cxt;
}

static SPIPlanPtr lookup_plan = NULL;

/*
 * Read the catalog row of a table into a new DdbTable allocated in cxt, or
 * return NULL when there is no such table.
 */
static DdbTable *
load_table(const char *name, MemoryContext cxt)
{
	Datum		arg;
	int			ret;
	HeapTuple	tup;
	TupleDesc	desc;
	DdbTable   *t;
	MemoryContext old;
	bool		isnull;
	char	   *s;
	Oid			nsp;

	if (lookup_plan == NULL)
	{
		Oid			argtypes[1] = {TEXTOID};
		SPIPlanPtr	plan;

		plan = SPI_prepare("SELECT physical_name, hash_key, hash_type, range_key, range_type,"
						   " local_indexes, global_indexes"
						   " FROM ddb.tables WHERE table_name = $1",
						   1, argtypes);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		lookup_plan = plan;
	}
	arg = CStringGetTextDatum(name);
	ret = SPI_execute_plan(lookup_plan, &arg, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "catalog lookup failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		return NULL;

	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	old = MemoryContextSwitchTo(cxt);
	t = palloc0(sizeof(DdbTable));
	t->name = pstrdup(name);
	t->physical_name = SPI_getvalue(tup, desc, 1);
	t->hash.name = SPI_getvalue(tup, desc, 2);
	t->hash.namelen = strlen(t->hash.name);
	s = SPI_getvalue(tup, desc, 3);
	DdbTypeFromName(s, strlen(s), &t->hash.type);
	(void) SPI_getbinval(tup, desc, 4, &isnull);
	t->has_range = !isnull;
	if (t->has_range)
	{
		t->range.name = SPI_getvalue(tup, desc, 4);
		t->range.namelen = strlen(t->range.name);
		s = SPI_getvalue(tup, desc, 5);
		DdbTypeFromName(s, strlen(s), &t->range.type);
	}
	t->qualified_name = quote_qualified_identifier(DDB_DATA_SCHEMA, t->physical_name);
	{
		Datum		lsi = SPI_getbinval(tup, desc, 6, &isnull);
		bool		lsi_null = isnull;
		Datum		gsi = SPI_getbinval(tup, desc, 7, &isnull);

		DdbLoadIndexes(t, lsi_null ? NULL : DatumGetJsonbP(lsi),
					   isnull ? NULL : DatumGetJsonbP(gsi));
	}
	MemoryContextSwitchTo(old);

	nsp = get_namespace_oid(DDB_DATA_SCHEMA, false);
	t->relid = get_relname_relid(t->physical_name, nsp);
	if (!OidIsValid(t->relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("physical table %s of DynamoDB table \"%s\" does not exist",
						t->qualified_name, name)));
	return t;
}

/*
 * Find a table by DynamoDB name.  Raises ResourceNotFoundException (with
 * the data plane's message) when it does not exist.  Must be called with
 * SPI connected.
 */
DdbTable *
DdbTableLookup(const char *name, int len)
{
	TableCacheEntry *e;
	bool		found;
	MemoryContext cxt;
	DdbTable   *t;

	if (len >= DDB_TABLE_NAME_MAX)
		ddb_error(DDB_EX_RESOURCE_NOT_FOUND, DDB_MSG_RESOURCE_NOT_FOUND);
	if (table_cache == NULL)
		table_cache_init();

	AcceptInvalidationMessages();
	e = hash_search(table_cache, name, HASH_FIND, &found);
	if (found && e->valid)
		return e->table;

	cxt = AllocSetContextCreate(table_cache_cxt, "ddb_emul table",
								ALLOCSET_SMALL_SIZES);
	PG_TRY();
	{
		t = load_table(name, cxt);
	}
	PG_CATCH();
	{
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (found)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(table_cache_cxt);
		StaleEntry *se = palloc(sizeof(StaleEntry));

		se->table = e->table;
		se->cxt = e->cxt;
		stale_entries = lappend(stale_entries, se);
		MemoryContextSwitchTo(oldcxt);
		hash_search(table_cache, name, HASH_REMOVE, NULL);
	}
	if (t == NULL)
	{
		MemoryContextDelete(cxt);
		ddb_error(DDB_EX_RESOURCE_NOT_FOUND, DDB_MSG_RESOURCE_NOT_FOUND);
	}
	e = hash_search(table_cache, name, HASH_ENTER, NULL);
	e->table = t;
	e->cxt = cxt;
	e->valid = true;
	return t;
}

/* ---------------------------------------------------------------------
 * Control plane
 * ---------------------------------------------------------------------
 */

static const char *const key_types[] = {"B", "N", "S", NULL};
static const char *const key_roles[] = {"HASH", "RANGE", NULL};
static const char *const billing_modes[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
static const char *const view_types[] = {"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", NULL};

/* Name of the physical relation (or index) for a DynamoDB name. */
char *
DdbPhysicalName(const char *name)
{
	int			len = strlen(name);

	if (len < NAMEDATALEN)
		return pstrdup(name);
	/* Too long for an identifier: keep a readable prefix and a hash. */
	return psprintf("%.50s_%08x", name,
					DatumGetUInt32(hash_any((const unsigned char *) name, len)));
}

static void
run_sql(const char *sql)
{
	int			ret = SPI_execute(sql, false, 0);

	if (ret < 0)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
}

/*
 * The TableDescription of a catalog row, built by the catalog query itself.
 * status overrides TableStatus.  Returns NULL when the table is missing.
 */
static Jsonb *
describe(const char *name, const char *status, bool with_counts)
{
	static const char *sql =
		"SELECT jsonb_build_object("
		"  'AttributeDefinitions', attribute_definitions,"
		"  'TableName', table_name,"
		"  'KeySchema', key_schema,"
		"  'TableStatus', $2::text,"
		"  'CreationDateTime', extract(epoch from created_at),"
		"  'ProvisionedThroughput', jsonb_build_object("
		"      'NumberOfDecreasesToday', 0,"
		"      'ReadCapacityUnits', read_capacity,"
		"      'WriteCapacityUnits', write_capacity),"
		"  'TableArn', 'arn:aws:dynamodb:' || $3 || ':' || $4 || ':table/' || table_name,"
		"  'TableId', table_id::text,"
		"  'DeletionProtectionEnabled', coalesce((extra->>'DeletionProtectionEnabled')::boolean, false))"
		" || CASE WHEN billing_mode = 'PAY_PER_REQUEST' THEN jsonb_build_object("
		"      'BillingModeSummary', jsonb_build_object('BillingMode', billing_mode,"
		"          'LastUpdateToPayPerRequestDateTime', extract(epoch from created_at)))"
		"    ELSE '{}' END"
		" || CASE WHEN stream_enabled THEN jsonb_build_object("
		"      'StreamSpecification', jsonb_build_object('StreamEnabled', true,"
		"          'StreamViewType', stream_view_type),"
		"      'LatestStreamLabel', stream_label,"
		"      'LatestStreamArn', 'arn:aws:dynamodb:' || $3 || ':' || $4 || ':table/'"
		"          || table_name || '/stream/' || stream_label)"
		"    ELSE '{}' END"
		" || CASE WHEN extra ? 'TableClass' THEN jsonb_build_object("
		"      'TableClassSummary', jsonb_build_object('TableClass', extra->'TableClass'))"
		"    ELSE '{}' END"
		" || CASE WHEN extra ? 'SSEDescription' THEN jsonb_build_object("
		"      'SSEDescription', extra->'SSEDescription') ELSE '{}' END,"
		" physical_name, hash_key, range_key, local_indexes, global_indexes"
		" FROM ddb.tables WHERE table_name = $1";
	Oid			argtypes[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		args[4];
	int			ret;
	bool		isnull;
	Jsonb	   *desc;
	char	   *physical;
	DdbTable	t;
	Datum		d;
	Jsonb	   *lsi;
	Jsonb	   *gsi;

	args[0] = CStringGetTextDatum(name);
	args[1] = CStringGetTextDatum(status);
	args[2] = CStringGetTextDatum(ddb_region);
	args[3] = CStringGetTextDatum(ddb_account_id);
	ret = SPI_execute_with_args(sql, 4, argtypes, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		return NULL;
	desc = DatumGetJsonbPCopy(SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 1, &isnull));
	physical = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	memset(&t, 0, sizeof(t));
	t.name = (char *) name;
	t.physical_name = physical;
	t.qualified_name = quote_qualified_identifier(DDB_DATA_SCHEMA, physical);
	t.hash.name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	t.range.name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);
	t.has_range = t.range.name != NULL;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5, &isnull);
	lsi = isnull ? NULL : DatumGetJsonbPCopy(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 6, &isnull);
	gsi = isnull ? NULL : DatumGetJsonbPCopy(d);
	if (lsi || gsi)
	{
		JsonbParseState *ps = NULL;
		Jsonb	   *idx;

		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		DdbPushIndexDescriptions(&ps, &t, lsi, gsi);
		idx = JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
		desc = DatumGetJsonbP(DirectFunctionCall2(jsonb_concat,
												  JsonbPGetDatum(desc),
												  JsonbPGetDatum(idx)));
	}

	if (with_counts)
	{
		char	   *q = psprintf("SELECT jsonb_build_object('ItemCount', count(*),"
								 " 'TableSizeBytes', coalesce(sum(size), 0)) FROM %s",
								 quote_qualified_identifier(DDB_DATA_SCHEMA, physical));
		Jsonb	   *counts;

		ret = SPI_execute(q, false, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
		counts = DatumGetJsonbP(SPI_getbinval(SPI_tuptable->vals[0],
											  SPI_tuptable->tupdesc, 1, &isnull));
		desc = DatumGetJsonbP(DirectFunctionCall2(jsonb_concat,
												  JsonbPGetDatum(desc),
												  JsonbPGetDatum(counts)));
	}
	else
	{
		/* A table being created or deleted reports zero items. */
		JsonbParseState *ps = NULL;
		Jsonb	   *zeros;

		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		DdbPushInt64(&ps, "ItemCount", 0);
		DdbPushInt64(&ps, "TableSizeBytes", 0);
		zeros = JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
		desc = DatumGetJsonbP(DirectFunctionCall2(jsonb_concat,
												  JsonbPGetDatum(desc),
												  JsonbPGetDatum(zeros)));
	}
	return desc;
}

/*
 * After a stream was enabled on table (its catalog row written): the
 * replica identity its view type needs (old images need the whole old row
 * in the WAL) and its ddb.streams entry.
 */
static void
after_stream_enabled(const char *table, const char *physical, const char *view_type)
{
	Oid			types[1] = {TEXTOID};
	Datum		vals[1] = {CStringGetTextDatum(table)};
	bool		old_images = strcmp(view_type, "OLD_IMAGE") == 0 ||
		strcmp(view_type, "NEW_AND_OLD_IMAGES") == 0;
	bool		isnull;
	int			ret;

	run_sql(psprintf("ALTER TABLE %s REPLICA IDENTITY %s",
					 quote_qualified_identifier(DDB_DATA_SCHEMA, physical),
					 old_images ? "FULL" : "DEFAULT"));
	ret = SPI_execute_with_args("SELECT stream_label, key_schema FROM ddb.tables WHERE table_name = $1",
								1, types, vals, NULL, false, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "catalog row of table \"%s\" not found", table);
	DdbStreamRegister(table,
					  SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
					  view_type,
					  DatumGetJsonbPCopy(SPI_getbinval(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc, 2, &isnull)));
}

/* [{"AttributeName": name, <member>: type}, ...] of a list of DdbNamedType. */
static Jsonb *
named_types_json(List *l, const char *member)
{
	JsonbParseState *ps = NULL;
	ListCell   *lc;

	pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, l)
	{
		DdbNamedType *a = lfirst(lc);

		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		DdbPushCString(&ps, "AttributeName", a->name);
		DdbPushCString(&ps, member, a->type);
		pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	}
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_ARRAY, NULL));
}

/* Wrap a description as {"<member>": desc}. */
static Jsonb *
wrap(const char *member, Jsonb *desc)
{
	JsonbParseState *ps = NULL;

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushJsonb(&ps, member, desc);
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

/* Format a JSON number member for a constraint message. */
static char *
int64_text(int64 v)
{
	return psprintf(INT64_FORMAT, v);
}

Jsonb *
DdbCreateTable(JsonbContainer *req)
{
	DdbConstraints c;
	int			namelen = 0;
	char	   *name = DdbReqString(req, "TableName", &namelen);
	JsonbContainer *attrdefs_arr = DdbReqArray(req, "AttributeDefinitions");
	JsonbContainer *keyschema_arr = DdbReqArray(req, "KeySchema");
	char	   *billing = DdbReqString(req, "BillingMode", NULL);
	JsonbContainer *pt = DdbReqObject(req, "ProvisionedThroughput");
	JsonbContainer *stream = DdbReqObject(req, "StreamSpecification");
	JsonbContainer *sse = DdbReqObject(req, "SSESpecification");
	char	   *table_class = DdbReqString(req, "TableClass", NULL);
	bool		deletion_protection = false;
	bool		have_dp = DdbReqBool(req, "DeletionProtectionEnabled", &deletion_protection);
	int64		rcu = 0,
				wcu = 0;
	bool		have_rcu = false,
				have_wcu = false;
	bool		stream_enabled = false;
	bool		have_stream_enabled = false;
	char	   *view_type = NULL;
	List	   *attrdefs;
	List	   *keys;
	List	   *used;
	Jsonb	   *lsi_json;
	Jsonb	   *gsi_json;
	DdbNamedType  *hash,
			   *range = NULL;
	char	   *physical;
	StringInfoData sql;
	Oid			argtypes[16] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
		JSONBOID, JSONBOID, TEXTOID, INT8OID, INT8OID, BOOLOID, TEXTOID, JSONBOID,
	JSONBOID, JSONBOID};
	Datum		args[16];
	char		nulls[16];
	int			ret;
	JsonbParseState *ps = NULL;
	Jsonb	   *extra;
	static const char *const table_classes[] = {"STANDARD", "STANDARD_INFREQUENT_ACCESS", NULL};

	/* Framework constraints, gathered and reported together. */
	DdbConstraintsInit(&c);
	if (attrdefs_arr == NULL)
		DdbConstraintAdd(&c, NULL, "attributeDefinitions", "Member must not be null");
	attrdefs = DdbReadNamedTypes(attrdefs_arr, "AttributeType", "attributeDefinitions",
								   key_types, &c);
	DdbCheckRequiredTableName(&c, name, namelen, "tableName");
	if (keyschema_arr == NULL)
		DdbConstraintAdd(&c, NULL, "keySchema", "Member must not be null");
	else if (JsonContainerSize(keyschema_arr) > 2)
		DdbConstraintAdd(&c, "[...]", "keySchema",
						 "Member must have length less than or equal to 2");
	else if (JsonContainerSize(keyschema_arr) < 1)
		DdbConstraintAdd(&c, "[]", "keySchema",
						 "Member must have length greater than or equal to 1");
	keys = DdbReadNamedTypes(keyschema_arr, "KeyType", "keySchema", key_roles, &c);
	DdbCheckEnum(&c, billing, "billingMode", billing_modes);
	DdbCheckEnum(&c, table_class, "tableClass", table_classes);
	if (pt != NULL)
	{
		have_rcu = DdbReqInt64(pt, "ReadCapacityUnits", &rcu);
		have_wcu = DdbReqInt64(pt, "WriteCapacityUnits", &wcu);
		if (!have_wcu)
			DdbConstraintAdd(&c, NULL, "provisionedThroughput.writeCapacityUnits",
							 "Member must not be null");
		else if (wcu < 1)
			DdbConstraintAdd(&c, int64_text(wcu), "provisionedThroughput.writeCapacityUnits",
							 "Member must have value greater than or equal to 1");
		if (!have_rcu)
			DdbConstraintAdd(&c, NULL, "provisionedThroughput.readCapacityUnits",
							 "Member must not be null");
		else if (rcu < 1)
			DdbConstraintAdd(&c, int64_text(rcu), "provisionedThroughput.readCapacityUnits",
							 "Member must have value greater than or equal to 1");
	}
	if (stream != NULL)
	{
		have_stream_enabled = DdbReqBool(stream, "StreamEnabled", &stream_enabled);
		view_type = DdbReqString(stream, "StreamViewType", NULL);
		if (!have_stream_enabled)
			DdbConstraintAdd(&c, NULL, "streamSpecification.streamEnabled",
							 "Member must not be null");
		DdbCheckEnum(&c, view_type, "streamSpecification.streamViewType", view_types);
	}
	DdbIndexConstraints(req, &c);
	DdbConstraintsRaise(&c);

	/* Billing. */
	if (billing == NULL || strcmp(billing, "PROVISIONED") == 0)
	{
		if (pt == NULL)
			ddb_validation_error(DDB_MSG_PARAM_INVALID
								 "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
		if (rcu > INT64CONST(1000000000000))
			ddb_validation_error("Given value " INT64_FORMAT " for ReadCapacityUnits is out of bounds", rcu);
		if (wcu > INT64CONST(1000000000000))
			ddb_validation_error("Given value " INT64_FORMAT " for WriteCapacityUnits is out of bounds", wcu);
	}
	else if (pt != NULL)
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");

	/* Key schema against the attribute definitions (DynamoDB's order of checks). */
	hash = linitial(keys);
	if (list_length(keys) == 2)
	{
		range = lsecond(keys);
		if (DdbFindNamed(attrdefs, hash->name) == NULL ||
			DdbFindNamed(attrdefs, range->name) == NULL ||
			(strcmp(hash->name, range->name) == 0 && list_length(attrdefs) == 1))
			ddb_validation_error("Invalid KeySchema: Some index key attribute have no definition");
	}
	else if (DdbFindNamed(attrdefs, hash->name) == NULL)
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
							 DdbJoinNames(keys), DdbJoinNames(attrdefs));
	if (range != NULL && strcmp(hash->name, range->name) == 0)
		ddb_validation_error("Both the Hash Key and the Range Key element in the KeySchema have the same name");
	if (strcmp(hash->type, "HASH") != 0)
		ddb_validation_error("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
	if (range != NULL && strcmp(range->type, "RANGE") != 0)
		ddb_validation_error("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
	if (DdbReqMember(req, "LocalSecondaryIndexes") == NULL &&
		DdbReqMember(req, "GlobalSecondaryIndexes") == NULL &&
		list_length(keys) != list_length(attrdefs))
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
	DdbIndexChecks(req, name, attrdefs, keys,
				   billing == NULL || strcmp(billing, "PROVISIONED") == 0,
				   &lsi_json, &gsi_json, &used);
	{
		ListCell   *lc;

		foreach(lc, attrdefs)
		{
			DdbNamedType *a = lfirst(lc);

			if (DdbFindNamed(attrdefs, a->name) != a)
				ddb_validation_error(DDB_MSG_PARAM_INVALID
									 "Duplicate AttributeName in AttributeDefinitions: %s", a->name);	/* (unconfirmed) */
			if (DdbFindNamed(used, a->name) == NULL)
				ddb_validation_error(DDB_MSG_PARAM_INVALID
									 "Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]",
									 DdbJoinNames(attrdefs), DdbJoinNames(used));
		}
	}

	/* Streams. */
	if (stream_enabled && view_type == NULL)
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "You must specify a StreamViewType when enabling a stream");
	if (!stream_enabled && view_type != NULL)
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "Stream View Type cannot be specified when stream is disabled");

	/*
	 * Claim the name: a concurrent CreateTable of the same name waits on this
	 * lock until we commit and then sees our row.  (ON CONFLICT is not
	 * available on a user catalog table.)
	 */
	if (stream_enabled)
		DdbStreamsEnsureSlot();
	args[0] = CStringGetTextDatum(name);
	ret = SPI_execute_with_args("SELECT pg_advisory_xact_lock(hashtext('ddb_emul.table:' || $1))",
								1, argtypes, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	/* A new statement, so a new snapshot that sees what the lock waited for. */
	ret = SPI_execute_with_args("SELECT EXISTS (SELECT FROM ddb.tables WHERE table_name = $1)",
								1, argtypes, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	{
		bool		isnull;

		if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
			ddb_error(DDB_EX_RESOURCE_IN_USE, "Table already exists: %s", name);
	}
	physical = DdbPhysicalName(name);
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	if (have_dp)
		DdbPushBool(&ps, "DeletionProtectionEnabled", deletion_protection);
	if (table_class)
		DdbPushCString(&ps, "TableClass", table_class);
	if (sse != NULL)
	{
		bool		sse_enabled = false;

		(void) DdbReqBool(sse, "Enabled", &sse_enabled);
		if (sse_enabled)
		{
			DdbPushKey(&ps, "SSEDescription");
			pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
			DdbPushCString(&ps, "Status", "ENABLED");
			DdbPushCString(&ps, "SSEType", "KMS");
			pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
		}
	}
	extra = JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));

	/* Canonical AttributeDefinitions / KeySchema as stored and described. */
	args[6] = JsonbPGetDatum(named_types_json(attrdefs, "AttributeType"));
	args[7] = JsonbPGetDatum(named_types_json(keys, "KeyType"));

	memset(nulls, ' ', sizeof(nulls));
	args[0] = CStringGetTextDatum(name);
	args[1] = CStringGetTextDatum(physical);
	args[2] = CStringGetTextDatum(hash->name);
	args[3] = CStringGetTextDatum(DdbFindNamed(attrdefs, hash->name)->type);
	if (range)
	{
		args[4] = CStringGetTextDatum(range->name);
		args[5] = CStringGetTextDatum(DdbFindNamed(attrdefs, range->name)->type);
	}
	else
		nulls[4] = nulls[5] = 'n';
	args[8] = CStringGetTextDatum(billing ? billing : "PROVISIONED");
	args[9] = Int64GetDatum(rcu);
	args[10] = Int64GetDatum(wcu);
	args[11] = BoolGetDatum(stream_enabled);
	if (stream_enabled)
		args[12] = CStringGetTextDatum(view_type);
	else
		nulls[12] = 'n';
	args[13] = JsonbPGetDatum(extra);
	args[14] = lsi_json ? JsonbPGetDatum(lsi_json) : (Datum) 0;
	nulls[14] = lsi_json ? ' ' : 'n';
	args[15] = gsi_json ? JsonbPGetDatum(gsi_json) : (Datum) 0;
	nulls[15] = gsi_json ? ' ' : 'n';

	ret = SPI_execute_with_args("INSERT INTO ddb.tables (table_name, table_id, physical_name,"
								" hash_key, hash_type, range_key, range_type,"
								" attribute_definitions, key_schema, billing_mode,"
								" read_capacity, write_capacity, stream_enabled,"
								" stream_view_type, stream_label, extra, local_indexes, global_indexes)"
								" VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, $6, $7, $8,"
								" $9, $10, $11, $12, $13,"
								" CASE WHEN $12 THEN to_char(now() AT TIME ZONE 'UTC',"
								" 'YYYY-MM-DD\"T\"HH24:MI:SS.MS') END, $14, $15, $16)",
								16, argtypes, args, nulls,
								false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));

	/* The physical table. */
	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE TABLE %s (pk bytea NOT NULL, ",
					 quote_qualified_identifier(DDB_DATA_SCHEMA, physical));
	if (range)
		appendStringInfoString(&sql, "sk bytea NOT NULL, ");
	appendStringInfo(&sql, "item jsonb NOT NULL, size integer NOT NULL, PRIMARY KEY (pk%s))",
					 range ? ", sk" : "");
	run_sql(sql.data);
	resetStringInfo(&sql);
	appendStringInfo(&sql, "COMMENT ON TABLE %s IS %s",
					 quote_qualified_identifier(DDB_DATA_SCHEMA, physical),
					 quote_literal_cstr(psprintf("ddb_emul items of DynamoDB table %s", name)));
	run_sql(sql.data);
	DdbCreatePhysicalIndexes(physical, range != NULL, lsi_json, false);
	DdbCreatePhysicalIndexes(physical, range != NULL, gsi_json, false);
	if (stream_enabled)
		after_stream_enabled(name, physical, view_type);

	return wrap("TableDescription", describe(name, "ACTIVE", false));
}

/* The TableName of a control-plane request, validated. */
static char *
required_table_name(JsonbContainer *req)
{
	DdbConstraints c;
	int			len = 0;
	char	   *name = DdbReqString(req, "TableName", &len);

	DdbConstraintsInit(&c);
	DdbCheckRequiredTableName(&c, name, len, "tableName");
	DdbConstraintsRaise(&c);
	return name;
}

Jsonb *
DdbDescribeTable(JsonbContainer *req)
{
	char	   *name = required_table_name(req);
	Jsonb	   *desc = describe(name, "ACTIVE", true);

	if (desc == NULL)
		ddb_error(DDB_EX_RESOURCE_NOT_FOUND,
				  "Requested resource not found: Table: %s not found", name);
	return wrap("Table", desc);
}

Jsonb *
DdbDeleteTable(JsonbContainer *req)
{
	char	   *name = required_table_name(req);
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	Jsonb	   *desc;
	int			ret;
	bool		isnull;
	char	   *physical;
	bool		protected;

	args[0] = CStringGetTextDatum(name);
	/* Lock the row so concurrent deletes of the same table serialize. */
	ret = SPI_execute_with_args("SELECT physical_name,"
								" coalesce((extra->>'DeletionProtectionEnabled')::boolean, false)"
								" FROM ddb.tables WHERE table_name = $1 FOR UPDATE",
								1, argtypes, args, NULL, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		ddb_error(DDB_EX_RESOURCE_NOT_FOUND,
				  "Requested resource not found: Table: %s not found", name);
	physical = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	protected = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 2, &isnull));
	if (protected)
		ddb_validation_error("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");

	desc = describe(name, "DELETING", true);
	ret = SPI_execute_with_args("DELETE FROM ddb.tables WHERE table_name = $1",
								1, argtypes, args, NULL, false, 0);
	if (ret != SPI_OK_DELETE)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	run_sql(psprintf("DROP TABLE %s",
					 quote_qualified_identifier(DDB_DATA_SCHEMA, physical)));
	/* Its stream stays readable for 24 hours. */
	DdbStreamDisable(name);
	return wrap("TableDescription", desc);
}

Jsonb *
DdbListTables(JsonbContainer *req)
{
	DdbConstraints c;
	int64		limit = 100;
	bool		have_limit = DdbReqInt64(req, "Limit", &limit);
	int			startlen = 0;
	char	   *start = DdbReqString(req, "ExclusiveStartTableName", &startlen);
	Oid			argtypes[2] = {TEXTOID, INT8OID};
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	int			ret;
	uint64		i,
				n;
	JsonbParseState *ps = NULL;

	DdbConstraintsInit(&c);
	if (start != NULL)
	{
		/* Only the pattern and length rules apply to a start name. */
		DdbCheckRequiredTableName(&c, start, startlen, "exclusiveStartTableName");
	}
	if (have_limit && limit > 100)
		DdbConstraintAdd(&c, int64_text(limit), "limit",
						 "Member must have value less than or equal to 100");
	if (have_limit && limit < 1)
		DdbConstraintAdd(&c, int64_text(limit), "limit",
						 "Member must have value greater than or equal to 1");
	DdbConstraintsRaise(&c);

	if (start)
		args[0] = CStringGetTextDatum(start);
	else
		nulls[0] = 'n';
	args[1] = Int64GetDatum(limit + 1);
	ret = SPI_execute_with_args("SELECT table_name FROM ddb.tables"
								" WHERE $1 IS NULL OR table_name > $1"
								" ORDER BY table_name LIMIT $2",
								2, argtypes, args, nulls, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	n = Min(SPI_processed, (uint64) limit);

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushKey(&ps, "TableNames");
	pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
		DdbPushCString(&ps, NULL, SPI_getvalue(SPI_tuptable->vals[i],
											   SPI_tuptable->tupdesc, 1));
	pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
	if (SPI_processed > (uint64) limit)
		DdbPushCString(&ps, "LastEvaluatedTableName",
					   SPI_getvalue(SPI_tuptable->vals[n - 1], SPI_tuptable->tupdesc, 1));
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

/* ---------------------------------------------------------------------
 * UpdateTable
 * ---------------------------------------------------------------------
 */

/* One GlobalSecondaryIndexUpdates entry. */
typedef struct GsiUpdate
{
	const char *kind;			/* "Create", "Update" or "Delete" */
	char	   *name;
	JsonbContainer *body;
} GsiUpdate;

/* Index (0-based) of the element of a catalog index array named name, or -1. */
static int
find_index_def(Jsonb *defs, const char *name)
{
	int			i;

	if (defs == NULL)
		return -1;
	for (i = 0; i < (int) JsonContainerSize(&defs->root); i++)
	{
		JsonbContainer *def = getIthJsonbValueFromContainer(&defs->root, i)->val.binary.data;
		JsonbValue *v = getKeyJsonValueFromContainer(def, "IndexName", 9, NULL);

		if (v && v->type == jbvString && v->val.string.len == (int) strlen(name) &&
			memcmp(v->val.string.val, name, v->val.string.len) == 0)
			return i;
	}
	return -1;
}

/* A copy of object obj with one more string member key: val. */
static Jsonb *
with_member(JsonbContainer *obj, const char *key, const char *val)
{
	JsonbParseState *ps = NULL;
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbIteratorToken tok;
	JsonbValue	v;
	JsonbValue *res = NULL;
	int			depth = 0;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_OBJECT || tok == WJB_BEGIN_ARRAY)
			depth++;
		if (tok == WJB_END_OBJECT && depth == 1)
			DdbPushCString(&ps, key, val);
		if (tok == WJB_END_OBJECT || tok == WJB_END_ARRAY)
			depth--;
		res = pushJsonbValue(&ps, tok, (tok == WJB_KEY || tok == WJB_VALUE || tok == WJB_ELEM) ? &v : NULL);
	}
	return JsonbValueToJsonb(res);
}

/* [j] */
static Jsonb *
jsonb_array_of_one(Jsonb *j)
{
	JsonbParseState *ps = NULL;
	JsonbValue	v;

	v.type = jbvBinary;
	v.val.binary.data = &j->root;
	v.val.binary.len = VARSIZE(j) - VARHDRSZ;
	pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	pushJsonbValue(&ps, WJB_ELEM, &v);
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_ARRAY, NULL));
}

/* defs without element skip, or with extra appended (either may be -1 / NULL). */
static Jsonb *
edit_index_defs(Jsonb *defs, int skip, Jsonb *extra)
{
	JsonbParseState *ps = NULL;
	int			i;

	pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; defs && i < (int) JsonContainerSize(&defs->root); i++)
	{
		JsonbValue *v;

		if (i == skip)
			continue;
		v = getIthJsonbValueFromContainer(&defs->root, i);
		pushJsonbValue(&ps, WJB_ELEM, v);
	}
	if (extra)
	{
		for (i = 0; i < (int) JsonContainerSize(&extra->root); i++)
			pushJsonbValue(&ps, WJB_ELEM, getIthJsonbValueFromContainer(&extra->root, i));
	}
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_ARRAY, NULL));
}

Jsonb *
DdbUpdateTable(JsonbContainer *req)
{
	DdbConstraints c;
	int			namelen = 0;
	char	   *name = DdbReqString(req, "TableName", &namelen);
	char	   *billing = DdbReqString(req, "BillingMode", NULL);
	JsonbContainer *pt = DdbReqObject(req, "ProvisionedThroughput");
	JsonbContainer *stream = DdbReqObject(req, "StreamSpecification");
	JsonbContainer *gsiu = DdbReqArray(req, "GlobalSecondaryIndexUpdates");
	JsonbContainer *attrdefs_arr = DdbReqArray(req, "AttributeDefinitions");
	bool		have_dp;
	bool		deletion_protection = false;
	List	   *attrdefs;
	List	   *updates = NIL;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	int			ret;
	HeapTuple	tup;
	TupleDesc	tupdesc;
	bool		isnull;
	char	   *physical;
	Jsonb	   *cur_attrdefs;
	Jsonb	   *gsi;
	Jsonb	   *lsi;
	char	   *cur_billing;
	bool		cur_stream;
	int			creates = 0;
	bool		creating = false;
	ListCell   *lc;
	StringInfoData set;
	int64		rcu = 0,
				wcu = 0;
	bool		stream_enabled = false;
	char	   *view_type = NULL;

	have_dp = DdbReqBool(req, "DeletionProtectionEnabled", &deletion_protection);

	/* Constraints. */
	DdbConstraintsInit(&c);
	DdbCheckRequiredTableName(&c, name, namelen, "tableName");
	DdbCheckEnum(&c, billing, "billingMode", billing_modes);
	attrdefs = DdbReadNamedTypes(attrdefs_arr, "AttributeType", "attributeDefinitions",
								 key_types, &c);
	if (pt != NULL)
	{
		if (!DdbReqInt64(pt, "ReadCapacityUnits", &rcu))
			DdbConstraintAdd(&c, NULL, "provisionedThroughput.readCapacityUnits", "Member must not be null");
		else if (rcu < 1)
			DdbConstraintAdd(&c, int64_text(rcu), "provisionedThroughput.readCapacityUnits",
							 "Member must have value greater than or equal to 1");
		if (!DdbReqInt64(pt, "WriteCapacityUnits", &wcu))
			DdbConstraintAdd(&c, NULL, "provisionedThroughput.writeCapacityUnits", "Member must not be null");
		else if (wcu < 1)
			DdbConstraintAdd(&c, int64_text(wcu), "provisionedThroughput.writeCapacityUnits",
							 "Member must have value greater than or equal to 1");
	}
	if (stream != NULL)
	{
		if (!DdbReqBool(stream, "StreamEnabled", &stream_enabled))
			DdbConstraintAdd(&c, NULL, "streamSpecification.streamEnabled", "Member must not be null");
		view_type = DdbReqString(stream, "StreamViewType", NULL);
		DdbCheckEnum(&c, view_type, "streamSpecification.streamViewType", view_types);
	}
	if (gsiu != NULL)
	{
		int			i;

		for (i = 0; i < (int) JsonContainerSize(gsiu); i++)
		{
			JsonbContainer *u = DdbJsonObject(getIthJsonbValueFromContainer(gsiu, i), "Map");
			static const char *const kinds[] = {"Create", "Update", "Delete"};
			GsiUpdate  *g = palloc0(sizeof(GsiUpdate));
			int			k,
						nkinds = 0;

			for (k = 0; k < 3; k++)
				if (DdbReqObject(u, kinds[k]) != NULL)
				{
					g->kind = kinds[k];
					g->body = DdbReqObject(u, kinds[k]);
					nkinds++;
				}
			if (nkinds != 1)
				ddb_validation_error(DDB_MSG_PARAM_INVALID
									 "One of GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Update or GlobalSecondaryIndexUpdate.Delete must be specified");	/* (unconfirmed) */
			g->name = DdbReqString(g->body, "IndexName", NULL);
			{
				char		p[128];

				snprintf(p, sizeof(p), "globalSecondaryIndexUpdates.%d.member.%c%s.indexName",
						 i + 1, g->kind[0] + ('a' - 'A'), g->kind + 1);
				DdbCheckRequiredTableName(&c, g->name, g->name ? strlen(g->name) : 0, p);
			}
			updates = lappend(updates, g);
		}
	}
	DdbConstraintsRaise(&c);

	if (billing == NULL && pt == NULL && stream == NULL && gsiu == NULL &&
		DdbReqMember(req, "SSESpecification") == NULL &&
		DdbReqMember(req, "ReplicaUpdates") == NULL && !have_dp &&
		DdbReqMember(req, "TableClass") == NULL)
		ddb_validation_error("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");

	foreach(lc, updates)
	{
		GsiUpdate  *g = lfirst(lc);
		ListCell   *lc2;

		foreach(lc2, updates)
		{
			GsiUpdate  *o = lfirst(lc2);

			if (o != g && strcmp(o->name, g->name) == 0)
				ddb_validation_error(DDB_MSG_PARAM_INVALID
									 "Only one global secondary index update per index is allowed simultaneously. Index: %s",
									 g->name);
		}
		if (strcmp(g->kind, "Update") != 0)
			creates++;
	}
	if (creates > 1)
		ddb_error(DDB_EX_LIMIT_EXCEEDED,
				  "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");

	/* Locking the row writes: a slot for streams must come first. */
	if (stream != NULL && stream_enabled)
		DdbStreamsEnsureSlot();

	/* The current definition, locked against concurrent changes. */
	args[0] = CStringGetTextDatum(name);
	ret = SPI_execute_with_args("SELECT physical_name, attribute_definitions, global_indexes,"
								" local_indexes, billing_mode, stream_enabled"
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
	cur_attrdefs = DatumGetJsonbPCopy(SPI_getbinval(tup, tupdesc, 2, &isnull));
	{
		Datum		d = SPI_getbinval(tup, tupdesc, 3, &isnull);

		gsi = isnull ? NULL : DatumGetJsonbPCopy(d);
		d = SPI_getbinval(tup, tupdesc, 4, &isnull);
		lsi = isnull ? NULL : DatumGetJsonbPCopy(d);
	}
	cur_billing = SPI_getvalue(tup, tupdesc, 5);
	cur_stream = DatumGetBool(SPI_getbinval(tup, tupdesc, 6, &isnull));

	/* A table whose index is still being built cannot change its indexes. */
	if (gsi != NULL && updates != NIL)
	{
		int			i;

		for (i = 0; i < (int) JsonContainerSize(&gsi->root); i++)
		{
			JsonbContainer *def = getIthJsonbValueFromContainer(&gsi->root, i)->val.binary.data;
			JsonbValue *st = getKeyJsonValueFromContainer(def, "IndexStatus", 11, NULL);

			if (st && !(st->val.string.len == 6 && memcmp(st->val.string.val, "ACTIVE", 6) == 0))
				ddb_error(DDB_EX_RESOURCE_IN_USE,
						  "Attempt to change a resource which is still in use: Table is being updated: %s", name);
		}
	}

	/* Billing. */
	{
		const char *new_billing = billing ? billing : cur_billing;

		if (strcmp(new_billing, "PAY_PER_REQUEST") == 0 && pt != NULL)
			ddb_validation_error(DDB_MSG_PARAM_INVALID
								 "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
		if (billing && strcmp(billing, "PROVISIONED") == 0 &&
			strcmp(cur_billing, "PROVISIONED") != 0 && pt == NULL)
			ddb_validation_error(DDB_MSG_PARAM_INVALID
								 "ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
	}

	/* Streams: enable only when disabled, disable only when enabled. (unconfirmed texts) */
	if (stream != NULL)
	{
		if (stream_enabled && view_type == NULL)
			ddb_validation_error(DDB_MSG_PARAM_INVALID
								 "You must specify a StreamViewType when enabling a stream");
		if (!stream_enabled && view_type != NULL)
			ddb_validation_error(DDB_MSG_PARAM_INVALID
								 "Stream View Type cannot be specified when stream is disabled");
		if (stream_enabled && cur_stream)
			ddb_validation_error("Table already has an enabled stream: TableName: %s", name);
		if (!stream_enabled && !cur_stream)
			ddb_validation_error("Table has no stream to disable: TableName: %s", name);
	}

	/* Index updates. */
	initStringInfo(&set);
	foreach(lc, updates)
	{
		GsiUpdate  *g = lfirst(lc);
		int			pos = find_index_def(gsi, g->name);

		if (strcmp(g->kind, "Create") == 0)
		{
			JsonbParseState *ps = NULL;
			Jsonb	   *reqlist;
			Jsonb	   *lsi_unused,
					   *newdef;
			List	   *used;
			List	   *all_defs = NIL;
			List	   *keys = NIL;
			int			i;
			JsonbContainer *wrapped;
			ListCell   *lca;

			if (pos >= 0 || find_index_def(lsi, g->name) >= 0)
				ddb_validation_error(DDB_MSG_PARAM_INVALID
									 "Attempting to create an index which already exists: %s", g->name);	/* (unconfirmed) */

			/* Known definitions plus the request's; a type cannot change. */
			for (i = 0; i < (int) JsonContainerSize(&cur_attrdefs->root); i++)
			{
				JsonbContainer *d = getIthJsonbValueFromContainer(&cur_attrdefs->root, i)->val.binary.data;
				DdbNamedType *nt = palloc0(sizeof(DdbNamedType));

				nt->name = DdbReqString(d, "AttributeName", NULL);
				nt->type = DdbReqString(d, "AttributeType", NULL);
				all_defs = lappend(all_defs, nt);
			}
			foreach(lca, attrdefs)
			{
				DdbNamedType *a = lfirst(lca);
				DdbNamedType *old = DdbFindNamed(all_defs, a->name);

				if (old && strcmp(old->type, a->type) != 0)
					ddb_validation_error(DDB_MSG_PARAM_INVALID
										 "Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Existing schema is: %s, New schema is: %s",
										 old->type, a->type);
				if (old == NULL)
					all_defs = lappend(all_defs, a);
			}

			/* Validate the new definition as CreateTable would. */
			pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
			DdbPushKey(&ps, "GlobalSecondaryIndexes");
			pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
			{
				JsonbValue	v;

				v.type = jbvBinary;
				v.val.binary.data = g->body;
				v.val.binary.len = 0;
				pushJsonbValue(&ps, WJB_ELEM, &v);
			}
			pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
			reqlist = JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
			wrapped = &reqlist->root;
			{
				DdbConstraints ic;

				DdbConstraintsInit(&ic);
				DdbIndexConstraints(wrapped, &ic);
				DdbConstraintsRaise(&ic);
			}
			{
				DdbNamedType *hk = palloc0(sizeof(DdbNamedType));

				hk->name = pstrdup("");	/* a GSI never needs the table's keys */
				hk->type = "HASH";
				keys = list_make1(hk);
			}
			DdbIndexChecks(wrapped, name, all_defs, keys,
						   strcmp(billing ? billing : cur_billing, "PROVISIONED") == 0,
						   &lsi_unused, &newdef, &used);
			/* The new index starts CREATING; the backfill worker builds it. */
			newdef = jsonb_array_of_one(with_member(getIthJsonbValueFromContainer(&newdef->root, 0)->val.binary.data,
													"IndexStatus", "CREATING"));
			gsi = edit_index_defs(gsi, -1, newdef);
			/* Record the merged attribute definitions. */
			cur_attrdefs = named_types_json(all_defs, "AttributeType");
			creating = true;
			break;				/* at most one create or delete per call */
		}
		if (pos < 0)
			ddb_error(DDB_EX_RESOURCE_NOT_FOUND,
					  "Requested resource not found: Index: %s not found", g->name);	/* (unconfirmed) */
		if (strcmp(g->kind, "Delete") == 0)
		{
			JsonbContainer *def = getIthJsonbValueFromContainer(&gsi->root, pos)->val.binary.data;
			JsonbValue *pg = getKeyJsonValueFromContainer(def, "PgIndex", 7, NULL);

			run_sql(psprintf("DROP INDEX IF EXISTS %s",
							 quote_qualified_identifier(DDB_DATA_SCHEMA,
														pnstrdup(pg->val.string.val, pg->val.string.len))));
			gsi = edit_index_defs(gsi, pos, NULL);
		}
		/* "Update" changes only provisioned throughput, which we do not model. */
	}

	/* Write the catalog row. */
	{
		Oid			types[9] = {TEXTOID, JSONBOID, JSONBOID, TEXTOID, INT8OID, INT8OID,
		BOOLOID, TEXTOID, TEXTOID};
		Datum		vals[9];
		char		nulls[9];

		memset(nulls, ' ', sizeof(nulls));
		vals[0] = CStringGetTextDatum(name);
		vals[1] = JsonbPGetDatum(cur_attrdefs);
		if (gsi && JsonContainerSize(&gsi->root) > 0)
			vals[2] = JsonbPGetDatum(gsi);
		else
			nulls[2] = 'n';
		if (billing)
			vals[3] = CStringGetTextDatum(billing);
		else
			nulls[3] = 'n';
		vals[4] = Int64GetDatum(rcu);
		vals[5] = Int64GetDatum(wcu);
		vals[6] = BoolGetDatum(stream_enabled);
		if (view_type)
			vals[7] = CStringGetTextDatum(view_type);
		else
			nulls[7] = 'n';
		vals[8] = CStringGetTextDatum(stream ? "y" : "n");
		ret = SPI_execute_with_args("UPDATE ddb.tables SET attribute_definitions = $2,"
									" global_indexes = $3,"
									" billing_mode = coalesce($4, billing_mode),"
									" read_capacity = CASE WHEN coalesce($4, billing_mode) = 'PAY_PER_REQUEST' THEN 0"
									"   WHEN $5 > 0 THEN $5 ELSE read_capacity END,"
									" write_capacity = CASE WHEN coalesce($4, billing_mode) = 'PAY_PER_REQUEST' THEN 0"
									"   WHEN $6 > 0 THEN $6 ELSE write_capacity END,"
									" stream_enabled = CASE WHEN $9 = 'y' THEN $7 ELSE stream_enabled END,"
									" stream_view_type = CASE WHEN $9 = 'y' THEN $8 ELSE stream_view_type END,"
									" stream_label = CASE WHEN $9 = 'y' AND $7 THEN to_char(clock_timestamp() AT TIME ZONE 'UTC',"
									"   'YYYY-MM-DD\"T\"HH24:MI:SS.MS') ELSE stream_label END"
									" WHERE table_name = $1",
									9, types, vals, nulls, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	}
	if (have_dp)
	{
		Oid			types[2] = {TEXTOID, BOOLOID};
		Datum		vals[2] = {CStringGetTextDatum(name), BoolGetDatum(deletion_protection)};

		ret = SPI_execute_with_args("UPDATE ddb.tables SET extra = extra ||"
									" jsonb_build_object('DeletionProtectionEnabled', $2)"
									" WHERE table_name = $1", 2, types, vals, NULL, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	}

	if (stream != NULL && stream_enabled)
		after_stream_enabled(name, physical, view_type);
	else if (stream != NULL)
	{
		DdbStreamDisable(name);
		run_sql(psprintf("ALTER TABLE %s REPLICA IDENTITY DEFAULT",
						 quote_qualified_identifier(DDB_DATA_SCHEMA, physical)));
	}

	/* Other backends reload the table's description. */
	CacheInvalidateRelcacheByRelid(get_relname_relid(physical,
													 get_namespace_oid(DDB_DATA_SCHEMA, false)));
	if (creating)
		DdbRequestBackfill();
	return wrap("TableDescription", describe(name, creating ? "UPDATING" : "ACTIVE", true));
}
