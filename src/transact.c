/*-------------------------------------------------------------------------
 *
 * transact.c
 *	  (placeholder until implemented)
 *
 * src/transact.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "errors.h"
#include "ops.h"

Jsonb *
DdbTransactGetItems(JsonbContainer *request)
{
	ddb_error(DDB_EX_UNKNOWN_OPERATION, "not implemented yet");
}

Jsonb *
DdbTransactWriteItems(JsonbContainer *request)
{
	ddb_error(DDB_EX_UNKNOWN_OPERATION, "not implemented yet");
}

