/*-------------------------------------------------------------------------
 *
 * transact.c
 *	  TransactGetItems and TransactWriteItems.
 *
 * TransactWriteItems checks the whole request first.  Problems with the
 * request itself (constraints, attribute values, expressions, a missing
 * table, an empty key value, two actions on one item) raise a plain
 * exception.  Problems of one action with its table's key schema cancel
 * the transaction: TransactionCanceledException with a ValidationError
 * reason for the first such action and None for every other one.
 *
 * Then every item is locked (SELECT ... FOR UPDATE) in a canonical order
 * -- table name, encoded partition key, encoded sort key -- whatever the
 * order of the request, so concurrent transactions over overlapping items
 * queue up behind each other instead of deadlocking.  Every condition is
 * evaluated on the locked committed items (no short-circuit: all failures
 * are reported), every surviving action computes the item it leaves
 * (errors of an update become ValidationError reasons), and only when no
 * action failed is anything written, again in canonical order.
 *
 * An item that did not exist has no row to lock.  If a concurrent
 * transaction inserts it before we do, our insert finds the key taken
 * (DdbWriteApply returns false): the attempt runs in a subtransaction,
 * which is rolled back -- releasing every lock it took -- and the whole
 * evaluation starts again, now seeing and locking the new row.  So the
 * outcome is always that of some serial order.  Under REPEATABLE READ or
 * SERIALIZABLE a conflicting concurrent write is PostgreSQL's
 * serialization failure instead.
 *
 * ClientRequestToken: tokens of successful transactions are kept for 10
 * minutes in ddb.transact_tokens together with a hash of the request.  The
 * token row is written in the same transaction as the items, so a repeat
 * of an identical request returns success without applying anything, a
 * different request with the same token gets
 * IdempotentParameterMismatchException, and a repeat arriving while the
 * first request is still running simply waits for it (on the token's
 * unique index) and then behaves as above -- ddb_emul never answers
 * TransactionInProgressException.  A cancelled transaction leaves no token.
 *
 * TransactGetItems reads every item in the snapshot of the calling
 * statement: a TransactWriteItems commits atomically, so it is seen either
 * entirely or not at all, and never blocks the read.
 *
 * src/transact.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/hashfn.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "access.h"
#include "capacity.h"
#include "catalog.h"
#include "expr.h"
#include "item_ops.h"
#include "ops.h"
#include "request.h"
#include "values.h"

#define TRANSACT_MAX_ACTIONS	100
#define TRANSACT_MAX_PAYLOAD	(4 * 1024 * 1024)
#define TOKEN_MAX_LENGTH		36

/* Package of DynamoDB's model classes, as named in framework messages. */
#define MODEL_CLASS(name) "com.amazonaws.dynamodb.v20120810." name

#define MSG_MULTIPLE_OPERATIONS \
	"Transaction request cannot include multiple operations on one item"

/*
 * DynamoDB's API reference describes the exception with this sentence;
 * the service's own message text is (unconfirmed).
 */
#define MSG_IDEMPOTENT_MISMATCH \
	"DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used."

static const char *const return_capacity[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const return_metrics[] = {"SIZE", "NONE", NULL};
static const char *const return_on_failure[] = {"ALL_OLD", "NONE", NULL};

/* ---------------------------------------------------------------------
 * Request helpers shared by both operations
 * ---------------------------------------------------------------------
 */

/*
 * DynamoDB's deserializer on a member that must be a structure of model
 * class cls (value_struct: a "ValueStruct", whose scalar error differs).
 */
static JsonbContainer *
expect_struct(JsonbValue *v, bool value_struct, const char *cls)
{
	if (v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data))
		return v->val.binary.data;
	if (v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data))
		ddb_error(DDB_EX_SERIALIZATION,
				  "Unrecognized collection type class " MODEL_CLASS("%s"), cls);
	ddb_error(DDB_EX_SERIALIZATION, value_struct ?
			  "Unexpected value type in payload" : "Unexpected field type");
}

/* ... and on a member that must be a list. */
static JsonbContainer *
expect_list(JsonbValue *v)
{
	if (v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data))
		return v->val.binary.data;
	if (v->type == jbvBinary)
		ddb_error(DDB_EX_SERIALIZATION,
				  "Start of structure or map found where not expected");
	ddb_error(DDB_EX_SERIALIZATION, "Unexpected field type");
}

