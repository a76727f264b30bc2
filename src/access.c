/*-------------------------------------------------------------------------
 *
 * access.c
 *	  The access layer over the physical item tables.
 *
 * Every statement goes through SPI with a plan prepared once per table and
 * backend and kept with SPI_keepplan (the pattern of core's ri_triggers.c):
 * triggers, privileges, row-level security, ON CONFLICT, FOR UPDATE
 * re-checks, logical decoding and Citus routing all keep working because
 * the executor does the work.
 *
 * src/access.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/memutils.h"

#include "access.h"

typedef enum AccessPlan
{
	PLAN_GET,
	PLAN_GET_LOCK,
	PLAN_INSERT,
	PLAN_UPSERT,
	PLAN_REPLACE,
	PLAN_DELETE,
	PLAN_DELETE_RETURNING,
	PLAN__COUNT
} AccessPlan;

typedef struct AccessPlans
{
	SPIPlanPtr	plans[PLAN__COUNT];
} AccessPlans;

/*
 * SQL of each statement for table t.  Parameters: $1 pk, [$2 sk], then item
 * and size.  The key predicate is spelled out so the planner always uses
 * the primary key.
 */
static char *
plan_sql(DdbTable *t, AccessPlan which, int *nargs, Oid *argtypes)
{
	const char *rel = t->qualified_name;
	const char *keycols = t->has_range ? "pk, sk" : "pk";
	const char *pred = t->has_range ? "pk = $1 AND sk = $2" : "pk = $1";
	int			k = t->has_range ? 2 : 1;	/* number of key parameters */
	int			i;

	for (i = 0; i < k; i++)
		argtypes[i] = BYTEAOID;
	argtypes[k] = JSONBOID;
	argtypes[k + 1] = INT4OID;

	switch (which)
	{
		case PLAN_GET:
			*nargs = k;
			return psprintf("SELECT item, size FROM %s WHERE %s", rel, pred);
		case PLAN_GET_LOCK:
			*nargs = k;
			return psprintf("SELECT item, size FROM %s WHERE %s FOR UPDATE", rel, pred);
		case PLAN_INSERT:
			*nargs = k + 2;
			return psprintf("INSERT INTO %s (%s, item, size) VALUES (%s, $%d, $%d)"
							" ON CONFLICT (%s) DO NOTHING",
							rel, keycols, t->has_range ? "$1, $2" : "$1",
							k + 1, k + 2, keycols);
		case PLAN_UPSERT:
			/* An identical item is not rewritten: no new row version, no stream record. */
			*nargs = k + 2;
			return psprintf("INSERT INTO %s AS t (%s, item, size) VALUES (%s, $%d, $%d)"
							" ON CONFLICT (%s) DO UPDATE SET item = EXCLUDED.item,"
							" size = EXCLUDED.size WHERE t.item IS DISTINCT FROM EXCLUDED.item",
							rel, keycols, t->has_range ? "$1, $2" : "$1",
							k + 1, k + 2, keycols);
		case PLAN_REPLACE:
			*nargs = k + 2;
			return psprintf("UPDATE %s SET item = $%d, size = $%d WHERE %s",
							rel, k + 1, k + 2, pred);
		case PLAN_DELETE:
			*nargs = k;
			return psprintf("DELETE FROM %s WHERE %s", rel, pred);
		case PLAN_DELETE_RETURNING:
			*nargs = k;
			return psprintf("DELETE FROM %s WHERE %s RETURNING item, size", rel, pred);
		default:
			elog(ERROR, "unknown access plan %d", which);
	}
	return NULL;				/* keep compiler quiet */
}

