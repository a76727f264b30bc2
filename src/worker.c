/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The background worker: a launcher that keeps one worker running in
 *	  every database where ddb_emul is installed, and that per-database
 *	  worker, which runs the jobs -- the streams pump, TTL expiry, minute
 *	  sweeps and stream-triggered functions -- each step in a transaction
 *	  of its own.
 *
 * Processes.  The launcher ("ddb_emul launcher" in pg_stat_activity) is a
 * static background worker registered by _PG_init while
 * shared_preload_libraries is processed; the postmaster starts it once
 * recovery is over and restarts it 5 seconds after it dies.  It connects
 * to no database: it reads the shared catalog pg_database, at start and
 * every ddb_emul.launcher_naptime seconds (at once after CREATE / DROP
 * DATABASE), and starts per-database workers ("ddb_emul worker") as
 * dynamic background workers that never restart on their own: the
 * launcher decides.
 *
 * Which databases have the extension.  The launcher cannot read
 * pg_extension of another database, so it asks a worker: every database
 * that allows connections and is not a template gets a worker when the
 * launcher first sees it.  A worker that finds no ddb_emul in its
 * database exits at once and its database is left alone until
 * CREATE EXTENSION ddb_emul runs there: the extension script calls
 * ddb.worker_start(), which asks the launcher for a worker when the
 * transaction commits.  A running worker checks every iteration that the
 * extension is still there and exits quietly after DROP EXTENSION.  So a
 * database without ddb_emul costs one short-lived process per server
 * start (or per CREATE DATABASE), and nothing after that.
 *
 * Failures.  Each step of each job runs in its own transaction with its
 * errors caught: the error is logged (with a CONTEXT line naming the
 * job), counted in ddb.worker_status(), and the worker goes on with the
 * next job.  A worker that dies anyway (FATAL, pg_terminate_backend) is
 * started again by the launcher ddb_emul.launcher_naptime seconds later.
 * Workers of different databases are different processes, so one
 * database's trouble never stops another's jobs.
 *
 * Databases in use.  DROP DATABASE, ALTER DATABASE ... RENAME / SET
 * TABLESPACE and CREATE DATABASE ... TEMPLATE refuse to run while another
 * session is connected to the database, and a worker is such a session.
 * A ProcessUtility hook therefore pauses the database (the launcher starts
 * no worker there), stops its worker and waits for it (at most 10
 * seconds) before those commands run, and lifts the pause afterwards.
 *
 * Shared memory.  One slot per database that has (or is about to have) a
 * worker, max_worker_processes slots in all, under a spinlock: its state,
 * the worker's pid and what ddb.worker_status() reports.  DdbWorkerRunning()
 * reads it.
 *
 * Each iteration of a worker (every ddb_emul.worker_naptime ms, at once
 * while a job has work left):
 *   1. the streams pump, when the database's streams slot exists and WAL
 *      was written since the pump last ran (or a minute went by);
 *   2. TTL expiry, every ddb_emul.ttl_interval seconds: steps of at most
 *      ddb_emul.ttl_batch_size items until no table has expired items
 *      left, for at most one second, then again next iteration;
 *   3. minute sweeps: DdbSweepStep() until it returns false (at most one
 *      second per iteration);
 *   4. stream-triggered functions: DdbTriggerStep() likewise.
 * Every step first takes a share lock on the extension object, so a
 * DROP EXTENSION waits for the step in progress (and the step for it)
 * instead of deadlocking with it.
 *
 * src/worker.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "replication/slot.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "streams.h"
#include "worker.h"

PGDLLEXPORT void ddb_launcher_main(Datum arg);
PGDLLEXPORT void ddb_worker_main(Datum arg);

/* ---------------------------------------------------------------------
 * Settings
 * ---------------------------------------------------------------------
 */

static int	launcher_naptime = 10;	/* s: pg_database rescans, restart delay */
static int	worker_naptime = 1000;	/* ms between iterations */
static int	ttl_interval = 10;	/* s between TTL sweeps */
int			ddb_ttl_batch_size = 1000;	/* items per TTL step (ttl.c) */

/* A job's steps may run this long per iteration before the next job. */
#define JOB_BUDGET_MS 1000
/* A TTL sweep gives up for this iteration after this many failed steps. */
#define TTL_MAX_ERRORS 3
/* How long DROP DATABASE and friends wait for a worker to go. */
#define PAUSE_WAIT_MS 10000
/* A worker registered by an earlier launcher that never attached. */
#define STARTING_TIMEOUT_MS 60000
/* The pump runs at least this often, even when no WAL was written. */
#define PUMP_IDLE_MS 60000
#define MAX_PAUSES 16
#define LAST_ERROR_LEN 256

/* ---------------------------------------------------------------------
 * Shared memory
 * ---------------------------------------------------------------------
 */