/* Deserializer checks of an Item / Key member (absent is fine here). */
static void
check_item_member(JsonbContainer *obj, const char *member)
{
	JsonbValue *v = DdbReqMember(obj, member);
	DdbValueError err;

	if (v != NULL && !DdbItemCheckRequest(v, &err))
		DdbRaiseValueError(&err);
}

/*
 * The framework's echo of a list of structures, e.g.
 * "[com.amazonaws.dynamodb.v20120810.TransactGetItem@1a2b3c4d, ...]": Java
 * identities, for which ddb_emul uses a hash of each element's JSON text.
 */
static char *
list_echo(JsonbContainer *list, const char *cls)
{
	StringInfoData buf;
	int			n = JsonContainerSize(list);
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (i = 0; i < n; i++)
	{
		JsonbValue *v = getIthJsonbValueFromContainer(list, i);
		char	   *text;

		if (v->type == jbvBinary)
			text = JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
		else
			text = pstrdup(DdbJsonTokenName(v));
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfo(&buf, MODEL_CLASS("%s") "@%x", cls,
						 hash_bytes((const unsigned char *) text, strlen(text)));
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/* The 1..100 constraint on TransactItems. */
static void
check_item_count(DdbConstraints *c, JsonbContainer *list, const char *cls)
{
	int			n;

	if (list == NULL)
	{
		DdbConstraintAdd(c, NULL, "transactItems", "Member must not be null");
		return;
	}
	n = JsonContainerSize(list);
	if (n < 1)
		DdbConstraintAdd(c, "[]", "transactItems",
						 "Member must have length greater than or equal to 1");
	else if (n > TRANSACT_MAX_ACTIONS)
		DdbConstraintAdd(c, list_echo(list, cls), "transactItems",
						 "Member must have length less than or equal to 100");
}

/* Validate an Item / Key member (present: its constraint was checked). */
static DdbValue *
read_item(JsonbContainer *obj, const char *member)
{
	DdbValue   *v = DdbReadItemMember(obj, member);

	Assert(v != NULL);
	return v;
}

/*
 * Raise the write operations' error for an empty S or B value of a key
 * attribute of t in map (an item or a Key parameter).  DynamoDB checks this
 * with the request, before the transaction starts.
 */
static void
check_empty_key_values(DdbTable *t, const DdbValue *map)
{
	const DdbKeyAttr *attrs[2] = {&t->hash, t->has_range ? &t->range : NULL};
	int			i;

	for (i = 0; i < 2 && attrs[i] != NULL; i++)
	{
		const DdbValue *v = DdbMapGet(map, attrs[i]->name, attrs[i]->namelen);

		if (v != NULL && (v->type == DDB_S || v->type == DDB_B) && v->u.str.len == 0)
			ddb_validation_error("%s The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", DDB_MSG_PARAMS_NOT_VALID,
								 v->type == DDB_S ? "string" : "binary", attrs[i]->name);
	}
}

/*
 * Run fn(arg); return NULL, or the message of the ValidationException it
 * raised.  Only for code that does not touch the database (key checks,
 * computing an item): such an error leaves nothing behind to clean up, so
 * it is caught without a subtransaction.  Other errors propagate.
 */
static char *
catch_validation(void (*fn) (void *), void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	   *volatile message = NULL;

	PG_TRY();
	{
		fn(arg);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != DdbExceptionSqlstate(DDB_EX_VALIDATION))
		{
			FreeErrorData(edata);
			PG_RE_THROW();
		}
		FlushErrorState();
		message = edata->message;
	}
	PG_END_TRY();
	return message;
}

/* The canonical order of items: table name, partition key, sort key. */
static int
compare_items(const DdbTable *ta, const DdbKey *a, const DdbTable *tb, const DdbKey *b)
{
	int			c = strcmp(ta->name, tb->name);

	if (c != 0)
		return c;
	return DdbKeyCompare(a, b);
}

/*
 * ConsumedCapacity per table, in order of first appearance: tables[i] /
 * units[i] for n actions.
 */
static void
push_capacity_list(JsonbParseState **ps, DdbCapacityMode mode,
				   DdbTable **tables, double *units, int n, bool read)
{
	int			i,
				j;

	if (mode == DDB_CAPACITY_NONE)
		return;
	DdbPushKey(ps, "ConsumedCapacity");
	pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
	{
		double		sum = 0;

		for (j = 0; j < i; j++)
			if (tables[j] == tables[i])
				break;
		if (j < i)
			continue;			/* already reported */
		for (j = i; j < n; j++)
			if (tables[j] == tables[i])
				sum += units[j];
		DdbPushCapacity(ps, mode, tables[i]->name, sum, read);
	}
	pushJsonbValue(ps, WJB_END_ARRAY, NULL);
}

/* One cancellation reason: Code, optional Item and Message. */
typedef struct Reason
{
	const char *code;			/* NULL: "None" */
	const char *message;
	const DdbValue *item;
} Reason;

/*
 * Raise TransactionCanceledException with one reason per action, in
 * request order.
 */
static void
raise_cancelled(Reason *reasons, int n) pg_attribute_noreturn();

static void
raise_cancelled(Reason *reasons, int n)
{
	StringInfoData msg;
	StringInfoData extra;
	int			i;

	initStringInfo(&msg);
	initStringInfo(&extra);
	appendStringInfoString(&msg, "Transaction cancelled, please refer cancellation reasons for specific reasons [");
	appendStringInfoString(&extra, "\"CancellationReasons\":[");
	for (i = 0; i < n; i++)
	{
		Reason	   *r = &reasons[i];

		if (i > 0)
		{
			appendStringInfoString(&msg, ", ");
			appendStringInfoChar(&extra, ',');
		}
		appendStringInfoString(&msg, r->code ? r->code : "None");
		appendStringInfoString(&extra, "{\"Code\":");
		escape_json(&extra, r->code ? r->code : "None");
		if (r->item != NULL)
		{
			appendStringInfoString(&extra, ",\"Item\":");
			DdbItemAppendJson(&extra, r->item);
		}
		if (r->message != NULL)
		{
			appendStringInfoString(&extra, ",\"Message\":");
			escape_json(&extra, r->message);
		}
		appendStringInfoChar(&extra, '}');
	}
	appendStringInfoChar(&msg, ']');
	appendStringInfoChar(&extra, ']');
	ddb_error_extra(DDB_EX_TRANSACTION_CANCELED, msg.data, extra.data);
}

/* Cancel with a ValidationError for action bad and None for the others. */
static void
cancel_validation(int n, int bad, const char *message) pg_attribute_noreturn();

static void
cancel_validation(int n, int bad, const char *message)
{
	Reason	   *reasons = palloc0(sizeof(Reason) * n);

	reasons[bad].code = "ValidationError";
	reasons[bad].message = message;
	raise_cancelled(reasons, n);
}

/* ---------------------------------------------------------------------
 * TransactGetItems
 * ---------------------------------------------------------------------
 */

typedef struct GetAction
{
	JsonbContainer *get;
	char	   *table_name;
	int			table_name_len;
	DdbValue   *keymap;
	const DdbExpr *projection;
	DdbTable   *table;
	DdbKey		key;
} GetAction;

/* Arguments of a key check run under catch_validation. */
typedef struct KeyCheck
{
	DdbTable   *table;
	const DdbValue *map;
	bool		is_item;		/* a Put's Item rather than a Key */
	DdbKey	   *key;
} KeyCheck;

static void
key_check(void *arg)
{
	KeyCheck   *kc = (KeyCheck *) arg;

	if (kc->is_item)
		DdbKeyFromItem(kc->table, kc->map, kc->key);
	else
		DdbKeyFromParam(kc->table, kc->map, kc->key, true);
}

Jsonb *
DdbTransactGetItems(JsonbContainer *req)
{
	JsonbValue *ti = DdbReqMember(req, "TransactItems");
	char	   *rcc = DdbReqString(req, "ReturnConsumedCapacity", NULL);
	JsonbContainer *list = NULL;
	int			n = 0;
	int			i;
	GetAction  *actions;
	DdbConstraints c;
	DdbCapacityMode mode;
	DdbTable  **tables;
	double	   *units;
	JsonbParseState *ps = NULL;

	/* deserialization */
	if (ti != NULL)
	{
		list = expect_list(ti);
		n = JsonContainerSize(list);
	}
	actions = palloc0(sizeof(GetAction) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		JsonbContainer *entry = expect_struct(getIthJsonbValueFromContainer(list, i),
											  true, "TransactGetItem");
		JsonbValue *get = DdbReqMember(entry, "Get");

		if (get == NULL)
			continue;
		actions[i].get = expect_struct(get, false, "Get");
		actions[i].table_name = DdbReqString(actions[i].get, "TableName",
											 &actions[i].table_name_len);
		check_item_member(actions[i].get, "Key");
		(void) DdbReqString(actions[i].get, "ProjectionExpression", NULL);
	}

	/* the framework's constraints */
	DdbConstraintsInit(&c);
	DdbCheckEnum(&c, rcc, "returnConsumedCapacity", return_capacity);
	check_item_count(&c, list, "TransactGetItem");
	for (i = 0; i < n && n <= TRANSACT_MAX_ACTIONS; i++)
	{
		GetAction  *a = &actions[i];

		if (a->get == NULL)
		{
			DdbConstraintAdd(&c, NULL, psprintf("transactItems.%d.member.get", i + 1),
							 "Member must not be null");
			continue;
		}
		DdbCheckRequiredTableName(&c, a->table_name, a->table_name_len,
								  psprintf("transactItems.%d.member.get.tableName", i + 1));
		if (DdbReqMember(a->get, "Key") == NULL)
			DdbConstraintAdd(&c, NULL, psprintf("transactItems.%d.member.get.key", i + 1),
							 "Member must not be null");
	}
	DdbConstraintsRaise(&c);

	/* key values and expressions, per action */
	for (i = 0; i < n; i++)
	{
		GetAction  *a = &actions[i];
		JsonbValue *names = DdbReqMember(a->get, "ExpressionAttributeNames");
		int			projlen = 0;
		char	   *proj = DdbReqString(a->get, "ProjectionExpression", &projlen);
		DdbExprRequest *er;

		a->keymap = read_item(a->get, "Key");
		er = DdbExprBegin(names, NULL, proj != NULL, false, NULL);
		if (proj != NULL)
			a->projection = DdbExprParse(er, DDB_EXPR_PROJECTION, proj, projlen);
		DdbExprEnd(er);
	}

	/* tables, empty key values, then each action's key */
	for (i = 0; i < n; i++)
		actions[i].table = DdbTableLookup(actions[i].table_name, actions[i].table_name_len);
	for (i = 0; i < n; i++)
		check_empty_key_values(actions[i].table, actions[i].keymap);
	for (i = 0; i < n; i++)
	{
		KeyCheck	kc = {actions[i].table, actions[i].keymap, false, &actions[i].key};
		char	   *msg = catch_validation(key_check, &kc);

		if (msg != NULL)
			cancel_validation(n, i, msg);
	}

	/*
	 * Read everything in the snapshot of the calling statement (read-only
	 * SPI keeps it), so the items are seen as of one moment.
	 */
	mode = DdbCapacityModeFromString(rcc);
	tables = palloc(sizeof(DdbTable *) * n);
	units = palloc(sizeof(double) * n);
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushKey(&ps, "Responses");
	pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
	{
		GetAction  *a = &actions[i];
		int32		size = 0;
		Jsonb	   *item = DdbAccessGet(a->table, &a->key, false, &size);

		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		if (item != NULL)
		{
			if (a->projection == NULL)
				DdbPushJsonb(&ps, "Item", item);
			else
			{
				DdbPushKey(&ps, "Item");
				DdbItemPush(&ps, DdbExprProject(a->projection, DdbItemFromJsonb(item)));
			}
		}
		pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
		tables[i] = a->table;
		/* transactional reads cost double; a missing item still costs */
		units[i] = 2 * DdbReadUnits(size, true);
	}
	pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
	push_capacity_list(&ps, mode, tables, units, n, true);
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

/* ---------------------------------------------------------------------
 * ClientRequestToken
 * ---------------------------------------------------------------------
 */

static SPIPlanPtr token_claim_plan = NULL;
static SPIPlanPtr token_check_plan = NULL;
static SPIPlanPtr token_cleanup_plan = NULL;

static SPIPlanPtr
token_plan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes)
{
	if (*slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare(\"%s\") failed: %s", sql,
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*slot = plan;
	}
	return *slot;
}

/* SHA-256 of the request's canonical JSON text. */
static bytea *
request_hash(JsonbContainer *req)
{
	char	   *text = JsonbToCString(NULL, req, 1024);
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	bytea	   *result = palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) text, strlen(text)) < 0 ||
		pg_cryptohash_final(ctx, (uint8 *) VARDATA(result), PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute SHA-256 hash: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	SET_VARSIZE(result, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
	pfree(text);
	return result;
}

/*
 * Take the token for this request.  Returns false when it is ours (new,
 * or its previous use has expired): go ahead.  Returns true when an
 * identical request already completed with it: answer without applying
 * anything.  Raises IdempotentParameterMismatchException when it was used
 * for a different request.  Waits while another transaction holding the
 * token is in progress.
 */
static bool
claim_token(const char *token, int len, bytea *hash)
{
	Oid			argtypes[2] = {TEXTOID, BYTEAOID};
	Datum		args[2];
	int			ret;

	/* forget a few expired tokens, skipping any somebody is using */
	ret = SPI_execute_plan(token_plan(&token_cleanup_plan,
									  "DELETE FROM ddb.transact_tokens WHERE token IN"
									  " (SELECT token FROM ddb.transact_tokens"
									  " WHERE used_at < clock_timestamp() - interval '10 minutes'"
									  " ORDER BY used_at LIMIT 100 FOR UPDATE SKIP LOCKED)",
									  0, NULL),
						   NULL, NULL, false, 0);
	if (ret != SPI_OK_DELETE)
		elog(ERROR, "token cleanup failed: %s", SPI_result_code_string(ret));

	args[0] = PointerGetDatum(cstring_to_text_with_len(token, len));
	args[1] = PointerGetDatum(hash);
	for (;;)
	{
		bool		isnull;
		bool		same;

		/*
		 * A fresh row is ours.  An existing one is locked by ON CONFLICT
		 * (after waiting for its transaction) and replaced only if expired.
		 */
		ret = SPI_execute_plan(token_plan(&token_claim_plan,
										  "INSERT INTO ddb.transact_tokens AS t (token, request_hash, used_at)"
										  " VALUES ($1, $2, clock_timestamp())"
										  " ON CONFLICT (token) DO UPDATE"
										  " SET request_hash = EXCLUDED.request_hash, used_at = EXCLUDED.used_at"
										  " WHERE t.used_at < clock_timestamp() - interval '10 minutes'"
										  " RETURNING true",
										  2, argtypes),
							   args, NULL, false, 0);
		if (ret != SPI_OK_INSERT_RETURNING)
			elog(ERROR, "token claim failed: %s", SPI_result_code_string(ret));
		if (SPI_processed > 0)
			return false;

		ret = SPI_execute_plan(token_plan(&token_check_plan,
										  "SELECT request_hash = $2 FROM ddb.transact_tokens WHERE token = $1",
										  2, argtypes),
							   args, NULL, false, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "token check failed: %s", SPI_result_code_string(ret));
		if (SPI_processed == 0)
		{
			/* gone meanwhile: claim it again */
			CHECK_FOR_INTERRUPTS();
			continue;
		}
		same = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull));
		SPI_freetuptable(SPI_tuptable);
		if (!same)
			ddb_error(DDB_EX_IDEMPOTENT_PARAMETER_MISMATCH, MSG_IDEMPOTENT_MISMATCH);
		return true;
	}
}

