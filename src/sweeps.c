/*-------------------------------------------------------------------------
 *
 * sweeps.c
 *	  Minute sweeps: SQL functions that the background worker runs at a
 *	  rate written in EventBridge's syntax, rate(value unit).
 *
 * A sweep is a row of ddb.sweeps: a unique name, a schedule, a function
 * and the role that created it.  Its slots are the instants that are whole
 * multiples of its period counted from the Unix epoch in UTC, so
 * rate(5 minutes) runs at :00, :05, :10, ..., rate(1 hour) on the hour and
 * rate(1 day) at midnight UTC, whoever created it and whenever.  next_run is
 * the next slot to run: the first slot at or after the sweep was created or
 * enabled (or at or after its start_at, when that is later).
 *
 * DdbSweepStep(now) runs one slot of one sweep whose next_run is due, the
 * earliest first, and moves next_run past it.  When more than
 * SWEEP_CATCH_UP slots are due (the worker was down, the clock jumped
 * forward) only the latest SWEEP_CATCH_UP of them run; the earlier ones are
 * skipped and counted in the run's skipped column.  So a sweep never runs
 * twice for one slot and never runs a burst after a gap.  After the clock
 * jumps backwards a sweep waits until the clock reaches its next_run again
 * (ddb.alter_sweep(name, start_at => now()) reschedules it at once).
 * Enabling a sweep or changing its schedule never schedules it at or before
 * its last run, unless a start_at is given at the same time.
 *
 * The function is called with no argument, or with the slot's time when it
 * takes one timestamptz argument, as the role that created the sweep (like
 * a SECURITY DEFINER function of that role), inside a subtransaction: a
 * failure is rolled back, logged in ddb.sweep_runs with its message and
 * reported to the server log, and the sweep runs again at its next slot.
 * Every run, failed or not, is a row of ddb.sweep_runs (kept 7 days).
 *
 * The catalog (ddb.sweeps, ddb.sweep_runs) is written as its owner, the
 * role that created the extension, so that roles allowed to call these
 * functions need no privilege on the tables and cannot forge a sweep that
 * runs as somebody else.
 *
 * The step runs in the caller's transaction: the worker gives each step a
 * transaction of its own, ddb.run_sweeps_now() runs them in the caller's.
 *
 * src/sweeps.c
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
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "jobs.h"
#include "worker.h"

/* At most this many missed slots of one sweep run after a gap. */
#define SWEEP_CATCH_UP 3

/* Runs are kept this long (counted back from the latest run's slot). */
#define SWEEP_RUNS_KEPT "7 days"

/* rate(value unit): the largest value accepted. */
#define SWEEP_MAX_RATE_VALUE 1000000

/* Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC). */
#define UNIX_TO_PG_EPOCH_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/* A saved user id and security context. */
/* Nonzero while a sweep's function runs (it must not run sweeps itself). */
static int	sweeping = 0;

/* The units of rate(value unit). */
typedef struct RateUnit
{
	const char *name;
	int64		usecs;
	bool		singular;
} RateUnit;

static const RateUnit rate_units[] = {
	{"minute", USECS_PER_MINUTE, true},
	{"minutes", USECS_PER_MINUTE, false},
	{"hour", USECS_PER_HOUR, true},
	{"hours", USECS_PER_HOUR, false},
	{"day", USECS_PER_DAY, true},
	{"days", USECS_PER_DAY, false},
	{NULL, 0, false}
};

PG_FUNCTION_INFO_V1(ddb_create_sweep);
PG_FUNCTION_INFO_V1(ddb_alter_sweep);
PG_FUNCTION_INFO_V1(ddb_drop_sweep);
PG_FUNCTION_INFO_V1(ddb_run_sweeps_now);

/*
 * Parse a schedule, rate(value unit) with unit minute, minutes, hour, hours,
 * day or days (singular exactly when value is 1), surrounding blanks
 * allowed.  Returns the period in microseconds; *normalized (if not NULL)
 * gets the schedule written canonically.
 */
