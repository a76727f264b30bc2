/*-------------------------------------------------------------------------
 *
 * batch.c
 *	  BatchGetItem and BatchWriteItem.
 *
 * Both take RequestItems, a map of table name to that table's requests,
 * and check the whole request in DynamoDB's order before touching any
 * table: deserialization, the framework's constraints, attribute values,
 * the number of requests, then every table (ResourceNotFoundException for
 * any missing one fails the whole call), every key and duplicate keys.
 * Only then are items read or written.
 *
 * A batch is not a transaction: each write is atomic on its own (one
 * statement, or a locked read-modify-write when the old item's size is
 * needed for ConsumedCapacity).  Within PostgreSQL the whole call is of
 * course part of the caller's transaction.  Writes are applied in a
 * canonical order (table name, then encoded partition and sort key) so that
 * two concurrent batches over overlapping items wait for each other instead
 * of deadlocking.
 *
 * Reads use the snapshot of the calling statement, so one BatchGetItem sees
 * every table as of one moment.  The response is capped at 16 MB of item
 * data; keys beyond the cap are returned in UnprocessedKeys, which (like
 * UnprocessedItems) is always present.
 *
 * src/batch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
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

/* DynamoDB's limits. */
#define BATCH_GET_MAX_KEYS			100
#define BATCH_WRITE_MAX_REQUESTS	25
#define BATCH_GET_MAX_RESPONSE		(16 * 1024 * 1024)

/* Package of DynamoDB's model classes, as named in framework messages. */
#define MODEL_CLASS(name) "com.amazonaws.dynamodb.v20120810." name

#define MSG_DUPLICATE_KEYS "Provided list of item keys contains duplicates"

static const char *const return_capacity[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const return_metrics[] = {"SIZE", "NONE", NULL};

/* ---------------------------------------------------------------------
 * Reading the request
 * ---------------------------------------------------------------------
 */

/* One member of a JSON object. */
typedef struct Member
{
	char	   *key;			/* NUL-terminated copy */
	int			keylen;
	JsonbValue	value;
} Member;

/* The members of a JSON object, in jsonb order. */
static Member *
object_members(JsonbContainer *obj, int *n)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			count = JsonContainerSize(obj);
	Member	   *m = palloc0(sizeof(Member) * Max(count, 1));
	int			i = 0;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			m[i].key = pnstrdup(v.val.string.val, v.val.string.len);
			m[i].keylen = v.val.string.len;
		}
		else if (tok == WJB_VALUE)
			m[i++].value = v;
	}
	*n = i;
	return m;
}

/*
 * DynamoDB's deserializer on a member that must be a JSON object: a
 * structure (value_struct says whether it is a "ValueStruct", whose scalar
 * error differs) of the model class cls, or a map when cls is NULL (then
 * map_type names its Java type for the array case).
 */
static JsonbContainer *
expect_object(JsonbValue *v, bool value_struct, const char *cls,
			  const char *map_type)
{
	if (v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data))
		return v->val.binary.data;
	if (v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data))
	{
		if (cls != NULL)
			ddb_error(DDB_EX_SERIALIZATION,
					  "Unrecognized collection type class " MODEL_CLASS("%s"), cls);
		ddb_error(DDB_EX_SERIALIZATION, "Unrecognized collection type %s", map_type);
	}
	ddb_error(DDB_EX_SERIALIZATION, value_struct ?
			  "Unexpected value type in payload" : "Unexpected field type");
}

/* The same for a member that must be a JSON array. */
static JsonbContainer *
expect_array(JsonbValue *v)
{
	if (v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data))
		return v->val.binary.data;
	if (v->type == jbvBinary)
		ddb_error(DDB_EX_SERIALIZATION,
				  "Start of structure or map found where not expected");
	ddb_error(DDB_EX_SERIALIZATION, "Unexpected field type");
}

/* Element i of a JSON array (a copy the caller owns). */
static JsonbValue *
array_element(JsonbContainer *arr, int i)
{
	return getIthJsonbValueFromContainer(arr, i);
}

