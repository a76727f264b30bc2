/*-------------------------------------------------------------------------
 *
 * backfill.c
 *	  The backfill worker: builds the PostgreSQL index of a global
 *	  secondary index that UpdateTable added to a table holding items.
 *
 * UpdateTable records the new index with IndexStatus CREATING (DescribeTable
 * shows it CREATING with Backfilling true, and a Query on it fails as on
 * DynamoDB) and asks for a worker when its transaction commits.  The
 * worker runs CREATE INDEX CONCURRENTLY as a top-level statement -- which
 * does not block writers while it scans the table -- and then marks the
 * index ACTIVE.  CREATE INDEX CONCURRENTLY cannot run inside a transaction
 * block, hence a worker of its own rather than the calling backend.
 * Workers of one database take turns on the session advisory lock
 * hashtext('ddb_emul.backfill').
 *
 * src/backfill.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/ps_status.h"
#include "utils/snapmgr.h"

#include "backfill.h"
#include "ddb_emul.h"
#include "indexes.h"

PGDLLEXPORT void ddb_backfill_main(Datum arg);

static bool backfill_requested = false;
static bool callback_registered = false;

/* Start the worker once the requesting transaction has committed. */
static void
backfill_xact_callback(XactEvent event, void *arg)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;

	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		backfill_requested = false;
	if (event != XACT_EVENT_COMMIT || !backfill_requested)
		return;
	backfill_requested = false;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "ddb_emul");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "ddb_backfill_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "ddb_emul index backfill");
	snprintf(worker.bgw_type, BGW_MAXLEN, "ddb_emul index backfill");
	worker.bgw_main_arg = ObjectIdGetDatum(MyDatabaseId);
	worker.bgw_notify_pid = 0;
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		ereport(WARNING,
				(errmsg("could not start the ddb_emul index backfill worker"),
				 errhint("Raise max_worker_processes, then run SELECT ddb.backfill_indexes().")));
}

void
DdbRequestBackfill(void)
{
	if (!callback_registered)
	{
		RegisterXactCallback(backfill_xact_callback, NULL);
		callback_registered = true;
	}
	backfill_requested = true;
}

PG_FUNCTION_INFO_V1(ddb_backfill_indexes);

/*
 * ddb.backfill_indexes(): start a backfill worker at commit (for indexes
 * left CREATING when no worker could be started).
 */
Datum
ddb_backfill_indexes(PG_FUNCTION_ARGS)
{
	DdbRequestBackfill();
	PG_RETURN_VOID();
}

/* ---------------------------------------------------------------------
 * The worker
 * ---------------------------------------------------------------------
 */

typedef struct PendingIndex
{
	char	   *table_name;
	char	   *index_name;
	char	   *ddl;
} PendingIndex;

/* The indexes waiting to be built, read in a transaction of their own. */
static List *
pending_indexes(MemoryContext cxt)
{
	List	   *result = NIL;
	int			ret;
	uint64		i;

	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "looking for indexes to build");
	ret = SPI_execute("SELECT t.table_name, t.physical_name, t.range_key IS NOT NULL, e"
					  " FROM ddb.tables t, jsonb_array_elements(t.global_indexes) e"
					  " WHERE e->>'IndexStatus' = 'CREATING'"
					  " ORDER BY t.table_name",
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Jsonb	   *def = DatumGetJsonbP(SPI_getbinval(tup, desc, 4, &isnull));
		JsonbValue *name = getKeyJsonValueFromContainer(&def->root, "IndexName", 9, NULL);
		MemoryContext old = MemoryContextSwitchTo(cxt);
		PendingIndex *p = palloc(sizeof(PendingIndex));

		p->table_name = SPI_getvalue(tup, desc, 1);
		p->index_name = pnstrdup(name->val.string.val, name->val.string.len);
		p->ddl = DdbIndexDDL(SPI_getvalue(tup, desc, 2),
							 DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull)),
							 &def->root, true);
		result = lappend(result, p);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return result;
}

