/*-------------------------------------------------------------------------
 *
 * expr_request.c
 *	  Reading a request's ExpressionAttributeNames and
 *	  ExpressionAttributeValues from jsonb.
 *
 * This is the only file of the expression engine that reads jsonb; the
 * rest works on DdbValue trees, so that it can be built outside the server
 * (test/fuzz).
 *
 * src/expr_request.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/jsonb.h"

#include "expr_int.h"

/* SerializationException for a member that should be a map. */
static void
check_map(JsonbValue *jv)
{
	if (jv->type == jbvBinary && JsonContainerIsObject(jv->val.binary.data))
		return;
	if (jv->type == jbvBinary && JsonContainerIsArray(jv->val.binary.data))
		ddb_error(DDB_EX_SERIALIZATION, "Start of list found where not expected");
	ddb_error(DDB_EX_SERIALIZATION, "Expected map or null");
}

/* SerializationException for a names member that is not a string. */
static void
check_name_value(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
		case jbvNull:
			return;
		case jbvBool:
			ddb_error(DDB_EX_SERIALIZATION,
					  "class java.lang.Boolean can not be converted to an String");
			break;
		case jbvNumeric:
			ddb_error(DDB_EX_SERIALIZATION,
					  "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
			break;
		case jbvBinary:
			if (JsonContainerIsArray(v->val.binary.data))
				ddb_error(DDB_EX_SERIALIZATION, "Start of list found where not expected");
			ddb_error(DDB_EX_SERIALIZATION, "Start of structure or map found where not expected.");
			break;
		default:
			ddb_error(DDB_EX_SERIALIZATION, "Expected null");
	}
}

typedef struct MapMember
{
	char	   *key;
	int			keylen;
	JsonbValue	value;
} MapMember;

/* The members of a jsonb object, in jsonb order. */
static MapMember *
read_members(JsonbValue *jv, int *n)
{
	JsonbIterator *it = JsonbIteratorInit(jv->val.binary.data);
	JsonbValue	v;
	JsonbIteratorToken tok;
	MapMember  *arr = NULL;
	int			cap = 0;

	*n = 0;
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			if (*n >= cap)
			{
				cap = Max(8, cap * 2);
				arr = arr ? repalloc(arr, cap * sizeof(MapMember)) :
					palloc(cap * sizeof(MapMember));
			}
			arr[*n].key = v.val.string.val;
			arr[*n].keylen = v.val.string.len;
		}
		else if (tok == WJB_VALUE)
			arr[(*n)++].value = v;
	}
	return arr;
}

DdbExprRequest *
DdbExprBegin(JsonbValue *names, JsonbValue *values, bool has_any_expr,
			 bool has_value_expr, const char *value_exprs_null)
{
	DdbExprRequest *req = ExprRequestCreate();
	MapMember  *nm = NULL;
	MapMember  *vm = NULL;
	int			nn = 0;
	int			nv = 0;
	int			i;

	if (names != NULL && names->type == jbvNull)
		names = NULL;
	if (values != NULL && values->type == jbvNull)
		values = NULL;

	/* serialization errors first, as DynamoDB checks types before values */
	if (names != NULL)
	{
		check_map(names);
		nm = read_members(names, &nn);
		for (i = 0; i < nn; i++)
			check_name_value(&nm[i].value);
	}
	if (values != NULL)
	{
		check_map(values);
		vm = read_members(values, &nv);
	}

	ExprRequestCheckPresence(names != NULL, values != NULL, has_any_expr,
							 has_value_expr, value_exprs_null);

	if (names != NULL)
	{
		if (nn == 0)
			ddb_validation_error("ExpressionAttributeNames must not be empty");
		for (i = 0; i < nn; i++)
			ExprRequestCheckNameKey(nm[i].key, nm[i].keylen);
		for (i = 0; i < nn; i++)
		{
			if (nm[i].value.type == jbvString)
			{
				if (nm[i].value.val.string.len == 0)
				{
					StringInfoData buf;

					initStringInfo(&buf);
					ExprAppendSafe(&buf, nm[i].key, nm[i].keylen);
					ddb_validation_error("ExpressionAttributeNames contains invalid value: Empty attribute name for key %s",
										 buf.data);
				}
				ExprRequestAddName(req, nm[i].key, nm[i].keylen,
								   nm[i].value.val.string.val,
								   nm[i].value.val.string.len);
			}
			else
				ExprRequestAddName(req, nm[i].key, nm[i].keylen, NULL, 0);
		}
	}
	if (values != NULL)
	{
		if (nv == 0)
			ddb_validation_error("ExpressionAttributeValues must not be empty");
		for (i = 0; i < nv; i++)
			ExprRequestCheckValueKey(vm[i].key, vm[i].keylen);
		for (i = 0; i < nv; i++)
		{
			DdbValueError err = {0};
			DdbValue   *v = DdbValueFromRequest(&vm[i].value, 1, &err);

			if (v == NULL)
			{
				StringInfoData buf;

				if (err.ex != DDB_EX_VALIDATION)
					DdbRaiseValueError(&err);
				initStringInfo(&buf);
				ExprAppendSafe(&buf, vm[i].key, vm[i].keylen);
				ddb_validation_error("ExpressionAttributeValues contains invalid value: %s for key %s",
									 err.message, buf.data);
			}
			ExprRequestAddValue(req, vm[i].key, vm[i].keylen, v);
		}
	}
	ExprRequestFinish(req);
	return req;
}
