/*-------------------------------------------------------------------------
 *
 * backfill.h
 *	  Building the PostgreSQL index of a global secondary index added by
 *	  UpdateTable, in a background worker, without blocking writers.
 *
 * src/backfill.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_BACKFILL_H
#define DDB_BACKFILL_H

/*
 * Start a backfill worker for this database when the current transaction
 * commits.  The worker builds every index whose IndexStatus is CREATING
 * with CREATE INDEX CONCURRENTLY and then marks it ACTIVE.
 */
extern void DdbRequestBackfill(void);

#endif							/* DDB_BACKFILL_H */
