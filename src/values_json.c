/*-------------------------------------------------------------------------
 *
 * values_json.c
 *	  DynamoDB attribute values from and to jsonb: validation of request
 *	  input, conversion of stored items, typed-JSON output, and the SQL
 *	  functions ddb.encode_key, ddb.decode_key, ddb.canonical_number,
 *	  ddb.item_size and ddb.validate_item.
 *
 * Request input is checked in two passes, as DynamoDB does: first the
 * deserializer's checks of the whole value (JSON kinds, base64), which
 * raise SerializationException, then the validation proper (one datatype,
 * numbers, sets, nesting, names), which raises ValidationException.  So a
 * value with both kinds of problem reports the serialization one whatever
 * their order.
 *
 * Members of an AttributeValue object that are not one of the ten type
 * names are ignored, and so are members whose value is JSON null: that is
 * what DynamoDB's deserializer does, so {"X":"1"} is an empty value and
 * {"S":"a","X":1} a string.
 *
 * A member of the wrong JSON kind is reported as DynamoDB's Jackson-based
 * deserializer reports it, "<TOKEN> cannot be converted to <Type>", where
 * TOKEN names the JSON kind found (NUMBER_VALUE, STRING_VALUE, TRUE_VALUE,
 * FALSE_VALUE, NULL_VALUE, START_OBJECT, START_ARRAY) and Type is the Java
 * type the member maps to: String for S, N and the members of SS and NS,
 * Blob for B and the members of BS, Boolean for BOOL and NULL, Map for M
 * (and an item), List for L and the sets, and AttributeValue where an
 * AttributeValue object was expected.
 *
 * src/values_json.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "values.h"

#define MSG_EMPTY_VALUE \
	"Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
#define MSG_MULTIPLE_TYPES \
	"Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
#define MSG_NULL_NOT_TRUE \
	DDB_MSG_PARAM_INVALID "Null attribute value types must have the value of true"
#define MSG_EMPTY_SS DDB_MSG_PARAM_INVALID "An string set  may not be empty"
#define MSG_EMPTY_NS DDB_MSG_PARAM_INVALID "An number set  may not be empty"
#define MSG_EMPTY_BS DDB_MSG_PARAM_INVALID "Binary sets should not be empty"
#define MSG_DUPLICATE_NS "Input collection contains duplicates"

/* A type name as a member of an AttributeValue object. */
typedef struct TypeKey
{
	const char *name;
	int			len;
	DdbType		type;
} TypeKey;

/*
 * The members in the order DynamoDB converts them, which decides which
 * error is reported when a value has several.
 */
static const TypeKey type_keys[] = {
	{"S", 1, DDB_S},
	{"SS", 2, DDB_SS},
	{"N", 1, DDB_N},
	{"NS", 2, DDB_NS},
	{"B", 1, DDB_B},
	{"BS", 2, DDB_BS},
	{"M", 1, DDB_M},
	{"L", 1, DDB_L},
	{"BOOL", 4, DDB_BOOL},
	{"NULL", 4, DDB_NULL},
};

PG_FUNCTION_INFO_V1(ddb_encode_key);
PG_FUNCTION_INFO_V1(ddb_decode_key);
PG_FUNCTION_INFO_V1(ddb_canonical_number);
PG_FUNCTION_INFO_V1(ddb_item_size);
PG_FUNCTION_INFO_V1(ddb_validate_item);


/* ---------------------------------------------------------------------
 * JSON kinds
 * ---------------------------------------------------------------------
 */

/*
 * Bring jv into the form the code below works on: containers as jbvBinary,
 * scalars unwrapped.  Returns jv itself or tmp, filled in.
 */
static JsonbValue *
PrepareValue(JsonbValue *jv, JsonbValue *tmp)
{
	if (jv->type == jbvObject || jv->type == jbvArray)
	{
		Jsonb	   *j = JsonbValueToJsonb(jv);

		tmp->type = jbvBinary;
		tmp->val.binary.data = &j->root;
		tmp->val.binary.len = VARSIZE(j) - VARHDRSZ;
		jv = tmp;
	}
	if (jv->type == jbvBinary && JsonContainerIsScalar(jv->val.binary.data))
	{
		JsonbContainer *c = jv->val.binary.data;

		if (!JsonbExtractScalar(c, tmp))
			elog(ERROR, "could not extract a scalar from a jsonb scalar");
		jv = tmp;
	}
	return jv;
}