typedef enum SlotState
{
	SLOT_FREE = 0,
	SLOT_REQUESTED,				/* a worker is wanted; the launcher starts it */
	SLOT_STARTING,				/* registered with the postmaster */
	SLOT_RUNNING,				/* the worker is there (pid) */
	SLOT_STOPPED				/* died; the launcher restarts it later */
} SlotState;

typedef struct WorkerSlot
{
	Oid			dbid;
	SlotState	state;
	uint32		generation;		/* bumped at every start */
	pid_t		pid;			/* the worker's, 0 when none */
	bool		start_requested;	/* ddb.worker_start() committed since */
	TimestampTz starting_since;
	TimestampTz started_at;
	TimestampTz stopped_at;
	TimestampTz last_iteration;
	TimestampTz last_ttl_sweep;
	int64		ttl_deleted;
	int64		errors;
	TimestampTz last_error_at;
	char		last_error[LAST_ERROR_LEN];
} WorkerSlot;

/* A database that DROP DATABASE or the like is about to take over. */
typedef struct PauseEntry
{
	Oid			dbid;
	pid_t		pid;			/* the backend running the command */
} PauseEntry;

typedef struct WorkerShared
{
	slock_t		mutex;
	pid_t		launcher_pid;
	Latch	   *launcher_latch;
	bool		rescan_requested;
	PauseEntry	pauses[MAX_PAUSES];
	int			nslots;
	WorkerSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} WorkerShared;

/* What a worker finds in bgw_extra. */
typedef struct WorkerExtra
{
	Oid			dbid;
	uint32		generation;
} WorkerExtra;

static WorkerShared *shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;

static Size
shared_size(void)
{
	return add_size(offsetof(WorkerShared, slots),
					mul_size(max_worker_processes, sizeof(WorkerSlot)));
}

static void
worker_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(shared_size());
}

static void
worker_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("ddb_emul worker", shared_size(), &found);
	if (!found)
	{
		memset(shared, 0, shared_size());
		SpinLockInit(&shared->mutex);
		shared->nslots = max_worker_processes;
	}
	LWLockRelease(AddinShmemInitLock);
}

/* The slot of a database, or NULL.  Caller holds the mutex. */
static WorkerSlot *
find_slot(Oid dbid)
{
	int			i;

	for (i = 0; i < shared->nslots; i++)
		if (shared->slots[i].state != SLOT_FREE && shared->slots[i].dbid == dbid)
			return &shared->slots[i];
	return NULL;
}

/*
 * The slot of a database, taken (REQUESTED) when it has none; NULL when
 * every slot is in use.  Caller holds the mutex.
 */
static WorkerSlot *
request_slot(Oid dbid)
{
	WorkerSlot *slot = find_slot(dbid);
	int			i;

	if (slot != NULL)
		return slot;
	for (i = 0; i < shared->nslots; i++)
	{
		slot = &shared->slots[i];
		if (slot->state == SLOT_FREE)
		{
			memset(slot, 0, sizeof(WorkerSlot));
			slot->dbid = dbid;
			slot->state = SLOT_REQUESTED;
			return slot;
		}
	}
	return NULL;
}

/* Wake the launcher (if any); optionally have it rescan pg_database. */
static void
wake_launcher(bool rescan)
{
	Latch	   *latch;

	if (shared == NULL)
		return;
	SpinLockAcquire(&shared->mutex);
	if (rescan)
		shared->rescan_requested = true;
	latch = shared->launcher_latch;
	SpinLockRelease(&shared->mutex);
	if (latch)
		SetLatch(latch);
}

/* Ask for a worker in database dbid (now, not at commit). */
static void
request_worker(Oid dbid)
{
	WorkerSlot *slot;

	SpinLockAcquire(&shared->mutex);
	slot = request_slot(dbid);
	if (slot != NULL)
	{
		if (slot->state == SLOT_STOPPED)
			slot->state = SLOT_REQUESTED;	/* no need to wait any longer */
		slot->start_requested = true;
	}
	SpinLockRelease(&shared->mutex);
	if (slot == NULL)
		elog(LOG, "ddb_emul: no free worker slot for database %u (max_worker_processes)", dbid);
	wake_launcher(false);
}

/*
 * Is dbid paused by a live backend?  Entries of backends that are gone
 * are cleared.
 */
static bool
db_paused(Oid dbid)
{
	PauseEntry	pauses[MAX_PAUSES];
	bool		paused = false;
	int			i;

	SpinLockAcquire(&shared->mutex);
	memcpy(pauses, shared->pauses, sizeof(pauses));
	SpinLockRelease(&shared->mutex);
	for (i = 0; i < MAX_PAUSES; i++)
	{
		if (pauses[i].pid == 0 || pauses[i].dbid != dbid)
			continue;
		if (BackendPidGetProc(pauses[i].pid) != NULL)
			paused = true;
		else
		{
			SpinLockAcquire(&shared->mutex);
			if (shared->pauses[i].pid == pauses[i].pid)
				shared->pauses[i].pid = 0;
			SpinLockRelease(&shared->mutex);
		}
	}
	return paused;
}

