/*-------------------------------------------------------------------------
 *
 * item_ops.h
 *	  Building blocks of single-item writes, shared by PutItem, DeleteItem,
 *	  UpdateItem, BatchWriteItem and TransactWriteItems.
 *
 * A write that needs the current item goes: DdbWriteLock (read it FOR
 * UPDATE), check the condition, DdbWriteCompute (the item it leaves),
 * DdbWriteApply.  DdbWriteApply returns false when the key did not exist
 * at DdbWriteLock time but a concurrent transaction inserted it before our
 * insert: start again from DdbWriteLock, which now sees and locks that row.
 * DdbPerformWrite does all of it for one item.
 *
 * src/item_ops.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_ITEM_OPS_H
#define DDB_ITEM_OPS_H

#include "postgres.h"
#include "utils/jsonb.h"

#include "access.h"
#include "catalog.h"
#include "expr.h"
#include "values.h"

typedef enum DdbWriteKind
{
	DDB_WRITE_PUT,
	DDB_WRITE_DELETE,
	DDB_WRITE_UPDATE,
	DDB_WRITE_CHECK				/* ConditionCheck: condition only, no write */
} DdbWriteKind;

typedef struct DdbWriteOp
{
	/* what to do */
	DdbWriteKind kind;
	DdbTable   *table;
	DdbKey		key;
	DdbValue   *put_item;		/* PUT: the new item */
	DdbValue   *key_item;		/* UPDATE: the key attributes (start of a new item) */
	const DdbExpr *condition;	/* may be NULL */
	const DdbExpr *update;		/* UPDATE: may be NULL (no UpdateExpression) */
	bool		return_item_on_failure; /* ReturnValuesOnConditionCheckFailure */
	bool		want_updated;	/* UPDATE: compute UPDATED_OLD / UPDATED_NEW */

	/* what DdbWriteLock found */
	Jsonb	   *old_jb;			/* stored item, NULL when absent */
	int32		old_size;
	DdbValue   *old_item;

	/* what DdbWriteCompute decided */
	DdbValue   *new_item;		/* NULL when no item is left */
	Jsonb	   *new_jb;
	int32		new_size;
	DdbValue   *updated_old;
	DdbValue   *updated_new;
} DdbWriteOp;

/*
 * Keys: of an item being put, and of a Key parameter (write says whether
 * the operation writes: DynamoDB words the empty-value error differently
 * for reads and writes).  Raise DynamoDB's errors.
 */
extern void DdbKeyFromItem(DdbTable *t, const DdbValue *item, DdbKey *key);
extern void DdbKeyFromParam(DdbTable *t, const DdbValue *keymap, DdbKey *key,
							bool write);

extern void DdbWriteLock(DdbWriteOp *op);
extern bool DdbWriteConditionHolds(const DdbWriteOp *op);
extern void DdbWriteCompute(DdbWriteOp *op);
extern bool DdbWriteApply(DdbWriteOp *op);
extern void DdbPerformWrite(DdbWriteOp *op);

/* Raise ConditionalCheckFailedException (with Item when asked and present). */
extern void DdbConditionFailed(const DdbWriteOp *op) pg_attribute_noreturn();

/* Write capacity units of a performed op: the larger of old and new item. */
extern double DdbWriteOpUnits(const DdbWriteOp *op);

/* Validate an Item/Key map member of a request (NULL when absent). */
extern DdbValue *DdbReadItemMember(JsonbContainer *req, const char *member);

/*
 * {"Attributes": item} or {} when item is NULL, plus ConsumedCapacity of
 * units on table t and, for its indexes, of the change old_item -> new_item.
 */
extern Jsonb *DdbAttributesResponse(const DdbValue *item, int capacity_mode,
									const DdbTable *t, const DdbValue *old_item,
									const DdbValue *new_item, double units);

#endif							/* DDB_ITEM_OPS_H */