static inline bool
IsObject(const JsonbValue *jv)
{
	return jv->type == jbvBinary && JsonContainerIsObject(jv->val.binary.data);
}

static inline bool
IsArray(const JsonbValue *jv)
{
	return jv->type == jbvBinary && JsonContainerIsArray(jv->val.binary.data) &&
		!JsonContainerIsScalar(jv->val.binary.data);
}

/* DynamoDB's name of the JSON token that starts jv. */
static const char *
TokenName(const JsonbValue *jv)
{
	switch (jv->type)
	{
		case jbvNull:
			return "NULL_VALUE";
		case jbvString:
			return "STRING_VALUE";
		case jbvNumeric:
			return "NUMBER_VALUE";
		case jbvBool:
			return jv->val.boolean ? "TRUE_VALUE" : "FALSE_VALUE";
		case jbvArray:
			return "START_ARRAY";
		case jbvObject:
			return "START_OBJECT";
		case jbvBinary:
			return JsonContainerIsObject(jv->val.binary.data) ?
				"START_OBJECT" : "START_ARRAY";
		default:
			return "VALUE";
	}
}

/* Fill *err with a SerializationException for jv; returns false. */
static bool
SerializationFailure(DdbValueError *err, const JsonbValue *jv, const char *type)
{
	err->ex = DDB_EX_SERIALIZATION;
	err->message = psprintf("%s cannot be converted to %s", TokenName(jv), type);
	return false;
}

/* Fill *err with a ValidationException; returns NULL. */
static DdbValue *
ValidationFailure(DdbValueError *err, char *msg)
{
	err->ex = DDB_EX_VALIDATION;
	err->message = msg;
	return NULL;
}

/*
 * Fetch the member of an AttributeValue object named by tk into *out;
 * false when it is absent or JSON null (both ignored).
 */
static bool
GetTypeMember(JsonbContainer *c, const TypeKey *tk, JsonbValue *out)
{
	if (getKeyJsonValueFromContainer(c, tk->name, tk->len, out) == NULL)
		return false;
	return out->type != jbvNull;
}


/*
 * The common case of an AttributeValue: an object with one member that is
 * a known, non-null type key.  Returns that key (and the member in *out),
 * or NULL when the object is anything else (the callers then look at every
 * type key in DynamoDB's order, as they must for odd input).
 */
static const TypeKey *
OnlyTypeMember(JsonbContainer *c, JsonbValue *out)
{
	JsonbIterator *it;
	JsonbValue	k;
	int			i;

	if (JsonContainerSize(c) != 1)
		return NULL;
	it = JsonbIteratorInit(c);
	if (JsonbIteratorNext(&it, &k, true) != WJB_BEGIN_OBJECT ||
		JsonbIteratorNext(&it, &k, true) != WJB_KEY)
		return NULL;
	for (i = 0; i < (int) lengthof(type_keys); i++)
	{
		if (type_keys[i].len == k.val.string.len &&
			memcmp(type_keys[i].name, k.val.string.val, k.val.string.len) == 0)
		{
			if (JsonbIteratorNext(&it, out, true) != WJB_VALUE || out->type == jbvNull)
				return NULL;
			return &type_keys[i];
		}
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * pass 1: the deserializer's checks
 * ---------------------------------------------------------------------
 */

static bool CheckValueShape(JsonbValue *jv, DdbValueError *err);

/* Check every value of an object of name -> AttributeValue. */
static bool
CheckMapShape(JsonbContainer *c, DdbValueError *err)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	v;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_VALUE && !CheckValueShape(&v, err))
			return false;
	}
	return true;
}

/*
 * Check the elements of an array: AttributeValues when member_type is
 * NULL, otherwise strings named member_type in messages (base64 when it is
 * "Blob").
 */
static bool
CheckArrayShape(JsonbContainer *c, const char *member_type, DdbValueError *err)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	v;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (member_type == NULL)
		{
			if (!CheckValueShape(&v, err))
				return false;
		}
		else if (v.type != jbvString)
			return SerializationFailure(err, &v, member_type);
		else if (member_type[0] == 'B' &&
				 !DdbBase64Validate(v.val.string.val, v.val.string.len, err))
			return false;
	}
	return true;
}