static int64
parse_rate(const char *schedule, char **normalized)
{
	const char *p = schedule;
	const char *unit_start;
	int64		value = 0;
	size_t		unit_len;
	const RateUnit *unit;

	while (isspace((unsigned char) *p))
		p++;
	if (strncmp(p, "cron(", 5) == 0 || strncmp(p, "at(", 3) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid schedule \"%s\"", schedule),
				 errdetail("Only rate expressions are supported, such as rate(5 minutes).")));
	if (strncmp(p, "rate(", 5) != 0)
		goto syntax;
	p += 5;
	while (isspace((unsigned char) *p))
		p++;
	if (!isdigit((unsigned char) *p))
		goto syntax;
	while (isdigit((unsigned char) *p))
	{
		if (value <= SWEEP_MAX_RATE_VALUE)
			value = value * 10 + (*p - '0');
		p++;
	}
	if (!isspace((unsigned char) *p))
		goto syntax;
	while (isspace((unsigned char) *p))
		p++;
	unit_start = p;
	while (isalpha((unsigned char) *p))
		p++;
	unit_len = p - unit_start;
	while (isspace((unsigned char) *p))
		p++;
	if (*p != ')')
		goto syntax;
	p++;
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		goto syntax;

	for (unit = rate_units; unit->name != NULL; unit++)
		if (strlen(unit->name) == unit_len && strncmp(unit_start, unit->name, unit_len) == 0)
			break;
	if (unit->name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid schedule \"%s\"", schedule),
				 errdetail("The unit of a rate must be minute, minutes, hour, hours, day or days.")));

	if (value == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid schedule \"%s\"", schedule),
				 errdetail("The value of a rate must be a positive integer.")));
	if (value > SWEEP_MAX_RATE_VALUE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid schedule \"%s\"", schedule),
				 errdetail("The value of a rate must be at most %d.", SWEEP_MAX_RATE_VALUE)));
	if (unit->singular != (value == 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid schedule \"%s\"", schedule),
				 errdetail("The unit must be singular for the value 1 and plural otherwise, as in rate(1 hour) and rate(2 hours).")));

	if (normalized)
		*normalized = psprintf("rate(" INT64_FORMAT " %s)", value, unit->name);
	return value * unit->usecs;

syntax:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid schedule \"%s\"", schedule),
			 errdetail("A schedule is rate(value unit), such as rate(1 minute) or rate(5 minutes).")));
	pg_unreachable();
}

/* The latest slot of a period at or before t. */
static TimestampTz
slot_at_or_before(TimestampTz t, int64 period)
{
	int64		u = t + UNIX_TO_PG_EPOCH_USECS;
	int64		q = u / period;

	if (u % period < 0)
		q--;
	return q * period - UNIX_TO_PG_EPOCH_USECS;
}

/* The first slot of a period at or after t. */
static TimestampTz
slot_at_or_after(TimestampTz t, int64 period)
{
	TimestampTz s = slot_at_or_before(t, period);

	return s == t ? s : s + period;
}

static void
check_finite(TimestampTz t, const char *what)
{
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be finite", what)));
}

/*
 * The first slot of a sweep (re)scheduled now: at or after now and its
 * start_at, and after its last run unless start_at was just given.
 */
static TimestampTz
first_run(int64 period, bool has_start, TimestampTz start_at,
		  bool has_last, TimestampTz last_run)
{
	TimestampTz t = GetCurrentTimestamp();

	if (has_start && start_at > t)
		t = start_at;
	if (has_last && last_run >= t)
		t = last_run + 1;
	return slot_at_or_after(t, period);
}

/* Check a sweep's name: 1 to 64 letters, digits, '.', '-' or '_'. */
static void
check_name(const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (!isalnum((unsigned char) *p) && *p != '.' && *p != '-' && *p != '_')
			break;
	if (*name == '\0' || *p != '\0' || p - name > 64)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid sweep name \"%s\"", name),
				 errdetail("A sweep name has 1 to 64 characters: letters, digits, \".\", \"-\" and \"_\".")));
}

/*
 * Check that a function can be a sweep's: a plain function taking no
 * argument or one timestamptz, not returning a set, executable by role.
 */
