/*-------------------------------------------------------------------------
 *
 * marshal.c
 *	  Plain JSON to and from DynamoDB's typed JSON, like the AWS SDKs'
 *	  util-dynamodb (marshall / unmarshall): the SQL functions
 *	  ddb.marshal, ddb.marshal_value, ddb.unmarshal and ddb.unmarshal_value.
 *
 * marshal maps a JSON string to S, a number to N (exact: jsonb numbers are
 * numeric, and they are canonicalised and range-checked as DynamoDB does),
 * true/false to BOOL, null to NULL, an array to L and an object to M.  Sets
 * and binaries have no plain-JSON form, so an object with exactly one
 * member named by one of these markers stands for one:
 *
 *	  {"$SS": ["a", "b"]}		SS; members are strings
 *	  {"$NS": [1, "2.5"]}		NS; members are numbers or numeric strings
 *	  {"$BS": ["aGk="]}			BS; members are base64 strings
 *	  {"$B": "aGk="}			B; a base64 string
 *	  {"$M": {...}}				M of the object's members, marshalled as usual:
 *								the escape for a map whose only member has
 *								one of these five names
 *
 * Line breaks in base64 text are ignored, so the output of PostgreSQL's
 * encode(bytea, 'base64') can be used as it is.  Set members are made
 * unique and sorted (numbers compared numerically), as a set built by an
 * SDK would be.  The top level of an item is always its attributes, never
 * a marker.
 *
 * The result is what ddb.validate_item returns for it: canonical numbers,
 * sorted sets, and DynamoDB's own ValidationException (or, for bad base64,
 * SerializationException) for what DynamoDB would refuse to store: numbers
 * out of range or with more than 38 digits, empty sets, empty or too long
 * attribute names, documents nested deeper than 32 levels.  Misuse of the
 * conventions above (an item that is not an object, a marker with the
 * wrong kind of value) is a plain PostgreSQL error.  Every error raised
 * while walking the input names the place in it as a JSON path in its
 * context line, e.g. "while marshalling $.Tags[2]".
 *
 * unmarshal validates its typed input like any request item (DynamoDB's
 * messages) and maps back: N to an exact JSON number, S to a string, BOOL,
 * NULL to null, L to an array, M to an object.  With keep_types false a
 * set becomes an array of its members (sorted; NS members numbers, BS
 * members base64) and B a base64 string, which loses the types; with
 * keep_types true they are written with the markers above (and a map that
 * would read as a marker with the "$M" escape), so that
 * marshal(unmarshal(x, true)) = validate_item(x) for every item x.
 *
 * src/marshal.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "values.h"

/* DynamoDB's messages for empty sets (dynamodb-semantics.md 1.1). */
#define MSG_EMPTY_SS DDB_MSG_PARAM_INVALID "An string set  may not be empty"
#define MSG_EMPTY_NS DDB_MSG_PARAM_INVALID "An number set  may not be empty"
#define MSG_EMPTY_BS DDB_MSG_PARAM_INVALID "Binary sets should not be empty"

/* Longest member name shown in a path, in bytes. */
#define PATH_NAME_MAX	64

/* The markers that stand for the types plain JSON has no form for. */
typedef enum Marker
{
	MARKER_NONE = -1,
	MARKER_SS = 0,
	MARKER_NS,
	MARKER_BS,
	MARKER_B,
	MARKER_M,
	MARKER__COUNT
} Marker;

typedef struct MarkerInfo
{
	const char *name;
	const char *takes;			/* errdetail: what its value must be */
} MarkerInfo;

static const MarkerInfo markers[MARKER__COUNT] = {
	[MARKER_SS] = {"$SS", "an array of strings"},
	[MARKER_NS] = {"$NS", "an array of numbers or numeric strings"},
	[MARKER_BS] = {"$BS", "an array of base64 strings"},
	[MARKER_B] = {"$B", "a base64 string"},
	[MARKER_M] = {"$M", "an object"},
};

/* One step of the path to the value being marshalled. */
typedef struct PathStep
{
	const char *name;			/* member name, NULL for an array element */
	int			namelen;
	int			index;			/* array element index */
} PathStep;

/* Where marshal is in its input, for the error context. */
typedef struct MarshalState
{
	PathStep   *steps;
	int			nsteps;
	int			capacity;
} MarshalState;

