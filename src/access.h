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

/* Replace the item of an existing (locked) row. */
extern void DdbAccessReplace(DdbTable *t, const DdbKey *key, Jsonb *item, int32 size);

/*
 * Delete the item under key.  Returns whether a row was deleted; *old (if
 * not NULL) gets the deleted item, *old_size its size.
 */
extern bool DdbAccessDelete(DdbTable *t, const DdbKey *key, Jsonb **old, int32 *old_size);

/* Release the saved plans of a table cache entry being discarded. */
extern void DdbAccessFreePlans(DdbTable *t);

#endif							/* DDB_ACCESS_H */
