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
 * Range reads (Query, Scan) go in batches, each one index range scan with
 * ORDER BY and LIMIT that starts after the last key of the previous batch;
 * sort key bounds are normalised to [lower, upper) on the encoded bytes
 * (x || '\x00' is the smallest byte string greater than x), so four Query
 * statements (ascending or descending, with or without an upper bound)
 * cover every key condition and start key.
 *
 * A secondary index is read the same way through its own PostgreSQL index
 * (see indexes.c for its definition): the statements repeat the index's
 * expressions and partial-index predicate exactly, so that the planner can
 * match them, order by the index's columns, and continue after the last
 * row with one row comparison over the columns that follow the partition
 * key, e.g. for a GSI with a sort key on a table with one:
 *
 *	 WHERE <h> = $1 AND <h> IS NOT NULL AND <r> IS NOT NULL
 *	   AND (<r>, pk, sk) >= ($2, $3, $4) [AND <r> < $5]
 *	 ORDER BY <r>, pk, sk LIMIT $n
 *
 * where <h> and <r> are ddb.index_key(item, '<attribute>', '<type>').
 *
 * src/access.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "access.h"

typedef enum AccessPlan
{
	PLAN_GET,
	PLAN_GET_LOCK,
	PLAN_INSERT,
	PLAN_UPSERT,
	PLAN_UPSERT_MANY,			/* many items in one statement, from arrays */
	PLAN_REPLACE,
	PLAN_DELETE,
	PLAN_DELETE_RETURNING,
	PLAN_QUERY_HASH,			/* Query of a table without sort key */
	PLAN_QUERY_FWD,				/* pk = $1 AND sk >= $2, ascending */
	PLAN_QUERY_FWD_UPPER,		/* ... AND sk < $3 */
	PLAN_QUERY_BWD,				/* pk = $1 AND sk >= $2, descending */
	PLAN_QUERY_BWD_UPPER,		/* ... AND sk < $3 */
	PLAN_SCAN,					/* (pk, sk) >= ($1, $2), ascending */
	PLAN_SCAN_SEGMENT,			/* ... of one segment */
	PLAN__COUNT
} AccessPlan;

/* The range reads of a secondary index. */
typedef enum IndexPlan
{
	IPLAN_QUERY_FWD,			/* (order columns) >= start, ascending */
	IPLAN_QUERY_FWD_UPPER,		/* ... AND <r> < upper */
	IPLAN_QUERY_BWD,			/* <r> >= lower, descending */
	IPLAN_QUERY_BWD_UPPER,		/* ... AND (order columns) < upper */
	IPLAN_SCAN,					/* (index columns) >= start, ascending */
	IPLAN_SCAN_SEGMENT,			/* ... of one segment */
	IPLAN__COUNT
} IndexPlan;

typedef struct AccessPlans
{
	SPIPlanPtr	plans[PLAN__COUNT];
	int			nindexes;
	SPIPlanPtr *index_plans;	/* nindexes * IPLAN__COUNT, by index position */
} AccessPlans;

/*
 * Result columns of an index range read, which are also the values an
 * index's columns are continued from: pk, sk, then the index partition key
 * and sort key.  (Column 3 is the item, 4 its size.)
 */
typedef enum RowCol
{
	COL_PK = 1,
	COL_SK = 2,
	COL_IH = 5,
	COL_IR = 6
} RowCol;

#define MAX_INDEX_COLS 4

/* The SQL pieces of one secondary index. */
typedef struct IndexShape
{
	char	   *hexpr;			/* partition key column: pk or <h> */
	char	   *rexpr;			/* sort key expression <r>, or NULL */
	char	   *pred;			/* the partial-index predicate */
	int			nquery;			/* Query order: the columns after <h> */
	RowCol		query_cols[MAX_INDEX_COLS];
	int			nscan;			/* Scan order: every column */
	RowCol		scan_cols[MAX_INDEX_COLS];
} IndexShape;

/*
 * SQL of the range reads for table t.  Every one returns pk, sk (NULL for a
 * table without sort key), item and size; the LIMIT is the last parameter.
 */