/* ---------------------------------------------------------------------
 * TransactWriteItems
 * ---------------------------------------------------------------------
 */

/* The four kinds of action, in DynamoDB's order of members. */
typedef struct ActionKind
{
	const char *member;			/* in the request: "ConditionCheck" */
	const char *path;			/* in constraint messages: "conditionCheck" */
	DdbWriteKind kind;
} ActionKind;

static const ActionKind action_kinds[] = {
	{"ConditionCheck", "conditionCheck", DDB_WRITE_CHECK},
	{"Delete", "delete", DDB_WRITE_DELETE},
	{"Put", "put", DDB_WRITE_PUT},
	{"Update", "update", DDB_WRITE_UPDATE},
};

typedef struct WriteAction
{
	int			index;			/* position in TransactItems */
	int			nkinds;
	const ActionKind *kind;
	JsonbContainer *body;		/* the Put / Update / ... object */
	char	   *table_name;
	int			table_name_len;
	char	   *return_on_failure;
	DdbValue   *map;			/* Put: Item; others: Key */
	DdbWriteOp	op;
	bool		key_ok;
	Reason		reason;			/* of the current attempt */
} WriteAction;

static int
compare_write_actions(const void *a, const void *b)
{
	const WriteAction *x = *(const WriteAction *const *) a;
	const WriteAction *y = *(const WriteAction *const *) b;

	return compare_items(x->op.table, &x->op.key, y->op.table, &y->op.key);
}