/*
 * The framework echoes an offending structure by its Java identity,
 * "com.amazonaws.dynamodb.v20120810.WriteRequest@1a2b3c4d"; ours is a hash
 * of the element's JSON text, so that messages are deterministic.
 */
static void
append_identity(StringInfo buf, const char *cls, JsonbValue *v)
{
	char	   *text;
	uint32		h;

	if (v->type == jbvBinary)
		text = JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
	else
		text = pstrdup(DdbJsonTokenName(v));
	h = hash_bytes((const unsigned char *) text, strlen(text));
	appendStringInfo(buf, MODEL_CLASS("%s") "@%x", cls, h);
	pfree(text);
}

/*
 * A table name used as a map key must be 3..255 characters of
 * [a-zA-Z0-9_.-].
 */
static bool
table_name_valid(const char *name, int len)
{
	int			i;

	if (len < 3 || len > 255)
		return false;
	for (i = 0; i < len; i++)
	{
		char		ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
			return false;
	}
	return true;
}

#define MAP_KEYS_RULE \
	"Map keys must satisfy constraint: [Member must have length less than or equal to 255, " \
	"Member must have length greater than or equal to 3, " \
	"Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"

/*
 * The AttributesToGet / ProjectionExpression check of GetItem: mixing them
 * is DynamoDB's error; AttributesToGet alone is rejected by ddb_emul rather
 * than ignored.
 */
