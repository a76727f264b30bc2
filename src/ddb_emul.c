/*-------------------------------------------------------------------------
 *
 * ddb_emul.c
 *	  Module entry point: module magic, settings and _PG_init.
 *
 * src/ddb_emul.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "ddb_emul.h"
#include "worker.h"

PG_MODULE_MAGIC;

/* Settings (ddb_emul.*). */
char	   *ddb_region = NULL;
char	   *ddb_account_id = NULL;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomStringVariable("ddb_emul.region",
							   "Region reported in ARNs and stream records.",
							   NULL,
							   &ddb_region,
							   "ddblocal",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("ddb_emul.account_id",
							   "Account id reported in ARNs.",
							   NULL,
							   &ddb_account_id,
							   "000000000000",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);
	DdbWorkerInit();
	MarkGUCPrefixReserved("ddb_emul");
}
