/*-------------------------------------------------------------------------
 *
 * triggers.c
 *	  Stream-triggered functions (placeholder until implemented)
 *
 * src/triggers.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "worker.h"

bool
DdbTriggerStep(TimestampTz now)
{
	return false;
}