/* Deserialize, constraint-check and validate the request's parts. */
static WriteAction *
read_write_request(JsonbContainer *req, int *nactions, char **token, int *token_len,
				   DdbCapacityMode *mode)
{
	JsonbValue *ti = DdbReqMember(req, "TransactItems");
	char	   *rcc = DdbReqString(req, "ReturnConsumedCapacity", NULL);
	char	   *rcm = DdbReqString(req, "ReturnItemCollectionMetrics", NULL);
	int			tlen = 0;
	char	   *tok = DdbReqString(req, "ClientRequestToken", &tlen);
	JsonbContainer *list = NULL;
	int			n = 0;
	int			i,
				k;
	WriteAction *actions;
	DdbConstraints c;
	int64		payload;

	/* deserialization */
	if (ti != NULL)
	{
		list = expect_list(ti);
		n = JsonContainerSize(list);
	}
	actions = palloc0(sizeof(WriteAction) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		WriteAction *a = &actions[i];
		JsonbContainer *entry = expect_struct(getIthJsonbValueFromContainer(list, i),
											  true, "TransactWriteItem");

		a->index = i;
		for (k = 0; k < (int) lengthof(action_kinds); k++)
		{
			JsonbValue *v = DdbReqMember(entry, action_kinds[k].member);
			JsonbContainer *body;

			if (v == NULL)
				continue;
			body = expect_struct(v, false, action_kinds[k].member);
			(void) DdbReqString(body, "TableName", NULL);
			check_item_member(body, action_kinds[k].kind == DDB_WRITE_PUT ? "Item" : "Key");
			(void) DdbReqString(body, "ConditionExpression", NULL);
			(void) DdbReqString(body, "UpdateExpression", NULL);
			(void) DdbReqString(body, "ReturnValuesOnConditionCheckFailure", NULL);
			if (a->nkinds++ == 0)
			{
				a->kind = &action_kinds[k];
				a->body = body;
			}
		}
	}

	/* the framework's constraints */
	DdbConstraintsInit(&c);
	DdbCheckEnum(&c, rcc, "returnConsumedCapacity", return_capacity);
	DdbCheckEnum(&c, rcm, "returnItemCollectionMetrics", return_metrics);
	if (tok != NULL)
	{
		int			chars = pg_mbstrlen_with_len(tok, tlen);

		if (chars < 1)
			DdbConstraintAdd(&c, tok, "clientRequestToken",
							 "Member must have length greater than or equal to 1");
		else if (chars > TOKEN_MAX_LENGTH)
			DdbConstraintAdd(&c, tok, "clientRequestToken",
							 "Member must have length less than or equal to 36");
	}
	check_item_count(&c, list, "TransactWriteItem");
	for (i = 0; i < n && n <= TRANSACT_MAX_ACTIONS; i++)
	{
		JsonbContainer *entry = getIthJsonbValueFromContainer(list, i)->val.binary.data;

		for (k = 0; k < (int) lengthof(action_kinds); k++)
		{
			const ActionKind *ak = &action_kinds[k];
			JsonbValue *v = DdbReqMember(entry, ak->member);
			JsonbContainer *body;
			int			len = 0;
			char	   *name;
			char	   *prefix = psprintf("transactItems.%d.member.%s", i + 1, ak->path);

			if (v == NULL)
				continue;
			body = v->val.binary.data;
			name = DdbReqString(body, "TableName", &len);
			DdbCheckRequiredTableName(&c, name, len, psprintf("%s.tableName", prefix));
			if (ak->kind == DDB_WRITE_PUT && DdbReqMember(body, "Item") == NULL)
				DdbConstraintAdd(&c, NULL, psprintf("%s.item", prefix), "Member must not be null");
			if (ak->kind != DDB_WRITE_PUT && DdbReqMember(body, "Key") == NULL)
				DdbConstraintAdd(&c, NULL, psprintf("%s.key", prefix), "Member must not be null");
			if (ak->kind == DDB_WRITE_UPDATE && DdbReqMember(body, "UpdateExpression") == NULL)
				DdbConstraintAdd(&c, NULL, psprintf("%s.updateExpression", prefix),
								 "Member must not be null");
			if (ak->kind == DDB_WRITE_CHECK && DdbReqMember(body, "ConditionExpression") == NULL)
				DdbConstraintAdd(&c, NULL, psprintf("%s.conditionExpression", prefix),
								 "Member must not be null");
			DdbCheckEnum(&c, DdbReqString(body, "ReturnValuesOnConditionCheckFailure", NULL),
						 psprintf("%s.returnValuesOnConditionCheckFailure", prefix),
						 return_on_failure);
		}
	}
	DdbConstraintsRaise(&c);

	/* exactly one kind per entry */
	for (i = 0; i < n; i++)
	{
		if (actions[i].nkinds == 0)
			ddb_validation_error("Invalid Request: TransactWriteRequest should contain Delete or Put or Update request");
		if (actions[i].nkinds > 1)
			ddb_validation_error("TransactItems can only contain one of Check, Put, Update or Delete");
	}

	/* attribute values, item size and expressions, per action */
	for (i = 0; i < n; i++)
	{
		WriteAction *a = &actions[i];
		DdbWriteOp *op = &a->op;
		JsonbValue *names = DdbReqMember(a->body, "ExpressionAttributeNames");
		JsonbValue *values = DdbReqMember(a->body, "ExpressionAttributeValues");
		int			condlen = 0,
					updlen = 0;
		char	   *cond = DdbReqString(a->body, "ConditionExpression", &condlen);
		char	   *upd = DdbReqString(a->body, "UpdateExpression", &updlen);
		DdbExprRequest *er;

		a->table_name = DdbReqString(a->body, "TableName", &a->table_name_len);
		a->return_on_failure = DdbReqString(a->body, "ReturnValuesOnConditionCheckFailure", NULL);
		op->kind = a->kind->kind;
		if (op->kind == DDB_WRITE_PUT)
		{
			a->map = read_item(a->body, "Item");
			if (DdbItemSize(a->map) > DDB_MAX_ITEM_SIZE)
				ddb_validation_error("Item size has exceeded the maximum allowed size");
			op->put_item = a->map;
		}
		else
			a->map = read_item(a->body, "Key");
		if (op->kind == DDB_WRITE_UPDATE)
		{
			er = DdbExprBegin(names, values, true, true,
							  "UpdateExpression and ConditionExpression are null");
			op->update = DdbExprParse(er, DDB_EXPR_UPDATE, upd, updlen);
		}
		else
			er = DdbExprBegin(names, values, cond != NULL, cond != NULL,
							  "ConditionExpression is null");
		if (cond != NULL)
			op->condition = DdbExprParse(er, DDB_EXPR_CONDITION, cond, condlen);
		DdbExprEnd(er);
		op->key_item = a->map;
		op->return_item_on_failure = a->return_on_failure != NULL &&
			strcmp(a->return_on_failure, "ALL_OLD") == 0;
	}

	/*
	 * The items and keys of a transaction total at most 4 MB (the items it
	 * deletes or updates do not count).  DynamoDB's message repeats itself
	 * like this in the reports we know of (unconfirmed).
	 */
	payload = 0;
	for (i = 0; i < n; i++)
		payload += DdbItemSize(actions[i].map);
	if (payload > TRANSACT_MAX_PAYLOAD)
		ddb_validation_error("Transaction payload size cannot exceed 4MB. Payload Size: : Transaction payload size cannot exceed 4MB. Payload Size: " INT64_FORMAT,
							 payload);

	*nactions = n;
	*token = tok;
	*token_len = tlen;
	*mode = DdbCapacityModeFromString(rcc);
	return actions;
}