static void
check_function(Oid fn, Oid role)
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
				 errdetail("A sweep runs a function, not a procedure, aggregate or window function.")));
	if (proc->proretset)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sweep function %s must not return a set", format_procedure(fn))));
	if (!(proc->pronargs == 0 ||
		  (proc->pronargs == 1 && proc->proargtypes.values[0] == TIMESTAMPTZOID)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sweep function %s must take no argument or one timestamptz argument",
						format_procedure(fn))));
	ReleaseSysCache(tp);

	aclresult = pg_proc_aclcheck(fn, role, ACL_EXECUTE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FUNCTION, get_func_name(fn));
}

/* Say so when enabled sweeps will not run by themselves. */
static void
warn_if_worker_not_running(void)
{
	if (DdbWorkerRunning())
		return;
	if (!DdbPreloaded())
		ereport(WARNING,
				(errmsg("ddb_emul's background worker is not running"),
				 errdetail("Sweeps run only when ddb_emul is in shared_preload_libraries."),
				 errhint("Run the sweeps that are due with SELECT ddb.run_sweeps_now().")));
	else
		ereport(WARNING,
				(errmsg("ddb_emul's background worker is not running in this database"),
				 errdetail("Sweeps run only while the worker runs."),
				 errhint("Run the sweeps that are due with SELECT ddb.run_sweeps_now().")));
}

static text *
required_text(FunctionCallInfo fcinfo, int arg, const char *what)
{
	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what)));
	return PG_GETARG_TEXT_PP(arg);
}

/* The sweep's row, locked; errors when it does not exist unless missing_ok. */
static bool
lock_sweep(const char *name, bool missing_ok, Oid caller)
{
	Oid			types[1] = {TEXTOID};
	Datum		vals[1] = {CStringGetTextDatum(name)};
	bool		isnull;
	Oid			owner;

	if (DdbSpiExec("SELECT owner::oid, schedule, function::oid, enabled, start_at, next_run, last_run"
			 " FROM ddb.sweeps WHERE name = $1 FOR UPDATE",
			 1, types, vals, NULL, SPI_OK_SELECT) == 0)
	{
		if (missing_ok)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("sweep \"%s\" does not exist", name)));
	}
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (!has_privs_of_role(caller, owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of sweep \"%s\"", name)));
	return true;
}

/*
 * ddb.create_sweep(name, schedule, function, enabled, start_at): register a
 * sweep run as the calling role.  Returns its first run time (NULL when
 * disabled).
 */
Datum
ddb_create_sweep(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(required_text(fcinfo, 0, "sweep name"));
	char	   *schedule = text_to_cstring(required_text(fcinfo, 1, "schedule"));
	Oid			fn;
	bool		enabled;
	bool		has_start = !PG_ARGISNULL(4);
	TimestampTz start_at = has_start ? PG_GETARG_TIMESTAMPTZ(4) : 0;
	Oid			caller = GetUserId();
	char	   *normalized;
	int64		period;
	TimestampTz next = 0;
	DdbSavedUser	saved;
	Oid			types[7] = {TEXTOID, TEXTOID, OIDOID, OIDOID, BOOLOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		vals[7];
	char		nulls[7];

	memset(nulls, ' ', sizeof(nulls));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("sweep function must not be null")));
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("enabled must not be null")));
	fn = PG_GETARG_OID(2);
	enabled = PG_GETARG_BOOL(3);

	check_name(name);
	period = parse_rate(schedule, &normalized);
	check_function(fn, caller);
	if (has_start)
		check_finite(start_at, "start_at");
	if (enabled)
		next = first_run(period, has_start, start_at, false, 0);

	vals[0] = CStringGetTextDatum(name);
	vals[1] = CStringGetTextDatum(normalized);
	vals[2] = ObjectIdGetDatum(fn);
	vals[3] = ObjectIdGetDatum(caller);
	vals[4] = BoolGetDatum(enabled);
	vals[5] = TimestampTzGetDatum(start_at);
	nulls[5] = has_start ? ' ' : 'n';
	vals[6] = TimestampTzGetDatum(next);
	nulls[6] = enabled ? ' ' : 'n';

	DdbBeginCatalog("sweeps", InvalidOid, &saved);
	if (DdbSpiExec("INSERT INTO ddb.sweeps (name, schedule, function, owner, enabled, start_at, next_run)"
			 " VALUES ($1, $2, $3::pg_catalog.regprocedure, $4::pg_catalog.regrole, $5, $6, $7)"
			 " ON CONFLICT (name) DO NOTHING",
			 7, types, vals, nulls, SPI_OK_INSERT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("sweep \"%s\" already exists", name)));
	DdbEndCatalog(&saved);

	if (!enabled)
		PG_RETURN_NULL();
	warn_if_worker_not_running();
	PG_RETURN_TIMESTAMPTZ(next);
}