/* ---------------------------------------------------------------------
 * What backends see: DdbWorkerRunning(), ddb.worker_start(),
 * ddb.worker_status()
 * ---------------------------------------------------------------------
 */

static bool start_pending = false;	/* ddb.worker_start() in this xact */
static bool xact_callback_registered = false;

static void
worker_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			if (start_pending)
			{
				start_pending = false;
				request_worker(MyDatabaseId);
			}
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			start_pending = false;
			break;
		default:
			break;
	}
}

/*
 * Is the background worker of this database running (or being started by
 * a running launcher)?  False when ddb_emul is not preloaded.
 */
bool
DdbWorkerRunning(void)
{
	WorkerSlot *slot;
	bool		running = false;
	bool		launcher;

	if (shared == NULL)
		return false;
	SpinLockAcquire(&shared->mutex);
	launcher = shared->launcher_pid != 0;
	slot = find_slot(MyDatabaseId);
	if (slot != NULL)
		running = (slot->state == SLOT_RUNNING && slot->pid != 0) ||
			(launcher && (slot->state == SLOT_REQUESTED || slot->state == SLOT_STARTING));
	SpinLockRelease(&shared->mutex);
	return running || (launcher && start_pending);
}

PG_FUNCTION_INFO_V1(ddb_worker_start);

/*
 * ddb.worker_start() RETURNS boolean
 *
 * Ask the launcher for this database's worker when the transaction
 * commits (the extension script does; an operator may, to restart a
 * worker at once instead of after ddb_emul.launcher_naptime).  Returns
 * whether a launcher is there to do it.
 */
Datum
ddb_worker_start(PG_FUNCTION_ARGS)
{
	bool		launcher;

	if (shared == NULL)
		PG_RETURN_BOOL(false);
	if (!xact_callback_registered)
	{
		RegisterXactCallback(worker_xact_callback, NULL);
		xact_callback_registered = true;
	}
	start_pending = true;
	SpinLockAcquire(&shared->mutex);
	launcher = shared->launcher_pid != 0;
	SpinLockRelease(&shared->mutex);
	PG_RETURN_BOOL(launcher);
}

PG_FUNCTION_INFO_V1(ddb_worker_status);

/*
 * ddb.worker_status() RETURNS record: the state of this database's worker
 * as the launcher and the worker publish it.
 */
Datum
ddb_worker_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[10];
	bool		nulls[10];
	WorkerSlot	copy;
	WorkerSlot *slot = NULL;
	pid_t		launcher_pid = 0;
	const char *state;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	memset(nulls, true, sizeof(nulls));

	if (shared == NULL)
		state = "not loaded";
	else
	{
		SpinLockAcquire(&shared->mutex);
		launcher_pid = shared->launcher_pid;
		slot = find_slot(MyDatabaseId);
		if (slot != NULL)
		{
			memcpy(&copy, slot, sizeof(copy));
			slot = &copy;
		}
		SpinLockRelease(&shared->mutex);
		if (slot == NULL)
			state = "stopped";
		else
			switch (slot->state)
			{
				case SLOT_REQUESTED:
				case SLOT_STARTING:
					state = "starting";
					break;
				case SLOT_RUNNING:
					state = "running";
					break;
				case SLOT_STOPPED:
					state = "restarting";
					break;
				default:
					state = "stopped";
					break;
			}
	}

	values[0] = CStringGetTextDatum(state);
	nulls[0] = false;
	if (launcher_pid != 0)
	{
		values[2] = Int32GetDatum(launcher_pid);
		nulls[2] = false;
	}
	if (slot != NULL)
	{
		if (slot->pid != 0)
		{
			values[1] = Int32GetDatum(slot->pid);
			nulls[1] = false;
		}
#define TS_COLUMN(i, ts) \
		do { if ((ts) != 0) { values[i] = TimestampTzGetDatum(ts); nulls[i] = false; } } while (0)
		TS_COLUMN(3, slot->started_at);
		TS_COLUMN(4, slot->last_iteration);
		TS_COLUMN(5, slot->last_ttl_sweep);
		values[6] = Int64GetDatum(slot->ttl_deleted);
		nulls[6] = false;
		values[7] = Int64GetDatum(slot->errors);
		nulls[7] = false;
		if (slot->last_error[0] != '\0')
		{
			values[8] = CStringGetTextDatum(slot->last_error);
			nulls[8] = false;
		}
		TS_COLUMN(9, slot->last_error_at);
#undef TS_COLUMN
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---------------------------------------------------------------------
 * Commands that need a database to themselves
 * ---------------------------------------------------------------------
 */

/* The value of option name in a DefElem list, or NULL. */
static const char *
option_string(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *d = lfirst_node(DefElem, lc);

		if (strcmp(d->defname, name) == 0 && d->arg != NULL)
			return defGetString(d);
	}
	return NULL;
}

/*
 * Pause database dbid: no worker is started there until unpause_database,
 * and the one running is stopped (SIGTERM) and waited for.  Returns the
 * pause entry, or -1 when none was free (the command then runs anyway).
 */