/* The saved plan for (t, which), prepared on first use. */
static SPIPlanPtr
get_plan(DdbTable *t, AccessPlan which)
{
	AccessPlans *ap = (AccessPlans *) t->access_plans;

	if (ap == NULL)
	{
		ap = MemoryContextAllocZero(GetMemoryChunkContext(t), sizeof(AccessPlans));
		t->access_plans = ap;
	}
	if (ap->plans[which] == NULL)
	{
		Oid			argtypes[4];
		int			nargs;
		char	   *sql = plan_sql(t, which, &nargs, argtypes);
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare(\"%s\") failed: %s", sql,
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		ap->plans[which] = plan;
		pfree(sql);
	}
	return ap->plans[which];
}

void
DdbAccessFreePlans(DdbTable *t)
{
	AccessPlans *ap = (AccessPlans *) t->access_plans;
	int			i;

	if (ap == NULL)
		return;
	for (i = 0; i < PLAN__COUNT; i++)
		if (ap->plans[i] != NULL)
			SPI_freeplan(ap->plans[i]);
	t->access_plans = NULL;
}

/* Fill the key parameters; returns the number used. */
static int
key_args(DdbTable *t, const DdbKey *key, Datum *args)
{
	args[0] = PointerGetDatum(key->pk);
	if (t->has_range)
	{
		Assert(key->sk != NULL);
		args[1] = PointerGetDatum(key->sk);
		return 2;
	}
	return 1;
}

/* Run a plan; returns SPI_processed. */
static uint64
run(DdbTable *t, AccessPlan which, Datum *args, bool read_only, int expected)
{
	int			ret = SPI_execute_plan(get_plan(t, which), args, NULL, read_only, 0);

	if (ret != expected)
		elog(ERROR, "access statement failed: %s", SPI_result_code_string(ret));
	return SPI_processed;
}

/* Copy item and size of the first result row into the caller's context. */
static Jsonb *
fetch_item(int32 *size)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	Jsonb	   *item = DatumGetJsonbPCopy(d);

	if (size)
		*size = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
											SPI_tuptable->tupdesc, 2, &isnull));
	return item;
}

Jsonb *
DdbAccessGet(DdbTable *t, const DdbKey *key, bool lock, int32 *size)
{
	Datum		args[2];
	Jsonb	   *item = NULL;

	key_args(t, key, args);
	if (run(t, lock ? PLAN_GET_LOCK : PLAN_GET, args, !lock, SPI_OK_SELECT) > 0)
		item = fetch_item(size);
	SPI_freetuptable(SPI_tuptable);
	return item;
}

bool
DdbAccessInsert(DdbTable *t, const DdbKey *key, Jsonb *item, int32 size)
{
	Datum		args[4];
	int			k = key_args(t, key, args);

	args[k] = JsonbPGetDatum(item);
	args[k + 1] = Int32GetDatum(size);
	return run(t, PLAN_INSERT, args, false, SPI_OK_INSERT) > 0;
}

void
DdbAccessUpsert(DdbTable *t, const DdbKey *key, Jsonb *item, int32 size)
{
	Datum		args[4];
	int			k = key_args(t, key, args);

	args[k] = JsonbPGetDatum(item);
	args[k + 1] = Int32GetDatum(size);
	run(t, PLAN_UPSERT, args, false, SPI_OK_INSERT);
}

void
DdbAccessReplace(DdbTable *t, const DdbKey *key, Jsonb *item, int32 size)
{
	Datum		args[4];
	int			k = key_args(t, key, args);

	args[k] = JsonbPGetDatum(item);
	args[k + 1] = Int32GetDatum(size);
	run(t, PLAN_REPLACE, args, false, SPI_OK_UPDATE);
}

bool
DdbAccessDelete(DdbTable *t, const DdbKey *key, Jsonb **old, int32 *old_size)
{
	Datum		args[2];
	uint64		n;

	key_args(t, key, args);
	if (old == NULL)
		return run(t, PLAN_DELETE, args, false, SPI_OK_DELETE) > 0;

	n = run(t, PLAN_DELETE_RETURNING, args, false, SPI_OK_DELETE_RETURNING);
	*old = n > 0 ? fetch_item(old_size) : NULL;
	SPI_freetuptable(SPI_tuptable);
	return n > 0;
}
