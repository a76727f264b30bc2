/*-------------------------------------------------------------------------
 *
 * streams.h
 *	  The DynamoDB Streams API and the storage behind it.
 *
 * src/streams.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_STREAMS_H
#define DDB_STREAMS_H

#include "postgres.h"
#include "utils/jsonb.h"

/* This database's logical replication slot for streams. */
extern char *DdbStreamSlotName(void);

/* Create the slot if missing; before the calling transaction writes. */
extern void DdbStreamsEnsureSlot(void);

/* Record a newly enabled stream / disable the enabled stream of a table. */
extern void DdbStreamRegister(const char *table, const char *label,
							  const char *view_type, Jsonb *key_schema);
extern void DdbStreamDisable(const char *table);

/* Move decoded records into ddb.stream_records; returns how many. */
extern int64 DdbStreamPump(void);
/* The same; without wait, -1 at once when another pump is running. */
extern int64 DdbStreamPumpExt(bool wait);

extern Jsonb *DdbListStreams(JsonbContainer *request);
extern Jsonb *DdbDescribeStream(JsonbContainer *request);
extern Jsonb *DdbGetShardIterator(JsonbContainer *request);
extern Jsonb *DdbGetRecords(JsonbContainer *request);

#endif							/* DDB_STREAMS_H */
