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

#endif							/* DDB_OPS_H */
