/*-------------------------------------------------------------------------
 *
 * ops.h
 *	  Data-plane operations: each takes a DynamoDB request body and returns
 *	  the response body.
 *
 * src/ops.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_OPS_H
#define DDB_OPS_H

#include "postgres.h"
#include "utils/jsonb.h"

/* item_ops.c */
extern Jsonb *DdbPutItem(JsonbContainer *request);
extern Jsonb *DdbGetItem(JsonbContainer *request);
extern Jsonb *DdbDeleteItem(JsonbContainer *request);
extern Jsonb *DdbUpdateItem(JsonbContainer *request);

/* query_scan.c */
extern Jsonb *DdbQuery(JsonbContainer *request);
extern Jsonb *DdbScan(JsonbContainer *request);

/* batch.c */
extern Jsonb *DdbBatchGetItem(JsonbContainer *request);
extern Jsonb *DdbBatchWriteItem(JsonbContainer *request);

/* transact.c */
extern Jsonb *DdbTransactGetItems(JsonbContainer *request);
extern Jsonb *DdbTransactWriteItems(JsonbContainer *request);

/* ttl.c */
extern Jsonb *DdbUpdateTimeToLive(JsonbContainer *request);
extern Jsonb *DdbDescribeTimeToLive(JsonbContainer *request);

#endif							/* DDB_OPS_H */