static char *
range_plan_sql(DdbTable *t, AccessPlan which, int *nargs, Oid *argtypes)
{
	const char *rel = t->qualified_name;
	const char *cols = t->has_range ? "pk, sk, item, size" :
		"pk, NULL::bytea AS sk, item, size";
	int			i;

	for (i = 0; i < 4; i++)
		argtypes[i] = BYTEAOID;
	switch (which)
	{
		case PLAN_QUERY_HASH:
			*nargs = 1;
			return psprintf("SELECT %s FROM %s WHERE pk = $1", cols, rel);
		case PLAN_QUERY_FWD:
		case PLAN_QUERY_BWD:
			*nargs = 3;
			argtypes[2] = INT8OID;
			return psprintf("SELECT %s FROM %s WHERE pk = $1 AND sk >= $2"
							" ORDER BY sk%s LIMIT $3", cols, rel,
							which == PLAN_QUERY_BWD ? " DESC" : "");
		case PLAN_QUERY_FWD_UPPER:
		case PLAN_QUERY_BWD_UPPER:
			*nargs = 4;
			argtypes[3] = INT8OID;
			return psprintf("SELECT %s FROM %s WHERE pk = $1 AND sk >= $2 AND sk < $3"
							" ORDER BY sk%s LIMIT $4", cols, rel,
							which == PLAN_QUERY_BWD_UPPER ? " DESC" : "");
		case PLAN_SCAN:
			if (t->has_range)
			{
				*nargs = 3;
				argtypes[2] = INT8OID;
				return psprintf("SELECT %s FROM %s WHERE (pk, sk) >= ($1, $2)"
								" ORDER BY pk, sk LIMIT $3", cols, rel);
			}
			*nargs = 2;
			argtypes[1] = INT8OID;
			return psprintf("SELECT %s FROM %s WHERE pk >= $1 ORDER BY pk LIMIT $2",
							cols, rel);
		case PLAN_SCAN_SEGMENT:
			if (t->has_range)
			{
				*nargs = 5;
				argtypes[2] = INT4OID;
				argtypes[3] = INT4OID;
				argtypes[4] = INT8OID;
				return psprintf("SELECT %s FROM %s WHERE (pk, sk) >= ($1, $2)"
								" AND ddb.scan_segment(pk, $3) = $4"
								" ORDER BY pk, sk LIMIT $5", cols, rel);
			}
			*nargs = 4;
			argtypes[1] = INT4OID;
			argtypes[2] = INT4OID;
			argtypes[3] = INT8OID;
			return psprintf("SELECT %s FROM %s WHERE pk >= $1"
							" AND ddb.scan_segment(pk, $2) = $3"
							" ORDER BY pk LIMIT $4", cols, rel);
		default:
			elog(ERROR, "unknown access plan %d", which);
	}
	return NULL;				/* keep compiler quiet */
}

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
		case PLAN_UPSERT_MANY:
			/* The same for arrays of keys, items and sizes, rows in array order. */
			*nargs = k + 2;
			for (i = 0; i < k; i++)
				argtypes[i] = BYTEAARRAYOID;
			argtypes[k] = JSONBARRAYOID;
			argtypes[k + 1] = INT4ARRAYOID;
			return psprintf("INSERT INTO %s AS t (%s, item, size)"
							" SELECT * FROM unnest(%s, $%d, $%d)"
							" ON CONFLICT (%s) DO UPDATE SET item = EXCLUDED.item,"
							" size = EXCLUDED.size WHERE t.item IS DISTINCT FROM EXCLUDED.item",
							rel, keycols, t->has_range ? "$1, $2" : "$1",
							k + 1, k + 2, keycols);
		case PLAN_REPLACE:
			*nargs = k + 2;
			/* An identical item is not rewritten (see PLAN_UPSERT). */
			return psprintf("UPDATE %s SET item = $%d, size = $%d WHERE %s"
							" AND item IS DISTINCT FROM $%d",
							rel, k + 1, k + 2, pred, k + 1);
		case PLAN_DELETE:
			*nargs = k;
			return psprintf("DELETE FROM %s WHERE %s", rel, pred);
		case PLAN_DELETE_RETURNING:
			*nargs = k;
			return psprintf("DELETE FROM %s WHERE %s RETURNING item, size", rel, pred);
		default:
			return range_plan_sql(t, which, nargs, argtypes);
	}
	return NULL;				/* keep compiler quiet */
}

/* ---------------------------------------------------------------------
 * Secondary index statements
 * ---------------------------------------------------------------------
 */

/* ddb.index_key(item, '<attribute>', '<type>'), as in the index definition. */
static char *
index_key_sql(const DdbKeyAttr *a)
{
	return psprintf("ddb.index_key(item, %s, %s)",
					quote_literal_cstr(a->name),
					quote_literal_cstr(DdbTypeName(a->type)));
}

