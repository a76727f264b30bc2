/*-------------------------------------------------------------------------
 *
 * item_ops.c
 *	  Single-item operations: PutItem, GetItem, DeleteItem, UpdateItem.
 *
 * Requests are checked in DynamoDB's order (types, constraints, legacy
 * parameters, attribute values, ReturnValues, item size, expressions) and
 * only then is the table looked up and the key checked against it.
 *
 * A conditional write reads the item FOR UPDATE, evaluates the condition
 * on that committed version and then writes it, so two writers never both
 * succeed on the same version.  When the item does not exist there is no
 * row to lock: the write is an INSERT ... ON CONFLICT DO NOTHING, and if a
 * concurrent transaction inserted the key first we go round again and lock
 * its row.
 *
 * src/item_ops.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/jsonb.h"

#include "access.h"
#include "capacity.h"
#include "catalog.h"
#include "expr.h"
#include "item_ops.h"
#include "ops.h"
#include "request.h"
#include "values.h"

static const char *const return_values_all[] = {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW", NULL};
static const char *const return_capacity[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const return_metrics[] = {"SIZE", "NONE", NULL};
static const char *const return_on_failure[] = {"ALL_OLD", "NONE", NULL};

/* ---------------------------------------------------------------------
 * Common request pieces
 * ---------------------------------------------------------------------
 */

/* Parameters every single-item request may carry. */
typedef struct ItemRequest
{
	char	   *table_name;
	int			table_name_len;
	JsonbValue *names;			/* ExpressionAttributeNames */
	JsonbValue *values;			/* ExpressionAttributeValues */
	char	   *return_values;
	char	   *return_on_failure;
	char	   *return_capacity;
	char	   *return_metrics;
} ItemRequest;

/*
 * Read and constraint-check the members shared by item requests.  The
 * caller adds its own constraints to c before raising them.
 */
static void
read_common(JsonbContainer *req, ItemRequest *r, DdbConstraints *c)
{
	r->table_name = DdbReqString(req, "TableName", &r->table_name_len);
	r->names = DdbReqMember(req, "ExpressionAttributeNames");
	r->values = DdbReqMember(req, "ExpressionAttributeValues");
	if (r->names)
		(void) DdbJsonObject(r->names, "Map");
	if (r->values)
		(void) DdbJsonObject(r->values, "Map");
	r->return_values = DdbReqString(req, "ReturnValues", NULL);
	r->return_on_failure = DdbReqString(req, "ReturnValuesOnConditionCheckFailure", NULL);
	r->return_capacity = DdbReqString(req, "ReturnConsumedCapacity", NULL);
	r->return_metrics = DdbReqString(req, "ReturnItemCollectionMetrics", NULL);

	DdbCheckRequiredTableName(c, r->table_name, r->table_name_len, "tableName");
	DdbCheckEnum(c, r->return_values, "returnValues", return_values_all);
	DdbCheckEnum(c, r->return_capacity, "returnConsumedCapacity", return_capacity);
	DdbCheckEnum(c, r->return_metrics, "returnItemCollectionMetrics", return_metrics);
	DdbCheckEnum(c, r->return_on_failure, "returnValuesOnConditionCheckFailure",
				 return_on_failure);
}

/*
 * DynamoDB's check on legacy (non-expression) parameters: mixing them with
 * expressions is an error; alone they are not implemented by ddb_emul and
 * are rejected rather than ignored.
 */
static void
check_legacy(JsonbContainer *req, const char *const *legacy, const char *const *modern)
{
	StringInfoData l,
				m;
	int			i;

	initStringInfo(&l);
	initStringInfo(&m);
	for (i = 0; legacy[i]; i++)
		if (DdbReqMember(req, legacy[i]) != NULL)
			appendStringInfo(&l, "%s%s", l.len ? ", " : "", legacy[i]);
	if (l.len == 0)
		return;
	for (i = 0; modern[i]; i++)
		if (DdbReqMember(req, modern[i]) != NULL)
			appendStringInfo(&m, "%s%s", m.len ? ", " : "", modern[i]);
	if (m.len > 0)
		ddb_validation_error("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
							 l.data, m.data);
	ddb_validation_error("The legacy parameter %s is not supported by ddb_emul; use expressions instead",
						 l.data);
}