/* Arguments of DdbWriteCompute under catch_validation. */
static void
compute_item(void *arg)
{
	DdbWriteCompute((DdbWriteOp *) arg);
}

/*
 * One attempt at the transaction, inside a subtransaction: lock every item
 * in canonical order, evaluate every condition, compute every item, and
 * write them all unless an action failed.  Returns true when done, false
 * when a concurrent insert took a key we were to create (the caller rolls
 * back and tries again); *failed says whether some action failed (its
 * reason is set).
 */
static bool
attempt(WriteAction **sorted, int n, bool *failed)
{
	int			i;

	*failed = false;
	for (i = 0; i < n; i++)
	{
		sorted[i]->reason.code = NULL;
		sorted[i]->reason.message = NULL;
		sorted[i]->reason.item = NULL;
		DdbWriteLock(&sorted[i]->op);
	}

	/* every condition, no short-circuit */
	for (i = 0; i < n; i++)
	{
		WriteAction *a = sorted[i];

		if (!DdbWriteConditionHolds(&a->op))
		{
			a->reason.code = "ConditionalCheckFailed";
			a->reason.message = DDB_MSG_CONDITIONAL_FAILED;
			if (a->op.return_item_on_failure)
				a->reason.item = a->op.old_item;
			*failed = true;
		}
	}

	/* the items the surviving actions leave; their errors are reasons */
	for (i = 0; i < n; i++)
	{
		WriteAction *a = sorted[i];
		char	   *msg;

		if (a->reason.code != NULL)
			continue;
		msg = catch_validation(compute_item, &a->op);
		if (msg != NULL)
		{
			a->reason.code = "ValidationError";
			a->reason.message = msg;
			*failed = true;
		}
	}
	if (*failed)
		return true;

	for (i = 0; i < n; i++)
	{
		if (!DdbWriteApply(&sorted[i]->op))
			return false;
		CHECK_FOR_INTERRUPTS();
	}
	return true;
}