PG_FUNCTION_INFO_V1(ddb_marshal);
PG_FUNCTION_INFO_V1(ddb_marshal_value);
PG_FUNCTION_INFO_V1(ddb_unmarshal);
PG_FUNCTION_INFO_V1(ddb_unmarshal_value);


/* ---------------------------------------------------------------------
 * paths and errors
 * ---------------------------------------------------------------------
 */

static void
PathPush(MarshalState *st, const char *name, int namelen, int index)
{
	PathStep   *s;

	if (st->nsteps == st->capacity)
	{
		st->capacity = Max(16, st->capacity * 2);
		if (st->steps == NULL)
			st->steps = palloc(sizeof(PathStep) * st->capacity);
		else
			st->steps = repalloc(st->steps, sizeof(PathStep) * st->capacity);
	}
	s = &st->steps[st->nsteps++];
	s->name = name;
	s->namelen = namelen;
	s->index = index;
}

static inline void
PathPop(MarshalState *st)
{
	Assert(st->nsteps > 0);
	st->nsteps--;
}

/* Whether a member name can follow "." unquoted in a jsonpath. */
static bool
IsPlainName(const char *name, int len)
{
	int			i;

	if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (i = 0; i < len; i++)
	{
		char		c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/*
 * The path to the current value as a jsonpath, e.g. $.Tags[2]."a b"; long
 * names are cut short and end in "...".
 */
static char *
PathText(const MarshalState *st)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '$');
	for (i = 0; i < st->nsteps; i++)
	{
		const PathStep *s = &st->steps[i];
		char	   *name;
		int			len;

		if (s->name == NULL)
		{
			appendStringInfo(&buf, "[%d]", s->index);
			continue;
		}
		appendStringInfoChar(&buf, '.');
		if (IsPlainName(s->name, s->namelen))
		{
			appendBinaryStringInfo(&buf, s->name, s->namelen);
			continue;
		}
		len = s->namelen;
		if (len > PATH_NAME_MAX)
			len = pg_mbcliplen(s->name, len, PATH_NAME_MAX);
		name = pnstrdup(s->name, len);
		if (len < s->namelen)
			name = psprintf("%s...", name);
		escape_json(&buf, name);
	}
	return buf.data;
}

/* Error context callback: where in the input the error happened. */
static void
MarshalErrorContext(void *arg)
{
	const MarshalState *st = (const MarshalState *) arg;

	errcontext("while marshalling %s", PathText(st));
}

/* The kind of a JSON value, for messages. */
static const char *
JsonKindName(const JsonbValue *jv)
{
	switch (jv->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "string";
		case jbvNumeric:
			return "number";
		case jbvBool:
			return "boolean";
		case jbvArray:
			return "array";
		case jbvObject:
			return "object";
		case jbvBinary:
			return JsonContainerIsObject(jv->val.binary.data) ? "object" : "array";
		default:
			return "value";
	}
}

static void BadMarkerValue(Marker m) pg_attribute_noreturn();

/* Report a marker whose value is not of the kind it takes. */
static void
BadMarkerValue(Marker m)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for \"%s\"", markers[m].name),
			 errdetail("\"%s\" takes %s.", markers[m].name, markers[m].takes),
			 errhint("To marshal a map whose only member is named \"%s\", write it as {\"$M\": {\"%s\": ...}}.",
					 markers[m].name, markers[m].name)));
}

/* Raise a DynamoDB error unless ok. */
static inline void
CheckOk(bool ok, const DdbValueError *err)
{
	if (!ok)
		DdbRaiseValueError(err);
}


/* ---------------------------------------------------------------------
 * marshal: plain JSON -> DdbValue
 * ---------------------------------------------------------------------
 */

static DdbValue *MarshalValue(MarshalState *st, JsonbValue *jv, int depth);

/* N from a jsonb number. */
static DdbValue *
MarshalNumeric(Numeric num)
{
	char	   *text;
	char	   *canon;
	DdbValueError err;

	text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
	canon = DdbNumberCanonical(text, (int) strlen(text), &err);
	CheckOk(canon != NULL, &err);
	return DdbValueMakeString(DDB_N, canon, (int) strlen(canon));
}

/* N from a numeric string. */
static DdbValue *
MarshalNumberText(const char *s, int len)
{
	char	   *canon;
	DdbValueError err;

	canon = DdbNumberCanonical(s, len, &err);
	CheckOk(canon != NULL, &err);
	return DdbValueMakeString(DDB_N, canon, (int) strlen(canon));
}