/*
 * ddb.alter_sweep(name, schedule, function, enabled, start_at): change what
 * is given (not NULL).  A new schedule or start_at, or enabling a disabled
 * sweep, moves its next run to the first slot from now (or start_at).
 * Returns the next run time (NULL when disabled).
 */
Datum
ddb_alter_sweep(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(required_text(fcinfo, 0, "sweep name"));
	Oid			caller = GetUserId();
	DdbSavedUser	saved;
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	Oid			owner;
	char	   *schedule;
	Oid			fn;
	bool		was_enabled;
	bool		enabled;
	bool		has_start;
	TimestampTz start_at;
	bool		has_next;
	TimestampTz next;
	bool		has_last;
	TimestampTz last_run;
	char	   *normalized;
	int64		period;
	Oid			types[6] = {TEXTOID, TEXTOID, OIDOID, BOOLOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		vals[6];
	char		nulls[6];

	memset(nulls, ' ', sizeof(nulls));
	DdbBeginCatalog("sweeps", InvalidOid, &saved);
	lock_sweep(name, false, caller);
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	owner = DatumGetObjectId(SPI_getbinval(row, desc, 1, &isnull));
	schedule = SPI_getvalue(row, desc, 2);
	fn = DatumGetObjectId(SPI_getbinval(row, desc, 3, &isnull));
	was_enabled = DatumGetBool(SPI_getbinval(row, desc, 4, &isnull));
	start_at = DatumGetTimestampTz(SPI_getbinval(row, desc, 5, &isnull));
	has_start = !isnull;
	next = DatumGetTimestampTz(SPI_getbinval(row, desc, 6, &isnull));
	has_next = !isnull;
	last_run = DatumGetTimestampTz(SPI_getbinval(row, desc, 7, &isnull));
	has_last = !isnull;

	if (!PG_ARGISNULL(1))
		schedule = text_to_cstring(PG_GETARG_TEXT_PP(1));
	period = parse_rate(schedule, &normalized);
	if (!PG_ARGISNULL(2))
	{
		fn = PG_GETARG_OID(2);
		check_function(fn, owner);
	}
	enabled = PG_ARGISNULL(3) ? was_enabled : PG_GETARG_BOOL(3);
	if (!PG_ARGISNULL(4))
	{
		start_at = PG_GETARG_TIMESTAMPTZ(4);
		check_finite(start_at, "start_at");
		has_start = true;
	}

	if (!enabled)
		has_next = false;
	else if (!PG_ARGISNULL(1) || !PG_ARGISNULL(4) || !was_enabled)
	{
		next = first_run(period, has_start, start_at, has_last && PG_ARGISNULL(4), last_run);
		has_next = true;
	}

	vals[0] = CStringGetTextDatum(name);
	vals[1] = CStringGetTextDatum(normalized);
	vals[2] = ObjectIdGetDatum(fn);
	vals[3] = BoolGetDatum(enabled);
	vals[4] = TimestampTzGetDatum(start_at);
	nulls[4] = has_start ? ' ' : 'n';
	vals[5] = TimestampTzGetDatum(next);
	nulls[5] = has_next ? ' ' : 'n';
	DdbSpiExec("UPDATE ddb.sweeps SET schedule = $2, function = $3::pg_catalog.regprocedure,"
		 " enabled = $4, start_at = $5, next_run = $6 WHERE name = $1",
		 6, types, vals, nulls, SPI_OK_UPDATE);
	DdbEndCatalog(&saved);

	if (enabled)
		warn_if_worker_not_running();
	if (!has_next)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(next);
}

/*
 * ddb.drop_sweep(name, if_exists): delete a sweep and its runs.  Returns
 * whether it existed.
 */
Datum
ddb_drop_sweep(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(required_text(fcinfo, 0, "sweep name"));
	bool		if_exists = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	DdbSavedUser	saved;
	Oid			types[1] = {TEXTOID};
	Datum		vals[1] = {CStringGetTextDatum(name)};
	Oid			caller = GetUserId();
	bool		found;

	DdbBeginCatalog("sweeps", InvalidOid, &saved);
	found = lock_sweep(name, if_exists, caller);
	if (found)
		DdbSpiExec("DELETE FROM ddb.sweeps WHERE name = $1", 1, types, vals, NULL, SPI_OK_DELETE);
	DdbEndCatalog(&saved);

	if (!found)
		ereport(NOTICE,
				(errmsg("sweep \"%s\" does not exist, skipping", name)));
	PG_RETURN_BOOL(found);
}

/* Call a sweep's function with the slot's time when it takes it. */
static void
call_sweep_function(Oid fn, Oid owner, TimestampTz scheduled)
{
	HeapTuple	tp;
	int			nargs;
	FmgrInfo	flinfo;
	LOCAL_FCINFO(fcinfo, 1);
	DdbSavedUser	saved;

	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(owner)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role with OID %u does not exist", owner)));
	check_function(fn, owner);
	tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for function %u", fn);
	nargs = ((Form_pg_proc) GETSTRUCT(tp))->pronargs;
	ReleaseSysCache(tp);

	fmgr_info(fn, &flinfo);
	InitFunctionCallInfoData(*fcinfo, &flinfo, nargs, InvalidOid, NULL, NULL);
	if (nargs == 1)
	{
		fcinfo->args[0].value = TimestampTzGetDatum(scheduled);
		fcinfo->args[0].isnull = false;
	}

	DdbSwitchUser(owner, &saved);
	PushActiveSnapshot(GetTransactionSnapshot());
	(void) FunctionCallInvoke(fcinfo);
	PopActiveSnapshot();
	DdbRestoreUser(&saved);
}

/*
 * Run a sweep's function in a subtransaction.  Returns true when it
 * succeeded; otherwise its effects are rolled back and *sqlstate and
 * *message say why.
 */
static bool
run_sweep_function(Oid fn, Oid owner, TimestampTz scheduled,
				   char **sqlstate, char **message)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	DdbSavedUser	saved;
	volatile bool ok = true;

	GetUserIdAndSecContext(&saved.userid, &saved.sec_context);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);

	sweeping++;
	PG_TRY();
	{
		call_sweep_function(fn, owner, scheduled);
		sweeping--;
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		sweeping = 0;
		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		DdbRestoreUser(&saved);

		*sqlstate = pstrdup(unpack_sql_state(edata->sqlerrcode));
		*message = edata->message ? edata->message : pstrdup("unknown error");
		ok = false;
	}
	PG_END_TRY();

	return ok;
}

