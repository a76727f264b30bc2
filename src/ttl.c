/*-------------------------------------------------------------------------
 *
 * ttl.c
 *	  TTL (placeholder until implemented)
 *
 * src/ttl.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "errors.h"
#include "ops.h"
#include "worker.h"

int64
DdbTtlSweepStep(int max_items, bool *more)
{
	*more = false;
	return 0;
}

Jsonb *
DdbUpdateTimeToLive(JsonbContainer *request)
{
	ddb_error(DDB_EX_UNKNOWN_OPERATION, "not implemented yet");
}

Jsonb *
DdbDescribeTimeToLive(JsonbContainer *request)
{
	ddb_error(DDB_EX_UNKNOWN_OPERATION, "not implemented yet");
}