static int
pause_database(Oid dbid)
{
	int			entry = -1;
	int			i;
	pid_t		signalled = 0;
	TimestampTz deadline;

	SpinLockAcquire(&shared->mutex);
	for (i = 0; i < MAX_PAUSES; i++)
		if (shared->pauses[i].pid == 0)
		{
			shared->pauses[i].dbid = dbid;
			shared->pauses[i].pid = MyProcPid;
			entry = i;
			break;
		}
	SpinLockRelease(&shared->mutex);

	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), PAUSE_WAIT_MS);
	for (;;)
	{
		WorkerSlot *slot;
		pid_t		pid = 0;
		bool		busy = false;

		SpinLockAcquire(&shared->mutex);
		slot = find_slot(dbid);
		if (slot != NULL)
		{
			pid = slot->pid;
			busy = pid != 0 || slot->state == SLOT_STARTING;
		}
		SpinLockRelease(&shared->mutex);
		if (!busy || GetCurrentTimestamp() >= deadline)
			break;
		if (pid != 0 && pid != signalled)
		{
			(void) kill(pid, SIGTERM);
			signalled = pid;
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	return entry;
}

/* Lift the pause; a worker stopped for it comes back at once. */
static void
unpause_database(int entry)
{
	WorkerSlot *slot;

	if (entry < 0)
		return;
	SpinLockAcquire(&shared->mutex);
	if (shared->pauses[entry].pid == MyProcPid)
	{
		shared->pauses[entry].pid = 0;
		slot = find_slot(shared->pauses[entry].dbid);
		if (slot != NULL && slot->state == SLOT_STOPPED)
			slot->state = SLOT_REQUESTED;
	}
	SpinLockRelease(&shared->mutex);
	wake_launcher(false);
}

/*
 * ProcessUtility hook: make way for the commands that need a database
 * without other sessions, and tell the launcher about new and dropped
 * databases at once.
 */
static void
worker_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
					  bool readOnlyTree, ProcessUtilityContext context,
					  ParamListInfo params, QueryEnvironment *queryEnv,
					  DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;
	const char *dbname = NULL;
	volatile bool rescan = false;
	volatile int entry = -1;

	switch (nodeTag(parsetree))
	{
		case T_DropdbStmt:
			dbname = ((DropdbStmt *) parsetree)->dbname;
			rescan = true;
			break;
		case T_CreatedbStmt:
			dbname = option_string(((CreatedbStmt *) parsetree)->options, "template");
			rescan = true;
			break;
		case T_RenameStmt:
			if (((RenameStmt *) parsetree)->renameType == OBJECT_DATABASE)
				dbname = ((RenameStmt *) parsetree)->subname;
			break;
		case T_AlterDatabaseStmt:
			if (option_string(((AlterDatabaseStmt *) parsetree)->options, "tablespace"))
				dbname = ((AlterDatabaseStmt *) parsetree)->dbname;
			break;
		default:
			break;
	}

	if (dbname != NULL && shared != NULL)
	{
		Oid			dbid = get_database_oid(dbname, true);

		if (OidIsValid(dbid) && dbid != MyDatabaseId)
			entry = pause_database(dbid);
	}

	PG_TRY();
	{
		if (prev_ProcessUtility)
			prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
									params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		unpause_database(entry);
	}
	PG_END_TRY();

	if (rescan)
		wake_launcher(true);
}

/* ---------------------------------------------------------------------
 * Registration
 * ---------------------------------------------------------------------
 */

/*
 * Define the settings; while shared_preload_libraries is processed, also
 * register the launcher and the hooks.
 */
void
DdbWorkerInit(void)
{
	BackgroundWorker worker;

	DefineCustomIntVariable("ddb_emul.launcher_naptime",
							"Time between scans of pg_database by the ddb_emul launcher.",
							"Also the delay before a worker that died is started again.",
							&launcher_naptime,
							10, 1, 3600,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ddb_emul.worker_naptime",
							"Time between iterations of a ddb_emul worker.",
							NULL,
							&worker_naptime,
							1000, 10, 60000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ddb_emul.ttl_interval",
							"Time between TTL sweeps of a ddb_emul worker.",
							"An expired item is deleted about this long after it expires, at most.",
							&ttl_interval,
							10, 1, 86400,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ddb_emul.ttl_batch_size",
							"Items deleted per transaction by TTL sweeps.",
							NULL,
							&ddb_ttl_batch_size,
							1000, 1, 100000,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	/* No worker under pg_upgrade either: it wants the databases to itself. */
	if (!process_shared_preload_libraries_in_progress || IsBinaryUpgrade)
		return;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = worker_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = worker_shmem_startup;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = worker_ProcessUtility;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "ddb_emul");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "ddb_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "ddb_emul launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "ddb_emul launcher");
	RegisterBackgroundWorker(&worker);
}