/*
 * The columns, expressions and predicate of idx's PostgreSQL index: a GSI
 * is (<h>, [<r>,] pk[, sk]) WHERE <h> IS NOT NULL [AND <r> IS NOT NULL], an
 * LSI (pk, <r>, sk) WHERE <r> IS NOT NULL.
 */
static void
index_shape(const DdbTable *t, const DdbIndex *idx, IndexShape *s)
{
	memset(s, 0, sizeof(*s));
	s->rexpr = idx->has_range ? index_key_sql(&idx->range) : NULL;
	if (idx->global)
	{
		s->hexpr = index_key_sql(&idx->hash);
		s->pred = s->rexpr ? psprintf("%s IS NOT NULL AND %s IS NOT NULL", s->hexpr, s->rexpr) :
			psprintf("%s IS NOT NULL", s->hexpr);
		s->scan_cols[s->nscan++] = COL_IH;
		if (s->rexpr)
		{
			s->scan_cols[s->nscan++] = COL_IR;
			s->query_cols[s->nquery++] = COL_IR;
		}
		s->scan_cols[s->nscan++] = COL_PK;
		s->query_cols[s->nquery++] = COL_PK;
		if (t->has_range)
		{
			s->scan_cols[s->nscan++] = COL_SK;
			s->query_cols[s->nquery++] = COL_SK;
		}
	}
	else
	{
		Assert(s->rexpr != NULL && t->has_range);
		s->hexpr = pstrdup("pk");
		s->pred = psprintf("%s IS NOT NULL", s->rexpr);
		s->scan_cols[s->nscan++] = COL_PK;
		s->scan_cols[s->nscan++] = COL_IR;
		s->scan_cols[s->nscan++] = COL_SK;
		s->query_cols[s->nquery++] = COL_IR;
		s->query_cols[s->nquery++] = COL_SK;
	}
}

