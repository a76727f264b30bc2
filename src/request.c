/*-------------------------------------------------------------------------
 *
 * request.c
 *	  The request layer: ddb.execute(), the per-action SQL functions, and
 *	  helpers to read request members and build response bodies.
 *
 * Every action runs through DdbRunAction: one private memory context and
 * one SPI connection per call, both gone when the call returns.
 *
 * src/request.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "catalog.h"
#include "ops.h"
#include "request.h"
#include "streams.h"

/* ---------------------------------------------------------------------
 * Reading request members
 * ---------------------------------------------------------------------
 */

JsonbValue *
DdbReqMember(JsonbContainer *obj, const char *key)
{
	JsonbValue *v;

	if (obj == NULL)
		return NULL;
	v = getKeyJsonValueFromContainer(obj, key, strlen(key), NULL);
	if (v != NULL && v->type == jbvNull)
		return NULL;
	return v;
}

/*
 * The token name DynamoDB's deserializer reports for a JSON value of the
 * wrong kind, as in "NUMBER_VALUE cannot be converted to String".
 */
const char *
DdbJsonTokenName(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "NULL_VALUE";
		case jbvString:
			return "STRING_VALUE";
		case jbvNumeric:
			return "NUMBER_VALUE";
		case jbvBool:
			return v->val.boolean ? "TRUE_VALUE" : "FALSE_VALUE";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ?
				"START_ARRAY" : "START_OBJECT";
		case jbvArray:
			return "START_ARRAY";
		case jbvObject:
			return "START_OBJECT";
		default:
			return "VALUE";
	}
}

static void
serialization_error(JsonbValue *v, const char *type)
{
	ddb_error(DDB_EX_SERIALIZATION, "%s cannot be converted to %s",
			  DdbJsonTokenName(v), type);
}

char *
DdbJsonString(JsonbValue *v, const char *what, int *len)
{
	if (v->type != jbvString)
		serialization_error(v, "String");
	if (len)
		*len = v->val.string.len;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

JsonbContainer *
DdbJsonObject(JsonbValue *v, const char *what)
{
	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		serialization_error(v, what);
	return v->val.binary.data;
}

char *
DdbReqString(JsonbContainer *obj, const char *key, int *len)
{
	JsonbValue *v = DdbReqMember(obj, key);

	if (v == NULL)
		return NULL;
	return DdbJsonString(v, key, len);
}

bool
DdbReqBool(JsonbContainer *obj, const char *key, bool *out)
{
	JsonbValue *v = DdbReqMember(obj, key);

	if (v == NULL)
		return false;
	if (v->type != jbvBool)
		serialization_error(v, "Boolean");
	*out = v->val.boolean;
	return true;
}

bool
DdbReqInt64(JsonbContainer *obj, const char *key, int64 *out)
{
	JsonbValue *v = DdbReqMember(obj, key);
	char	   *text;
	char	   *end;
	long long	val;

	if (v == NULL)
		return false;
	if (v->type != jbvNumeric)
		serialization_error(v, "Long");
	text = DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(v->val.numeric)));
	/* Fractions are truncated, as Java's deserializer does. */
	errno = 0;
	val = strtoll(text, &end, 10);
	if (errno == ERANGE || (*end != '\0' && *end != '.'))
		ddb_error(DDB_EX_SERIALIZATION, "NUMBER_VALUE cannot be converted to Long");
	*out = (int64) val;
	return true;
}

JsonbContainer *
DdbReqObject(JsonbContainer *obj, const char *key)
{
	JsonbValue *v = DdbReqMember(obj, key);

	if (v == NULL)
		return NULL;
	return DdbJsonObject(v, "Map");
}

JsonbContainer *
DdbReqArray(JsonbContainer *obj, const char *key)
{
	JsonbValue *v = DdbReqMember(obj, key);

	if (v == NULL)
		return NULL;
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		serialization_error(v, "List");
	return v->val.binary.data;
}

/* ---------------------------------------------------------------------
 * Constraint errors
 * ---------------------------------------------------------------------
 */

void
DdbConstraintsInit(DdbConstraints *c)
{
	c->count = 0;
	initStringInfo(&c->buf);
}

void
DdbConstraintAdd(DdbConstraints *c, const char *value, const char *path,
				 const char *rule)
{
	c->count++;
	if (c->count > 10)
		return;
	if (c->count > 1)
		appendStringInfoString(&c->buf, "; ");
	if (value == NULL)
		appendStringInfo(&c->buf, "Value null at '%s' failed to satisfy constraint: %s",
						 path, rule);
	else
		appendStringInfo(&c->buf, "Value '%s' at '%s' failed to satisfy constraint: %s",
						 value, path, rule);
}