/*
 * Run one utility statement as a client's top-level statement would run,
 * so that commands which manage their own transactions (CREATE INDEX
 * CONCURRENTLY) work.  Must be called inside a started transaction; the
 * statement may leave a different one started.
 */
static void
run_toplevel(const char *sql)
{
	MemoryContext parsecxt = AllocSetContextCreate(TopMemoryContext,
												   "ddb_emul backfill statement",
												   ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(parsecxt);
	List	   *raw = pg_parse_query(sql);
	RawStmt    *stmt = linitial_node(RawStmt, raw);
	CommandTag	tag = CreateCommandTag(stmt->stmt);
	List	   *queries;
	List	   *plans;
	Portal		portal;
	DestReceiver *dest;
	QueryCompletion qc;

	set_ps_display(GetCommandTagName(tag));
	PushActiveSnapshot(GetTransactionSnapshot());
	queries = pg_analyze_and_rewrite_fixedparams(stmt, sql, NULL, 0, NULL);
	plans = pg_plan_queries(queries, sql, 0, NULL);
	PopActiveSnapshot();

	portal = CreatePortal("", true, true);
	portal->visible = false;
	PortalDefineQuery(portal, NULL, sql, tag, plans, NULL);
	PortalStart(portal, NULL, 0, InvalidSnapshot);
	dest = CreateDestReceiver(DestNone);
	MemoryContextSwitchTo(old);

	(void) PortalRun(portal, FETCH_ALL, true, true, dest, dest, &qc);
	dest->rDestroy(dest);
	PortalDrop(portal, false);
	MemoryContextDelete(parsecxt);
}

/* Mark index ACTIVE in the catalog and make every backend reload the table. */
static void
mark_active(const PendingIndex *p)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		vals[2];
	int			ret;

	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	vals[0] = CStringGetTextDatum(p->table_name);
	vals[1] = CStringGetTextDatum(p->index_name);
	ret = SPI_execute_with_args("UPDATE ddb.tables SET global_indexes ="
								" (SELECT jsonb_agg(CASE WHEN e->>'IndexName' = $2"
								"   THEN e || '{\"IndexStatus\": \"ACTIVE\"}' ELSE e END ORDER BY n)"
								"  FROM jsonb_array_elements(global_indexes) WITH ORDINALITY AS x(e, n))"
								" WHERE table_name = $1 RETURNING physical_name",
								2, types, vals, NULL, false, 0);
	if (ret != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
	{
		char	   *physical = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		Oid			relid = get_relname_relid(physical,
											  get_namespace_oid(DDB_DATA_SCHEMA, false));

		if (OidIsValid(relid))
			CacheInvalidateRelcacheByRelid(relid);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/*
 * Worker entry point: build every CREATING index of the database, one at a
 * time, then exit.
 */
void
ddb_backfill_main(Datum arg)
{
	MemoryContext cxt;
	List	   *pending;
	ListCell   *lc;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(DatumGetObjectId(arg), InvalidOid, 0);

	cxt = AllocSetContextCreate(TopMemoryContext, "ddb_emul backfill",
								ALLOCSET_DEFAULT_SIZES);

	/*
	 * One backfill at a time per database: a session advisory lock that
	 * later workers wait on (and that tests hold to watch CREATING).
	 */
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "waiting for other backfills");
	if (SPI_execute("SELECT pg_advisory_lock(hashtext('ddb_emul.backfill'))", false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not take the backfill lock");
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();

	pending = pending_indexes(cxt);
	foreach(lc, pending)
	{
		PendingIndex *p = lfirst(lc);

		elog(LOG, "ddb_emul: building index \"%s\" of table \"%s\"",
			 p->index_name, p->table_name);
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		pgstat_report_activity(STATE_RUNNING, p->ddl);
		run_toplevel(p->ddl);
		CommitTransactionCommand();
		mark_active(p);
		elog(LOG, "ddb_emul: index \"%s\" of table \"%s\" is ACTIVE",
			 p->index_name, p->table_name);
	}
	pgstat_report_activity(STATE_IDLE, NULL);
	proc_exit(0);
}
