/*-------------------------------------------------------------------------
 *
 * capacity.h
 *	  ReturnConsumedCapacity: DynamoDB's capacity-unit arithmetic and the
 *	  ConsumedCapacity members of responses.
 *
 * Reads cost one unit per 4 KB (rounded up; half for eventually consistent
 * reads, double for transactional ones), writes one unit per 1 KB (rounded
 * up, at least one; double in transactions).
 *
 * src/capacity.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_CAPACITY_H
#define DDB_CAPACITY_H

#include "postgres.h"
#include "utils/jsonb.h"

typedef enum DdbCapacityMode
{
	DDB_CAPACITY_NONE = 0,
	DDB_CAPACITY_TOTAL,
	DDB_CAPACITY_INDEXES
} DdbCapacityMode;

/* NULL or "NONE" -> NONE; "TOTAL"; "INDEXES" (the value was enum-checked). */
extern DdbCapacityMode DdbCapacityModeFromString(const char *s);

/* Read units for one read of size bytes (GetItem: the whole item; Query/Scan: the sum). */
extern double DdbReadUnits(int64 size, bool consistent);

/* Write units for a write touching size bytes (max of old and new item). */
extern double DdbWriteUnits(int64 size);

/*
 * Push one ConsumedCapacity object ({"TableName", "CapacityUnits", and
 * with INDEXES "Table": {"CapacityUnits"}}) at the current position: after
 * a key, or as an array element.  read says which kind of units these are
 * (reported as ReadCapacityUnits / WriteCapacityUnits as well).
 */
extern void DdbPushCapacity(JsonbParseState **ps, DdbCapacityMode mode,
							const char *table, double units, bool read);

/* Push "ConsumedCapacity": {...} as a member of the response object, unless mode is NONE. */
extern void DdbPushCapacityMember(JsonbParseState **ps, DdbCapacityMode mode,
								  const char *table, double units, bool read);

struct DdbTable;

/*
 * The same for an operation on table t that also used index_units[i]
 * (NULL: none) on its secondary index i.
 */
extern void DdbPushCapacityMemberWithIndexes(JsonbParseState **ps, DdbCapacityMode mode,
											 const struct DdbTable *t, double table_units,
											 const double *index_units, bool read);

#endif							/* DDB_CAPACITY_H */