/* Check one member of an AttributeValue object. */
static bool
CheckMemberShape(DdbType type, JsonbValue *m, DdbValueError *err)
{
	switch (type)
	{
		case DDB_S:
		case DDB_N:
			if (m->type != jbvString)
				return SerializationFailure(err, m, "String");
			return true;
		case DDB_B:
			if (m->type != jbvString)
				return SerializationFailure(err, m, "Blob");
			return DdbBase64Validate(m->val.string.val, m->val.string.len, err);
		case DDB_BOOL:
		case DDB_NULL:
			if (m->type != jbvBool)
				return SerializationFailure(err, m, "Boolean");
			return true;
		case DDB_M:
			if (!IsObject(m))
				return SerializationFailure(err, m, "Map");
			return CheckMapShape(m->val.binary.data, err);
		case DDB_L:
			if (!IsArray(m))
				return SerializationFailure(err, m, "List");
			return CheckArrayShape(m->val.binary.data, NULL, err);
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			if (!IsArray(m))
				return SerializationFailure(err, m, "List");
			return CheckArrayShape(m->val.binary.data,
								   type == DDB_BS ? "Blob" : "String", err);
		default:
			elog(ERROR, "unrecognized attribute value type %d", (int) type);
	}
	return false;				/* keep compiler quiet */
}

/* Check an AttributeValue object and everything in it. */
static bool
CheckValueShape(JsonbValue *jv, DdbValueError *err)
{
	JsonbContainer *c;
	int			i;

	check_stack_depth();
	if (!IsObject(jv))
		return SerializationFailure(err, jv, "AttributeValue");
	c = jv->val.binary.data;
	{
		JsonbValue	only;
		const TypeKey *tk = OnlyTypeMember(c, &only);

		if (tk != NULL)
			return CheckMemberShape(tk->type, &only, err);
	}
	for (i = 0; i < (int) lengthof(type_keys); i++)
	{
		JsonbValue	m;

		if (GetTypeMember(c, &type_keys[i], &m) &&
			!CheckMemberShape(type_keys[i].type, &m, err))
			return false;
	}
	return true;
}

/*
 * Only the deserializer's checks of one AttributeValue.
 */
bool
DdbValueCheckRequest(JsonbValue *jv, DdbValueError *err)
{
	JsonbValue	tmp;

	return CheckValueShape(PrepareValue(jv, &tmp), err);
}

/*
 * Only the deserializer's checks of an object of name -> AttributeValue.
 */
bool
DdbItemCheckRequest(JsonbValue *jv, DdbValueError *err)
{
	JsonbValue	tmp;

	jv = PrepareValue(jv, &tmp);
	if (!IsObject(jv))
		return SerializationFailure(err, jv, "Map");
	return CheckMapShape(jv->val.binary.data, err);
}


/* ---------------------------------------------------------------------
 * pass 2: validation and construction
 * ---------------------------------------------------------------------
 */

static DdbValue *BuildValue(JsonbValue *jv, int depth, DdbValueError *err);

/*
 * Build a map from an object of name -> AttributeValue whose values are at
 * nesting level depth.  Each value is validated before its name, as
 * DynamoDB does.
 */
static DdbValue *
BuildMap(JsonbContainer *c, int depth, DdbValueError *err)
{
	DdbValue   *map = DdbValueMakeMap();
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	k;
	JsonbValue	v;

	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		DdbValue   *value;

		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		value = BuildValue(&v, depth, err);
		if (value == NULL)
			return NULL;
		if (!DdbCheckAttributeName(k.val.string.val, k.val.string.len, err))
			return NULL;
		DdbMapSet(map, k.val.string.val, k.val.string.len, value);
	}
	return map;
}

