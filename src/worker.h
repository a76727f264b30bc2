/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  The background worker's jobs.  Each job is a "step": one bounded unit
 *	  of work done inside the caller's transaction (SPI connected), so the
 *	  worker can run steps in transactions of its own and the synchronous
 *	  SQL entry points (ddb.ttl_sweep_now(), ddb.run_sweeps_now(),
 *	  ddb.deliver_stream_batches_now()) can run the same code in the
 *	  caller's transaction, which keeps tests deterministic.
 *
 * src/worker.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_WORKER_H
#define DDB_WORKER_H

#include "postgres.h"
#include "utils/timestamp.h"

/*
 * ttl.c: delete at most max_items expired items of one table with TTL
 * enabled (marking the transaction as a TTL deletion for the streams
 * plugin).  Returns the number deleted; *more says whether expired items
 * may remain anywhere.
 */
extern int64 DdbTtlSweepStep(int max_items, bool *more);

/*
 * sweeps.c: run the next minute sweep due at or before now (in a
 * subtransaction, logging the run).  Returns false when none is due.
 */
extern bool DdbSweepStep(TimestampTz now);

/*
 * triggers.c: deliver one batch of stream records to one event source
 * mapping whose batch is ready (function effects and the read position
 * commit together).  Returns false when no batch is ready.
 */
extern bool DdbTriggerStep(TimestampTz now);

/* worker.c: ddb_emul.ttl_batch_size, items deleted per TTL transaction. */
extern int	ddb_ttl_batch_size;

/* worker.c: is the background worker of this database running? */
extern bool DdbWorkerRunning(void);

/* worker.c: registration of the launcher from _PG_init (preload only). */
extern void DdbWorkerInit(void);

#endif							/* DDB_WORKER_H */
