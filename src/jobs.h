/*-------------------------------------------------------------------------
 *
 * jobs.h
 *	  Helpers shared by the worker's jobs that run users' functions (minute
 *	  sweeps, stream-triggered functions): acting as another role, working
 *	  on a catalog table as its owner, running statements that must
 *	  succeed.
 *
 * src/jobs.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_JOBS_H
#define DDB_JOBS_H

#include "postgres.h"

typedef struct DdbSavedUser
{
	Oid			userid;
	int			sec_context;
} DdbSavedUser;

/* Become role, saving who we were; and back. */
extern void DdbSwitchUser(Oid role, DdbSavedUser *saved);
extern void DdbRestoreUser(DdbSavedUser *saved);

/*
 * Become the owner of catalog table ddb.<relname> (relid, or InvalidOid to
 * look it up) and connect to SPI; DdbEndCatalog undoes both.
 */
extern void DdbBeginCatalog(const char *relname, Oid relid, DdbSavedUser *saved);
extern void DdbEndCatalog(DdbSavedUser *saved);

/* The OID of ddb.<relname>, InvalidOid when it does not exist. */
extern Oid	DdbCatalogRelid(const char *relname);

/* Run a (read-write) query that must succeed; returns SPI_processed. */
extern uint64 DdbSpiExec(const char *sql, int nargs, Oid *types, Datum *vals,
						 const char *nulls, int expected);

/* Is the library ddb_emul listed in shared_preload_libraries? */
extern bool DdbPreloaded(void);

#endif							/* DDB_JOBS_H */
