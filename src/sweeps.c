/*-------------------------------------------------------------------------
 *
 * sweeps.c
 *	  Minute sweeps (placeholder until implemented)
 *
 * src/sweeps.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "worker.h"

bool
DdbSweepStep(TimestampTz now)
{
	return false;
}
