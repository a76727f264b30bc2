/*-------------------------------------------------------------------------
 *
 * batch.c
 *	  (placeholder until implemented)
 *
 * src/batch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "errors.h"
#include "ops.h"

Jsonb *
DdbBatchGetItem(JsonbContainer *request)
{
	ddb_error(DDB_EX_UNKNOWN_OPERATION, "not implemented yet");
}

Jsonb *
DdbBatchWriteItem(JsonbContainer *request)
{
	ddb_error(DDB_EX_UNKNOWN_OPERATION, "not implemented yet");
}