void
DdbConstraintsRaise(DdbConstraints *c)
{
	int			n = Min(c->count, 10);

	if (c->count == 0)
		return;
	ddb_validation_error("%d validation error%s detected: %s",
						 n, n == 1 ? "" : "s", c->buf.data);
}

/*
 * A table name must be present, 3..255 characters of [a-zA-Z0-9_.-].
 */
void
DdbCheckRequiredTableName(DdbConstraints *c, const char *name, int len,
						  const char *path)
{
	int			i;

	if (name == NULL)
	{
		DdbConstraintAdd(c, NULL, path, "Member must not be null");
		return;
	}
	for (i = 0; i < len; i++)
	{
		char		ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
		{
			DdbConstraintAdd(c, name, path,
							 "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
			break;
		}
	}
	if (len < 3)
		DdbConstraintAdd(c, name, path,
						 "Member must have length greater than or equal to 3");
	if (len > 255)
		DdbConstraintAdd(c, name, path,
						 "Member must have length less than or equal to 255");
}

/* value (if not NULL) must be one of allowed (NULL-terminated). */
void
DdbCheckEnum(DdbConstraints *c, const char *value, const char *path,
			 const char *const *allowed)
{
	StringInfoData rule;
	int			i;

	if (value == NULL)
		return;
	for (i = 0; allowed[i] != NULL; i++)
		if (strcmp(value, allowed[i]) == 0)
			return;
	initStringInfo(&rule);
	appendStringInfoString(&rule, "Member must satisfy enum value set: [");
	for (i = 0; allowed[i] != NULL; i++)
		appendStringInfo(&rule, "%s%s", i ? ", " : "", allowed[i]);
	appendStringInfoChar(&rule, ']');
	DdbConstraintAdd(c, value, path, rule.data);
}

/* ---------------------------------------------------------------------
 * Building responses
 * ---------------------------------------------------------------------
 */

void
DdbPushKey(JsonbParseState **ps, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(ps, WJB_KEY, &k);
}

/* Push a scalar either as an object member (key != NULL) or an element. */
static void
push_scalar(JsonbParseState **ps, const char *key, JsonbValue *v)
{
	if (key != NULL)
	{
		DdbPushKey(ps, key);
		pushJsonbValue(ps, WJB_VALUE, v);
	}
	else
		pushJsonbValue(ps, WJB_ELEM, v);
}

void
DdbPushStringValue(JsonbParseState **ps, const char *key, const char *val, int len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) val;
	v.val.string.len = len;
	push_scalar(ps, key, &v);
}

void
DdbPushCString(JsonbParseState **ps, const char *key, const char *val)
{
	DdbPushStringValue(ps, key, val, strlen(val));
}

void
DdbPushInt64(JsonbParseState **ps, const char *key, int64 val)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(val)));
	push_scalar(ps, key, &v);
}

void
DdbPushNumeric(JsonbParseState **ps, const char *key, Datum numeric)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(numeric);
	push_scalar(ps, key, &v);
}

void
DdbPushBool(JsonbParseState **ps, const char *key, bool val)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = val;
	push_scalar(ps, key, &v);
}

void
DdbPushJsonb(JsonbParseState **ps, const char *key, Jsonb *j)
{
	JsonbValue	v;

	v.type = jbvBinary;
	v.val.binary.data = &j->root;
	v.val.binary.len = VARSIZE(j) - VARHDRSZ;
	push_scalar(ps, key, &v);
}

/*
 * {key: value} for a stored object or array value, built by copying the
 * value's container into place instead of unpacking and re-encoding it
 * (what pushJsonbValue would do).  The layout is jsonb's: the object
 * header, the key's JEntry (an end offset, as the first entry of every
 * stride), the value's JEntry (its length including the padding that
 * aligns it), the key's bytes, the padding, the container.
 */
Jsonb *
DdbJsonbSingleMember(const char *key, const Jsonb *value)
{
	int			keylen = strlen(key);
	Size		keyoff = VARHDRSZ + sizeof(uint32) + 2 * sizeof(JEntry);
	Size		valoff = INTALIGN(keyoff + keylen);
	Size		clen = VARSIZE(value) - VARHDRSZ;
	Jsonb	   *out;

	Assert(!JB_ROOT_IS_SCALAR(value));
	out = palloc0(valoff + clen);
	SET_VARSIZE(out, valoff + clen);
	out->root.header = 1 | JB_FOBJECT;
	out->root.children[0] = JENTRY_ISSTRING | JENTRY_HAS_OFF | keylen;
	out->root.children[1] = JENTRY_ISCONTAINER | ((valoff - keyoff - keylen) + clen);
	memcpy((char *) out + keyoff, key, keylen);
	memcpy((char *) out + valoff, &value->root, clen);
	return out;
}