/* ---------------------------------------------------------------------
 * The launcher
 * ---------------------------------------------------------------------
 */

/* A database the launcher knows of. */
typedef struct KnownDb
{
	Oid			dbid;			/* hash key */
	bool		asked;			/* a worker was requested once */
	bool		seen;			/* in the latest scan */
	char		name[NAMEDATALEN];
} KnownDb;

static HTAB *known_dbs = NULL;
static BackgroundWorkerHandle **handles = NULL;

static void
launcher_detach(int code, Datum arg)
{
	SpinLockAcquire(&shared->mutex);
	if (shared->launcher_pid == MyProcPid)
	{
		shared->launcher_pid = 0;
		shared->launcher_latch = NULL;
	}
	SpinLockRelease(&shared->mutex);
}

/* Read pg_database: the databases that may have a worker. */
static void
scan_databases(void)
{
	HASH_SEQ_STATUS status;
	KnownDb    *db;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

	hash_seq_init(&status, known_dbs);
	while ((db = hash_seq_search(&status)) != NULL)
		db->seen = false;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	pgstat_report_activity(STATE_RUNNING, "reading pg_database");
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database d = (Form_pg_database) GETSTRUCT(tup);
		bool		found;

		if (!d->datallowconn || d->datistemplate)
			continue;
#ifdef DATCONNLIMIT_INVALID_DB
		if (database_is_invalid_form(d))
			continue;
#endif
		db = hash_search(known_dbs, &d->oid, HASH_ENTER, &found);
		if (!found)
			db->asked = false;
		db->seen = true;
		strlcpy(db->name, NameStr(d->datname), NAMEDATALEN);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);

	hash_seq_init(&status, known_dbs);
	while ((db = hash_seq_search(&status)) != NULL)
		if (!db->seen)
			(void) hash_search(known_dbs, &db->dbid, HASH_REMOVE, NULL);
}

/* Start the worker of slot i for database db.  Returns success. */
static bool
start_worker(int i, KnownDb *db, TimestampTz now)
{
	WorkerSlot *slot = &shared->slots[i];
	BackgroundWorker worker;
	WorkerExtra extra;
	BackgroundWorkerHandle *handle;

	SpinLockAcquire(&shared->mutex);
	if (slot->dbid != db->dbid ||
		(slot->state != SLOT_REQUESTED && slot->state != SLOT_STOPPED))
	{
		SpinLockRelease(&shared->mutex);
		return false;
	}
	slot->generation++;
	slot->state = SLOT_STARTING;
	slot->starting_since = now;
	extra.dbid = db->dbid;
	extra.generation = slot->generation;
	SpinLockRelease(&shared->mutex);

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "ddb_emul");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "ddb_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "ddb_emul worker for database %s", db->name);
	snprintf(worker.bgw_type, BGW_MAXLEN, "ddb_emul worker");
	worker.bgw_main_arg = Int32GetDatum(i);
	memcpy(worker.bgw_extra, &extra, sizeof(extra));
	worker.bgw_notify_pid = MyProcPid;

	if (handles[i] != NULL)
	{
		pfree(handles[i]);
		handles[i] = NULL;
	}
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		SpinLockAcquire(&shared->mutex);
		if (slot->generation == extra.generation)
		{
			slot->state = SLOT_STOPPED;
			slot->stopped_at = now;
		}
		SpinLockRelease(&shared->mutex);
		ereport(LOG,
				(errmsg("ddb_emul: could not start a worker for database \"%s\"", db->name),
				 errhint("Raise max_worker_processes.")));
		return false;
	}
	handles[i] = handle;
	return true;
}

/*
 * One round of the launcher: rescan pg_database when due, ask for
 * workers in databases never asked, start the workers that are wanted,
 * notice the ones that died before they attached.  Returns how long to
 * sleep (ms).
 */