/*
 * Run the next slot due at or before now of one sweep: the one whose
 * next_run is earliest (then by name) among those not being run by another
 * transaction.  Returns false when none is due.
 */
bool
DdbSweepStep(TimestampTz now)
{
	Oid			relid = DdbCatalogRelid("sweeps");
	DdbSavedUser	saved;
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	char	   *name;
	char	   *schedule;
	Oid			fn;
	Oid			owner;
	TimestampTz next_run;
	int64		period;
	TimestampTz latest;
	TimestampTz scheduled;
	int64		skipped = 0;
	TimestampTz started;
	TimestampTz finished;
	char	   *sqlstate = NULL;
	char	   *message = NULL;
	bool		ok;
	static Oid	select_types[1] = {TIMESTAMPTZOID};
	static Oid	update_types[4] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID};
	static Oid	types[8] = {TEXTOID, TIMESTAMPTZOID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID,
	TEXTOID, TEXTOID, TEXTOID};
	Datum		vals[8];
	char		nulls[8];

	if (!OidIsValid(relid) || TIMESTAMP_NOT_FINITE(now) || sweeping > 0)
		return false;

	memset(nulls, ' ', sizeof(nulls));
	DdbBeginCatalog("sweeps", relid, &saved);
	vals[0] = TimestampTzGetDatum(now);
	if (DdbSpiExec("SELECT name, schedule, function::oid, owner::oid, next_run FROM ddb.sweeps"
			 " WHERE enabled AND next_run <= $1 ORDER BY next_run, name LIMIT 1"
			 " FOR UPDATE SKIP LOCKED",
			 1, select_types, vals, NULL, SPI_OK_SELECT) == 0)
	{
		DdbEndCatalog(&saved);
		return false;
	}
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	name = SPI_getvalue(row, desc, 1);
	schedule = SPI_getvalue(row, desc, 2);
	fn = DatumGetObjectId(SPI_getbinval(row, desc, 3, &isnull));
	owner = DatumGetObjectId(SPI_getbinval(row, desc, 4, &isnull));
	next_run = DatumGetTimestampTz(SPI_getbinval(row, desc, 5, &isnull));

	/* Only the latest SWEEP_CATCH_UP slots due run. */
	period = parse_rate(schedule, NULL);
	latest = slot_at_or_before(now, period);
	scheduled = next_run;
	if (latest - (SWEEP_CATCH_UP - 1) * period > next_run)
	{
		scheduled = latest - (SWEEP_CATCH_UP - 1) * period;
		skipped = (scheduled - slot_at_or_after(next_run, period)) / period;
		if (slot_at_or_after(next_run, period) != next_run)
			skipped++;
	}

	started = GetCurrentTimestamp();
	ok = run_sweep_function(fn, owner, scheduled, &sqlstate, &message);
	finished = GetCurrentTimestamp();

	/*
	 * Move next_run past this slot, unless the function itself moved it
	 * further (or disabled its sweep).
	 */
	vals[0] = CStringGetTextDatum(name);
	vals[1] = TimestampTzGetDatum(scheduled + period);
	vals[2] = TimestampTzGetDatum(scheduled);
	vals[3] = CStringGetTextDatum(ok ? "succeeded" : "failed");
	if (DdbSpiExec("UPDATE ddb.sweeps SET"
			 " next_run = CASE WHEN enabled THEN GREATEST(next_run, $2) END,"
			 " last_run = $3, last_status = $4 WHERE name = $1",
			 4, update_types, vals, NULL, SPI_OK_UPDATE) > 0)
	{
		vals[1] = TimestampTzGetDatum(scheduled);
		vals[2] = Int64GetDatum(skipped);
		vals[3] = TimestampTzGetDatum(started);
		vals[4] = TimestampTzGetDatum(finished);
		vals[5] = CStringGetTextDatum(ok ? "succeeded" : "failed");
		vals[6] = ok ? (Datum) 0 : CStringGetTextDatum(sqlstate);
		vals[7] = ok ? (Datum) 0 : CStringGetTextDatum(message);
		nulls[6] = nulls[7] = ok ? 'n' : ' ';
		DdbSpiExec("INSERT INTO ddb.sweep_runs (sweep, scheduled_for, skipped, started_at, finished_at,"
			 " status, sqlstate, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			 8, types, vals, nulls, SPI_OK_INSERT);
		DdbSpiExec("DELETE FROM ddb.sweep_runs WHERE sweep = $1"
			 " AND scheduled_for < $2 - interval '" SWEEP_RUNS_KEPT "'",
			 2, types, vals, NULL, SPI_OK_DELETE);
	}

	if (!ok)
		ereport(LOG,
				(errmsg("sweep \"%s\" failed: %s", name, message)));
	DdbEndCatalog(&saved);
	return true;
}

/*
 * ddb.run_sweeps_now(now): run, in the caller's transaction, every slot of
 * every sweep due at now (within the catch-up limit).  Returns how many
 * runs there were.
 */
Datum
ddb_run_sweeps_now(PG_FUNCTION_ARGS)
{
	TimestampTz now = PG_GETARG_TIMESTAMPTZ(0);
	int32		runs = 0;

	if (sweeping > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("sweeps cannot be run from a sweep")));
	check_finite(now, "now");
	while (DdbSweepStep(now))
	{
		runs++;
		CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_INT32(runs);
}