/* B from base64 text, line breaks ignored. */
static DdbValue *
MarshalBase64(const char *s, int len)
{
	char	   *clean = NULL;
	char	   *data;
	int			datalen;
	DdbValueError err;

	if (memchr(s, '\n', len) != NULL || memchr(s, '\r', len) != NULL)
	{
		int			n = 0;
		int			i;

		clean = palloc(len);
		for (i = 0; i < len; i++)
			if (s[i] != '\n' && s[i] != '\r')
				clean[n++] = s[i];
		s = clean;
		len = n;
	}
	data = DdbBase64Decode(s, len, &datalen, &err);
	CheckOk(data != NULL, &err);
	if (clean != NULL)
		pfree(clean);
	return DdbValueMakeString(DDB_B, data, datalen);
}

/*
 * Build SS, NS or BS from the array value of marker m: members converted,
 * sorted and made unique; an empty set is DynamoDB's error.
 */
static DdbValue *
MarshalSet(MarshalState *st, Marker m, JsonbValue *arr)
{
	DdbType		type = (m == MARKER_SS) ? DDB_SS : (m == MARKER_NS) ? DDB_NS : DDB_BS;
	DdbValue   *set;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	int			index = 0;

	if (arr->type != jbvBinary || !JsonContainerIsArray(arr->val.binary.data) ||
		JsonContainerIsScalar(arr->val.binary.data))
		BadMarkerValue(m);

	set = DdbValueMakeList(type);
	it = JsonbIteratorInit(arr->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		DdbValue   *member;

		if (tok != WJB_ELEM)
			continue;
		PathPush(st, NULL, 0, index++);
		if (m == MARKER_NS && v.type == jbvNumeric)
			member = MarshalNumeric(v.val.numeric);
		else if (v.type != jbvString)
			BadMarkerValue(m);
		else if (m == MARKER_SS)
			member = DdbValueMakeString(DDB_S, v.val.string.val, v.val.string.len);
		else if (m == MARKER_NS)
			member = MarshalNumberText(v.val.string.val, v.val.string.len);
		else
			member = MarshalBase64(v.val.string.val, v.val.string.len);
		DdbListAppend(set, member);
		PathPop(st);
	}

	if (set->u.list.count == 0)
		ddb_validation_error("%s", type == DDB_SS ? MSG_EMPTY_SS :
							 type == DDB_NS ? MSG_EMPTY_NS : MSG_EMPTY_BS);

	if (!DdbSetSort(set))
	{
		/* sorted, with duplicates next to each other: keep the first of each */
		int			n = 1;
		int			i;

		for (i = 1; i < set->u.list.count; i++)
			if (DdbValueCompare(set->u.list.elems[n - 1], set->u.list.elems[i]) != 0)
				set->u.list.elems[n++] = set->u.list.elems[i];
		set->u.list.count = n;
	}
	return set;
}

/*
 * Build a map from the members of an object; their values are at nesting
 * level depth.  Each value is checked before its name, as DynamoDB does.
 */
static DdbValue *
MarshalMap(MarshalState *st, JsonbContainer *c, int depth)
{
	DdbValue   *map = DdbValueMakeMap();
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	k;
	JsonbValue	v;
	DdbValueError err;

	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		DdbValue   *value;

		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		PathPush(st, k.val.string.val, k.val.string.len, 0);
		value = MarshalValue(st, &v, depth);
		CheckOk(DdbCheckAttributeName(k.val.string.val, k.val.string.len, &err),
				&err);
		PathPop(st);
		/* jsonb gives the names in the map's order: this appends */
		DdbMapSet(map, k.val.string.val, k.val.string.len, value);
	}
	return map;
}

/* Build L from an array whose elements are at nesting level depth. */
static DdbValue *
MarshalList(MarshalState *st, JsonbContainer *c, int depth)
{
	DdbValue   *list = DdbValueMakeList(DDB_L);
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	v;
	int			index = 0;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		PathPush(st, NULL, 0, index++);
		DdbListAppend(list, MarshalValue(st, &v, depth));
		PathPop(st);
	}
	return list;
}

/*
 * The marker an object stands for, with its value in *value; MARKER_NONE
 * unless the object has exactly one member and that is named by a marker.
 */