/* Validate an Item / Key map member of the request. */
DdbValue *
DdbReadItemMember(JsonbContainer *req, const char *member)
{
	JsonbValue *v = DdbReqMember(req, member);
	DdbValueError err;
	DdbValue   *item;

	if (v == NULL)
		return NULL;
	(void) DdbJsonObject(v, "Map");
	item = DdbItemFromRequest(v, &err);
	if (item == NULL)
		DdbRaiseValueError(&err);
	return item;
}

/* An optional expression string member (NULL when absent). */
static char *
read_expression(JsonbContainer *req, const char *member, int *len)
{
	return DdbReqString(req, member, len);
}

/* ---------------------------------------------------------------------
 * Keys
 * ---------------------------------------------------------------------
 */

static bool
key_value_empty(const DdbValue *v)
{
	return (v->type == DDB_S || v->type == DDB_B) && v->u.str.len == 0;
}

/* Size limits of the two key parts (shared by items and Key parameters). */
static void
check_key_sizes(const DdbValue *hv, const DdbValue *rv)
{
	if (DdbKeyValueSize(hv) > DDB_MAX_HASH_KEY_SIZE)
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "Size of hashkey has exceeded the maximum size limit of2048 bytes");
	if (rv && DdbKeyValueSize(rv) > DDB_MAX_RANGE_KEY_SIZE)
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
}

static void
encode_key(const DdbValue *hv, const DdbValue *rv, DdbKey *key)
{
	key->pk = DdbEncodeKey(hv);
	key->sk = rv ? DdbEncodeKey(rv) : NULL;
}

/*
 * The key of an item being written (PutItem): each key attribute must be
 * present, of the declared type and not empty.
 */
void
DdbKeyFromItem(DdbTable *t, const DdbValue *item, DdbKey *key)
{
	const DdbKeyAttr *attrs[2] = {&t->hash, t->has_range ? &t->range : NULL};
	const DdbValue *vals[2] = {NULL, NULL};
	int			i;

	for (i = 0; i < 2 && attrs[i]; i++)
	{
		const DdbKeyAttr *a = attrs[i];
		const DdbValue *v = DdbMapGet(item, a->name, a->namelen);

		if (v == NULL)
			ddb_validation_error(DDB_MSG_PARAM_INVALID "Missing the key %s in the item",
								 a->name);
		if (v->type != a->type)
			ddb_validation_error(DDB_MSG_PARAM_INVALID "Type mismatch for key %s expected: %s actual: %s",
								 a->name, DdbTypeName(a->type), DdbTypeName(v->type));
		if (key_value_empty(v))
			ddb_validation_error("%s The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s",
								 DDB_MSG_PARAMS_NOT_VALID,
								 v->type == DDB_S ? "string" : "binary", a->name);
		vals[i] = v;
	}
	check_key_sizes(vals[0], vals[1]);
	DdbCheckIndexKeys(t, item, false);
	encode_key(vals[0], vals[1], key);
}

/*
 * A Key parameter (GetItem, DeleteItem, UpdateItem): exactly the table's
 * key attributes with their declared types.
 */
void
DdbKeyFromParam(DdbTable *t, const DdbValue *keymap, DdbKey *key, bool write)
{
	const DdbValue *hv = DdbMapGet(keymap, t->hash.name, t->hash.namelen);
	const DdbValue *rv = NULL;
	int			nkeys = t->has_range ? 2 : 1;

	if (t->has_range)
		rv = DdbMapGet(keymap, t->range.name, t->range.namelen);
	if (keymap->u.map.count != nkeys || hv == NULL || hv->type != t->hash.type ||
		(t->has_range && (rv == NULL || rv->type != t->range.type)))
		ddb_validation_error(DDB_MSG_KEY_SCHEMA_MISMATCH);
	/* Reads and writes word the empty-value error differently. */
	if (key_value_empty(hv))
		ddb_validation_error("%s The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s",
							 write ? DDB_MSG_PARAMS_NOT_VALID : DDB_MSG_PARAMS_INVALID,
							 hv->type == DDB_S ? "string" : "binary", t->hash.name);
	if (rv && key_value_empty(rv))
		ddb_validation_error("%s The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s",
							 write ? DDB_MSG_PARAMS_NOT_VALID : DDB_MSG_PARAMS_INVALID,
							 rv->type == DDB_S ? "string" : "binary", t->range.name);
	check_key_sizes(hv, rv);
	encode_key(hv, rv, key);
}

