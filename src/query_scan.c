/*-------------------------------------------------------------------------
 *
 * query_scan.c
 *	  Query and Scan, and the set-returning functions that stream every
 *	  page of one as rows (ddb.query_items, ddb.scan_items).
 *
 * A request is checked in DynamoDB's order: JSON types, parameter
 * constraints, legacy parameters, ExclusiveStartKey values, Segment /
 * TotalSegments, expressions, Select; only then is the table looked up and
 * the key condition and the start key checked against its key schema.
 *
 * With IndexName the read goes through the secondary index instead: its key
 * schema takes the table's place in the key condition, the start key and
 * LastEvaluatedKey carry the index keys and the table keys, and the items
 * returned hold only what the index projects (ALL_PROJECTED_ATTRIBUTES, the
 * default), unless an LSI is asked for more, which it reads from the table
 * row (here the same row) and charges to the table.
 *
 * A page reads items in key order through the access layer's range reads
 * (primary key or secondary index range scans, batch by batch; the size
 * of an index entry is the size of its projected attributes) and stops
 * when Limit
 * items have been read or when the stored sizes of the items read reach
 * 1 MB (the item that reaches it is part of the page); both limits apply
 * before FilterExpression.  When it stopped for either reason the page
 * carries LastEvaluatedKey, the key of the last item read, even when that
 * item was filtered out or was the last one there is.
 *
 * src/query_scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "access.h"
#include "capacity.h"
#include "catalog.h"
#include "expr.h"
#include "ops.h"
#include "request.h"
#include "values.h"

/*
 * A page ends with the item that brings the sum of the sizes read to 1 MB
 * or more, as dynalite does; DynamoDB's exact boundary is (unconfirmed).
 */
#define PAGE_BYTES			(1024 * 1024)
/* Rows per range statement: the first, and at most (the size doubles). */
#define FIRST_BATCH_ROWS	64
#define MAX_BATCH_ROWS		1024

#define MAX_SEGMENT			999999
#define MAX_TOTAL_SEGMENTS	1000000

#define MSG_START_KEY_INVALID "The provided starting key is invalid"

static const char *const return_capacity_values[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const select_values[] = {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES",
"ALL_PROJECTED_ATTRIBUTES", NULL};

/* A Query or Scan request, validated up to the table lookup. */
typedef struct ReadRequest
{
	bool		is_query;
	char	   *table_name;
	int			table_name_len;
	char	   *index_name;
	char	   *select;
	char	   *return_capacity;
	bool		consistent;
	bool		forward;		/* ScanIndexForward */
	bool		has_limit;
	int64		limit;
	bool		has_segment;
	int64		segment;
	bool		has_total;
	int64		total_segments;
	DdbValue   *start_key;		/* ExclusiveStartKey, NULL when absent */
	const DdbExpr *key_condition;
	const DdbExpr *filter;
	const DdbExpr *projection;
	bool		count_only;		/* Select COUNT */
	/* set against the table: the index read and what it needs */
	const DdbIndex *index;		/* NULL for the table */
	bool		project_output; /* return only the index's attributes */
	bool		fetch_filter;	/* LSI: the filter needs the table's item */
	bool		fetch_output;	/* LSI: the result needs the table's item */
} ReadRequest;

/* One page of results. */
typedef struct ReadPage
{
	DdbTable   *table;
	const DdbIndex *index;		/* the index read, or NULL */
	List	   *items;			/* Jsonb * of the items returned (not for COUNT) */
	int64		count;			/* items that passed the filter */
	int64		scanned;		/* items read */
	int64		bytes;			/* sum of the sizes of the items (or index
								 * entries) read */
	int64		table_bytes;	/* LSI reads: sizes of the items fetched from
								 * the table */
	DdbValue   *last_key;		/* LastEvaluatedKey, or NULL */
	bool		count_only;
	DdbCapacityMode capacity;
	double		units;			/* read units of the table, or of the index */
	double		table_units;	/* index reads: read units of table fetches */
} ReadPage;

/* ---------------------------------------------------------------------
 * Reading and validating the request
 * ---------------------------------------------------------------------
 */

/*
 * An Integer member: false when absent; SerializationException when it is
 * not a number or does not fit a 32-bit integer (fractions are truncated).
 */
static bool
read_integer(JsonbContainer *req, const char *key, int64 *out)
{
	JsonbValue *v = DdbReqMember(req, key);
	char	   *text;
	char	   *end;
	long long	val;

	if (v == NULL)
		return false;
	if (v->type != jbvNumeric)
		ddb_error(DDB_EX_SERIALIZATION, "%s cannot be converted to Integer",
				  DdbJsonTokenName(v));
	text = DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(v->val.numeric)));
	errno = 0;
	val = strtoll(text, &end, 10);
	/* (unconfirmed) DynamoDB's text for a number out of an Integer's range */
	if (errno == ERANGE || (*end != '\0' && *end != '.') ||
		val < PG_INT32_MIN || val > PG_INT32_MAX)
		ddb_error(DDB_EX_SERIALIZATION, "NUMBER_VALUE cannot be converted to Integer");
	*out = (int64) val;
	return true;
}

static char *
int64_text(int64 v)
{
	return psprintf(INT64_FORMAT, v);
}

/*
 * Legacy (pre-expression) parameters: mixing them with expressions is
 * DynamoDB's error; alone they are not implemented and rejected rather than
 * ignored.  KeyConditions without KeyConditionExpression is legal with the
 * other expressions in DynamoDB, so it does not count as mixing.
 */
static void
check_mixing(JsonbContainer *req, bool is_query)
{
	static const char *const query_legacy[] = {"AttributesToGet", "QueryFilter",
	"ConditionalOperator", "KeyConditions", NULL};
	static const char *const query_modern[] = {"ProjectionExpression", "FilterExpression",
	"KeyConditionExpression", NULL};
	static const char *const scan_legacy[] = {"AttributesToGet", "ScanFilter",
	"ConditionalOperator", NULL};
	static const char *const scan_modern[] = {"ProjectionExpression", "FilterExpression", NULL};
	const char *const *legacy = is_query ? query_legacy : scan_legacy;
	const char *const *modern = is_query ? query_modern : scan_modern;
	bool		kc_expr = DdbReqMember(req, "KeyConditionExpression") != NULL;
	StringInfoData l,
				m;
	int			i;

	initStringInfo(&l);
	initStringInfo(&m);
	for (i = 0; modern[i]; i++)
		if (DdbReqMember(req, modern[i]) != NULL)
			appendStringInfo(&m, "%s%s", m.len ? ", " : "", modern[i]);
	if (m.len == 0)
		return;
	for (i = 0; legacy[i]; i++)
	{
		if (strcmp(legacy[i], "KeyConditions") == 0 && !kc_expr)
			continue;
		if (DdbReqMember(req, legacy[i]) != NULL)
			appendStringInfo(&l, "%s%s", l.len ? ", " : "", legacy[i]);
	}
	if (l.len > 0)
		ddb_validation_error("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
							 l.data, m.data);
}