static Marker
ObjectMarker(JsonbContainer *c, JsonbValue *value)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	k;
	int			m;

	if (JsonContainerSize(c) != 1)
		return MARKER_NONE;
	it = JsonbIteratorInit(c);
	do
		tok = JsonbIteratorNext(&it, &k, true);
	while (tok != WJB_KEY && tok != WJB_DONE);
	if (tok != WJB_KEY || k.val.string.len < 2 || k.val.string.val[0] != '$')
		return MARKER_NONE;
	for (m = 0; m < MARKER__COUNT; m++)
	{
		if (strlen(markers[m].name) == (size_t) k.val.string.len &&
			memcmp(markers[m].name, k.val.string.val, k.val.string.len) == 0)
		{
			tok = JsonbIteratorNext(&it, value, true);
			Assert(tok == WJB_VALUE);
			return (Marker) m;
		}
	}
	return MARKER_NONE;
}

/*
 * Convert one plain JSON value at nesting level depth (1 for an attribute
 * of an item, 0 for a value on its own).
 */
static DdbValue *
MarshalValue(MarshalState *st, JsonbValue *jv, int depth)
{
	JsonbContainer *c;
	JsonbValue	scalar;
	JsonbValue	mv;
	DdbValue   *result;
	Marker		m;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();

	if (jv->type == jbvBinary && JsonContainerIsScalar(jv->val.binary.data))
	{
		if (!JsonbExtractScalar(jv->val.binary.data, &scalar))
			elog(ERROR, "could not extract a scalar from a jsonb scalar");
		jv = &scalar;
	}

	switch (jv->type)
	{
		case jbvNull:
			return DdbValueMakeNull();
		case jbvBool:
			return DdbValueMakeBool(jv->val.boolean);
		case jbvString:
			return DdbValueMakeString(DDB_S, jv->val.string.val, jv->val.string.len);
		case jbvNumeric:
			return MarshalNumeric(jv->val.numeric);
		case jbvBinary:
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) jv->type);
	}

	c = jv->val.binary.data;
	if (JsonContainerIsArray(c))
	{
		if (depth >= DDB_MAX_NESTING)
			ddb_validation_error("%s", DDB_MSG_NESTING_EXCEEDED);
		return MarshalList(st, c, depth + 1);
	}

	m = ObjectMarker(c, &mv);
	if (m == MARKER_NONE)
	{
		if (depth >= DDB_MAX_NESTING)
			ddb_validation_error("%s", DDB_MSG_NESTING_EXCEEDED);
		return MarshalMap(st, c, depth + 1);
	}

	PathPush(st, markers[m].name, (int) strlen(markers[m].name), 0);
	switch (m)
	{
		case MARKER_SS:
		case MARKER_NS:
		case MARKER_BS:
			result = MarshalSet(st, m, &mv);
			break;
		case MARKER_B:
			if (mv.type != jbvString)
				BadMarkerValue(m);
			result = MarshalBase64(mv.val.string.val, mv.val.string.len);
			break;
		case MARKER_M:
			if (mv.type != jbvBinary || !JsonContainerIsObject(mv.val.binary.data))
				BadMarkerValue(m);
			if (depth >= DDB_MAX_NESTING)
				ddb_validation_error("%s", DDB_MSG_NESTING_EXCEEDED);
			result = MarshalMap(st, mv.val.binary.data, depth + 1);
			break;
		default:
			elog(ERROR, "unrecognized marker %d", (int) m);
			result = NULL;		/* keep compiler quiet */
	}
	PathPop(st);
	return result;
}


/* ---------------------------------------------------------------------
 * unmarshal: DdbValue -> plain JSON
 * ---------------------------------------------------------------------
 */

static JsonbValue *UnmarshalValue(JsonbParseState **ps, JsonbIteratorToken tok,
								  const DdbValue *v, bool keep_types);

/*
 * Push a scalar as token tok; at the top level (nothing pushed yet) return
 * it instead.
 */
static JsonbValue *
PushScalar(JsonbParseState **ps, JsonbIteratorToken tok, JsonbValue *s)
{
	if (*ps == NULL)
	{
		JsonbValue *copy = palloc(sizeof(JsonbValue));

		*copy = *s;
		return copy;
	}
	return pushJsonbValue(ps, tok, s);
}

/* Push a string; a top-level one is returned (see PushScalar). */
static JsonbValue *
PushString(JsonbParseState **ps, JsonbIteratorToken tok, const char *s, int len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = len;
	return PushScalar(ps, tok, &v);
}

/* Push bytes as base64 text. */
static JsonbValue *
PushBase64(JsonbParseState **ps, JsonbIteratorToken tok, const char *data, int len)
{
	StringInfoData buf;

	initStringInfo(&buf);
	DdbBase64Encode(&buf, data, len);
	return PushString(ps, tok, buf.data, buf.len);
}