/* "[a, b]": the members of a set as given, for the duplicates messages. */
static char *
SetDisplay(JsonbContainer *c)
{
	StringInfoData buf;
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	v;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (!first)
			appendStringInfoString(&buf, ", ");
		appendBinaryStringInfo(&buf, v.val.string.val, v.val.string.len);
		first = false;
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/*
 * Build an SS, NS or BS: not empty, members canonical (numbers normalised
 * before the duplicate test, so 1 and 1.0 are duplicates), sorted, unique.
 */
static DdbValue *
BuildSet(DdbType type, JsonbContainer *c, DdbValueError *err)
{
	DdbValue   *set;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;

	if (JsonContainerSize(c) == 0)
		return ValidationFailure(err, pstrdup(type == DDB_SS ? MSG_EMPTY_SS :
											  type == DDB_NS ? MSG_EMPTY_NS :
											  MSG_EMPTY_BS));

	set = DdbValueMakeList(type);
	it = JsonbIteratorInit(c);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		const char *s;
		int			len;
		char	   *data;
		DdbValue   *member;

		if (tok != WJB_ELEM)
			continue;
		s = v.val.string.val;
		len = v.val.string.len;
		switch (type)
		{
			case DDB_SS:
				member = DdbValueMakeString(DDB_S, s, len);
				break;
			case DDB_NS:
				data = DdbNumberCanonical(s, len, err);
				if (data == NULL)
					return NULL;
				member = DdbValueMakeString(DDB_N, data, (int) strlen(data));
				break;
			default:
				data = DdbBase64Decode(s, len, &len, err);
				if (data == NULL)
					return NULL;
				member = DdbValueMakeString(DDB_B, data, len);
				break;
		}
		DdbListAppend(set, member);
	}

	if (!DdbSetSort(set))
	{
		if (type == DDB_NS)
			return ValidationFailure(err, pstrdup(MSG_DUPLICATE_NS));
		return ValidationFailure(err,
								 psprintf(DDB_MSG_PARAM_INVALID "Input collection %s%s contains duplicates.",
										  SetDisplay(c),
										  type == DDB_BS ? "of type BS" : ""));
	}
	return set;
}

