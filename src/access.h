/*-------------------------------------------------------------------------
 *
 * access.h
 *	  The access layer: the only code that touches the physical item
 *	  tables.  Point reads, inserts, replaces and deletes by encoded key,
 *	  through SPI plans prepared once per table and backend.
 *
 * src/access.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_ACCESS_H
#define DDB_ACCESS_H

#include "postgres.h"
#include "utils/jsonb.h"

#include "catalog.h"

/* A primary key in its physical form (ddb.encode_key of each part). */
typedef struct DdbKey
{
	bytea	   *pk;
	bytea	   *sk;				/* NULL for a table without a sort key */
} DdbKey;

/*
 * Read the item stored under key, or NULL.  With lock, the row is locked
 * FOR UPDATE until the end of the transaction.  *size (if not NULL) gets
 * the stored item size.  The result is allocated in CurrentMemoryContext.
 */
extern Jsonb *DdbAccessGet(DdbTable *t, const DdbKey *key, bool lock, int32 *size);

/* Insert a new item unless the key exists; false when it exists. */
extern bool DdbAccessInsert(DdbTable *t, const DdbKey *key, Jsonb *item, int32 size);

/* Insert or replace an item without reading it first. */
extern void DdbAccessUpsert(DdbTable *t, const DdbKey *key, Jsonb *item, int32 size);

/*
 * Insert or replace n items in one statement, in the order given (callers
 * pass them in key order, so concurrent writers lock rows in one order).
 */
extern void DdbAccessUpsertMany(DdbTable *t, int n, const DdbKey *keys,
								Jsonb **items, const int32 *sizes);

/* Replace the item of an existing (locked) row. */
extern void DdbAccessReplace(DdbTable *t, const DdbKey *key, Jsonb *item, int32 size);

/*
 * Delete the item under key.  Returns whether a row was deleted; *old (if
 * not NULL) gets the deleted item, *old_size its size.
 */
extern bool DdbAccessDelete(DdbTable *t, const DdbKey *key, Jsonb **old, int32 *old_size);

/* Order of two encoded keys of one table (memcmp order: DynamoDB's). */
extern int	DdbKeyCompare(const DdbKey *a, const DdbKey *b);

/* Release the saved plans of a table cache entry being discarded. */
extern void DdbAccessFreePlans(DdbTable *t);

/*
 * A read of items in key order, batch by batch: the items of one partition
 * whose encoded sort key lies in [lower, upper), ascending or descending
 * (Query), or every item of the table, or of one parallel-scan segment of
 * it, in (pk, sk) order (Scan).  Each batch is one primary-key index range
 * scan that starts after the last row of the previous batch (or after the
 * start key), so a read never scans the table.
 *
 * A read of a secondary index is the same over the index's own PostgreSQL
 * index: a Query reads one index partition (the encoded index partition
 * key; for an LSI the table's) in (index sort key, pk, sk) order with the
 * sort key bounds on the index sort key, a Scan every item in the index in
 * the index's column order, and each batch continues after the previous
 * one with a row comparison on those columns.
 *
 * Usage:
 *		DdbRangeInitQuery(&r, ...) or DdbRangeInitScan(&r, ...)
 *			(or DdbRangeInitIndexQuery / DdbRangeInitIndexScan);
 *		DdbRangeStartAfter(&r, &key);			(optional; for an index
 *												 DdbRangeStartAfterIndex)
 *		while ((n = DdbRangeFetch(&r, want)) > 0)
 *		{
 *			... DdbRangeRowSize(&r, i), DdbRangeRowItem(&r, i),
 *				DdbRangeRowKey(&r, i, &key) for i < n ...
 *			DdbRangeEndBatch(&r);
 *			if (n < want) break;				(no more rows)
 *		}
 *
 * Everything is allocated in CurrentMemoryContext; the rows of a batch
 * stay readable until DdbRangeEndBatch.
 */
typedef struct DdbRangeRead
{
	DdbTable   *table;
	const DdbIndex *index;		/* the secondary index read, or NULL */
	bool		query;			/* one partition (Query) or the table (Scan) */
	bool		forward;		/* Query: ascending sort key order */
	bytea	   *pk;				/* Query: the (index) partition */
	bytea	   *lower;			/* Query: inclusive lower bound of the sort
								 * key, or NULL */
	bytea	   *upper;			/* Query: exclusive upper bound, or NULL */
	int32		segment;		/* Scan: the segment read ... */
	int32		total_segments; /* ... of this many (0 or 1: the whole table) */
	/* position: continue after this key */
	bool		started;
	bytea	   *after_pk;
	bytea	   *after_sk;
	bytea	   *after_ih;		/* index reads: index partition key ... */
	bytea	   *after_ir;		/* ... and index sort key */
	/* the current batch */
	void	   *batch;			/* SPITupleTable */
	int			nrows;
} DdbRangeRead;

extern void DdbRangeInitQuery(DdbRangeRead *r, DdbTable *t, bytea *pk,
							  bytea *lower, bytea *upper, bool forward);
extern void DdbRangeInitScan(DdbRangeRead *r, DdbTable *t, int32 segment,
							 int32 total_segments);

/*
 * The same for a secondary index of t: hash is the encoded index partition
 * key, lower / upper bound the encoded index sort key.
 */
extern void DdbRangeInitIndexQuery(DdbRangeRead *r, DdbTable *t,
								   const DdbIndex *idx, bytea *hash,
								   bytea *lower, bytea *upper, bool forward);
extern void DdbRangeInitIndexScan(DdbRangeRead *r, DdbTable *t,
								  const DdbIndex *idx, int32 segment,
								  int32 total_segments);

/* Start after key (an ExclusiveStartKey) instead of at the beginning. */
extern void DdbRangeStartAfter(DdbRangeRead *r, const DdbKey *key);

/*
 * Index reads: start after the index entry of key whose encoded index
 * partition key is index_hash and index sort key index_range (NULL for an
 * index without sort key).
 */
extern void DdbRangeStartAfterIndex(DdbRangeRead *r, const DdbKey *key,
									bytea *index_hash, bytea *index_range);

/*
 * Read the next batch of at most max_rows rows; returns how many were
 * read (fewer than max_rows: the read is complete).
 */
extern int	DdbRangeFetch(DdbRangeRead *r, int max_rows);

/* Row i of the current batch: stored item size, item, key (copies). */
extern int32 DdbRangeRowSize(DdbRangeRead *r, int i);
extern Jsonb *DdbRangeRowItem(DdbRangeRead *r, int i);
extern void DdbRangeRowKey(DdbRangeRead *r, int i, DdbKey *key);

/* Release the rows of the current batch. */
extern void DdbRangeEndBatch(DdbRangeRead *r);

/*
 * The parallel-scan segment (0 .. total_segments - 1) of an encoded
 * partition key: a stable hash of its bytes, so the items of one partition
 * are all in one segment and the segments are disjoint.
 */
extern int32 DdbKeySegment(const char *pk, int len, int32 total_segments);

#endif							/* DDB_ACCESS_H */
