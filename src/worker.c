/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The background worker (placeholder until implemented)
 *
 * src/worker.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "worker.h"

bool
DdbWorkerRunning(void)
{
	return false;
}

void
DdbWorkerInit(void)
{
}