/* Push a canonical number as a JSON number. */
static JsonbValue *
PushNumber(JsonbParseState **ps, JsonbIteratorToken tok, const char *canon)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														CStringGetDatum(canon),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
	return PushScalar(ps, tok, &v);
}

/* Push one scalar member of a set (or a B value) without its type. */
static JsonbValue *
PushSetMember(JsonbParseState **ps, JsonbIteratorToken tok, const DdbValue *m)
{
	switch (m->type)
	{
		case DDB_S:
			return PushString(ps, tok, m->u.str.data, m->u.str.len);
		case DDB_N:
			return PushNumber(ps, tok, m->u.str.data);
		case DDB_B:
			return PushBase64(ps, tok, m->u.str.data, m->u.str.len);
		default:
			elog(ERROR, "unexpected set member type %s", DdbTypeName(m->type));
	}
	return NULL;				/* keep compiler quiet */
}

/* Open {"<marker>": as the start of a typed value written with a marker. */
static void
PushMarkerStart(JsonbParseState **ps, Marker m)
{
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	PushString(ps, WJB_KEY, markers[m].name, (int) strlen(markers[m].name));
}

/*
 * Whether marshal would read a map as a marker: it has one member, named
 * like one.
 */
static bool
MapLooksLikeMarker(const DdbValue *map)
{
	const DdbMapEntry *e;
	int			m;

	if (map->u.map.count != 1)
		return false;
	e = &map->u.map.entries[0];
	for (m = 0; m < MARKER__COUNT; m++)
		if (strlen(markers[m].name) == (size_t) e->namelen &&
			memcmp(markers[m].name, e->name, e->namelen) == 0)
			return true;
	return false;
}

/* Push a map as an object of name -> plain value; returns the push result. */
static JsonbValue *
UnmarshalMap(JsonbParseState **ps, const DdbValue *map, bool keep_types)
{
	int			i;

	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < map->u.map.count; i++)
	{
		const DdbMapEntry *e = &map->u.map.entries[i];

		PushString(ps, WJB_KEY, e->name, e->namelen);
		UnmarshalValue(ps, WJB_VALUE, e->value, keep_types);
	}
	return pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

/*
 * Push v as plain JSON as token tok (WJB_VALUE or WJB_ELEM); at the top
 * level, return the complete value.
 */
static JsonbValue *
UnmarshalValue(JsonbParseState **ps, JsonbIteratorToken tok,
			   const DdbValue *v, bool keep_types)
{
	JsonbValue	s;
	JsonbValue *res;
	Marker		m;
	int			i;

	check_stack_depth();
	switch (v->type)
	{
		case DDB_S:
		case DDB_N:
			return PushSetMember(ps, tok, v);
		case DDB_B:
			if (!keep_types)
				return PushSetMember(ps, tok, v);
			PushMarkerStart(ps, MARKER_B);
			PushSetMember(ps, WJB_VALUE, v);
			return pushJsonbValue(ps, WJB_END_OBJECT, NULL);
		case DDB_BOOL:
			s.type = jbvBool;
			s.val.boolean = v->u.boolean;
			return PushScalar(ps, tok, &s);
		case DDB_NULL:
			s.type = jbvNull;
			return PushScalar(ps, tok, &s);
		case DDB_M:
			if (!keep_types || !MapLooksLikeMarker(v))
				return UnmarshalMap(ps, v, keep_types);
			PushMarkerStart(ps, MARKER_M);
			UnmarshalMap(ps, v, keep_types);
			return pushJsonbValue(ps, WJB_END_OBJECT, NULL);
		case DDB_L:
			pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
			for (i = 0; i < v->u.list.count; i++)
				UnmarshalValue(ps, WJB_ELEM, v->u.list.elems[i], keep_types);
			return pushJsonbValue(ps, WJB_END_ARRAY, NULL);
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			m = (v->type == DDB_SS) ? MARKER_SS :
				(v->type == DDB_NS) ? MARKER_NS : MARKER_BS;
			if (keep_types)
				PushMarkerStart(ps, m);
			pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
			for (i = 0; i < v->u.list.count; i++)
				PushSetMember(ps, WJB_ELEM, v->u.list.elems[i]);
			res = pushJsonbValue(ps, WJB_END_ARRAY, NULL);
			if (keep_types)
				res = pushJsonbValue(ps, WJB_END_OBJECT, NULL);
			return res;
		default:
			elog(ERROR, "unrecognized attribute value type %d", (int) v->type);
	}
	return NULL;				/* keep compiler quiet */
}