/* Validate and build one member of an AttributeValue at level depth. */
static DdbValue *
BuildMember(DdbType type, JsonbValue *m, int depth, DdbValueError *err)
{
	char	   *data;
	int			len;
	DdbValue   *list;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;

	switch (type)
	{
		case DDB_S:
			return DdbValueMakeString(DDB_S, m->val.string.val, m->val.string.len);
		case DDB_N:
			data = DdbNumberCanonical(m->val.string.val, m->val.string.len, err);
			if (data == NULL)
				return NULL;
			return DdbValueMakeString(DDB_N, data, (int) strlen(data));
		case DDB_B:
			data = DdbBase64Decode(m->val.string.val, m->val.string.len, &len, err);
			if (data == NULL)
				return NULL;
			return DdbValueMakeString(DDB_B, data, len);
		case DDB_BOOL:
			return DdbValueMakeBool(m->val.boolean);
		case DDB_NULL:
			if (!m->val.boolean)
				return ValidationFailure(err, pstrdup(MSG_NULL_NOT_TRUE));
			return DdbValueMakeNull();
		case DDB_M:
			if (depth >= DDB_MAX_NESTING)
				return ValidationFailure(err, pstrdup(DDB_MSG_NESTING_EXCEEDED));
			return BuildMap(m->val.binary.data, depth + 1, err);
		case DDB_L:
			if (depth >= DDB_MAX_NESTING)
				return ValidationFailure(err, pstrdup(DDB_MSG_NESTING_EXCEEDED));
			list = DdbValueMakeList(DDB_L);
			it = JsonbIteratorInit(m->val.binary.data);
			while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
			{
				DdbValue   *elem;

				if (tok != WJB_ELEM)
					continue;
				elem = BuildValue(&v, depth + 1, err);
				if (elem == NULL)
					return NULL;
				DdbListAppend(list, elem);
			}
			return list;
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			return BuildSet(type, m->val.binary.data, err);
		default:
			elog(ERROR, "unrecognized attribute value type %d", (int) type);
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * Validate and build an AttributeValue that passed CheckValueShape.  Every
 * member present is validated in DynamoDB's order before the number of
 * members is checked.
 */
static DdbValue *
BuildValue(JsonbValue *jv, int depth, DdbValueError *err)
{
	JsonbContainer *c = jv->val.binary.data;
	DdbValue   *result = NULL;
	int			count = 0;
	int			i;

	check_stack_depth();
	{
		JsonbValue	only;
		const TypeKey *tk = OnlyTypeMember(c, &only);

		if (tk != NULL)
			return BuildMember(tk->type, &only, depth, err);
	}
	for (i = 0; i < (int) lengthof(type_keys); i++)
	{
		JsonbValue	m;
		DdbValue   *v;

		if (!GetTypeMember(c, &type_keys[i], &m))
			continue;
		count++;
		v = BuildMember(type_keys[i].type, &m, depth, err);
		if (v == NULL)
			return NULL;
		result = v;
	}
	if (count == 0)
		return ValidationFailure(err, pstrdup(MSG_EMPTY_VALUE));
	if (count > 1)
		return ValidationFailure(err, pstrdup(MSG_MULTIPLE_TYPES));
	return result;
}

/*
 * Validate one AttributeValue from a request at nesting level depth and
 * return its canonical tree; NULL with *err filled.
 */
DdbValue *
DdbValueFromRequest(JsonbValue *jv, int depth, DdbValueError *err)
{
	JsonbValue	tmp;

	jv = PrepareValue(jv, &tmp);
	if (!CheckValueShape(jv, err))
		return NULL;
	return BuildValue(jv, depth, err);
}

/*
 * Validate an object of name -> AttributeValue (Item, Key, ...) and return
 * it as a map; NULL with *err filled.
 */
DdbValue *
DdbItemFromRequest(JsonbValue *jv, DdbValueError *err)
{
	JsonbValue	tmp;

	jv = PrepareValue(jv, &tmp);
	if (!IsObject(jv))
	{
		SerializationFailure(err, jv, "Map");
		return NULL;
	}
	if (!CheckMapShape(jv->val.binary.data, err))
		return NULL;
	return BuildMap(jv->val.binary.data, 1, err);
}


/* ---------------------------------------------------------------------
 * stored values
 * ---------------------------------------------------------------------
 */

static void MalformedStoredValue(void) pg_attribute_noreturn();

/* Report stored typed JSON that this module did not write. */
static void
MalformedStoredValue(void)
{
	elog(ERROR, "malformed stored attribute value");
}

/* Decode a stored base64 string. */
static DdbValue *
StoredBinary(const JsonbValue *s)
{
	DdbValueError err;
	char	   *data;
	int			len;

	if (s->type != jbvString)
		MalformedStoredValue();
	data = DdbBase64Decode(s->val.string.val, s->val.string.len, &len, &err);
	if (data == NULL)
		MalformedStoredValue();
	return DdbValueMakeString(DDB_B, data, len);
}

/* Build a map from a stored object of name -> typed value. */
static DdbValue *
StoredMap(JsonbContainer *c)
{
	DdbValue   *map = DdbValueMakeMap();
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	k;
	JsonbValue	v;

	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		DdbMapSet(map, k.val.string.val, k.val.string.len, DdbValueFromJsonb(&v));
	}
	return map;
}

/*
 * Convert a stored typed value, trusting it to be canonical.
 */
DdbValue *
DdbValueFromJsonb(JsonbValue *jv)
{
	JsonbValue	tmp;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	k;
	JsonbValue	m;
	JsonbValue	e;
	DdbType		type;
	DdbValue   *list;

	check_stack_depth();
	jv = PrepareValue(jv, &tmp);
	if (!IsObject(jv))
		MalformedStoredValue();

	/* The first (and only) member. */
	it = JsonbIteratorInit(jv->val.binary.data);
	do
		tok = JsonbIteratorNext(&it, &k, true);
	while (tok != WJB_KEY && tok != WJB_DONE);
	if (tok != WJB_KEY ||
		!DdbTypeFromName(k.val.string.val, k.val.string.len, &type))
		MalformedStoredValue();
	tok = JsonbIteratorNext(&it, &m, true);

	switch (type)
	{
		case DDB_S:
		case DDB_N:
			if (m.type != jbvString)
				MalformedStoredValue();
			return DdbValueMakeString(type, m.val.string.val, m.val.string.len);
		case DDB_B:
			return StoredBinary(&m);
		case DDB_BOOL:
			if (m.type != jbvBool)
				MalformedStoredValue();
			return DdbValueMakeBool(m.val.boolean);
		case DDB_NULL:
			return DdbValueMakeNull();
		case DDB_M:
			if (!IsObject(&m))
				MalformedStoredValue();
			return StoredMap(m.val.binary.data);
		case DDB_L:
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			if (!IsArray(&m))
				MalformedStoredValue();
			list = DdbValueMakeList(type);
			it = JsonbIteratorInit(m.val.binary.data);
			while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
			{
				if (tok != WJB_ELEM)
					continue;
				if (type == DDB_L)
					DdbListAppend(list, DdbValueFromJsonb(&e));
				else if (type == DDB_BS)
					DdbListAppend(list, StoredBinary(&e));
				else if (e.type != jbvString)
					MalformedStoredValue();
				else
					DdbListAppend(list,
								  DdbValueMakeString(type == DDB_SS ? DDB_S : DDB_N,
													 e.val.string.val,
													 e.val.string.len));
			}
			return list;
		default:
			MalformedStoredValue();
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * Convert a stored item (object of name -> typed value).
 */
DdbValue *
DdbItemFromJsonb(Jsonb *item)
{
	if (!JB_ROOT_IS_OBJECT(item))
		MalformedStoredValue();
	return StoredMap(&item->root);
}


/* ---------------------------------------------------------------------
 * typed-JSON output
 * ---------------------------------------------------------------------
 */

/* Push a string scalar as token tok (WJB_KEY, WJB_VALUE or WJB_ELEM). */
static void
PushString(JsonbParseState **ps, JsonbIteratorToken tok, const char *s, int len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = len;
	pushJsonbValue(ps, tok, &v);
}

/* Push binary data as its base64 text. */
static void
PushBase64(JsonbParseState **ps, JsonbIteratorToken tok, const char *data, int len)
{
	StringInfoData buf;

	initStringInfo(&buf);
	DdbBase64Encode(&buf, data, len);
	PushString(ps, tok, buf.data, buf.len);
}

static JsonbValue *PushValue(JsonbParseState **ps, const DdbValue *v);

/* Push a map as an object of name -> typed value; returns pushJsonbValue's result. */
static JsonbValue *
PushMap(JsonbParseState **ps, const DdbValue *map)
{
	int			i;

	Assert(map->type == DDB_M);
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < map->u.map.count; i++)
	{
		const DdbMapEntry *e = &map->u.map.entries[i];

		PushString(ps, WJB_KEY, e->name, e->namelen);
		PushValue(ps, e->value);
	}
	return pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

/* Push v as a typed-JSON object; returns pushJsonbValue's result. */
static JsonbValue *
PushValue(JsonbParseState **ps, const DdbValue *v)
{
	JsonbValue	b;
	int			i;

	check_stack_depth();
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	PushString(ps, WJB_KEY, DdbTypeName(v->type), (int) strlen(DdbTypeName(v->type)));
	switch (v->type)
	{
		case DDB_S:
		case DDB_N:
			PushString(ps, WJB_VALUE, v->u.str.data, v->u.str.len);
			break;
		case DDB_B:
			PushBase64(ps, WJB_VALUE, v->u.str.data, v->u.str.len);
			break;
		case DDB_BOOL:
		case DDB_NULL:
			b.type = jbvBool;
			b.val.boolean = (v->type == DDB_NULL) ? true : v->u.boolean;
			pushJsonbValue(ps, WJB_VALUE, &b);
			break;
		case DDB_M:
			PushMap(ps, v);
			break;
		case DDB_L:
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
			for (i = 0; i < v->u.list.count; i++)
			{
				const DdbValue *e = v->u.list.elems[i];

				if (v->type == DDB_L)
					PushValue(ps, e);
				else if (v->type == DDB_BS)
					PushBase64(ps, WJB_ELEM, e->u.str.data, e->u.str.len);
				else
					PushString(ps, WJB_ELEM, e->u.str.data, e->u.str.len);
			}
			pushJsonbValue(ps, WJB_END_ARRAY, NULL);
			break;
		default:
			elog(ERROR, "unrecognized attribute value type %d", (int) v->type);
	}
	return pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

/*
 * Push v as a typed-JSON object at the current position.
 */
void
DdbValuePush(JsonbParseState **ps, const DdbValue *v)
{
	PushValue(ps, v);
}

/*
 * Push a map as an object of name -> typed value.
 */
void
DdbItemPush(JsonbParseState **ps, const DdbValue *item)
{
	PushMap(ps, item);
}

/*
 * An item as a jsonb object of name -> typed value.
 */
Jsonb *
DdbItemToJsonb(const DdbValue *item)
{
	JsonbParseState *ps = NULL;

	return JsonbValueToJsonb(PushMap(&ps, item));
}

/* A typed value as a jsonb document. */
static Jsonb *
ValueToJsonb(const DdbValue *v)
{
	JsonbParseState *ps = NULL;

	return JsonbValueToJsonb(PushValue(&ps, v));
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

/*
 * ddb.encode_key(value jsonb) RETURNS bytea
 *
 * The order-preserving key encoding of a typed S, N or B value.
 */
Datum
ddb_encode_key(PG_FUNCTION_ARGS)
{
	JsonbValue	jv;
	DdbValueError err;
	DdbValue   *v;

	JsonbArg(PG_GETARG_JSONB_P(0), &jv);
	v = DdbValueFromRequest(&jv, 0, &err);
	if (v == NULL)
		DdbRaiseValueError(&err);
	if (!DdbTypeIsScalarKey(v->type))
		ddb_error(DDB_EX_VALIDATION,
				  "Only scalar types can be used as key values; type %s is not one of S, N, B",
				  DdbTypeName(v->type));
	PG_RETURN_BYTEA_P(DdbEncodeKey(v));
}

/*
 * ddb.decode_key(key bytea, type text) RETURNS jsonb
 *
 * The typed value whose key encoding is key.
 */
Datum
ddb_decode_key(PG_FUNCTION_ARGS)
{
	bytea	   *key = PG_GETARG_BYTEA_PP(0);
	text	   *typename = PG_GETARG_TEXT_PP(1);
	DdbType		type;

	if (!DdbTypeFromName(VARDATA_ANY(typename), VARSIZE_ANY_EXHDR(typename), &type) ||
		!DdbTypeIsScalarKey(type))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid key type \"%s\"", text_to_cstring(typename)),
				 errhint("The type of a key value is S, N or B.")));
	if (type == DDB_S)
		pg_verifymbstr(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), false);
	PG_RETURN_JSONB_P(ValueToJsonb(DdbDecodeKey(type, VARDATA_ANY(key),
												VARSIZE_ANY_EXHDR(key))));
}

/*
 * ddb.canonical_number(text) RETURNS text
 *
 * DynamoDB's canonical text of a number, or its error for an invalid one.
 */
Datum
ddb_canonical_number(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	DdbValueError err;
	char	   *canon;

	canon = DdbNumberCanonical(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &err);
	if (canon == NULL)
		DdbRaiseValueError(&err);
	PG_RETURN_TEXT_P(cstring_to_text(canon));
}

/*
 * ddb.item_size(item jsonb) RETURNS integer
 *
 * DynamoDB's size in bytes of a typed item, which is validated first.
 */
Datum
ddb_item_size(PG_FUNCTION_ARGS)
{
	JsonbValue	jv;
	DdbValueError err;
	DdbValue   *item;

	JsonbArg(PG_GETARG_JSONB_P(0), &jv);
	item = DdbItemFromRequest(&jv, &err);
	if (item == NULL)
		DdbRaiseValueError(&err);
	PG_RETURN_INT32((int32) DdbItemSize(item));
}

/*
 * ddb.validate_item(item jsonb) RETURNS jsonb
 *
 * Validates a typed item and returns it canonical: numbers normalised,
 * sets sorted.
 */
Datum
ddb_validate_item(PG_FUNCTION_ARGS)
{
	JsonbValue	jv;
	DdbValueError err;
	DdbValue   *item;

	JsonbArg(PG_GETARG_JSONB_P(0), &jv);
	item = DdbItemFromRequest(&jv, &err);
	if (item == NULL)
		DdbRaiseValueError(&err);
	PG_RETURN_JSONB_P(DdbItemToJsonb(item));
}