static long
launcher_round(TimestampTz *next_scan)
{
	TimestampTz now = GetCurrentTimestamp();
	long		delay_ms = (long) launcher_naptime * 1000L;
	long		sleep_ms;
	bool		rescan;
	HASH_SEQ_STATUS status;
	KnownDb    *db;
	int			i;

	SpinLockAcquire(&shared->mutex);
	rescan = shared->rescan_requested;
	shared->rescan_requested = false;
	SpinLockRelease(&shared->mutex);
	if (!rescan)
	{
		/* A slot for a database not seen yet (created since the last scan)? */
		for (i = 0; i < shared->nslots && !rescan; i++)
		{
			Oid			dbid = InvalidOid;

			SpinLockAcquire(&shared->mutex);
			if (shared->slots[i].state != SLOT_FREE)
				dbid = shared->slots[i].dbid;
			SpinLockRelease(&shared->mutex);
			rescan = OidIsValid(dbid) && hash_search(known_dbs, &dbid, HASH_FIND, NULL) == NULL;
		}
	}
	if (rescan || now >= *next_scan)
	{
		scan_databases();
		*next_scan = TimestampTzPlusMilliseconds(now, delay_ms);
	}
	sleep_ms = Max(0, (long) ((*next_scan - now) / 1000));

	/* A first worker for every database: it finds out about the extension. */
	hash_seq_init(&status, known_dbs);
	while ((db = hash_seq_search(&status)) != NULL)
	{
		if (db->asked)
			continue;
		SpinLockAcquire(&shared->mutex);
		db->asked = request_slot(db->dbid) != NULL;
		SpinLockRelease(&shared->mutex);
	}

	for (i = 0; i < shared->nslots; i++)
	{
		WorkerSlot *slot = &shared->slots[i];
		WorkerSlot	s;

		SpinLockAcquire(&shared->mutex);
		memcpy(&s, slot, sizeof(s));
		SpinLockRelease(&shared->mutex);
		if (s.state == SLOT_FREE)
			continue;

		db = hash_search(known_dbs, &s.dbid, HASH_FIND, NULL);
		if (db == NULL)
		{
			/* Dropped, or no longer open to connections: let it go. */
			if (s.pid != 0)
				(void) kill(s.pid, SIGTERM);
			else if (s.state != SLOT_STARTING)
			{
				SpinLockAcquire(&shared->mutex);
				if (slot->state == s.state && slot->pid == 0 && slot->dbid == s.dbid)
					slot->state = SLOT_FREE;
				SpinLockRelease(&shared->mutex);
			}
			if (s.state != SLOT_STARTING)
				continue;
		}

		switch (s.state)
		{
			case SLOT_STOPPED:
				{
					TimestampTz due = TimestampTzPlusMilliseconds(s.stopped_at, delay_ms);

					if (now < due)
					{
						sleep_ms = Min(sleep_ms, (long) ((due - now) / 1000) + 1);
						break;
					}
				}
				/* FALLTHROUGH */
			case SLOT_REQUESTED:
				if (db_paused(s.dbid))
					sleep_ms = Min(sleep_ms, 1000L);
				else if (!start_worker(i, db, now))
					sleep_ms = Min(sleep_ms, delay_ms);
				break;
			case SLOT_STARTING:
				{
					bool		gone;
					pid_t		pid;

					if (handles[i] != NULL)
						gone = GetBackgroundWorkerPid(handles[i], &pid) == BGWH_STOPPED;
					else
						gone = now >= TimestampTzPlusMilliseconds(s.starting_since,
																  STARTING_TIMEOUT_MS);
					if (gone)
					{
						SpinLockAcquire(&shared->mutex);
						if (slot->state == SLOT_STARTING && slot->generation == s.generation)
						{
							slot->state = SLOT_STOPPED;
							slot->stopped_at = now;
						}
						SpinLockRelease(&shared->mutex);
						sleep_ms = 0;
					}
					else if (handles[i] == NULL)
						sleep_ms = Min(sleep_ms, 1000L);
				}
				break;
			default:
				break;
		}
	}
	return sleep_ms;
}

/*
 * Launcher entry point.
 */