/* ---------------------------------------------------------------------
 * The write loop
 * ---------------------------------------------------------------------
 */

static bool
jsonb_identical(Jsonb *a, Jsonb *b)
{
	return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

void
DdbConditionFailed(const DdbWriteOp *op)
{
	if (op->return_item_on_failure && op->old_item != NULL)
	{
		StringInfoData extra;

		initStringInfo(&extra);
		appendStringInfoString(&extra, "\"Item\":");
		DdbItemAppendJson(&extra, op->old_item);
		ddb_error_extra(DDB_EX_CONDITIONAL_CHECK_FAILED, DDB_MSG_CONDITIONAL_FAILED,
						extra.data);
	}
	ddb_error(DDB_EX_CONDITIONAL_CHECK_FAILED, DDB_MSG_CONDITIONAL_FAILED);
}

/* Read the current item FOR UPDATE into op. */
void
DdbWriteLock(DdbWriteOp *op)
{
	op->old_size = 0;
	op->old_jb = DdbAccessGet(op->table, &op->key, true, &op->old_size);
	op->old_item = op->old_jb ? DdbItemFromJsonb(op->old_jb) : NULL;
}

bool
DdbWriteConditionHolds(const DdbWriteOp *op)
{
	return op->condition == NULL ||
		DdbExprEvalCondition(op->condition, op->old_item);
}

/*
 * Decide the item op leaves behind given the locked current one: sets
 * new_item (NULL for none), new_jb and new_size.
 */
void
DdbWriteCompute(DdbWriteOp *op)
{
	DdbValue   *current = op->old_item;
	DdbValue   *result = NULL;

	op->updated_old = op->updated_new = NULL;
	switch (op->kind)
	{
		case DDB_WRITE_PUT:
			result = op->put_item;
			break;
		case DDB_WRITE_DELETE:
			result = NULL;
			break;
		case DDB_WRITE_CHECK:
			result = current;
			break;
		case DDB_WRITE_UPDATE:
			{
				const char *keys[2];
				int			nkeys = 0;
				bool		creates = true;

				keys[nkeys++] = op->table->hash.name;
				if (op->table->has_range)
					keys[nkeys++] = op->table->range.name;
				if (op->update != NULL && op->table->nindexes > 0)
				{
					const char **inames = palloc(sizeof(char *) * op->table->nindexes * 2);
					int			n = 0;
					int			i;

					for (i = 0; i < op->table->nindexes; i++)
					{
						const DdbIndex *idx = &op->table->indexes[i];

						if (idx->global)
							inames[n++] = idx->hash.name;
						if (idx->has_range)
							inames[n++] = idx->range.name;
					}
					DdbExprCheckIndexKeys(op->update, inames, n);
				}
				if (op->update == NULL)
					result = current ? current : op->key_item;
				else
					result = DdbExprApplyUpdate(op->update,
												current ? current : op->key_item,
												current != NULL, keys, nkeys,
												op->want_updated ? &op->updated_old : NULL,
												op->want_updated ? &op->updated_new : NULL,
												&creates);
				if (current == NULL && !creates)
					result = NULL;
				else
				{
					if (DdbItemSize(result) > DDB_MAX_ITEM_SIZE)
						ddb_validation_error("Item size to update has exceeded the maximum allowed size");
					DdbCheckIndexKeys(op->table, result, true);
				}
				break;
			}
	}
	op->new_item = result;
	op->new_jb = result ? DdbItemToJsonb(result) : NULL;
	op->new_size = result ? (int32) DdbItemSize(result) : 0;
}

/*
 * Write what DdbWriteCompute decided.  Returns false when the item was
 * absent at DdbWriteLock time and a concurrent transaction has inserted it
 * since (the caller starts again from DdbWriteLock).
 */
bool
DdbWriteApply(DdbWriteOp *op)
{
	if (op->kind == DDB_WRITE_CHECK)
		return true;
	if (op->old_jb != NULL)
	{
		if (op->new_jb == NULL)
			DdbAccessDelete(op->table, &op->key, NULL, NULL);
		/* An unchanged item is not rewritten (and streams nothing). */
		else if (!jsonb_identical(op->old_jb, op->new_jb))
			DdbAccessReplace(op->table, &op->key, op->new_jb, op->new_size);
		return true;
	}
	if (op->new_jb == NULL)
		return true;
	if (DdbAccessInsert(op->table, &op->key, op->new_jb, op->new_size))
		return true;

	/*
	 * Under READ COMMITTED the next round sees and locks the new row; a
	 * transaction snapshot never will, so that is a serialization failure.
	 */
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent insert")));
	return false;
}

/* Perform one conditional/read-modify-write item operation. */
void
DdbPerformWrite(DdbWriteOp *op)
{
	for (;;)
	{
		DdbWriteLock(op);
		if (!DdbWriteConditionHolds(op))
			DdbConditionFailed(op);
		DdbWriteCompute(op);
		if (DdbWriteApply(op))
			return;
		CHECK_FOR_INTERRUPTS();
	}
}

double
DdbWriteOpUnits(const DdbWriteOp *op)
{
	return DdbWriteUnits(Max(op->old_size, op->new_size));
}

Jsonb *
DdbAttributesResponse(const DdbValue *item, int capacity_mode,
					  const DdbTable *t, const DdbValue *old_item,
					  const DdbValue *new_item, double units)
{
	JsonbParseState *ps = NULL;
	double	   *index_units = NULL;

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	if (item != NULL)
	{
		DdbPushKey(&ps, "Attributes");
		DdbItemPush(&ps, item);
	}
	if (capacity_mode != DDB_CAPACITY_NONE && t->nindexes > 0)
	{
		index_units = palloc0(sizeof(double) * t->nindexes);
		DdbIndexWriteUnits(t, old_item, new_item, index_units);
	}
	DdbPushCapacityMemberWithIndexes(&ps, (DdbCapacityMode) capacity_mode, t, units,
									 index_units, false);
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

/* ---------------------------------------------------------------------
 * PutItem
 * ---------------------------------------------------------------------
 */

Jsonb *
DdbPutItem(JsonbContainer *req)
{
	static const char *const legacy[] = {"Expected", "ConditionalOperator", NULL};
	static const char *const modern[] = {"ConditionExpression", NULL};
	ItemRequest r;
	DdbConstraints c;
	DdbValue   *item;
	int			condlen = 0;
	char	   *cond;
	DdbExprRequest *er;
	DdbWriteOp	op;
	DdbCapacityMode capacity;

	DdbConstraintsInit(&c);
	read_common(req, &r, &c);
	cond = read_expression(req, "ConditionExpression", &condlen);
	if (DdbReqMember(req, "Item") == NULL)
		DdbConstraintAdd(&c, NULL, "item", "Member must not be null");
	DdbConstraintsRaise(&c);
	check_legacy(req, legacy, modern);

	item = DdbReadItemMember(req, "Item");
	if (r.return_values && strcmp(r.return_values, "NONE") != 0 &&
		strcmp(r.return_values, "ALL_OLD") != 0)
		ddb_validation_error("ReturnValues can only be ALL_OLD or NONE");
	if (DdbItemSize(item) > DDB_MAX_ITEM_SIZE)
		ddb_validation_error("Item size has exceeded the maximum allowed size");

	er = DdbExprBegin(r.names, r.values, cond != NULL, cond != NULL,
					  "ConditionExpression is null");
	memset(&op, 0, sizeof(op));
	if (cond)
		op.condition = DdbExprParse(er, DDB_EXPR_CONDITION, cond, condlen);
	DdbExprEnd(er);

	op.kind = DDB_WRITE_PUT;
	op.table = DdbTableLookup(r.table_name, r.table_name_len);
	DdbKeyFromItem(op.table, item, &op.key);
	op.put_item = item;
	op.return_item_on_failure = r.return_on_failure &&
		strcmp(r.return_on_failure, "ALL_OLD") == 0;

	capacity = DdbCapacityModeFromString(r.return_capacity);
	if (op.condition == NULL && capacity == DDB_CAPACITY_NONE &&
		(r.return_values == NULL || strcmp(r.return_values, "NONE") == 0))
	{
		/* Blind put: one statement, no read. */
		DdbAccessUpsert(op.table, &op.key, DdbItemToJsonb(item), (int32) DdbItemSize(item));
		return DdbEmptyObject();
	}
	DdbPerformWrite(&op);
	return DdbAttributesResponse(r.return_values && strcmp(r.return_values, "ALL_OLD") == 0 ?
								 op.old_item : NULL,
								 capacity, op.table, op.old_item, op.new_item,
								 DdbWriteOpUnits(&op));
}

/* ---------------------------------------------------------------------
 * GetItem
 * ---------------------------------------------------------------------
 */

Jsonb *
DdbGetItem(JsonbContainer *req)
{
	static const char *const legacy[] = {"AttributesToGet", NULL};
	static const char *const modern[] = {"ProjectionExpression", NULL};
	DdbConstraints c;
	int			namelen = 0;
	char	   *name = DdbReqString(req, "TableName", &namelen);
	JsonbValue *names = DdbReqMember(req, "ExpressionAttributeNames");
	char	   *rcc = DdbReqString(req, "ReturnConsumedCapacity", NULL);
	bool		consistent = false;
	int			projlen = 0;
	char	   *proj = read_expression(req, "ProjectionExpression", &projlen);
	DdbValue   *keymap;
	DdbExprRequest *er;
	const DdbExpr *projection = NULL;
	DdbTable   *t;
	DdbKey		key;
	Jsonb	   *item;
	int32		size = 0;
	JsonbParseState *ps = NULL;

	(void) DdbReqBool(req, "ConsistentRead", &consistent);
	if (names)
		(void) DdbJsonObject(names, "Map");
	DdbConstraintsInit(&c);
	DdbCheckRequiredTableName(&c, name, namelen, "tableName");
	if (DdbReqMember(req, "Key") == NULL)
		DdbConstraintAdd(&c, NULL, "key", "Member must not be null");
	DdbCheckEnum(&c, rcc, "returnConsumedCapacity", return_capacity);
	DdbConstraintsRaise(&c);
	check_legacy(req, legacy, modern);

	keymap = DdbReadItemMember(req, "Key");
	er = DdbExprBegin(names, NULL, proj != NULL, false, NULL);
	if (proj)
		projection = DdbExprParse(er, DDB_EXPR_PROJECTION, proj, projlen);
	DdbExprEnd(er);

	t = DdbTableLookup(name, namelen);
	DdbKeyFromParam(t, keymap, &key, false);
	item = DdbAccessGet(t, &key, false, &size);

	/* The common answer, the stored item as it is: no re-encoding. */
	if (item != NULL && projection == NULL &&
		DdbCapacityModeFromString(rcc) == DDB_CAPACITY_NONE)
		return DdbJsonbSingleMember("Item", item);

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	if (item != NULL)
	{
		if (projection == NULL)
			DdbPushJsonb(&ps, "Item", item);
		else
		{
			DdbPushKey(&ps, "Item");
			DdbItemPush(&ps, DdbExprProject(projection, DdbItemFromJsonb(item)));
		}
	}
	/* Projection does not reduce the cost; a missing item still costs a unit. */
	DdbPushCapacityMember(&ps, DdbCapacityModeFromString(rcc), t->name,
						  DdbReadUnits(size, consistent), true);
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

/* ---------------------------------------------------------------------
 * DeleteItem
 * ---------------------------------------------------------------------
 */

Jsonb *
DdbDeleteItem(JsonbContainer *req)
{
	static const char *const legacy[] = {"Expected", "ConditionalOperator", NULL};
	static const char *const modern[] = {"ConditionExpression", NULL};
	ItemRequest r;
	DdbConstraints c;
	DdbValue   *keymap;
	int			condlen = 0;
	char	   *cond;
	DdbExprRequest *er;
	DdbWriteOp	op;
	bool		all_old;
	DdbCapacityMode capacity;

	DdbConstraintsInit(&c);
	read_common(req, &r, &c);
	cond = read_expression(req, "ConditionExpression", &condlen);
	if (DdbReqMember(req, "Key") == NULL)
		DdbConstraintAdd(&c, NULL, "key", "Member must not be null");
	DdbConstraintsRaise(&c);
	check_legacy(req, legacy, modern);

	keymap = DdbReadItemMember(req, "Key");
	if (r.return_values && strcmp(r.return_values, "NONE") != 0 &&
		strcmp(r.return_values, "ALL_OLD") != 0)
		ddb_validation_error("ReturnValues can only be ALL_OLD or NONE");
	all_old = r.return_values && strcmp(r.return_values, "ALL_OLD") == 0;

	er = DdbExprBegin(r.names, r.values, cond != NULL, cond != NULL,
					  "ConditionExpression is null");
	memset(&op, 0, sizeof(op));
	if (cond)
		op.condition = DdbExprParse(er, DDB_EXPR_CONDITION, cond, condlen);
	DdbExprEnd(er);

	op.kind = DDB_WRITE_DELETE;
	op.table = DdbTableLookup(r.table_name, r.table_name_len);
	DdbKeyFromParam(op.table, keymap, &op.key, true);
	op.return_item_on_failure = r.return_on_failure &&
		strcmp(r.return_on_failure, "ALL_OLD") == 0;

	capacity = DdbCapacityModeFromString(r.return_capacity);
	if (op.condition == NULL)
	{
		/* Unconditional: one DELETE statement, RETURNING the old item if asked. */
		Jsonb	   *old = NULL;
		int32		old_size = 0;
		bool		need_old = all_old || capacity != DDB_CAPACITY_NONE;

		DdbValue   *old_item;

		DdbAccessDelete(op.table, &op.key, need_old ? &old : NULL, &old_size);
		old_item = old ? DdbItemFromJsonb(old) : NULL;
		return DdbAttributesResponse(all_old ? old_item : NULL, capacity, op.table,
									 old_item, NULL, DdbWriteUnits(old_size));
	}
	DdbPerformWrite(&op);
	return DdbAttributesResponse(all_old ? op.old_item : NULL, capacity, op.table,
								 op.old_item, op.new_item, DdbWriteOpUnits(&op));
}

/* ---------------------------------------------------------------------
 * UpdateItem
 * ---------------------------------------------------------------------
 */

Jsonb *
DdbUpdateItem(JsonbContainer *req)
{
	static const char *const legacy[] = {"AttributeUpdates", "Expected", "ConditionalOperator", NULL};
	static const char *const modern[] = {"UpdateExpression", "ConditionExpression", NULL};
	ItemRequest r;
	DdbConstraints c;
	DdbValue   *keymap;
	int			condlen = 0,
				updlen = 0;
	char	   *cond;
	char	   *upd;
	DdbExprRequest *er;
	DdbWriteOp	op;
	const char *rv;
	DdbCapacityMode capacity;
	DdbValue   *result = NULL;
	double		units;

	DdbConstraintsInit(&c);
	read_common(req, &r, &c);
	cond = read_expression(req, "ConditionExpression", &condlen);
	upd = read_expression(req, "UpdateExpression", &updlen);
	if (DdbReqMember(req, "Key") == NULL)
		DdbConstraintAdd(&c, NULL, "key", "Member must not be null");
	DdbConstraintsRaise(&c);
	check_legacy(req, legacy, modern);

	keymap = DdbReadItemMember(req, "Key");
	rv = r.return_values ? r.return_values : "NONE";

	er = DdbExprBegin(r.names, r.values, cond != NULL || upd != NULL,
					  cond != NULL || upd != NULL,
					  "UpdateExpression and ConditionExpression are null");
	memset(&op, 0, sizeof(op));
	if (upd)
		op.update = DdbExprParse(er, DDB_EXPR_UPDATE, upd, updlen);
	if (cond)
		op.condition = DdbExprParse(er, DDB_EXPR_CONDITION, cond, condlen);
	DdbExprEnd(er);

	op.kind = DDB_WRITE_UPDATE;
	op.table = DdbTableLookup(r.table_name, r.table_name_len);
	DdbKeyFromParam(op.table, keymap, &op.key, true);
	op.key_item = keymap;
	op.return_item_on_failure = r.return_on_failure &&
		strcmp(r.return_on_failure, "ALL_OLD") == 0;
	op.want_updated = strcmp(rv, "UPDATED_OLD") == 0 || strcmp(rv, "UPDATED_NEW") == 0;

	DdbPerformWrite(&op);

	capacity = DdbCapacityModeFromString(r.return_capacity);
	units = DdbWriteOpUnits(&op);
	if (strcmp(rv, "ALL_OLD") == 0)
		result = op.old_item;
	else if (strcmp(rv, "ALL_NEW") == 0)
		result = op.new_item;
	else if (strcmp(rv, "UPDATED_OLD") == 0)
		result = op.updated_old;
	else if (strcmp(rv, "UPDATED_NEW") == 0)
		result = op.updated_new;
	return DdbAttributesResponse(result, capacity, op.table, op.old_item, op.new_item, units);
}