/* Reject the legacy parameters ddb_emul does not implement. */
static void
reject_legacy(JsonbContainer *req, bool is_query)
{
	static const char *const query_legacy[] = {"AttributesToGet", "QueryFilter",
	"ConditionalOperator", "KeyConditions", NULL};
	static const char *const scan_legacy[] = {"AttributesToGet", "ScanFilter",
	"ConditionalOperator", NULL};
	const char *const *legacy = is_query ? query_legacy : scan_legacy;
	StringInfoData l;
	int			i;

	initStringInfo(&l);
	for (i = 0; legacy[i]; i++)
		if (DdbReqMember(req, legacy[i]) != NULL)
			appendStringInfo(&l, "%s%s", l.len ? ", " : "", legacy[i]);
	if (l.len > 0)
		ddb_validation_error("The legacy parameter %s is not supported by ddb_emul; use expressions instead",
							 l.data);
}

/*
 * Select against ProjectionExpression and IndexName.  The texts are
 * DynamoDB's; where DynamoDB makes these checks relative to the table
 * lookup is (unconfirmed): ddb_emul makes them before it.
 */
static void
check_select(ReadRequest *r, bool has_projection)
{
	const char *sel = r->select;

	r->count_only = sel != NULL && strcmp(sel, "COUNT") == 0;
	if (sel == NULL)
		return;
	if (has_projection)
	{
		if (strcmp(sel, "COUNT") == 0)
			ddb_validation_error("Cannot specify the ProjectionExpression when choosing to get only the Count");
		if (strcmp(sel, "SPECIFIC_ATTRIBUTES") != 0)
			ddb_validation_error("Cannot specify the ProjectionExpression when choosing to get %s", sel);
	}
	else if (strcmp(sel, "SPECIFIC_ATTRIBUTES") == 0)
		ddb_validation_error("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
	if (strcmp(sel, "ALL_PROJECTED_ATTRIBUTES") == 0 && r->index_name == NULL)
		ddb_validation_error("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
}

/*
 * Read and check everything in a Query (is_query) or Scan request that
 * does not need the table.
 */
static void
read_request(JsonbContainer *req, bool is_query, ReadRequest *r)
{
	DdbConstraints c;
	JsonbValue *names;
	JsonbValue *values;
	JsonbValue *start;
	int			kclen = 0,
				filterlen = 0,
				projlen = 0;
	char	   *kc = NULL;
	char	   *filter;
	char	   *proj;
	DdbValueError err;
	DdbExprRequest *er;

	memset(r, 0, sizeof(*r));
	r->is_query = is_query;
	r->forward = true;

	/* JSON types, as DynamoDB's deserializer checks them */
	r->table_name = DdbReqString(req, "TableName", &r->table_name_len);
	r->index_name = DdbReqString(req, "IndexName", NULL);
	r->select = DdbReqString(req, "Select", NULL);
	r->return_capacity = DdbReqString(req, "ReturnConsumedCapacity", NULL);
	(void) DdbReqBool(req, "ConsistentRead", &r->consistent);
	r->has_limit = read_integer(req, "Limit", &r->limit);
	if (is_query)
	{
		(void) DdbReqBool(req, "ScanIndexForward", &r->forward);
		kc = DdbReqString(req, "KeyConditionExpression", &kclen);
	}
	else
	{
		r->has_segment = read_integer(req, "Segment", &r->segment);
		r->has_total = read_integer(req, "TotalSegments", &r->total_segments);
	}
	filter = DdbReqString(req, "FilterExpression", &filterlen);
	proj = DdbReqString(req, "ProjectionExpression", &projlen);
	names = DdbReqMember(req, "ExpressionAttributeNames");
	values = DdbReqMember(req, "ExpressionAttributeValues");
	if (names)
		(void) DdbJsonObject(names, "Map");
	if (values)
		(void) DdbJsonObject(values, "Map");
	start = DdbReqMember(req, "ExclusiveStartKey");
	if (start)
	{
		(void) DdbJsonObject(start, "Map");
		if (!DdbItemCheckRequest(start, &err))
			DdbRaiseValueError(&err);
	}

	/* parameter constraints, in the order DynamoDB lists them */
	DdbConstraintsInit(&c);
	if (r->has_limit && r->limit < 1)
		DdbConstraintAdd(&c, int64_text(r->limit), "limit",
						 "Member must have value greater than or equal to 1");
	DdbCheckEnum(&c, r->return_capacity, "returnConsumedCapacity", return_capacity_values);
	if (r->has_segment && r->segment < 0)
		DdbConstraintAdd(&c, int64_text(r->segment), "segment",
						 "Member must have value greater than or equal to 0");
	if (r->has_segment && r->segment > MAX_SEGMENT)
		DdbConstraintAdd(&c, int64_text(r->segment), "segment",
						 "Member must have value less than or equal to 999999");
	DdbCheckEnum(&c, r->select, "select", select_values);
	if (r->has_total && r->total_segments < 1)
		DdbConstraintAdd(&c, int64_text(r->total_segments), "totalSegments",
						 "Member must have value greater than or equal to 1");
	if (r->has_total && r->total_segments > MAX_TOTAL_SEGMENTS)
		DdbConstraintAdd(&c, int64_text(r->total_segments), "totalSegments",
						 "Member must have value less than or equal to 1000000");
	DdbCheckRequiredTableName(&c, r->table_name, r->table_name_len, "tableName");
	if (r->index_name != NULL)
		DdbCheckRequiredTableName(&c, r->index_name, strlen(r->index_name), "indexName");
	DdbConstraintsRaise(&c);

	/* legacy parameters, and names / values without expressions */
	check_mixing(req, is_query);
	if (names != NULL && kc == NULL && filter == NULL && proj == NULL)
		ddb_validation_error("ExpressionAttributeNames can only be specified when using expressions");
	if (values != NULL && kc == NULL && filter == NULL)
		ddb_validation_error("ExpressionAttributeValues can only be specified when using expressions: %s",
							 is_query ? "FilterExpression and KeyConditionExpression are null" :
							 "FilterExpression is null");
	reject_legacy(req, is_query);

	/* the start key's attribute values */
	if (start)
	{
		r->start_key = DdbItemFromRequest(start, &err);
		if (r->start_key == NULL)
		{
			if (err.ex != DDB_EX_VALIDATION)
				DdbRaiseValueError(&err);
			ddb_validation_error(MSG_START_KEY_INVALID ": %s", err.message);
		}
	}

	if (is_query && kc == NULL)
		ddb_validation_error("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");

	/*
	 * Segment without TotalSegments: DynamoDB's check (as dynalite makes it)
	 * may let Segment 0 through alone (unconfirmed); ddb_emul rejects it.
	 */
	if (r->has_segment && !r->has_total)
		ddb_validation_error("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
	if (r->has_total && !r->has_segment)
		ddb_validation_error("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
	if (r->has_total && r->segment >= r->total_segments)
		ddb_validation_error("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " INT64_FORMAT " is not less than TotalSegments: " INT64_FORMAT,
							 r->segment, r->total_segments);

	/* expressions, in DynamoDB's order, then unused names and values */
	er = DdbExprBegin(names, values, kc != NULL || filter != NULL || proj != NULL,
					  kc != NULL || filter != NULL,
					  is_query ? "FilterExpression and KeyConditionExpression are null" :
					  "FilterExpression is null");
	if (kc)
		r->key_condition = DdbExprParse(er, DDB_EXPR_KEY_CONDITION, kc, kclen);
	if (filter)
		r->filter = DdbExprParse(er, DDB_EXPR_FILTER, filter, filterlen);
	if (proj)
		r->projection = DdbExprParse(er, DDB_EXPR_PROJECTION, proj, projlen);
	DdbExprEnd(er);
	if (r->key_condition)
		DdbExprKeyConditionValidate(r->key_condition);

	check_select(r, proj != NULL);
}

/* ---------------------------------------------------------------------
 * Checks against the table
 * ---------------------------------------------------------------------
 */

static bool
name_is(const char *name, const DdbKeyAttr *a)
{
	return strlen(name) == (size_t) a->namelen && memcmp(name, a->name, a->namelen) == 0;
}

static bool
list_has_key(List *names, const DdbKeyAttr *a)
{
	ListCell   *lc;

	foreach(lc, names)
		if (name_is((const char *) lfirst(lc), a))
			return true;
	return false;
}

/*
 * One key attribute of an ExclusiveStartKey: present, of the declared type,
 * not empty, within the key size limits.  prefix is prepended to the
 * messages other than the missing attribute's ("" or "The provided
 * starting key is invalid: ").
 */
static const DdbValue *
check_start_part(const DdbValue *start, const DdbKeyAttr *a, bool is_hash,
				 const char *missing_msg, const char *prefix)
{
	const DdbValue *v = DdbMapGet(start, a->name, a->namelen);

	if (v == NULL)
		ddb_validation_error("%s", missing_msg);
	if (v->type != a->type)
		ddb_validation_error("%s" DDB_MSG_KEY_SCHEMA_MISMATCH, prefix);
	/* (unconfirmed) the text for an empty key value in a start key */
	if ((v->type == DDB_S || v->type == DDB_B) && v->u.str.len == 0)
		ddb_validation_error("%s" DDB_MSG_PARAM_INVALID "The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s",
							 prefix, v->type == DDB_S ? "string" : "binary", a->name);
	if (is_hash && DdbKeyValueSize(v) > DDB_MAX_HASH_KEY_SIZE)
		ddb_validation_error("%s" DDB_MSG_PARAM_INVALID "Size of hashkey has exceeded the maximum size limit of2048 bytes",
							 prefix);
	if (!is_hash && DdbKeyValueSize(v) > DDB_MAX_RANGE_KEY_SIZE)
		ddb_validation_error("%s" DDB_MSG_PARAM_INVALID "Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
							 prefix);
	return v;
}

/* Does a sort key value satisfy the key condition's sort key part? */
static bool
range_matches(const DdbKeyCondition *kc, const DdbValue *v)
{
	const DdbValue *a = kc->range_value1;
	int			c;

	if (kc->range_op == DDB_KEY_BEGINS_WITH)
		return v->u.str.len >= a->u.str.len &&
			memcmp(v->u.str.data, a->u.str.data, a->u.str.len) == 0;
	c = DdbValueCompare(v, a);
	switch (kc->range_op)
	{
		case DDB_KEY_EQ:
			return c == 0;
		case DDB_KEY_LT:
			return c < 0;
		case DDB_KEY_LE:
			return c <= 0;
		case DDB_KEY_GT:
			return c > 0;
		case DDB_KEY_GE:
			return c >= 0;
		case DDB_KEY_BETWEEN:
			return c >= 0 && DdbValueCompare(v, kc->range_value2) <= 0;
		default:
			return false;
	}
}

/*
 * The smallest byte string greater than every string that starts with
 * prefix, or NULL when there is none (the prefix is empty or all 0xFF).
 */
static bytea *
prefix_successor(const bytea *prefix)
{
	int			len = VARSIZE_ANY_EXHDR(prefix);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(prefix);
	bytea	   *out;

	while (len > 0 && p[len - 1] == 0xFF)
		len--;
	if (len == 0)
		return NULL;
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	memcpy(VARDATA(out), p, len);
	((unsigned char *) VARDATA(out))[len - 1]++;
	return out;
}

/* x || '\x00', the smallest byte string greater than x. */
static bytea *
successor(const bytea *x)
{
	int			len = VARSIZE_ANY_EXHDR(x);
	bytea	   *out = palloc(VARHDRSZ + len + 1);

	SET_VARSIZE(out, VARHDRSZ + len + 1);
	memcpy(VARDATA(out), VARDATA_ANY(x), len);
	VARDATA(out)[len] = '\0';
	return out;
}

/* The sort key condition as bounds [*lower, *upper) on the encoded keys. */
static void
range_bounds(const DdbKeyCondition *kc, bytea **lower, bytea **upper)
{
	bytea	   *v1;

	*lower = *upper = NULL;
	if (!kc->has_range)
		return;
	v1 = DdbEncodeKey(kc->range_value1);
	switch (kc->range_op)
	{
		case DDB_KEY_EQ:
			*lower = v1;
			*upper = successor(v1);
			break;
		case DDB_KEY_LT:
			*upper = v1;
			break;
		case DDB_KEY_LE:
			*upper = successor(v1);
			break;
		case DDB_KEY_GT:
			*lower = successor(v1);
			break;
		case DDB_KEY_GE:
			*lower = v1;
			break;
		case DDB_KEY_BETWEEN:
			*lower = v1;
			*upper = successor(DdbEncodeKey(kc->range_value2));
			break;
		case DDB_KEY_BEGINS_WITH:
			/* S and B keys are encoded as their bytes: a prefix stays a prefix */
			*lower = v1;
			*upper = prefix_successor(v1);
			break;
	}
}

/* "Key attributes must be scalars" for a path below a key attribute. */
static void
check_nested_key_paths(DdbTable *t, const DdbExpr *e)
{
	List	   *nested;

	if (e == NULL)
		return;
	nested = DdbExprNestedTopLevelNames(e);
	if (list_has_key(nested, &t->hash))
		ddb_validation_error("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: %s",
							 t->hash.name);
	if (t->has_range && list_has_key(nested, &t->range))
		ddb_validation_error("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: %s",
							 t->range.name);
}

/* ---------------------------------------------------------------------
 * Secondary indexes
 * ---------------------------------------------------------------------
 */

/* Does attribute name (of len bytes) belong to the key attribute a? */
static bool
name_is_len(const char *name, int len, const DdbKeyAttr *a)
{
	return len == a->namelen && memcmp(name, a->name, len) == 0;
}


/*
 * The attributes among names (top-level names of an expression) that idx
 * does not project, as DynamoDB lists them ("a, b"), or NULL when it
 * projects them all.
 */
static char *
unprojected_names(const DdbTable *t, const DdbIndex *idx, List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
	{
		const char *name = (const char *) lfirst(lc);

		if (!DdbIndexProjects(t, idx, name, strlen(name)))
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", name);
	}
	return buf.len ? buf.data : NULL;
}

/* The index the request names: DynamoDB's errors for it, in its order. */
static const DdbIndex *
resolve_index(DdbTable *t, const ReadRequest *r)
{
	const DdbIndex *idx = NULL;
	int			i;

	for (i = 0; i < t->nindexes; i++)
		if (strcmp(t->indexes[i].name, r->index_name) == 0)
			idx = &t->indexes[i];
	if (idx == NULL)
	{
		/* a Scan's start key is judged first (dynalite) */
		if (!r->is_query && r->start_key != NULL)
			ddb_validation_error(MSG_START_KEY_INVALID);
		ddb_validation_error("The table does not have the specified index: %s", r->index_name);
	}
	/* where DynamoDB checks this relative to the next ones is (unconfirmed) */
	if (!idx->active)
		ddb_validation_error("Cannot read from backfilling global secondary index: %s", idx->name);
	if (idx->global && r->consistent)
		ddb_validation_error("Consistent reads are not supported on global secondary indexes");
	return idx;
}

/* How many attributes a start key of idx has: its keys and the table's. */
static int
start_key_count(const DdbTable *t, const DdbIndex *idx)
{
	int			n = t->has_range ? 2 : 1;

	if (!name_is_len(idx->hash.name, idx->hash.namelen, &t->hash) &&
		!(t->has_range && name_is_len(idx->hash.name, idx->hash.namelen, &t->range)))
		n++;
	if (idx->has_range &&
		!name_is_len(idx->range.name, idx->range.namelen, &t->hash) &&
		!(t->has_range && name_is_len(idx->range.name, idx->range.namelen, &t->range)))
		n++;
	return n;
}

/*
 * The table key attributes of an index start key: missing or mistyped is
 * "The provided starting key is invalid: The provided key element does not
 * match the schema".  Returns them in *sh and *sr.
 */
static void
check_table_start_parts(DdbTable *t, const DdbValue *start, const DdbValue **sh,
						const DdbValue **sr)
{
	const char *prefix = MSG_START_KEY_INVALID ": ";
	const char *mismatch = MSG_START_KEY_INVALID ": " DDB_MSG_KEY_SCHEMA_MISMATCH;

	*sh = check_start_part(start, &t->hash, true, mismatch, prefix);
	*sr = t->has_range ? check_start_part(start, &t->range, false, mismatch, prefix) : NULL;
}

/*
 * What an index read may return and must read, in DynamoDB's order: Select
 * ALL_ATTRIBUTES needs a GSI that projects everything; a GSI cannot read
 * attributes it does not project, neither in the filter nor in the
 * projection, while an LSI fetches them from the table (and the read is
 * then charged to the table too).  Sets the request's index flags.
 */
static void
check_index_projection(DdbTable *t, const DdbIndex *idx, ReadRequest *r)
{
	bool		all_attributes = r->select != NULL &&
		strcmp(r->select, "ALL_ATTRIBUTES") == 0;
	char	   *missing;

	r->index = idx;
	if (idx->projection == DDB_PROJECTION_ALL)
		return;
	if (all_attributes && idx->global)
		ddb_validation_error(DDB_MSG_PARAM_INVALID "Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL",
							 idx->name);

	/*
	 * The two texts are DynamoDB's for one attribute; the separator of
	 * several and the order of the two checks are (unconfirmed).
	 */
	if (r->filter &&
		(missing = unprojected_names(t, idx, DdbExprTopLevelNames(r->filter))) != NULL)
	{
		if (idx->global)
			ddb_validation_error(DDB_MSG_PARAM_INVALID "Secondary index %s does not project one or more filter attributes: [%s]",
								 idx->name, missing);
		r->fetch_filter = true;
	}
	if (r->projection &&
		(missing = unprojected_names(t, idx, DdbExprTopLevelNames(r->projection))) != NULL)
	{
		if (idx->global)
			ddb_validation_error(DDB_MSG_PARAM_INVALID "Global secondary index %s does not project [%s]",
								 idx->name, missing);
		r->fetch_output = true;
	}
	if (all_attributes)
		r->fetch_output = true;
	r->project_output = r->projection == NULL && !all_attributes;
}

/*
 * Everything of a Query that needs the table, in DynamoDB's order: the
 * index, the start key and the key condition against the key schema (the
 * index's with IndexName), the start key against the key condition,
 * projection and filter paths, what an index projects.  Sets up the range
 * read.
 */
static void
prepare_query(DdbTable *t, ReadRequest *r, DdbRangeRead *rr)
{
	const DdbValue *start = r->start_key;
	const DdbIndex *idx = NULL;
	const DdbKeyAttr *qh = &t->hash;	/* the key schema queried */
	const DdbKeyAttr *qr = t->has_range ? &t->range : NULL;
	const DdbValue *sh = NULL;
	const DdbValue *sr = NULL;
	const DdbValue *th = NULL;
	const DdbValue *tr = NULL;
	DdbKeyCondition kc;
	bytea	   *lower;
	bytea	   *upper;
	List	   *names;

	if (r->index_name != NULL)
	{
		idx = resolve_index(t, r);
		qh = &idx->hash;
		qr = idx->has_range ? &idx->range : NULL;
	}

	/*
	 * The start key's key attributes are checked one by one around the key
	 * condition's schema checks: the partition key first, then the
	 * condition, then the sort key, then (for an index) the table's keys.
	 * (DynamoDB interleaves the sort key's start key and condition checks
	 * finer than this.)
	 */
	if (start)
	{
		if (start->u.map.count != (idx ? start_key_count(t, idx) : (t->has_range ? 2 : 1)))
			ddb_validation_error(MSG_START_KEY_INVALID);
		sh = check_start_part(start, qh, true, MSG_START_KEY_INVALID, "");
	}
	DdbExprKeyCondition(r->key_condition, qh->name, qh->type,
						qr ? qr->name : NULL, qr ? qr->type : DDB_S, &kc);
	if (start && qr)
		sr = check_start_part(start, qr, false, MSG_START_KEY_INVALID, "");
	if (start && idx)
		check_table_start_parts(t, start, &th, &tr);
	if (start)
	{
		bool		same_partition = DdbValueEquals(sh, kc.hash_value);

		if (!kc.has_range)
		{
			if (!same_partition)
				ddb_validation_error("The provided starting key is outside query boundaries based on provided conditions");
		}
		else
		{
			if (!range_matches(&kc, sr))
				ddb_validation_error("The provided starting key does not match the range key predicate");
			if (!same_partition)
				ddb_validation_error("The query can return at most one row and cannot be restarted");
		}
	}

	check_nested_key_paths(t, r->projection);
	if (r->filter)
	{
		/* the key attributes of the key schema queried */
		names = DdbExprTopLevelNames(r->filter);
		if (list_has_key(names, qh))
			ddb_validation_error("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s",
								 qh->name);
		if (qr && list_has_key(names, qr))
			ddb_validation_error("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s",
								 qr->name);
	}
	if (idx)
		check_index_projection(t, idx, r);

	range_bounds(&kc, &lower, &upper);
	if (idx == NULL)
	{
		DdbRangeInitQuery(rr, t, DdbEncodeKey(kc.hash_value), lower, upper, r->forward);
		if (start)
		{
			DdbKey		key;

			key.pk = DdbEncodeKey(sh);
			key.sk = sr ? DdbEncodeKey(sr) : NULL;
			DdbRangeStartAfter(rr, &key);
		}
	}
	else
	{
		DdbRangeInitIndexQuery(rr, t, idx, DdbEncodeKey(kc.hash_value), lower, upper,
							   r->forward);
		if (start)
		{
			DdbKey		key;

			key.pk = DdbEncodeKey(th);
			key.sk = tr ? DdbEncodeKey(tr) : NULL;
			DdbRangeStartAfterIndex(rr, &key, DdbEncodeKey(sh), sr ? DdbEncodeKey(sr) : NULL);
		}
	}
}

/*
 * Everything of a Scan that needs the table: the index, the start key
 * (schema, then segment), projection and filter paths, what an index
 * projects.  Sets up the range read.
 */
static void
prepare_scan(DdbTable *t, ReadRequest *r, DdbRangeRead *rr)
{
	const DdbValue *start = r->start_key;
	int32		total = r->has_total ? (int32) r->total_segments : 1;
	int32		segment = r->has_segment ? (int32) r->segment : 0;
	const DdbIndex *idx = NULL;
	const DdbValue *sih = NULL;
	const DdbValue *sir = NULL;

	if (r->index_name != NULL)
	{
		idx = resolve_index(t, r);
		if (start)
		{
			if (start->u.map.count != start_key_count(t, idx))
				ddb_validation_error(MSG_START_KEY_INVALID);
			sih = check_start_part(start, &idx->hash, true, MSG_START_KEY_INVALID, "");
			if (idx->has_range)
				sir = check_start_part(start, &idx->range, false, MSG_START_KEY_INVALID, "");
		}
		check_index_projection(t, idx, r);
		DdbRangeInitIndexScan(rr, t, idx, segment, total);
	}
	else
		DdbRangeInitScan(rr, t, segment, total);

	if (start)
	{
		const char *mismatch = MSG_START_KEY_INVALID ": " DDB_MSG_KEY_SCHEMA_MISMATCH;
		const DdbValue *sh;
		const DdbValue *sr;
		DdbKey		key;
		bytea	   *part;

		if (idx == NULL && start->u.map.count != (t->has_range ? 2 : 1))
			ddb_validation_error("%s", mismatch);
		check_table_start_parts(t, start, &sh, &sr);
		key.pk = DdbEncodeKey(sh);
		key.sk = sr ? DdbEncodeKey(sr) : NULL;
		/* the segment of an index entry is that of its index partition key */
		part = idx ? DdbEncodeKey(sih) : key.pk;
		if (total > 1 &&
			DdbKeySegment(VARDATA(part), VARSIZE(part) - VARHDRSZ, total) != segment)
			ddb_validation_error(MSG_START_KEY_INVALID ": Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: %d Segment: %d",
								 total, segment);
		if (idx)
			DdbRangeStartAfterIndex(rr, &key, part, sir ? DdbEncodeKey(sir) : NULL);
		else
			DdbRangeStartAfter(rr, &key);
	}

	check_nested_key_paths(t, r->projection);
	check_nested_key_paths(t, r->filter);
}

/* ---------------------------------------------------------------------
 * Reading a page
 * ---------------------------------------------------------------------
 */

/* The key attributes of an encoded key, as a map (LastEvaluatedKey). */
static DdbValue *
key_map(DdbTable *t, const DdbKey *key)
{
	DdbValue   *map = DdbValueMakeMap();

	DdbMapSet(map, t->hash.name, t->hash.namelen,
			  DdbDecodeKey(t->hash.type, VARDATA(key->pk), VARSIZE(key->pk) - VARHDRSZ));
	if (t->has_range)
		DdbMapSet(map, t->range.name, t->range.namelen,
				  DdbDecodeKey(t->range.type, VARDATA(key->sk), VARSIZE(key->sk) - VARHDRSZ));
	return map;
}

/* Copy attribute a of item into map (unless there already). */
static void
copy_key_attr(DdbValue *map, const DdbValue *item, const DdbKeyAttr *a)
{
	DdbValue   *v = DdbMapGet(item, a->name, a->namelen);

	if (v != NULL && DdbMapGet(map, a->name, a->namelen) == NULL)
		DdbMapSet(map, a->name, a->namelen, DdbValueCopy(v));
}

/*
 * The LastEvaluatedKey of an index entry: the table's key attributes and
 * the index's, taken from the item.
 */
static DdbValue *
index_key_map(DdbTable *t, const DdbIndex *idx, Jsonb *jb)
{
	DdbValue   *item = DdbItemFromJsonb(jb);
	DdbValue   *map = DdbValueMakeMap();

	copy_key_attr(map, item, &t->hash);
	if (t->has_range)
		copy_key_attr(map, item, &t->range);
	copy_key_attr(map, item, &idx->hash);
	if (idx->has_range)
		copy_key_attr(map, item, &idx->range);
	return map;
}

/* A copy of a Jsonb in CurrentMemoryContext. */
static Jsonb *
copy_jsonb(const Jsonb *j)
{
	Jsonb	   *copy = palloc(VARSIZE(j));

	memcpy(copy, j, VARSIZE(j));
	return copy;
}


/*
 * Read row i of the current batch: filter and project it.  Returns whether
 * the item passes the filter; *out gets the item to return (NULL for
 * Select COUNT), allocated in CurrentMemoryContext, *size the size read
 * (the item's, or the size of the index entry of an index that does not
 * project everything), and *fetched whether an LSI read had to fetch the
 * whole item from the table.  Scratch work goes to rowcxt.
 */
static bool
read_row(const ReadRequest *r, DdbRangeRead *rr, int i, MemoryContext rowcxt,
		 Jsonb **out, int64 *size, bool *fetched)
{
	const DdbIndex *idx = r->index;
	bool		partial = idx != NULL && idx->projection != DDB_PROJECTION_ALL;
	MemoryContext pagecxt;
	Jsonb	   *jb;
	DdbValue   *item = NULL;
	DdbValue   *entry = NULL;
	DdbValue   *result = NULL;
	bool		keep = true;

	*out = NULL;
	*size = DdbRangeRowSize(rr, i);
	*fetched = false;
	if (!partial && r->filter == NULL && r->projection == NULL)
	{
		/* Select COUNT never looks at the item */
		if (!r->count_only)
			*out = DdbRangeRowItem(rr, i);
		return true;
	}

	pagecxt = MemoryContextSwitchTo(rowcxt);
	jb = DdbRangeRowItem(rr, i);
	if (partial || r->filter || (!r->count_only && r->projection))
		item = DdbItemFromJsonb(jb);
	if (partial)
	{
		entry = DdbIndexEntry(rr->table, idx, item);
		*size = DdbItemSize(entry);
	}
	/* what the filter or projection reads is in the entry, or was fetched */
	if (r->filter)
		keep = DdbExprEvalCondition(r->filter, item);
	*fetched = r->fetch_filter || (keep && !r->count_only && r->fetch_output);
	if (keep && !r->count_only)
	{
		if (r->projection)
			result = DdbExprProject(r->projection, item);
		else if (partial && r->project_output)
			result = entry;
	}
	MemoryContextSwitchTo(pagecxt);

	if (keep && !r->count_only)
		*out = result ? DdbItemToJsonb(result) : copy_jsonb(jb);
	return keep;
}

/*
 * Read one page: rows in key order until Limit rows or PAGE_BYTES of item
 * (or index entry) data have been read or the range is exhausted; filter
 * and project them.
 */
static void
read_items(const ReadRequest *r, DdbRangeRead *rr, ReadPage *page)
{
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ddb_emul row",
												 ALLOCSET_DEFAULT_SIZES);
	int64		limit = r->has_limit ? r->limit : PG_INT64_MAX;
	int			batch = FIRST_BATCH_ROWS;

	for (;;)
	{
		int			want = (int) Min((int64) batch, limit - page->scanned);
		int			n = DdbRangeFetch(rr, want);
		bool		stop = false;
		int			i;

		for (i = 0; i < n && !stop; i++)
		{
			Jsonb	   *out = NULL;
			int64		size;
			bool		fetched;

			page->scanned++;
			if (read_row(r, rr, i, rowcxt, &out, &size, &fetched))
				page->count++;
			page->bytes += size;
			if (fetched)
				page->table_bytes += DdbRangeRowSize(rr, i);
			if (out != NULL)
				page->items = lappend(page->items, out);
			MemoryContextReset(rowcxt);

			if (page->scanned >= limit || page->bytes >= PAGE_BYTES)
			{
				if (r->index != NULL)
					page->last_key = index_key_map(rr->table, r->index,
												   DdbRangeRowItem(rr, i));
				else
				{
					DdbKey		last;

					DdbRangeRowKey(rr, i, &last);
					page->last_key = key_map(rr->table, &last);
				}
				stop = true;
			}
		}
		DdbRangeEndBatch(rr);
		if (stop || n < want)
			break;
		batch = Min(batch * 2, MAX_BATCH_ROWS);
		CHECK_FOR_INTERRUPTS();
	}
	MemoryContextDelete(rowcxt);
}

/*
 * Run a Query or Scan request and fill page with its first page, allocated
 * in CurrentMemoryContext.
 */
static void
read_page(JsonbContainer *req, bool is_query, ReadPage *page)
{
	MemoryContext cxt = CurrentMemoryContext;
	ReadRequest r;
	DdbTable   *t;
	DdbRangeRead rr;

	read_request(req, is_query, &r);
	t = DdbTableLookup(r.table_name, r.table_name_len);
	/* the lookup may run SPI, which leaves its own memory context current */
	MemoryContextSwitchTo(cxt);
	if (is_query)
		prepare_query(t, &r, &rr);
	else
		prepare_scan(t, &r, &rr);

	memset(page, 0, sizeof(*page));
	page->table = t;
	page->index = r.index;
	page->count_only = r.count_only;
	page->capacity = DdbCapacityModeFromString(r.return_capacity);
	read_items(&r, &rr, page);
	/* one rounding over everything read, filtered items included */
	page->units = DdbReadUnits(page->bytes, r.consistent);
	/* and one over the items an LSI read fetched from the table (unconfirmed) */
	if (page->table_bytes > 0)
		page->table_units = DdbReadUnits(page->table_bytes, r.consistent);
}

/* Push a number of capacity units (a multiple of 0.5) as a member. */
static void
push_units(JsonbParseState **ps, const char *key, double units)
{
	char		buf[64];

	snprintf(buf, sizeof(buf), "%.1f", units);
	DdbPushNumeric(ps, key, DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
												ObjectIdGetDatum(InvalidOid),
												Int32GetDatum(-1)));
}

/* Push {"CapacityUnits": units, "ReadCapacityUnits": units} as member key. */
static void
push_capacity_object(JsonbParseState **ps, const char *key, double units)
{
	DdbPushKey(ps, key);
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	push_units(ps, "CapacityUnits", units);
	push_units(ps, "ReadCapacityUnits", units);
	pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

/*
 * Push the ConsumedCapacity member of a page.  An index read is charged to
 * the index (and an LSI's fetches to the table); with INDEXES the answer
 * breaks the total down, as DynamoDB does:
 *
 *	{"TableName": t, "CapacityUnits": x + y, "ReadCapacityUnits": x + y,
 *	 "Table": {"CapacityUnits": y, ...},
 *	 "GlobalSecondaryIndexes": {"<i>": {"CapacityUnits": x, ...}}}
 *
 * (LocalSecondaryIndexes for an LSI; y is 0 unless an LSI fetched items.)
 */
static void
push_page_capacity(JsonbParseState **ps, const ReadPage *page)
{
	double		total = page->units + page->table_units;

	if (page->index == NULL)
	{
		DdbPushCapacityMember(ps, page->capacity, page->table->name, page->units, true);
		return;
	}
	if (page->capacity == DDB_CAPACITY_NONE)
		return;
	DdbPushKey(ps, "ConsumedCapacity");
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushCString(ps, "TableName", page->table->name);
	push_units(ps, "CapacityUnits", total);
	push_units(ps, "ReadCapacityUnits", total);
	if (page->capacity == DDB_CAPACITY_INDEXES)
	{
		push_capacity_object(ps, "Table", page->table_units);
		DdbPushKey(ps, page->index->global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
		pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
		push_capacity_object(ps, page->index->name, page->units);
		pushJsonbValue(ps, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

/* A part for DdbJsonbAssembleObject: the whole of a stored container. */
static DdbJsonbPart
container_part(const char *key, Jsonb *j)
{
	DdbJsonbPart p = {key, &j->root, VARSIZE(j) - VARHDRSZ, NULL};

	return p;
}

/*
 * The response body of a page.  The items are stored (or projected) jsonb
 * already: the response is assembled around them without unpacking and
 * re-encoding them, which was a third of a Query's cost.
 */
static Jsonb *
page_response(ReadPage *page)
{
	DdbJsonbPart parts[5];
	int			n = 0;
	DdbJsonbPart count = {"Count", NULL, 0, NULL};
	DdbJsonbPart scanned = {"ScannedCount", NULL, 0, NULL};

	if (!page->count_only)
	{
		Jsonb	  **items = palloc(sizeof(Jsonb *) * Max(list_length(page->items), 1));
		ListCell   *lc;
		int			i = 0;

		foreach(lc, page->items)
			items[i++] = (Jsonb *) lfirst(lc);
		parts[n++] = container_part("Items", DdbJsonbAssembleArray(items, i));
	}
	count.numeric = DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(page->count)));
	parts[n++] = count;
	scanned.numeric = DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(page->scanned)));
	parts[n++] = scanned;
	if (page->last_key != NULL)
		parts[n++] = container_part("LastEvaluatedKey", DdbItemToJsonb(page->last_key));
	if (page->capacity != DDB_CAPACITY_NONE)
	{
		JsonbParseState *ps = NULL;
		Jsonb	   *wrapper;
		JsonbValue *cap;

		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		push_page_capacity(&ps, page);
		wrapper = JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
		cap = getKeyJsonValueFromContainer(&wrapper->root, "ConsumedCapacity", 16, NULL);
		parts[n].key = "ConsumedCapacity";
		parts[n].container = cap->val.binary.data;
		parts[n].container_len = cap->val.binary.len;
		parts[n].numeric = NULL;
		n++;
	}
	return DdbJsonbAssembleObject(parts, n);
}

/* Query: one page of a partition, in sort key order. */
Jsonb *
DdbQuery(JsonbContainer *request)
{
	ReadPage	page;

	read_page(request, true, &page);
	return page_response(&page);
}

/* Scan: one page of the table or of one segment, in key order. */
Jsonb *
DdbScan(JsonbContainer *request)
{
	ReadPage	page;

	read_page(request, false, &page);
	return page_response(&page);
}

/* ---------------------------------------------------------------------
 * Set-returning functions: every page of a Query or Scan as rows
 * ---------------------------------------------------------------------
 */

typedef struct ItemsState
{
	bool		is_query;
	Jsonb	   *request;		/* the request of the next page */
	bool		done;			/* the last page has been read */
	MemoryContext pagecxt;		/* the current page */
	Jsonb	  **items;
	int			nitems;
	int			next;
} ItemsState;

/*
 * Read the next page of st into st->pagecxt, and make the request of the
 * page after it (the same request with ExclusiveStartKey = this page's
 * LastEvaluatedKey), or mark the read done.
 */
static void
fetch_page(ItemsState *st)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext statecxt = GetMemoryChunkContext(st);
	ReadPage	page;
	ListCell   *lc;
	int			i = 0;

	if (!JB_ROOT_IS_OBJECT(st->request) || JB_ROOT_IS_SCALAR(st->request))
		ddb_error(DDB_EX_SERIALIZATION,
				  "Start of structure or map found where not expected");

	MemoryContextReset(st->pagecxt);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	MemoryContextSwitchTo(st->pagecxt);

	read_page(&st->request->root, st->is_query, &page);
	st->items = palloc(sizeof(Jsonb *) * Max(list_length(page.items), 1));
	foreach(lc, page.items)
		st->items[i++] = (Jsonb *) lfirst(lc);
	st->nitems = i;
	st->next = 0;

	if (page.last_key == NULL)
		st->done = true;
	else
	{
		JsonbParseState *ps = NULL;
		Jsonb	   *member;
		Jsonb	   *next;

		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		DdbPushKey(&ps, "ExclusiveStartKey");
		DdbItemPush(&ps, page.last_key);
		member = JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
		MemoryContextSwitchTo(statecxt);
		next = DatumGetJsonbP(DirectFunctionCall2(jsonb_concat,
												  JsonbPGetDatum(st->request),
												  JsonbPGetDatum(member)));
		st->request = next;
	}

	MemoryContextSwitchTo(caller);
	SPI_finish();
}

/* The value-per-call loop shared by every form of the functions. */
static Datum
items_next(FunctionCallInfo fcinfo, bool is_query, Jsonb *(*make_request) (FunctionCallInfo))
{
	FuncCallContext *funcctx;
	ItemsState *st;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		Jsonb	   *request;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		request = make_request(fcinfo);
		st = palloc0(sizeof(ItemsState));
		st->is_query = is_query;
		st->request = request;
		st->pagecxt = AllocSetContextCreate(funcctx->multi_call_memory_ctx,
											"ddb_emul page", ALLOCSET_DEFAULT_SIZES);
		funcctx->user_fctx = st;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	st = (ItemsState *) funcctx->user_fctx;

	/* pages may be empty: read on until an item or the end */
	while (st->next >= st->nitems)
	{
		if (st->done)
			SRF_RETURN_DONE(funcctx);
		fetch_page(st);
		CHECK_FOR_INTERRUPTS();
	}
	/* the item stays in the page context until the next page is read */
	SRF_RETURN_NEXT(funcctx, JsonbPGetDatum(st->items[st->next++]));
}

/* The request argument of the jsonb forms, copied into the current context. */
static Jsonb *
request_arg(FunctionCallInfo fcinfo)
{
	return DatumGetJsonbPCopy(PG_GETARG_DATUM(0));
}

/* Push member key = text argument argno, unless it is NULL. */
static void
push_text_arg(JsonbParseState **ps, FunctionCallInfo fcinfo, int argno, const char *key)
{
	text	   *t;

	if (PG_ARGISNULL(argno))
		return;
	t = PG_GETARG_TEXT_PP(argno);
	DdbPushStringValue(ps, key, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

/* Push member key = jsonb argument argno, unless it is NULL. */
static void
push_jsonb_arg(JsonbParseState **ps, FunctionCallInfo fcinfo, int argno, const char *key)
{
	if (PG_ARGISNULL(argno))
		return;
	DdbPushJsonb(ps, key, PG_GETARG_JSONB_P(argno));
}

/* Push member key = integer argument argno, unless it is NULL. */
static void
push_int_arg(JsonbParseState **ps, FunctionCallInfo fcinfo, int argno, const char *key)
{
	if (PG_ARGISNULL(argno))
		return;
	DdbPushInt64(ps, key, PG_GETARG_INT32(argno));
}

/*
 * The request of ddb.query_items(table_name, key_condition,
 * expression_values, filter, expression_names, scan_forward, projection,
 * page_size).
 */
static Jsonb *
query_args_request(FunctionCallInfo fcinfo)
{
	JsonbParseState *ps = NULL;

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	push_text_arg(&ps, fcinfo, 0, "TableName");
	push_text_arg(&ps, fcinfo, 1, "KeyConditionExpression");
	push_jsonb_arg(&ps, fcinfo, 2, "ExpressionAttributeValues");
	push_text_arg(&ps, fcinfo, 3, "FilterExpression");
	push_jsonb_arg(&ps, fcinfo, 4, "ExpressionAttributeNames");
	if (!PG_ARGISNULL(5))
		DdbPushBool(&ps, "ScanIndexForward", PG_GETARG_BOOL(5));
	push_text_arg(&ps, fcinfo, 6, "ProjectionExpression");
	push_int_arg(&ps, fcinfo, 7, "Limit");
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

/*
 * The request of ddb.scan_items(table_name, filter, expression_values,
 * expression_names, projection, segment, total_segments, page_size).
 *
 * ddb.scan_items('{"TableName": ...}') with an untyped literal resolves to
 * this form, text being the preferred type: a table name never starts
 * with "{", so such a first argument alone is taken as the request.
 */
static Jsonb *
scan_args_request(FunctionCallInfo fcinfo)
{
	JsonbParseState *ps = NULL;
	int			i;

	if (!PG_ARGISNULL(0))
	{
		char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
		const char *p = name;

		while (isspace((unsigned char) *p))
			p++;
		if (*p == '{')
		{
			for (i = 1; i < PG_NARGS(); i++)
				if (!PG_ARGISNULL(i))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("a request in JSON cannot be combined with other arguments"),
							 errhint("Put every parameter in the request, or pass a table name.")));
			return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(name)));
		}
	}
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	push_text_arg(&ps, fcinfo, 0, "TableName");
	push_text_arg(&ps, fcinfo, 1, "FilterExpression");
	push_jsonb_arg(&ps, fcinfo, 2, "ExpressionAttributeValues");
	push_jsonb_arg(&ps, fcinfo, 3, "ExpressionAttributeNames");
	push_text_arg(&ps, fcinfo, 4, "ProjectionExpression");
	push_int_arg(&ps, fcinfo, 5, "Segment");
	push_int_arg(&ps, fcinfo, 6, "TotalSegments");
	push_int_arg(&ps, fcinfo, 7, "Limit");
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
}

PG_FUNCTION_INFO_V1(ddb_query_items);
PG_FUNCTION_INFO_V1(ddb_query_items_args);
PG_FUNCTION_INFO_V1(ddb_scan_items);
PG_FUNCTION_INFO_V1(ddb_scan_items_args);

/* ddb.query_items(request jsonb) RETURNS SETOF jsonb */
Datum
ddb_query_items(PG_FUNCTION_ARGS)
{
	return items_next(fcinfo, true, request_arg);
}

/* ddb.query_items(table_name text, key_condition text, ...) RETURNS SETOF jsonb */
Datum
ddb_query_items_args(PG_FUNCTION_ARGS)
{
	return items_next(fcinfo, true, query_args_request);
}

/* ddb.scan_items(request jsonb) RETURNS SETOF jsonb */
Datum
ddb_scan_items(PG_FUNCTION_ARGS)
{
	return items_next(fcinfo, false, request_arg);
}

/* ddb.scan_items(table_name text, filter text, ...) RETURNS SETOF jsonb */
Datum
ddb_scan_items_args(PG_FUNCTION_ARGS)
{
	return items_next(fcinfo, false, scan_args_request);
}