void
ddb_launcher_main(Datum arg)
{
	HASHCTL		ctl;
	TimestampTz next_scan = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(KnownDb);
	known_dbs = hash_create("ddb_emul databases", 64, &ctl, HASH_ELEM | HASH_BLOBS);
	handles = MemoryContextAllocZero(TopMemoryContext,
									 sizeof(BackgroundWorkerHandle *) * shared->nslots);

	SpinLockAcquire(&shared->mutex);
	shared->launcher_pid = MyProcPid;
	shared->launcher_latch = MyLatch;
	shared->rescan_requested = true;
	SpinLockRelease(&shared->mutex);
	on_shmem_exit(launcher_detach, (Datum) 0);
	ereport(LOG, (errmsg("ddb_emul launcher started")));

	for (;;)
	{
		long		sleep_ms;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			next_scan = 0;
		}
		sleep_ms = launcher_round(&next_scan);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 sleep_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* ---------------------------------------------------------------------
 * The per-database worker
 * ---------------------------------------------------------------------
 */

typedef enum Job
{
	JOB_PUMP,
	JOB_TTL,
	JOB_SWEEPS,
	JOB_TRIGGERS
} Job;

static const char *const job_names[] = {
	[JOB_PUMP] = "ddb_emul: streams pump",
	[JOB_TTL] = "ddb_emul: TTL expiry",
	[JOB_SWEEPS] = "ddb_emul: minute sweeps",
	[JOB_TRIGGERS] = "ddb_emul: stream-triggered functions",
};

static int	my_slotno = -1;
static MemoryContext loop_cxt = NULL;

/* The slot of this worker (valid while it runs). */
#define MySlot (&shared->slots[my_slotno])

/* Leaving: free the slot for the launcher to restart. */
static void
worker_detach(int code, Datum arg)
{
	WorkerSlot *slot = &shared->slots[DatumGetInt32(arg)];

	SpinLockAcquire(&shared->mutex);
	if (slot->pid == MyProcPid)
	{
		slot->pid = 0;
		slot->state = SLOT_STOPPED;
		slot->stopped_at = GetCurrentTimestamp();
	}
	SpinLockRelease(&shared->mutex);
	wake_launcher(false);
}

/*
 * Leave the slot to nobody and exit quietly: no extension here (unless
 * ddb.worker_start() committed meanwhile: then return to look again).
 */
static void
exit_without_extension(void)
{
	bool		again;

	SpinLockAcquire(&shared->mutex);
	again = MySlot->start_requested;
	MySlot->start_requested = false;
	if (!again)
	{
		MySlot->pid = 0;
		MySlot->state = SLOT_FREE;
		MySlot->dbid = InvalidOid;
	}
	SpinLockRelease(&shared->mutex);
	if (again)
		return;
	elog(DEBUG1, "ddb_emul: no extension ddb_emul in this database, worker exits");
	wake_launcher(false);
	proc_exit(0);
}

/*
 * Take a share lock on the extension object, so DROP EXTENSION and the
 * work of this transaction wait for each other at one spot.  False when
 * the extension is not (or no longer) there.
 */
static bool
lock_extension(void)
{
	Oid			ext = get_extension_oid("ddb_emul", true);

	if (!OidIsValid(ext))
		return false;
	LockDatabaseObject(ExtensionRelationId, ext, 0, AccessShareLock);
	return get_extension_oid("ddb_emul", true) == ext;
}

/*
 * Is the extension installed in this database?  The first time it is,
 * say so in the log.
 */
static bool
extension_installed(void)
{
	static bool announced = false;
	bool		installed;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	installed = OidIsValid(get_extension_oid("ddb_emul", true));
	if (installed && !announced)
	{
		ereport(LOG,
				(errmsg("ddb_emul worker started for database \"%s\"",
						get_database_name(MyDatabaseId))));
		announced = true;
	}
	CommitTransactionCommand();
	MemoryContextSwitchTo(loop_cxt);
	return installed;
}

static void
job_error_context(void *arg)
{
	errcontext("%s", (const char *) arg);
}

/*
 * Run one step of a job in a transaction of its own.  Returns false when
 * it failed: the error is logged and counted, and the transaction rolled
 * back.  *more gets whether the job has work left, *count what TTL
 * deleted.
 */
static bool
run_step(Job job, TimestampTz now, bool *more, int64 *count)
{
	volatile bool ok = true;
	ErrorContextCallback errcallback;

	*more = false;
	*count = 0;
	SetCurrentStatementStartTimestamp();
	PG_TRY();
	{
		bool		m = false;
		int64		n = 0;

		StartTransactionCommand();
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, job_names[job]);
		errcallback.callback = job_error_context;
		errcallback.arg = (void *) job_names[job];
		errcallback.previous = error_context_stack;
		error_context_stack = &errcallback;

		if (lock_extension())
		{
			switch (job)
			{
				case JOB_PUMP:
					/* no "starting logical decoding" line every second */
					(void) set_config_option("log_min_messages", "warning", PGC_SUSET,
											 PGC_S_SESSION, GUC_ACTION_LOCAL,
											 true, 0, false);
					/* never wait for a pump in progress while holding the extension lock */
					n = Max(DdbStreamPumpExt(false), 0);
					break;
				case JOB_TTL:
					/* Never wait long for a table a session holds. */
					(void) set_config_option("lock_timeout", "1000", PGC_SUSET,
											 PGC_S_SESSION, GUC_ACTION_LOCAL,
											 true, 0, false);
					n = DdbTtlSweepStep(ddb_ttl_batch_size, &m);
					break;
				case JOB_SWEEPS:
					m = DdbSweepStep(now);
					break;
				case JOB_TRIGGERS:
					m = DdbTriggerStep(now);
					break;
			}
		}

		error_context_stack = errcallback.previous;
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		*more = m;
		*count = n;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(loop_cxt);
		edata = CopyErrorData();
		HOLD_INTERRUPTS();
		EmitErrorReport();
		AbortCurrentTransaction();
		/* as PostgresMain does: a slot the pump was decoding from */
		if (MyReplicationSlot != NULL)
			ReplicationSlotRelease();
		ReplicationSlotCleanup();
		FlushErrorState();
		RESUME_INTERRUPTS();

		SpinLockAcquire(&shared->mutex);
		MySlot->errors++;
		MySlot->last_error_at = GetCurrentTimestamp();
		strlcpy(MySlot->last_error, edata->message ? edata->message : "", LAST_ERROR_LEN);
		SpinLockRelease(&shared->mutex);
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(loop_cxt);
	pgstat_report_activity(STATE_IDLE, NULL);
	return ok;
}

/*
 * Run steps of job until it has no work left or JOB_BUDGET_MS went by (or
 * a step failed).  Returns whether work is left for the next iteration.
 */
static bool
run_job(Job job, TimestampTz now)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), JOB_BUDGET_MS);
	bool		more;
	int64		n;

	do
	{
		if (!run_step(job, now, &more, &n))
			return false;
		CHECK_FOR_INTERRUPTS();
	} while (more && GetCurrentTimestamp() < deadline);
	return more;
}