/* Append len zero bytes so that buf->len is a multiple of 4; returns len. */
static int
pad_to_int(StringInfo buf)
{
	int			pad = INTALIGN(buf->len) - buf->len;

	if (pad > 0)
		appendBinaryStringInfo(buf, "\0\0\0", pad);
	return pad;
}

/* Write jentry number i of the container whose header is at hdr. */
static void
set_jentry(StringInfo buf, int hdr, int i, JEntry e)
{
	memcpy(buf->data + hdr + sizeof(uint32) + i * sizeof(JEntry), &e, sizeof(JEntry));
}

/*
 * The JEntry of child i given its type bits, its length and the end offset
 * of its data: every JB_OFFSET_STRIDE-th child stores the offset.
 */
static JEntry
child_jentry(int i, JEntry type, uint32 len, uint32 end)
{
	if (i % JB_OFFSET_STRIDE == 0)
		return type | JENTRY_HAS_OFF | end;
	return type | len;
}

/* Append a part's value; returns its JEntry type bits, *len its length. */
static JEntry
append_part(StringInfo buf, const DdbJsonbPart *p, uint32 *len)
{
	int			pad = pad_to_int(buf);

	if (p->container != NULL)
	{
		appendBinaryStringInfo(buf, (const char *) p->container, p->container_len);
		*len = pad + p->container_len;
		return JENTRY_ISCONTAINER;
	}
	appendBinaryStringInfo(buf, (const char *) p->numeric, VARSIZE_ANY(p->numeric));
	*len = pad + VARSIZE_ANY(p->numeric);
	return JENTRY_ISNUMERIC;
}

static int
part_cmp(const void *a, const void *b)
{
	const DdbJsonbPart *x = (const DdbJsonbPart *) a;
	const DdbJsonbPart *y = (const DdbJsonbPart *) b;
	int			xl = strlen(x->key);
	int			yl = strlen(y->key);

	if (xl != yl)
		return xl - yl;
	return memcmp(x->key, y->key, xl);
}

/*
 * Assemble a jsonb object of n members whose values are stored containers
 * (copied as they are, not re-encoded) or numerics.  Keys must be distinct;
 * they are put in jsonb's order (shorter first, then bytewise).
 */
Jsonb *
DdbJsonbAssembleObject(DdbJsonbPart *parts, int n)
{
	StringInfoData buf;
	int			hdr;
	uint32		header = n | JB_FOBJECT;
	uint32		total = 0;
	int			i;

	qsort(parts, n, sizeof(DdbJsonbPart), part_cmp);
	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	hdr = buf.len;
	appendBinaryStringInfo(&buf, (const char *) &header, sizeof(uint32));
	appendStringInfoSpaces(&buf, 2 * n * sizeof(JEntry));
	for (i = 0; i < n; i++)
	{
		uint32		len = strlen(parts[i].key);

		appendBinaryStringInfo(&buf, parts[i].key, len);
		total += len;
		set_jentry(&buf, hdr, i, child_jentry(i, JENTRY_ISSTRING, len, total));
	}
	for (i = 0; i < n; i++)
	{
		uint32		len;
		JEntry		type = append_part(&buf, &parts[i], &len);

		total += len;
		set_jentry(&buf, hdr, n + i, child_jentry(n + i, type, len, total));
	}
	SET_VARSIZE(buf.data, buf.len);
	return (Jsonb *) buf.data;
}

/* Assemble a jsonb array of n stored objects/arrays, copied as they are. */
Jsonb *
DdbJsonbAssembleArray(Jsonb **elems, int n)
{
	StringInfoData buf;
	int			hdr;
	uint32		header = n | JB_FARRAY;
	uint32		total = 0;
	int			i;

	initStringInfo(&buf);
	appendStringInfoSpaces(&buf, VARHDRSZ);
	hdr = buf.len;
	appendBinaryStringInfo(&buf, (const char *) &header, sizeof(uint32));
	appendStringInfoSpaces(&buf, n * sizeof(JEntry));
	for (i = 0; i < n; i++)
	{
		DdbJsonbPart p = {NULL, &elems[i]->root, VARSIZE(elems[i]) - VARHDRSZ, NULL};
		uint32		len;
		JEntry		type;

		Assert(!JB_ROOT_IS_SCALAR(elems[i]));
		type = append_part(&buf, &p, &len);
		total += len;
		set_jentry(&buf, hdr, i, child_jentry(i, type, len, total));
	}
	SET_VARSIZE(buf.data, buf.len);
	return (Jsonb *) buf.data;
}

