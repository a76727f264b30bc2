/*-------------------------------------------------------------------------
 *
 * query_scan.c
 *	  (placeholder until implemented)
 *
 * src/query_scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "errors.h"
#include "ops.h"

Jsonb *
DdbQuery(JsonbContainer *request)
{
	ddb_error(DDB_EX_UNKNOWN_OPERATION, "not implemented yet");
}

Jsonb *
DdbScan(JsonbContainer *request)
{
	ddb_error(DDB_EX_UNKNOWN_OPERATION, "not implemented yet");
}