/* ---------------------------------------------------------------------
 * SQL functions
 * ---------------------------------------------------------------------
 */

/* A jsonb argument as a JsonbValue. */
static void
JsonbArg(Jsonb *j, JsonbValue *jv)
{
	jv->type = jbvBinary;
	jv->val.binary.data = &j->root;
	jv->val.binary.len = VARSIZE(j) - VARHDRSZ;
}

/* A typed value as a jsonb document. */
static Jsonb *
TypedValueToJsonb(const DdbValue *v)
{
	JsonbParseState *ps = NULL;
	JsonbValue *arr;

	/* DdbValuePush needs a position: push into an array, take the element */
	pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	DdbValuePush(&ps, v);
	arr = pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
	Assert(arr->type == jbvArray && arr->val.array.nElems == 1);
	return JsonbValueToJsonb(&arr->val.array.elems[0]);
}

/*
 * Marshal a whole jsonb document: an item (object of attributes) or one
 * value.
 */
static DdbValue *
MarshalDocument(Jsonb *j, bool item)
{
	MarshalState st = {0};
	ErrorContextCallback errcb;
	JsonbValue	jv;
	DdbValue   *result;

	JsonbArg(j, &jv);
	if (item && !JB_ROOT_IS_OBJECT(j))
	{
		JsonbValue	scalar;

		if (JB_ROOT_IS_SCALAR(j) && JsonbExtractScalar(&j->root, &scalar))
			jv = scalar;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot marshal a JSON %s as an item", JsonKindName(&jv)),
				 errhint("An item is a JSON object of attributes; ddb.marshal_value converts any JSON value.")));
	}

	errcb.callback = MarshalErrorContext;
	errcb.arg = &st;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (item)
		result = MarshalMap(&st, &j->root, 1);
	else
		result = MarshalValue(&st, &jv, 0);

	error_context_stack = errcb.previous;
	return result;
}

/*
 * ddb.marshal(item jsonb) RETURNS jsonb
 *
 * A plain JSON object as a typed item, canonical.
 */
Datum
ddb_marshal(PG_FUNCTION_ARGS)
{
	DdbValue   *item = MarshalDocument(PG_GETARG_JSONB_P(0), true);

	PG_RETURN_JSONB_P(DdbItemToJsonb(item));
}

/*
 * ddb.marshal_value(value jsonb) RETURNS jsonb
 *
 * Any plain JSON value as one typed AttributeValue, canonical.
 */
Datum
ddb_marshal_value(PG_FUNCTION_ARGS)
{
	DdbValue   *v = MarshalDocument(PG_GETARG_JSONB_P(0), false);

	PG_RETURN_JSONB_P(TypedValueToJsonb(v));
}

/*
 * ddb.unmarshal(item jsonb, keep_types boolean DEFAULT false) RETURNS jsonb
 *
 * A typed item (validated as a request item is) as a plain JSON object.
 */
Datum
ddb_unmarshal(PG_FUNCTION_ARGS)
{
	JsonbValue	jv;
	bool		keep_types = PG_GETARG_BOOL(1);
	DdbValueError err;
	DdbValue   *item;
	JsonbParseState *ps = NULL;

	JsonbArg(PG_GETARG_JSONB_P(0), &jv);
	item = DdbItemFromRequest(&jv, &err);
	CheckOk(item != NULL, &err);
	/* the top level is the item's attributes, never a marker */
	PG_RETURN_JSONB_P(JsonbValueToJsonb(UnmarshalMap(&ps, item, keep_types)));
}

/*
 * ddb.unmarshal_value(value jsonb, keep_types boolean DEFAULT false)
 * RETURNS jsonb
 *
 * One typed AttributeValue (validated) as plain JSON.
 */
Datum
ddb_unmarshal_value(PG_FUNCTION_ARGS)
{
	JsonbValue	jv;
	bool		keep_types = PG_GETARG_BOOL(1);
	DdbValueError err;
	DdbValue   *v;
	JsonbParseState *ps = NULL;

	JsonbArg(PG_GETARG_JSONB_P(0), &jv);
	v = DdbValueFromRequest(&jv, 0, &err);
	CheckOk(v != NULL, &err);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(UnmarshalValue(&ps, WJB_ELEM, v, keep_types)));
}