static void
check_legacy_projection(JsonbContainer *entry)
{
	bool		legacy = DdbReqMember(entry, "AttributesToGet") != NULL;

	if (!legacy)
		return;
	if (DdbReqMember(entry, "ProjectionExpression") != NULL)
		ddb_validation_error("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
	ddb_validation_error("The legacy parameter AttributesToGet is not supported by ddb_emul; use expressions instead");
}

/* Validate one item / key map of the request (a JSON object). */
static DdbValue *
read_item(JsonbValue *v)
{
	DdbValueError err;
	DdbValue   *item = DdbItemFromRequest(v, &err);

	if (item == NULL)
		DdbRaiseValueError(&err);
	return item;
}

/* ---------------------------------------------------------------------
 * Keys
 * ---------------------------------------------------------------------
 */

static bool
empty_key_value(const DdbValue *v)
{
	return v != NULL && (v->type == DDB_S || v->type == DDB_B) && v->u.str.len == 0;
}

static void
empty_key_error(const DdbValue *v, const char *name) pg_attribute_noreturn();

/* The write operations' message for an empty S or B key value. */
static void
empty_key_error(const DdbValue *v, const char *name)
{
	ddb_validation_error("%s The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", DDB_MSG_PARAMS_NOT_VALID,
						 v->type == DDB_S ? "string" : "binary", name);
}

/* Whether item carries the table's key attributes with their types. */
static bool
item_has_key(DdbTable *t, const DdbValue *item)
{
	const DdbValue *hv = DdbMapGet(item, t->hash.name, t->hash.namelen);
	const DdbValue *rv;

	if (hv == NULL || hv->type != t->hash.type)
		return false;
	if (!t->has_range)
		return true;
	rv = DdbMapGet(item, t->range.name, t->range.namelen);
	return rv != NULL && rv->type == t->range.type;
}

/* Whether keymap is exactly the table's key attributes with their types. */
static bool
keymap_matches(DdbTable *t, const DdbValue *keymap)
{
	return keymap->u.map.count == (t->has_range ? 2 : 1) && item_has_key(t, keymap);
}

/*
 * The key of a Key parameter (BatchGetItem keys, DeleteRequest): DynamoDB's
 * schema mismatch, then the write form of the empty-value message, then
 * the size limits.
 */
static void
key_from_keymap(DdbTable *t, const DdbValue *keymap, DdbKey *key)
{
	if (keymap_matches(t, keymap))
	{
		const DdbValue *hv = DdbMapGet(keymap, t->hash.name, t->hash.namelen);

		if (empty_key_value(hv))
			empty_key_error(hv, t->hash.name);
		if (t->has_range)
		{
			const DdbValue *rv = DdbMapGet(keymap, t->range.name, t->range.namelen);

			if (empty_key_value(rv))
				empty_key_error(rv, t->range.name);
		}
	}
	DdbKeyFromParam(t, keymap, key, true);
}

/*
 * The key of a PutRequest item: BatchWriteItem reports a missing or
 * mistyped key attribute as a schema mismatch (not PutItem's "Missing the
 * key" / "Type mismatch"), then empty values and sizes as PutItem does.
 */
static void
key_from_put_item(DdbTable *t, const DdbValue *item, DdbKey *key)
{
	if (!item_has_key(t, item))
		ddb_validation_error(DDB_MSG_KEY_SCHEMA_MISMATCH);
	DdbKeyFromItem(t, item, key);
}

static int
compare_key_ptrs(const void *a, const void *b)
{
	return DdbKeyCompare(*(const DdbKey *const *) a, *(const DdbKey *const *) b);
}

/*
 * Raise "Provided list of item keys contains duplicates" when two of the n
 * keys (of one table) are equal.  Keys are compared encoded, so numbers
 * compare after normalisation (1e3 and 1000 are the same key).
 */
static void
check_duplicates(DdbKey **keys, int n)
{
	DdbKey	  **sorted;
	int			i;

	if (n < 2)
		return;
	sorted = palloc(sizeof(DdbKey *) * n);
	memcpy(sorted, keys, sizeof(DdbKey *) * n);
	qsort(sorted, n, sizeof(DdbKey *), compare_key_ptrs);
	for (i = 1; i < n; i++)
		if (DdbKeyCompare(sorted[i - 1], sorted[i]) == 0)
			ddb_validation_error(MSG_DUPLICATE_KEYS);
	pfree(sorted);
}

/* ---------------------------------------------------------------------
 * BatchGetItem
 * ---------------------------------------------------------------------
 */

typedef struct GetTable
{
	Member	   *member;			/* table name and KeysAndAttributes */
	JsonbContainer *entry;
	JsonbContainer *keys;		/* NULL when absent */
	int			nkeys;
	bool		consistent;
	JsonbValue *consistent_v;
	JsonbValue *names;
	JsonbValue *projection_v;
	const DdbExpr *projection;
	DdbTable   *table;
	DdbValue  **keymaps;
	DdbKey	   *enc;
	/* results */
	int			nprocessed;		/* keys [0, nprocessed) were read */
	Jsonb	  **items;			/* NULL for missing items */
	DdbValue  **projected;
	double		units;
} GetTable;

/* DynamoDB's echo of a list of keys in a constraint message. */
static char *
keys_echo(GetTable *gt)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (i = 0; i < gt->nkeys; i++)
	{
		JsonbValue *k = array_element(gt->keys, i);

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		if (k->type == jbvBinary)
			appendStringInfoString(&buf, JsonbToCString(NULL, k->val.binary.data,
														k->val.binary.len));
		else
			appendStringInfoString(&buf, DdbJsonTokenName(k));
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* The echo of the whole RequestItems map of BatchGetItem. */
static char *
get_request_echo(Member *m, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfo(&buf, "%s=", m[i].key);
		append_identity(&buf, "KeysAndAttributes", &m[i].value);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * Read and check the request (everything but the tables), filling tables.
 */
static GetTable *
read_get_request(JsonbContainer *req, int *ntables, DdbCapacityMode *mode)
{
	JsonbValue *ri = DdbReqMember(req, "RequestItems");
	char	   *rcc = DdbReqString(req, "ReturnConsumedCapacity", NULL);
	JsonbContainer *map = NULL;
	Member	   *members = NULL;
	int			n = 0;
	int			i;
	int			total;
	bool		bad_names = false;
	GetTable   *tables;
	DdbConstraints c;

	/* deserialization */
	if (ri != NULL)
	{
		map = expect_object(ri, false, NULL,
							"java.util.Map<java.lang.String, " MODEL_CLASS("KeysAndAttributes") ">");
		members = object_members(map, &n);
	}
	tables = palloc0(sizeof(GetTable) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		GetTable   *gt = &tables[i];
		JsonbValue *keys;
		int			k;

		gt->member = &members[i];
		gt->entry = expect_object(&members[i].value, true, "KeysAndAttributes", NULL);
		keys = DdbReqMember(gt->entry, "Keys");
		if (keys != NULL)
		{
			gt->keys = expect_array(keys);
			gt->nkeys = JsonContainerSize(gt->keys);
			for (k = 0; k < gt->nkeys; k++)
			{
				JsonbValue *key = array_element(gt->keys, k);
				DdbValueError err;

				if (!DdbItemCheckRequest(key, &err))
					DdbRaiseValueError(&err);
			}
		}
		gt->consistent_v = DdbReqMember(gt->entry, "ConsistentRead");
		(void) DdbReqBool(gt->entry, "ConsistentRead", &gt->consistent);
		gt->projection_v = DdbReqMember(gt->entry, "ProjectionExpression");
		(void) DdbReqString(gt->entry, "ProjectionExpression", NULL);
		gt->names = DdbReqMember(gt->entry, "ExpressionAttributeNames");
		if (DdbReqMember(gt->entry, "AttributesToGet") != NULL)
			(void) DdbReqArray(gt->entry, "AttributesToGet");
		if (!table_name_valid(members[i].key, members[i].keylen))
			bad_names = true;
	}

	/* the framework's constraints */
	DdbConstraintsInit(&c);
	DdbCheckEnum(&c, rcc, "returnConsumedCapacity", return_capacity);
	if (ri == NULL)
		DdbConstraintAdd(&c, NULL, "requestItems", "Member must not be null");
	else if (n == 0)
		DdbConstraintAdd(&c, "{}", "requestItems",
						 "Member must have length greater than or equal to 1");
	if (bad_names)
		DdbConstraintAdd(&c, get_request_echo(members, n), "requestItems", MAP_KEYS_RULE);
	for (i = 0; i < n; i++)
	{
		GetTable   *gt = &tables[i];
		char	   *path = psprintf("requestItems.%s.member.keys", members[i].key);

		if (gt->keys == NULL)
			DdbConstraintAdd(&c, NULL, path, "Member must not be null");
		else if (gt->nkeys < 1)
			DdbConstraintAdd(&c, "[]", path,
							 "Member must have length greater than or equal to 1");
		else if (gt->nkeys > BATCH_GET_MAX_KEYS)
			DdbConstraintAdd(&c, keys_echo(gt), path,
							 "Member must have length less than or equal to 100");
	}
	DdbConstraintsRaise(&c);

	/* per table: legacy parameters, expressions, key values */
	total = 0;
	for (i = 0; i < n; i++)
	{
		GetTable   *gt = &tables[i];
		DdbExprRequest *er;
		int			k;

		check_legacy_projection(gt->entry);
		er = DdbExprBegin(gt->names, NULL, gt->projection_v != NULL, false, NULL);
		if (gt->projection_v != NULL)
			gt->projection = DdbExprParse(er, DDB_EXPR_PROJECTION,
										  gt->projection_v->val.string.val,
										  gt->projection_v->val.string.len);
		DdbExprEnd(er);

		gt->keymaps = palloc(sizeof(DdbValue *) * gt->nkeys);
		for (k = 0; k < gt->nkeys; k++)
			gt->keymaps[k] = read_item(array_element(gt->keys, k));
		total += gt->nkeys;
		if (total > BATCH_GET_MAX_KEYS)
			ddb_validation_error("Too many items requested for the BatchGetItem call");
	}

	*ntables = n;
	*mode = DdbCapacityModeFromString(rcc);
	return tables;
}

/* Push the UnprocessedKeys entry of a table: the keys not read, and its options. */
static void
push_unprocessed_keys(JsonbParseState **ps, GetTable *gt)
{
	int			k;

	DdbPushKey(ps, gt->member->key);
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushKey(ps, "Keys");
	pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
	for (k = gt->nprocessed; k < gt->nkeys; k++)
		DdbItemPush(ps, gt->keymaps[k]);
	pushJsonbValue(ps, WJB_END_ARRAY, NULL);
	if (gt->consistent_v != NULL)
	{
		DdbPushKey(ps, "ConsistentRead");
		pushJsonbValue(ps, WJB_VALUE, gt->consistent_v);
	}
	if (gt->projection_v != NULL)
	{
		DdbPushKey(ps, "ProjectionExpression");
		pushJsonbValue(ps, WJB_VALUE, gt->projection_v);
	}
	if (gt->names != NULL)
	{
		DdbPushKey(ps, "ExpressionAttributeNames");
		pushJsonbValue(ps, WJB_VALUE, gt->names);
	}
	pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

Jsonb *
DdbBatchGetItem(JsonbContainer *req)
{
	DdbCapacityMode mode;
	int			n;
	GetTable   *tables = read_get_request(req, &n, &mode);
	int			i;
	int64		response_size = 0;
	bool		full = false;
	bool		any_unprocessed = false;
	JsonbParseState *ps = NULL;

	/* every table must exist before anything is read */
	for (i = 0; i < n; i++)
		tables[i].table = DdbTableLookup(tables[i].member->key, tables[i].member->keylen);

	for (i = 0; i < n; i++)
	{
		GetTable   *gt = &tables[i];
		DdbKey	  **ptrs = palloc(sizeof(DdbKey *) * gt->nkeys);
		int			k;

		gt->enc = palloc(sizeof(DdbKey) * gt->nkeys);
		for (k = 0; k < gt->nkeys; k++)
		{
			key_from_keymap(gt->table, gt->keymaps[k], &gt->enc[k]);
			ptrs[k] = &gt->enc[k];
		}
		check_duplicates(ptrs, gt->nkeys);
	}

	/*
	 * Read in request order until the response would exceed its cap; the
	 * rest is unprocessed.  The cap counts the items as returned.
	 */
	for (i = 0; i < n; i++)
	{
		GetTable   *gt = &tables[i];
		int			k;

		gt->items = palloc0(sizeof(Jsonb *) * gt->nkeys);
		gt->projected = palloc0(sizeof(DdbValue *) * gt->nkeys);
		for (k = 0; k < gt->nkeys && !full; k++)
		{
			int32		size = 0;
			Jsonb	   *item = DdbAccessGet(gt->table, &gt->enc[k], false, &size);
			int64		returned = 0;

			if (item != NULL)
			{
				if (gt->projection != NULL)
				{
					gt->projected[k] = DdbExprProject(gt->projection, DdbItemFromJsonb(item));
					returned = DdbItemSize(gt->projected[k]);
				}
				else
					returned = size;
			}
			if (response_size + returned > BATCH_GET_MAX_RESPONSE)
			{
				full = true;
				break;
			}
			response_size += returned;
			gt->items[k] = item;
			/* projection does not reduce the cost; a missing item costs a unit */
			gt->units += DdbReadUnits(size, gt->consistent);
			CHECK_FOR_INTERRUPTS();
		}
		gt->nprocessed = k;
		if (gt->nprocessed < gt->nkeys)
			any_unprocessed = true;
	}

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushKey(&ps, "Responses");
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < n; i++)
	{
		GetTable   *gt = &tables[i];
		int			k;

		DdbPushKey(&ps, gt->member->key);
		pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
		for (k = 0; k < gt->nprocessed; k++)
		{
			if (gt->items[k] == NULL)
				continue;
			if (gt->projected[k] != NULL)
				DdbItemPush(&ps, gt->projected[k]);
			else
				DdbPushJsonb(&ps, NULL, gt->items[k]);
		}
		pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
	}
	pushJsonbValue(&ps, WJB_END_OBJECT, NULL);

	DdbPushKey(&ps, "UnprocessedKeys");
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	if (any_unprocessed)
		for (i = 0; i < n; i++)
			if (tables[i].nprocessed < tables[i].nkeys)
				push_unprocessed_keys(&ps, &tables[i]);
	pushJsonbValue(&ps, WJB_END_OBJECT, NULL);

	if (mode != DDB_CAPACITY_NONE)
	{
		DdbPushKey(&ps, "ConsumedCapacity");
		pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
		for (i = 0; i < n; i++)
			DdbPushCapacity(&ps, mode, tables[i].table->name, tables[i].units, true);
		pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
	}
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

/* ---------------------------------------------------------------------
 * BatchWriteItem
 * ---------------------------------------------------------------------
 */

typedef struct WriteRequest
{
	int			table_index;
	JsonbValue *raw;			/* the WriteRequest object */
	JsonbContainer *put;		/* PutRequest, NULL if absent */
	JsonbContainer *del;		/* DeleteRequest, NULL if absent */
	DdbValue   *item;			/* PutRequest.Item */
	DdbValue   *keymap;			/* DeleteRequest.Key */
	DdbKey		key;
	DdbTable   *table;
} WriteRequest;

typedef struct WriteTable
{
	Member	   *member;
	JsonbContainer *list;
	int			nrequests;
	WriteRequest *requests;
	DdbTable   *table;
	double		units;
} WriteTable;

/* The echo of the whole RequestItems map of BatchWriteItem. */
static char *
write_request_echo(WriteTable *tables, int n)
{
	StringInfoData buf;
	int			i,
				r;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfo(&buf, "%s=[", tables[i].member->key);
		for (r = 0; r < tables[i].nrequests; r++)
		{
			if (r > 0)
				appendStringInfoString(&buf, ", ");
			append_identity(&buf, "WriteRequest", tables[i].requests[r].raw);
		}
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * Read and check the request up to (not including) the table lookups.
 */
static WriteTable *
read_write_request(JsonbContainer *req, int *ntables, DdbCapacityMode *mode)
{
	JsonbValue *ri = DdbReqMember(req, "RequestItems");
	char	   *rcc = DdbReqString(req, "ReturnConsumedCapacity", NULL);
	char	   *rcm = DdbReqString(req, "ReturnItemCollectionMetrics", NULL);
	Member	   *members = NULL;
	int			n = 0;
	int			i,
				r;
	int			total = 0;
	bool		bad_names = false;
	bool		bad_lengths = false;
	WriteTable *tables;
	DdbConstraints c;

	/* deserialization */
	if (ri != NULL)
	{
		JsonbContainer *map = expect_object(ri, false, NULL,
											"java.util.Map<java.lang.String, java.util.List<" MODEL_CLASS("WriteRequest") ">>");

		members = object_members(map, &n);
	}
	tables = palloc0(sizeof(WriteTable) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		WriteTable *wt = &tables[i];

		wt->member = &members[i];
		wt->list = expect_array(&members[i].value);
		wt->nrequests = JsonContainerSize(wt->list);
		wt->requests = palloc0(sizeof(WriteRequest) * Max(wt->nrequests, 1));
		for (r = 0; r < wt->nrequests; r++)
		{
			WriteRequest *wr = &wt->requests[r];
			JsonbContainer *obj;
			JsonbValue *v;
			DdbValueError err;

			wr->table_index = i;
			wr->raw = array_element(wt->list, r);
			obj = expect_object(wr->raw, true, "WriteRequest", NULL);
			if ((v = DdbReqMember(obj, "PutRequest")) != NULL)
			{
				JsonbValue *item;

				wr->put = expect_object(v, false, "PutRequest", NULL);
				if ((item = DdbReqMember(wr->put, "Item")) != NULL &&
					!DdbItemCheckRequest(item, &err))
					DdbRaiseValueError(&err);
			}
			if ((v = DdbReqMember(obj, "DeleteRequest")) != NULL)
			{
				JsonbValue *key;

				wr->del = expect_object(v, false, "DeleteRequest", NULL);
				if ((key = DdbReqMember(wr->del, "Key")) != NULL &&
					!DdbItemCheckRequest(key, &err))
					DdbRaiseValueError(&err);
			}
		}
		if (!table_name_valid(members[i].key, members[i].keylen))
			bad_names = true;
		if (wt->nrequests < 1 || wt->nrequests > BATCH_WRITE_MAX_REQUESTS)
			bad_lengths = true;
		total += wt->nrequests;
	}

	/* the framework's constraints */
	DdbConstraintsInit(&c);
	DdbCheckEnum(&c, rcc, "returnConsumedCapacity", return_capacity);
	DdbCheckEnum(&c, rcm, "returnItemCollectionMetrics", return_metrics);
	if (ri == NULL)
		DdbConstraintAdd(&c, NULL, "requestItems", "Member must not be null");
	else if (n == 0)
		DdbConstraintAdd(&c, "{}", "requestItems",
						 "Member must have length greater than or equal to 1");
	if (bad_names || bad_lengths)
	{
		char	   *echo = write_request_echo(tables, n);

		if (bad_names)
			DdbConstraintAdd(&c, echo, "requestItems", MAP_KEYS_RULE);
		if (bad_lengths)
			DdbConstraintAdd(&c, echo, "requestItems",
							 "Map value must satisfy constraint: [Member must have length less than or equal to 25, "
							 "Member must have length greater than or equal to 1]");
	}
	for (i = 0; i < n; i++)
	{
		for (r = 0; r < tables[i].nrequests; r++)
		{
			WriteRequest *wr = &tables[i].requests[r];

			if (wr->del && DdbReqMember(wr->del, "Key") == NULL)
				DdbConstraintAdd(&c, NULL,
								 psprintf("requestItems.%s.member.%d.member.deleteRequest.key",
										  tables[i].member->key, r + 1),
								 "Member must not be null");
			if (wr->put && DdbReqMember(wr->put, "Item") == NULL)
				DdbConstraintAdd(&c, NULL,
								 psprintf("requestItems.%s.member.%d.member.putRequest.item",
										  tables[i].member->key, r + 1),
								 "Member must not be null");
		}
	}
	DdbConstraintsRaise(&c);

	if (total > BATCH_WRITE_MAX_REQUESTS)
		ddb_validation_error("Too many items requested for the BatchWriteItem call");

	/* each request: exactly one of PutRequest / DeleteRequest, valid values */
	for (i = 0; i < n; i++)
	{
		WriteTable *wt = &tables[i];

		for (r = 0; r < wt->nrequests; r++)
			if ((wt->requests[r].put == NULL) == (wt->requests[r].del == NULL))
				ddb_validation_error("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
		for (r = 0; r < wt->nrequests; r++)
		{
			WriteRequest *wr = &wt->requests[r];

			if (wr->put != NULL)
			{
				wr->item = read_item(DdbReqMember(wr->put, "Item"));
				if (DdbItemSize(wr->item) > DDB_MAX_ITEM_SIZE)
					ddb_validation_error("Item size has exceeded the maximum allowed size");
			}
			else
				wr->keymap = read_item(DdbReqMember(wr->del, "Key"));
		}
	}

	*ntables = n;
	*mode = DdbCapacityModeFromString(rcc);
	return tables;
}

/* Canonical write order: table name, then key. */
static int
compare_write_requests(const void *a, const void *b)
{
	const WriteRequest *x = *(const WriteRequest *const *) a;
	const WriteRequest *y = *(const WriteRequest *const *) b;
	int			c = strcmp(x->table->name, y->table->name);

	if (c != 0)
		return c;
	return DdbKeyCompare(&x->key, &y->key);
}

/*
 * Perform one write; returns the write capacity units it consumed (only
 * computed when want_units, since that needs the old item).
 */
static double
perform_write(WriteRequest *wr, bool want_units)
{
	if (wr->item != NULL)
	{
		DdbWriteOp	op;

		if (!want_units)
		{
			/* one statement; an identical item is not rewritten */
			DdbAccessUpsert(wr->table, &wr->key, DdbItemToJsonb(wr->item),
							(int32) DdbItemSize(wr->item));
			return 0;
		}
		memset(&op, 0, sizeof(op));
		op.kind = DDB_WRITE_PUT;
		op.table = wr->table;
		op.key = wr->key;
		op.put_item = wr->item;
		DdbPerformWrite(&op);
		return DdbWriteOpUnits(&op);
	}
	else
	{
		Jsonb	   *old = NULL;
		int32		old_size = 0;

		DdbAccessDelete(wr->table, &wr->key, want_units ? &old : NULL, &old_size);
		return DdbWriteUnits(old_size);
	}
}

Jsonb *
DdbBatchWriteItem(JsonbContainer *req)
{
	DdbCapacityMode mode;
	int			n;
	WriteTable *tables = read_write_request(req, &n, &mode);
	int			i,
				r;
	int			total = 0;
	WriteRequest **order;
	JsonbParseState *ps = NULL;

	/* every table must exist before anything is written */
	for (i = 0; i < n; i++)
		tables[i].table = DdbTableLookup(tables[i].member->key, tables[i].member->keylen);

	/* keys, then duplicates within each table */
	for (i = 0; i < n; i++)
	{
		WriteTable *wt = &tables[i];
		DdbKey	  **ptrs = palloc(sizeof(DdbKey *) * wt->nrequests);

		for (r = 0; r < wt->nrequests; r++)
		{
			WriteRequest *wr = &wt->requests[r];

			wr->table = wt->table;
			if (wr->item != NULL)
				key_from_put_item(wt->table, wr->item, &wr->key);
			else
				key_from_keymap(wt->table, wr->keymap, &wr->key);
			ptrs[r] = &wr->key;
		}
		check_duplicates(ptrs, wt->nrequests);
		total += wt->nrequests;
	}

	order = palloc(sizeof(WriteRequest *) * Max(total, 1));
	total = 0;
	for (i = 0; i < n; i++)
		for (r = 0; r < tables[i].nrequests; r++)
			order[total++] = &tables[i].requests[r];
	qsort(order, total, sizeof(WriteRequest *), compare_write_requests);

	for (i = 0; i < total; i = r)
	{
		/* the run of requests of one table: order[i] .. order[r - 1] */
		bool		all_puts = true;
		int			j;

		for (r = i; r < total && order[r]->table == order[i]->table; r++)
			all_puts = all_puts && order[r]->item != NULL;

		if (all_puts && r - i > 1 && mode == DDB_CAPACITY_NONE)
		{
			/* one INSERT ... ON CONFLICT for them all, still in key order */
			DdbKey	   *keys = palloc(sizeof(DdbKey) * (r - i));
			Jsonb	  **items = palloc(sizeof(Jsonb *) * (r - i));
			int32	   *sizes = palloc(sizeof(int32) * (r - i));

			for (j = i; j < r; j++)
			{
				keys[j - i] = order[j]->key;
				items[j - i] = DdbItemToJsonb(order[j]->item);
				sizes[j - i] = (int32) DdbItemSize(order[j]->item);
			}
			DdbAccessUpsertMany(order[i]->table, r - i, keys, items, sizes);
			continue;
		}
		for (j = i; j < r; j++)
		{
			tables[order[j]->table_index].units +=
				perform_write(order[j], mode != DDB_CAPACITY_NONE);
			CHECK_FOR_INTERRUPTS();
		}
	}

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushKey(&ps, "UnprocessedItems");
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	if (mode != DDB_CAPACITY_NONE)
	{
		DdbPushKey(&ps, "ConsumedCapacity");
		pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
		for (i = 0; i < n; i++)
			DdbPushCapacity(&ps, mode, tables[i].table->name, tables[i].units, false);
		pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
	}
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}