/* The SQL of one result / index column. */
static const char *
col_sql(const IndexShape *s, RowCol c)
{
	switch (c)
	{
		case COL_PK:
			return "pk";
		case COL_SK:
			return "sk";
		case COL_IH:
			return s->hexpr;
		case COL_IR:
			return s->rexpr;
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * Append " AND (c1, c2, ...) op ($k+1, $k+2, ...)" (without parentheses
 * for one column), adding the bytea parameters to argtypes and *nargs.
 */
static void
append_row_compare(StringInfo sql, const IndexShape *s, const RowCol *cols, int n,
				   const char *op, int *nargs, Oid *argtypes)
{
	int			i;

	appendStringInfoString(sql, n > 1 ? " AND (" : " AND ");
	for (i = 0; i < n; i++)
		appendStringInfo(sql, "%s%s", i > 0 ? ", " : "", col_sql(s, cols[i]));
	appendStringInfo(sql, "%s %s %s", n > 1 ? ")" : "", op, n > 1 ? "(" : "");
	for (i = 0; i < n; i++)
	{
		argtypes[*nargs] = BYTEAOID;
		(*nargs)++;
		appendStringInfo(sql, "%s$%d", i > 0 ? ", " : "", *nargs);
	}
	if (n > 1)
		appendStringInfoChar(sql, ')');
}

/* Append " ORDER BY c1[ DESC], c2[ DESC], ...". */
static void
append_order_by(StringInfo sql, const IndexShape *s, const RowCol *cols, int n,
				bool descending)
{
	int			i;

	appendStringInfoString(sql, " ORDER BY ");
	for (i = 0; i < n; i++)
		appendStringInfo(sql, "%s%s%s", i > 0 ? ", " : "", col_sql(s, cols[i]),
						 descending ? " DESC" : "");
}

/*
 * SQL of the range reads of secondary index idx of table t.  Every one
 * returns pk, sk (NULL for a table without sort key), item, size, the
 * index partition key and the index sort key (NULL without one); the
 * LIMIT is the last parameter.
 */
static char *
index_plan_sql(DdbTable *t, const DdbIndex *idx, IndexPlan which, int *nargs,
			   Oid *argtypes)
{
	IndexShape	s;
	StringInfoData sql;
	int			n = 0;

	index_shape(t, idx, &s);
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT pk, %s, item, size, %s AS ih, %s AS ir FROM %s WHERE %s",
					 t->has_range ? "sk" : "NULL::bytea AS sk", s.hexpr,
					 s.rexpr ? s.rexpr : "NULL::bytea", t->qualified_name, s.pred);
	switch (which)
	{
		case IPLAN_QUERY_FWD:
		case IPLAN_QUERY_FWD_UPPER:
			argtypes[n++] = BYTEAOID;
			appendStringInfo(&sql, " AND %s = $1", s.hexpr);
			append_row_compare(&sql, &s, s.query_cols, s.nquery, ">=", &n, argtypes);
			if (which == IPLAN_QUERY_FWD_UPPER)
			{
				Assert(s.rexpr != NULL);
				argtypes[n++] = BYTEAOID;
				appendStringInfo(&sql, " AND %s < $%d", s.rexpr, n);
			}
			append_order_by(&sql, &s, s.query_cols, s.nquery, false);
			break;
		case IPLAN_QUERY_BWD:
		case IPLAN_QUERY_BWD_UPPER:
			argtypes[n++] = BYTEAOID;
			appendStringInfo(&sql, " AND %s = $1", s.hexpr);
			if (s.rexpr)
			{
				argtypes[n++] = BYTEAOID;
				appendStringInfo(&sql, " AND %s >= $%d", s.rexpr, n);
			}
			if (which == IPLAN_QUERY_BWD_UPPER)
				append_row_compare(&sql, &s, s.query_cols, s.nquery, "<", &n, argtypes);
			append_order_by(&sql, &s, s.query_cols, s.nquery, true);
			break;
		case IPLAN_SCAN:
		case IPLAN_SCAN_SEGMENT:
			append_row_compare(&sql, &s, s.scan_cols, s.nscan, ">=", &n, argtypes);
			if (which == IPLAN_SCAN_SEGMENT)
			{
				argtypes[n++] = INT4OID;
				argtypes[n++] = INT4OID;
				appendStringInfo(&sql, " AND ddb.scan_segment(%s, $%d) = $%d",
								 s.hexpr, n - 1, n);
			}
			append_order_by(&sql, &s, s.scan_cols, s.nscan, false);
			break;
		default:
			elog(ERROR, "unknown index access plan %d", which);
	}
	argtypes[n++] = INT8OID;
	appendStringInfo(&sql, " LIMIT $%d", n);
	*nargs = n;
	return sql.data;
}

/* ---------------------------------------------------------------------
 * Saved plans
 * ---------------------------------------------------------------------
 */

/* The access plans of t, allocated on first use. */
static AccessPlans *
table_plans(DdbTable *t)
{
	AccessPlans *ap = (AccessPlans *) t->access_plans;

	if (ap == NULL)
	{
		ap = MemoryContextAllocZero(GetMemoryChunkContext(t), sizeof(AccessPlans));
		t->access_plans = ap;
	}
	return ap;
}

/*
 * Prepare sql and keep the plan for the life of the backend.  The caller's
 * memory context stays current (SPI would leave its own current).
 */
static SPIPlanPtr
prepare_kept(char *sql, int nargs, Oid *argtypes)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare(\"%s\") failed: %s", sql,
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	MemoryContextSwitchTo(cxt);
	pfree(sql);
	return plan;
}

/* The saved plan for (t, which), prepared on first use. */
static SPIPlanPtr
get_plan(DdbTable *t, AccessPlan which)
{
	AccessPlans *ap = table_plans(t);

	if (ap->plans[which] == NULL)
	{
		Oid			argtypes[8];
		int			nargs;
		char	   *sql = plan_sql(t, which, &nargs, argtypes);

		ap->plans[which] = prepare_kept(sql, nargs, argtypes);
	}
	return ap->plans[which];
}

/* The saved plan for (t, index idx, which), prepared on first use. */
static SPIPlanPtr
get_index_plan(DdbTable *t, const DdbIndex *idx, IndexPlan which)
{
	AccessPlans *ap = table_plans(t);
	int			pos = (int) (idx - t->indexes);
	SPIPlanPtr *slot;

	Assert(pos >= 0 && pos < t->nindexes);
	if (ap->index_plans == NULL)
	{
		ap->nindexes = t->nindexes;
		ap->index_plans = MemoryContextAllocZero(GetMemoryChunkContext(ap),
												 sizeof(SPIPlanPtr) * t->nindexes * IPLAN__COUNT);
	}
	slot = &ap->index_plans[pos * IPLAN__COUNT + which];
	if (*slot == NULL)
	{
		Oid			argtypes[MAX_INDEX_COLS + 4];
		int			nargs;
		char	   *sql = index_plan_sql(t, idx, which, &nargs, argtypes);

		*slot = prepare_kept(sql, nargs, argtypes);
	}
	return *slot;
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
	if (ap->index_plans != NULL)
	{
		for (i = 0; i < ap->nindexes * IPLAN__COUNT; i++)
			if (ap->index_plans[i] != NULL)
				SPI_freeplan(ap->index_plans[i]);
		pfree(ap->index_plans);
	}
	pfree(ap);
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

/* A one-dimensional array of n datums of a by-reference varlena type. */
static Datum
varlena_array(Datum *elems, int n, Oid elemtype)
{
	return PointerGetDatum(construct_array(elems, n, elemtype, -1, false, TYPALIGN_INT));
}

void
DdbAccessUpsertMany(DdbTable *t, int n, const DdbKey *keys, Jsonb **items,
					const int32 *sizes)
{
	Datum	   *pks = palloc(sizeof(Datum) * n);
	Datum	   *sks = palloc(sizeof(Datum) * n);
	Datum	   *its = palloc(sizeof(Datum) * n);
	Datum	   *szs = palloc(sizeof(Datum) * n);
	Datum		args[4];
	int			k = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		pks[i] = PointerGetDatum(keys[i].pk);
		sks[i] = PointerGetDatum(keys[i].sk);
		its[i] = JsonbPGetDatum(items[i]);
		szs[i] = Int32GetDatum(sizes[i]);
	}
	args[k++] = varlena_array(pks, n, BYTEAOID);
	if (t->has_range)
		args[k++] = varlena_array(sks, n, BYTEAOID);
	args[k++] = varlena_array(its, n, JSONBOID);
	args[k++] = PointerGetDatum(construct_array(szs, n, INT4OID, 4, true, TYPALIGN_INT));
	run(t, PLAN_UPSERT_MANY, args, false, SPI_OK_INSERT);
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

/* ---------------------------------------------------------------------
 * Range reads (Query, Scan)
 * ---------------------------------------------------------------------
 */

/* x || '\x00': the smallest byte string greater than x. */
static bytea *
key_successor(const bytea *x)
{
	int			len = VARSIZE_ANY_EXHDR(x);
	bytea	   *out = palloc(VARHDRSZ + len + 1);

	SET_VARSIZE(out, VARHDRSZ + len + 1);
	memcpy(VARDATA(out), VARDATA_ANY(x), len);
	VARDATA(out)[len] = '\0';
	return out;
}

/* memcmp order of two byte strings, a shorter prefix first (bytea's order). */
static int
key_compare(const bytea *a, const bytea *b)
{
	int			alen = VARSIZE_ANY_EXHDR(a);
	int			blen = VARSIZE_ANY_EXHDR(b);
	int			c = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/* Order of two encoded keys of one table: partition key, then sort key. */
int
DdbKeyCompare(const DdbKey *a, const DdbKey *b)
{
	int			c = key_compare(a->pk, b->pk);

	if (c != 0 || a->sk == NULL || b->sk == NULL)
		return c;
	return key_compare(a->sk, b->sk);
}

/* The empty byte string, smaller than every key. */
static bytea *
key_min(void)
{
	bytea	   *out = palloc(VARHDRSZ);

	SET_VARSIZE(out, VARHDRSZ);
	return out;
}

void
DdbRangeInitQuery(DdbRangeRead *r, DdbTable *t, bytea *pk, bytea *lower,
				  bytea *upper, bool forward)
{
	memset(r, 0, sizeof(*r));
	r->table = t;
	r->query = true;
	r->forward = forward;
	r->pk = pk;
	r->lower = lower;
	r->upper = upper;
}

void
DdbRangeInitScan(DdbRangeRead *r, DdbTable *t, int32 segment, int32 total_segments)
{
	memset(r, 0, sizeof(*r));
	r->table = t;
	r->query = false;
	r->forward = true;
	r->segment = segment;
	r->total_segments = total_segments;
}

void
DdbRangeInitIndexQuery(DdbRangeRead *r, DdbTable *t, const DdbIndex *idx,
					   bytea *hash, bytea *lower, bytea *upper, bool forward)
{
	DdbRangeInitQuery(r, t, hash, lower, upper, forward);
	r->index = idx;
}

void
DdbRangeInitIndexScan(DdbRangeRead *r, DdbTable *t, const DdbIndex *idx,
					  int32 segment, int32 total_segments)
{
	DdbRangeInitScan(r, t, segment, total_segments);
	r->index = idx;
}

void
DdbRangeStartAfter(DdbRangeRead *r, const DdbKey *key)
{
	r->started = true;
	r->after_pk = key->pk;
	r->after_sk = key->sk;
}

void
DdbRangeStartAfterIndex(DdbRangeRead *r, const DdbKey *key, bytea *index_hash,
						bytea *index_range)
{
	DdbRangeStartAfter(r, key);
	r->after_ih = index_hash;
	r->after_ir = index_range;
}

/*
 * Run one range statement with the planner's sequential and bitmap scans
 * and sorts disabled (and index scans enabled), as a function's SET clause
 * would: the only way left to read a range in key order is the index whose
 * columns the statement orders by (the primary key, or a secondary index),
 * even on a table so small that a sequential scan and a sort would look
 * cheaper.  The settings are restored when the statement returns, or by
 * the (sub)transaction's abort when it fails.  The caller's memory context
 * stays current, so what the range read copies out lives as long as it.
 */
static void
run_range(DdbRangeRead *r, SPIPlanPtr plan, Datum *args)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			nestlevel = NewGUCNestLevel();
	int			ret;

	(void) set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("enable_bitmapscan", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("enable_sort", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("enable_incremental_sort", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("enable_indexscan", "on", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	ret = SPI_execute_plan(plan, args, NULL, true, 0);
	AtEOXact_GUC(true, nestlevel);
	/* SPI leaves the procedure's memory context current: go back */
	MemoryContextSwitchTo(cxt);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "range read failed: %s", SPI_result_code_string(ret));
	r->batch = SPI_tuptable;
	r->nrows = (int) SPI_processed;
}

/* The value of column c in the last row read (the position). */
static bytea *
after_value(DdbRangeRead *r, RowCol c)
{
	switch (c)
	{
		case COL_PK:
			return r->after_pk;
		case COL_SK:
			return r->after_sk;
		case COL_IH:
			return r->after_ih;
		case COL_IR:
			return r->after_ir;
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * The position as values of cols: the last row read, or with successor
 * the smallest row after it (the successor of its last column).
 */
static void
after_row(DdbRangeRead *r, const RowCol *cols, int n, bool successor, bytea **row)
{
	int			i;

	for (i = 0; i < n; i++)
		row[i] = after_value(r, cols[i]);
	if (successor)
		row[n - 1] = key_successor(row[n - 1]);
}

/* Lexicographic order of two rows of n encoded keys. */
static int
row_compare(bytea **a, bytea **b, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		int			c = key_compare(a[i], b[i]);

		if (c != 0)
			return c;
	}
	return 0;
}

/*
 * Run the next batch of an index Query: the rows of partition r->pk after
 * the position, within the sort key bounds.  Returns false (and runs
 * nothing) when the range left is empty.
 */
static bool
index_query_batch(DdbRangeRead *r, const IndexShape *s, Datum limit)
{
	const DdbIndex *idx = r->index;
	bytea	   *row[MAX_INDEX_COLS];
	bytea	   *after[MAX_INDEX_COLS];
	Datum		args[MAX_INDEX_COLS + 4];
	int			n = s->nquery;
	int			k = 0;
	int			i;

	args[k++] = PointerGetDatum(r->pk);
	if (r->forward)
	{
		/* start at (lower, '', ...) or just after the position, the larger */
		for (i = 0; i < n; i++)
			row[i] = key_min();
		if (idx->has_range && r->lower)
			row[0] = r->lower;
		if (r->started)
		{
			after_row(r, s->query_cols, n, true, after);
			if (row_compare(after, row, n) > 0)
				memcpy(row, after, sizeof(bytea *) * n);
		}
		if (idx->has_range && r->upper && key_compare(row[0], r->upper) >= 0)
			return false;
		for (i = 0; i < n; i++)
			args[k++] = PointerGetDatum(row[i]);
		if (idx->has_range && r->upper)
		{
			args[k++] = PointerGetDatum(r->upper);
			args[k++] = limit;
			run_range(r, get_index_plan(r->table, idx, IPLAN_QUERY_FWD_UPPER), args);
		}
		else
		{
			args[k++] = limit;
			run_range(r, get_index_plan(r->table, idx, IPLAN_QUERY_FWD), args);
		}
	}
	else
	{
		/* end before (upper, '', ...) or before the position, the smaller */
		bool		bounded = false;

		if (idx->has_range)
			args[k++] = PointerGetDatum(r->lower ? r->lower : key_min());
		if (idx->has_range && r->upper)
		{
			row[0] = r->upper;
			for (i = 1; i < n; i++)
				row[i] = key_min();
			bounded = true;
		}
		if (r->started)
		{
			after_row(r, s->query_cols, n, false, after);
			if (!bounded || row_compare(after, row, n) < 0)
				memcpy(row, after, sizeof(bytea *) * n);
			bounded = true;
		}
		if (bounded)
		{
			for (i = 0; i < n; i++)
				args[k++] = PointerGetDatum(row[i]);
		}
		args[k++] = limit;
		run_range(r, get_index_plan(r->table, idx,
									bounded ? IPLAN_QUERY_BWD_UPPER : IPLAN_QUERY_BWD), args);
	}
	return true;
}

/* Run the next batch of an index Scan (of one segment). */
static void
index_scan_batch(DdbRangeRead *r, const IndexShape *s, Datum limit)
{
	bytea	   *row[MAX_INDEX_COLS];
	Datum		args[MAX_INDEX_COLS + 4];
	bool		segmented = r->total_segments > 1;
	int			k = 0;
	int			i;

	if (r->started)
		after_row(r, s->scan_cols, s->nscan, true, row);
	else
		for (i = 0; i < s->nscan; i++)
			row[i] = key_min();
	for (i = 0; i < s->nscan; i++)
		args[k++] = PointerGetDatum(row[i]);
	if (segmented)
	{
		args[k++] = Int32GetDatum(r->total_segments);
		args[k++] = Int32GetDatum(r->segment);
	}
	args[k++] = limit;
	run_range(r, get_index_plan(r->table, r->index,
								segmented ? IPLAN_SCAN_SEGMENT : IPLAN_SCAN), args);
}

int
DdbRangeFetch(DdbRangeRead *r, int max_rows)
{
	Datum		args[5];
	Datum		limit = Int64GetDatum(max_rows);
	HeapTuple	last;
	SPITupleTable *tt;
	bool		isnull;

	Assert(r->batch == NULL);
	r->nrows = 0;
	if (max_rows <= 0)
		return 0;

	if (r->index != NULL)
	{
		IndexShape	s;

		index_shape(r->table, r->index, &s);
		if (r->query)
		{
			if (!index_query_batch(r, &s, limit))
				return 0;		/* empty range */
		}
		else
			index_scan_batch(r, &s, limit);
	}
	else if (r->query && !r->table->has_range)
	{
		/* a partition of a table without sort key holds one item at most */
		if (r->started)
			return 0;
		args[0] = PointerGetDatum(r->pk);
		run_range(r, get_plan(r->table, PLAN_QUERY_HASH), args);
	}
	else if (r->query)
	{
		bytea	   *lower = r->lower ? r->lower : key_min();
		bytea	   *upper = r->upper;

		if (r->started && r->forward)
		{
			bytea	   *next = key_successor(r->after_sk);

			if (key_compare(next, lower) > 0)
				lower = next;
		}
		else if (r->started)
		{
			if (upper == NULL || key_compare(r->after_sk, upper) < 0)
				upper = r->after_sk;
		}
		if (upper != NULL && key_compare(lower, upper) >= 0)
			return 0;			/* empty range */
		args[0] = PointerGetDatum(r->pk);
		args[1] = PointerGetDatum(lower);
		if (upper == NULL)
		{
			args[2] = limit;
			run_range(r, get_plan(r->table, r->forward ? PLAN_QUERY_FWD : PLAN_QUERY_BWD),
					  args);
		}
		else
		{
			args[2] = PointerGetDatum(upper);
			args[3] = limit;
			run_range(r, get_plan(r->table,
								  r->forward ? PLAN_QUERY_FWD_UPPER : PLAN_QUERY_BWD_UPPER),
					  args);
		}
	}
	else
	{
		int			k = 0;
		bool		segmented = r->total_segments > 1;

		if (!r->started)
		{
			args[k++] = PointerGetDatum(key_min());
			if (r->table->has_range)
				args[k++] = PointerGetDatum(key_min());
		}
		else if (r->table->has_range)
		{
			args[k++] = PointerGetDatum(r->after_pk);
			args[k++] = PointerGetDatum(key_successor(r->after_sk));
		}
		else
			args[k++] = PointerGetDatum(key_successor(r->after_pk));
		if (segmented)
		{
			args[k++] = Int32GetDatum(r->total_segments);
			args[k++] = Int32GetDatum(r->segment);
		}
		args[k++] = limit;
		run_range(r, get_plan(r->table, segmented ? PLAN_SCAN_SEGMENT : PLAN_SCAN), args);
	}

	/* the next batch starts after the last row of this one */
	tt = (SPITupleTable *) r->batch;
	if (r->nrows > 0)
	{
		last = tt->vals[r->nrows - 1];
		r->started = true;
		r->after_pk = DatumGetByteaPCopy(SPI_getbinval(last, tt->tupdesc, 1, &isnull));
		if (r->table->has_range)
			r->after_sk = DatumGetByteaPCopy(SPI_getbinval(last, tt->tupdesc, 2, &isnull));
		if (r->index != NULL)
		{
			r->after_ih = DatumGetByteaPCopy(SPI_getbinval(last, tt->tupdesc, COL_IH, &isnull));
			if (r->index->has_range)
				r->after_ir = DatumGetByteaPCopy(SPI_getbinval(last, tt->tupdesc, COL_IR,
															   &isnull));
		}
	}
	return r->nrows;
}

int32
DdbRangeRowSize(DdbRangeRead *r, int i)
{
	SPITupleTable *tt = (SPITupleTable *) r->batch;
	bool		isnull;

	Assert(i >= 0 && i < r->nrows);
	return DatumGetInt32(SPI_getbinval(tt->vals[i], tt->tupdesc, 4, &isnull));
}

Jsonb *
DdbRangeRowItem(DdbRangeRead *r, int i)
{
	SPITupleTable *tt = (SPITupleTable *) r->batch;
	bool		isnull;

	Assert(i >= 0 && i < r->nrows);
	return DatumGetJsonbPCopy(SPI_getbinval(tt->vals[i], tt->tupdesc, 3, &isnull));
}

void
DdbRangeRowKey(DdbRangeRead *r, int i, DdbKey *key)
{
	SPITupleTable *tt = (SPITupleTable *) r->batch;
	bool		isnull;

	Assert(i >= 0 && i < r->nrows);
	key->pk = DatumGetByteaPCopy(SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull));
	key->sk = NULL;
	if (r->table->has_range)
		key->sk = DatumGetByteaPCopy(SPI_getbinval(tt->vals[i], tt->tupdesc, 2, &isnull));
}

void
DdbRangeEndBatch(DdbRangeRead *r)
{
	if (r->batch != NULL)
		SPI_freetuptable((SPITupleTable *) r->batch);
	r->batch = NULL;
	r->nrows = 0;
}

/* ---------------------------------------------------------------------
 * Parallel-scan segments
 * ---------------------------------------------------------------------
 */

int32
DdbKeySegment(const char *pk, int len, int32 total_segments)
{
	uint64		h = UINT64CONST(0xcbf29ce484222325);	/* FNV-1a ... */
	int			i;

	Assert(total_segments >= 1);
	for (i = 0; i < len; i++)
	{
		h ^= (unsigned char) pk[i];
		h *= UINT64CONST(0x100000001b3);
	}
	/* ... then a final avalanche (MurmurHash3's fmix64) for the low bits */
	h ^= h >> 33;
	h *= UINT64CONST(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64CONST(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return (int32) (h % (uint64) total_segments);
}

PG_FUNCTION_INFO_V1(ddb_scan_segment);

/*
 * ddb.scan_segment(partition_key bytea, total_segments integer) RETURNS
 * integer: the Segment of a parallel Scan with TotalSegments segments that
 * returns the items of the (encoded) partition key.
 */
Datum
ddb_scan_segment(PG_FUNCTION_ARGS)
{
	bytea	   *pk = PG_GETARG_BYTEA_PP(0);
	int32		total = PG_GETARG_INT32(1);

	if (total < 1 || total > 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("total_segments must be between 1 and 1000000")));
	PG_RETURN_INT32(DdbKeySegment(VARDATA_ANY(pk), VARSIZE_ANY_EXHDR(pk), total));
}
