/*-------------------------------------------------------------------------
 *
 * jobs.c
 *	  Helpers shared by minute sweeps and stream-triggered functions.
 *
 * src/jobs.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "jobs.h"

void
DdbSwitchUser(Oid role, DdbSavedUser *saved)
{
	GetUserIdAndSecContext(&saved->userid, &saved->sec_context);
	SetUserIdAndSecContext(role, saved->sec_context | SECURITY_LOCAL_USERID_CHANGE);
}

void
DdbRestoreUser(DdbSavedUser *saved)
{
	SetUserIdAndSecContext(saved->userid, saved->sec_context);
}

Oid
DdbCatalogRelid(const char *relname)
{
	Oid			nsp = get_namespace_oid("ddb", true);

	return OidIsValid(nsp) ? get_relname_relid(relname, nsp) : InvalidOid;
}

void
DdbBeginCatalog(const char *relname, Oid relid, DdbSavedUser *saved)
{
	HeapTuple	tp;
	Oid			owner;

	if (!OidIsValid(relid))
		relid = DdbCatalogRelid(relname);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"ddb.%s\" does not exist", relname)));
	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tp))->relowner;
	ReleaseSysCache(tp);

	DdbSwitchUser(owner, saved);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

void
DdbEndCatalog(DdbSavedUser *saved)
{
	SPI_finish();
	DdbRestoreUser(saved);
}

uint64
DdbSpiExec(const char *sql, int nargs, Oid *types, Datum *vals,
		   const char *nulls, int expected)
{
	int			ret = SPI_execute_with_args(sql, nargs, types, vals, nulls, false, 0);

	if (ret != expected)
		elog(ERROR, "SPI_execute(\"%s\") failed: %s", sql, SPI_result_code_string(ret));
	return SPI_processed;
}

bool
DdbPreloaded(void)
{
	const char *value = GetConfigOption("shared_preload_libraries", true, false);
	char	   *raw;
	List	   *names;
	ListCell   *lc;

	if (value == NULL)
		return false;
	raw = pstrdup(value);
	if (!SplitDirectoriesString(raw, ',', &names))
		return false;
	foreach(lc, names)
	{
		const char *name = (const char *) lfirst(lc);
		const char *base = strrchr(name, '/');

		base = base ? base + 1 : name;
		if (strcmp(base, "ddb_emul") == 0 || strcmp(base, "ddb_emul.so") == 0)
			return true;
	}
	return false;
}