/*
 * Run the transaction's attempts until one completes; raise the
 * cancellation when an action fails.
 */
static void
execute_actions(WriteAction *actions, int n)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	WriteAction **sorted = palloc(sizeof(WriteAction *) * n);
	int			i;

	for (i = 0; i < n; i++)
		sorted[i] = &actions[i];
	qsort(sorted, n, sizeof(WriteAction *), compare_write_actions);

	for (;;)
	{
		bool		done = false;
		bool		failed = false;

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		PG_TRY();
		{
			done = attempt(sorted, n, &failed);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(cxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
			ReThrowError(edata);
		}
		PG_END_TRY();

		if (done && !failed)
		{
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
			return;
		}

		/* undo this attempt, releasing its locks */
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (failed)
		{
			Reason	   *reasons = palloc(sizeof(Reason) * n);

			for (i = 0; i < n; i++)
				reasons[i] = actions[i].reason;
			raise_cancelled(reasons, n);
		}
		CHECK_FOR_INTERRUPTS();
	}
}

Jsonb *
DdbTransactWriteItems(JsonbContainer *req)
{
	int			n;
	char	   *token;
	int			token_len;
	DdbCapacityMode mode;
	WriteAction *actions = read_write_request(req, &n, &token, &token_len, &mode);
	WriteAction **sorted;
	int			i;
	int			bad = -1;
	char	   *bad_message = NULL;
	bool		replay = false;
	DdbTable  **tables;
	double	   *units;
	JsonbParseState *ps = NULL;

	/* every table exists; no key value is empty */
	for (i = 0; i < n; i++)
		actions[i].op.table = DdbTableLookup(actions[i].table_name, actions[i].table_name_len);
	for (i = 0; i < n; i++)
		check_empty_key_values(actions[i].op.table, actions[i].map);

	/* each action's key against its table's schema; the first error cancels */
	for (i = 0; i < n; i++)
	{
		WriteAction *a = &actions[i];
		KeyCheck	kc = {a->op.table, a->map, a->op.kind == DDB_WRITE_PUT, &a->op.key};
		char	   *msg = catch_validation(key_check, &kc);

		a->key_ok = (msg == NULL);
		if (msg != NULL && bad < 0)
		{
			bad = i;
			bad_message = msg;
		}
	}

	/* an item at most once (among the valid keys) */
	sorted = palloc(sizeof(WriteAction *) * Max(n, 1));
	{
		int			m = 0;

		for (i = 0; i < n; i++)
			if (actions[i].key_ok)
				sorted[m++] = &actions[i];
		qsort(sorted, m, sizeof(WriteAction *), compare_write_actions);
		for (i = 1; i < m; i++)
			if (compare_write_actions(&sorted[i - 1], &sorted[i]) == 0)
				ddb_validation_error(MSG_MULTIPLE_OPERATIONS);
	}
	if (bad >= 0)
		cancel_validation(n, bad, bad_message);

	if (token != NULL)
		replay = claim_token(token, token_len, request_hash(req));

	tables = palloc(sizeof(DdbTable *) * n);
	units = palloc(sizeof(double) * n);
	if (!replay)
	{
		execute_actions(actions, n);
		/* transactional writes cost double */
		for (i = 0; i < n; i++)
		{
			tables[i] = actions[i].op.table;
			units[i] = 2 * DdbWriteOpUnits(&actions[i].op);
		}
	}
	else
	{
		/* a repeat is billed as transactional reads of the items */
		for (i = 0; i < n; i++)
		{
			int32		size = 0;

			if (mode != DDB_CAPACITY_NONE)
				(void) DdbAccessGet(actions[i].op.table, &actions[i].op.key, false, &size);
			tables[i] = actions[i].op.table;
			units[i] = 2 * DdbReadUnits(size, true);
		}
	}

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	push_capacity_list(&ps, mode, tables, units, n, replay);
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}