Jsonb *
DdbEmptyObject(void)
{
	JsonbParseState *ps = NULL;
	JsonbValue *res;

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	res = pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/* ---------------------------------------------------------------------
 * Running actions
 * ---------------------------------------------------------------------
 */

Jsonb *
DdbRunAction(DdbActionHandler handler, Jsonb *request)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext callcxt;
	Jsonb	   *result;
	Jsonb	   *copy;

	if (!JB_ROOT_IS_OBJECT(request) || JB_ROOT_IS_SCALAR(request))
		ddb_error(DDB_EX_SERIALIZATION,
				  "Start of structure or map found where not expected");

	callcxt = AllocSetContextCreate(caller, "ddb_emul call",
									ALLOCSET_DEFAULT_SIZES);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(callcxt);

	result = handler(&request->root);

	MemoryContextSwitchTo(caller);
	copy = (Jsonb *) palloc(VARSIZE(result));
	memcpy(copy, result, VARSIZE(result));
	SPI_finish();
	MemoryContextDelete(callcxt);
	return copy;
}

typedef struct DdbAction
{
	const char *name;
	DdbActionHandler handler;
} DdbAction;

/* Every action ddb.execute() knows, in the order of DynamoDB's API reference. */
static const DdbAction actions[] = {
	{"BatchGetItem", DdbBatchGetItem},
	{"BatchWriteItem", DdbBatchWriteItem},
	{"CreateTable", DdbCreateTable},
	{"DeleteItem", DdbDeleteItem},
	{"DeleteTable", DdbDeleteTable},
	{"DescribeStream", DdbDescribeStream},
	{"DescribeTable", DdbDescribeTable},
	{"DescribeTimeToLive", DdbDescribeTimeToLive},
	{"GetItem", DdbGetItem},
	{"GetRecords", DdbGetRecords},
	{"GetShardIterator", DdbGetShardIterator},
	{"ListStreams", DdbListStreams},
	{"ListTables", DdbListTables},
	{"PutItem", DdbPutItem},
	{"Query", DdbQuery},
	{"Scan", DdbScan},
	{"TransactGetItems", DdbTransactGetItems},
	{"TransactWriteItems", DdbTransactWriteItems},
	{"UpdateItem", DdbUpdateItem},
	{"UpdateTable", DdbUpdateTable},
	{"UpdateTimeToLive", DdbUpdateTimeToLive},
};

PG_FUNCTION_INFO_V1(ddb_execute);

/*
 * ddb.execute(action text, request jsonb) RETURNS jsonb
 */
Datum
ddb_execute(PG_FUNCTION_ARGS)
{
	text	   *action = PG_GETARG_TEXT_PP(0);
	Jsonb	   *request = PG_GETARG_JSONB_P(1);
	char	   *name = text_to_cstring(action);
	size_t		i;

	for (i = 0; i < lengthof(actions); i++)
	{
		if (strcmp(actions[i].name, name) == 0)
			PG_RETURN_JSONB_P(DdbRunAction(actions[i].handler, request));
	}
	ddb_error(DDB_EX_UNKNOWN_OPERATION, "Unknown operation: %s", name);
}

#define DDB_SQL_ACTION(sqlname, handler) \
	PG_FUNCTION_INFO_V1(sqlname); \
	Datum sqlname(PG_FUNCTION_ARGS) \
	{ \
		PG_RETURN_JSONB_P(DdbRunAction(handler, PG_GETARG_JSONB_P(0))); \
	}

DDB_SQL_ACTION(ddb_create_table, DdbCreateTable)
DDB_SQL_ACTION(ddb_delete_item, DdbDeleteItem)
DDB_SQL_ACTION(ddb_delete_table, DdbDeleteTable)
DDB_SQL_ACTION(ddb_describe_table, DdbDescribeTable)
DDB_SQL_ACTION(ddb_get_item, DdbGetItem)
DDB_SQL_ACTION(ddb_list_tables, DdbListTables)
DDB_SQL_ACTION(ddb_put_item, DdbPutItem)
DDB_SQL_ACTION(ddb_update_item, DdbUpdateItem)
DDB_SQL_ACTION(ddb_update_table, DdbUpdateTable)
DDB_SQL_ACTION(ddb_list_streams, DdbListStreams)
DDB_SQL_ACTION(ddb_describe_stream, DdbDescribeStream)
DDB_SQL_ACTION(ddb_get_shard_iterator, DdbGetShardIterator)
DDB_SQL_ACTION(ddb_get_records, DdbGetRecords)
DDB_SQL_ACTION(ddb_update_time_to_live, DdbUpdateTimeToLive)
DDB_SQL_ACTION(ddb_describe_time_to_live, DdbDescribeTimeToLive)
DDB_SQL_ACTION(ddb_query, DdbQuery)
DDB_SQL_ACTION(ddb_scan, DdbScan)
DDB_SQL_ACTION(ddb_batch_get_item, DdbBatchGetItem)
DDB_SQL_ACTION(ddb_batch_write_item, DdbBatchWriteItem)
DDB_SQL_ACTION(ddb_transact_get_items, DdbTransactGetItems)
DDB_SQL_ACTION(ddb_transact_write_items, DdbTransactWriteItems)