/*
 * Continue (or begin) a TTL sweep.  Returns whether the sweep is not done
 * yet, so the next iteration should come at once.
 */
static bool
run_ttl(void)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), JOB_BUDGET_MS);
	int			failures = 0;
	int64		deleted = 0;
	bool		more;

	do
	{
		int64		n;

		if (!run_step(JOB_TTL, 0, &more, &n))
		{
			/* the cursor moved past the failing table: go on */
			more = ++failures < TTL_MAX_ERRORS;
		}
		deleted += n;
		CHECK_FOR_INTERRUPTS();
	} while (more && GetCurrentTimestamp() < deadline);

	SpinLockAcquire(&shared->mutex);
	MySlot->ttl_deleted += deleted;
	if (!more)
		MySlot->last_ttl_sweep = GetCurrentTimestamp();
	SpinLockRelease(&shared->mutex);
	return more && failures < TTL_MAX_ERRORS;
}

/*
 * One iteration of the worker: every job once (or, for a job with work
 * left, until its time budget is spent).  Returns whether some job has
 * work left, so the next iteration should come at once.
 */
static bool
worker_iteration(void)
{
	static TimestampTz ttl_sweep_start = 0;
	static bool ttl_busy = false;
	static XLogRecPtr pumped_upto = InvalidXLogRecPtr;
	static TimestampTz pumped_at = 0;
	TimestampTz now = GetCurrentTimestamp();
	bool		more = false;
	bool		dummy;
	int64		n;

	if (!extension_installed())
	{
		exit_without_extension();
		return false;			/* created meanwhile: look again */
	}

	/*
	 * 1. the streams pump, when WAL was written since it last ran (or a
	 * minute went by, for the 24-hour retention)
	 */
	if (wal_level >= WAL_LEVEL_LOGICAL &&
		(GetXLogInsertRecPtr() != pumped_upto ||
		 now >= TimestampTzPlusMilliseconds(pumped_at, PUMP_IDLE_MS)) &&
		SearchNamedReplicationSlot(DdbStreamSlotName(), true) != NULL)
	{
		if (run_step(JOB_PUMP, now, &dummy, &n))
		{
			pumped_upto = GetXLogInsertRecPtr();
			pumped_at = now;
		}
	}

	/* 2. TTL */
	if (ttl_busy ||
		now >= TimestampTzPlusMilliseconds(ttl_sweep_start, (int64) ttl_interval * 1000))
	{
		if (!ttl_busy)
			ttl_sweep_start = now;
		ttl_busy = run_ttl();
		more |= ttl_busy;
	}

	/* 3. minute sweeps, 4. stream-triggered functions */
	more |= run_job(JOB_SWEEPS, now);
	more |= run_job(JOB_TRIGGERS, now);

	SpinLockAcquire(&shared->mutex);
	MySlot->last_iteration = GetCurrentTimestamp();
	SpinLockRelease(&shared->mutex);
	return more;
}

/*
 * Worker entry point: main_arg is the slot, bgw_extra the database and
 * the slot's generation.
 */
void
ddb_worker_main(Datum arg)
{
	WorkerExtra extra;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	memcpy(&extra, MyBgworkerEntry->bgw_extra, sizeof(extra));
	my_slotno = DatumGetInt32(arg);
	if (my_slotno < 0 || my_slotno >= shared->nslots)
		proc_exit(0);

	/* Attach: the slot must still be ours. */
	SpinLockAcquire(&shared->mutex);
	if (MySlot->dbid != extra.dbid || MySlot->generation != extra.generation ||
		MySlot->state != SLOT_STARTING)
	{
		SpinLockRelease(&shared->mutex);
		proc_exit(0);
	}
	MySlot->pid = MyProcPid;
	MySlot->start_requested = false;
	MySlot->started_at = GetCurrentTimestamp();
	SpinLockRelease(&shared->mutex);
	/* before the connection's own exit callbacks, so it runs after them */
	before_shmem_exit(worker_detach, Int32GetDatum(my_slotno));

	/* DROP DATABASE or the like is waiting for this database. */
	if (db_paused(extra.dbid))
		proc_exit(0);

	BackgroundWorkerInitializeConnectionByOid(extra.dbid, InvalidOid, 0);

	SpinLockAcquire(&shared->mutex);
	MySlot->state = SLOT_RUNNING;
	SpinLockRelease(&shared->mutex);

	loop_cxt = AllocSetContextCreate(TopMemoryContext, "ddb_emul worker iteration",
									 ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		bool		more;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		MemoryContextReset(loop_cxt);
		MemoryContextSwitchTo(loop_cxt);
		more = worker_iteration();
		pgstat_report_stat(false);
		pgstat_report_activity(STATE_IDLE, NULL);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 more ? 0L : (long) worker_naptime, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
