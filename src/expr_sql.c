/*-------------------------------------------------------------------------
 *
 * expr_sql.c
 *	  SQL functions that run the expression engine on a given item without
 *	  touching any table: ddb.expr_eval_condition(), ddb.expr_project(),
 *	  ddb.expr_update(), ddb.expr_key_condition(),
 *	  ddb.expr_top_level_names(), and the cache's statistics.
 *
 * They take the request members as DynamoDB's typed JSON and raise the
 * same errors as the item operations, which makes them a testing and
 * debugging aid for expressions.
 *
 * src/expr_sql.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "expr.h"

PG_FUNCTION_INFO_V1(ddb_expr_eval_condition);
PG_FUNCTION_INFO_V1(ddb_expr_project);
PG_FUNCTION_INFO_V1(ddb_expr_update);
PG_FUNCTION_INFO_V1(ddb_expr_key_condition);
PG_FUNCTION_INFO_V1(ddb_expr_top_level_names);
PG_FUNCTION_INFO_V1(ddb_expr_cache_stats);
PG_FUNCTION_INFO_V1(ddb_expr_cache_reset);

/* A jsonb argument as the JsonbValue a request member would be. */
static JsonbValue *
arg_jbv(FunctionCallInfo fcinfo, int n)
{
	Jsonb	   *jb;
	JsonbValue *jv;

	if (PG_ARGISNULL(n))
		return NULL;
	jb = PG_GETARG_JSONB_P(n);
	jv = palloc(sizeof(JsonbValue));
	if (JB_ROOT_IS_SCALAR(jb))
		JsonbExtractScalar(&jb->root, jv);
	else
	{
		jv->type = jbvBinary;
		jv->val.binary.data = &jb->root;
		jv->val.binary.len = VARSIZE(jb) - VARHDRSZ;
	}
	return jv;
}

/* An item argument, validated like a request's Item; NULL stays NULL. */
static DdbValue *
arg_item(FunctionCallInfo fcinfo, int n)
{
	JsonbValue *jv = arg_jbv(fcinfo, n);
	DdbValueError err = {0};
	DdbValue   *item;

	if (jv == NULL)
		return NULL;
	item = DdbItemFromRequest(jv, &err);
	if (item == NULL)
		DdbRaiseValueError(&err);
	return item;
}

static DdbExprKind
kind_from_text(text *t)
{
	char	   *s = text_to_cstring(t);

	if (strcmp(s, "Condition") == 0)
		return DDB_EXPR_CONDITION;
	if (strcmp(s, "Filter") == 0)
		return DDB_EXPR_FILTER;
	if (strcmp(s, "KeyCondition") == 0)
		return DDB_EXPR_KEY_CONDITION;
	if (strcmp(s, "Update") == 0)
		return DDB_EXPR_UPDATE;
	if (strcmp(s, "Projection") == 0)
		return DDB_EXPR_PROJECTION;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown expression kind \"%s\"", s),
			 errhint("Use Condition, Filter, KeyCondition, Update or Projection.")));
	return DDB_EXPR_CONDITION;	/* keep compiler quiet */
}

static Datum
item_datum(const DdbValue *item)
{
	if (item == NULL)
		return (Datum) 0;
	return JsonbPGetDatum(DdbItemToJsonb(item));
}

/*
 * ddb.expr_eval_condition(expr, item, names, vals, kind): evaluate a
 * condition (or filter) expression against item (NULL: no item).
 */
Datum
ddb_expr_eval_condition(PG_FUNCTION_ARGS)
{
	text	   *expr;
	DdbValue   *item;
	DdbExprRequest *req;
	DdbExpr    *cond;
	DdbExprKind kind = DDB_EXPR_CONDITION;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	expr = PG_GETARG_TEXT_PP(0);
	if (!PG_ARGISNULL(4))
		kind = kind_from_text(PG_GETARG_TEXT_PP(4));
	if (kind == DDB_EXPR_UPDATE || kind == DDB_EXPR_PROJECTION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expression kind must be Condition, Filter or KeyCondition")));
	item = arg_item(fcinfo, 1);
	req = DdbExprBegin(arg_jbv(fcinfo, 2), arg_jbv(fcinfo, 3), true, true,
					   kind == DDB_EXPR_FILTER ? "FilterExpression is null" :
					   "ConditionExpression is null");
	cond = DdbExprParse(req, kind, VARDATA_ANY(expr), VARSIZE_ANY_EXHDR(expr));
	DdbExprEnd(req);
	PG_RETURN_BOOL(DdbExprEvalCondition(cond, item));
}

/* ddb.expr_project(expr, item, names): the projection of item. */
Datum
ddb_expr_project(PG_FUNCTION_ARGS)
{
	text	   *expr;
	DdbValue   *item;
	DdbExprRequest *req;
	DdbExpr    *proj;
	DdbValue   *res;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	expr = PG_GETARG_TEXT_PP(0);
	item = arg_item(fcinfo, 1);
	req = DdbExprBegin(arg_jbv(fcinfo, 2), NULL, true, false, NULL);
	proj = DdbExprParse(req, DDB_EXPR_PROJECTION, VARDATA_ANY(expr),
						VARSIZE_ANY_EXHDR(expr));
	DdbExprEnd(req);
	res = DdbExprProject(proj, item);
	if (res == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(item_datum(res));
}

/*
 * ddb.expr_update(expr, item, names, vals, key_names, item_existed,
 *				   OUT new_item, OUT updated_old, OUT updated_new,
 *				   OUT creates_item)
 */
Datum
ddb_expr_update(PG_FUNCTION_ARGS)
{
	text	   *expr;
	DdbValue   *item;
	DdbExprRequest *req;
	DdbExpr    *upd;
	const char **keys = NULL;
	int			nkeys = 0;
	bool		existed = PG_ARGISNULL(5) ? true : PG_GETARG_BOOL(5);
	DdbValue   *new_item;
	DdbValue   *old_vals;
	DdbValue   *new_vals;
	bool		creates;
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	expr = PG_GETARG_TEXT_PP(0);
	item = arg_item(fcinfo, 1);
	if (!PG_ARGISNULL(4))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(4);
		Datum	   *elems;
		bool	   *elemnulls;
		int			i;

		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &elemnulls, &nkeys);
		keys = palloc(Max(nkeys, 1) * sizeof(char *));
		for (i = 0; i < nkeys; i++)
			keys[i] = elemnulls[i] ? "" : TextDatumGetCString(elems[i]);
	}
	req = DdbExprBegin(arg_jbv(fcinfo, 2), arg_jbv(fcinfo, 3), true, true,
					   "UpdateExpression and ConditionExpression are null");
	upd = DdbExprParse(req, DDB_EXPR_UPDATE, VARDATA_ANY(expr),
					   VARSIZE_ANY_EXHDR(expr));
	DdbExprEnd(req);
	new_item = DdbExprApplyUpdate(upd, item, existed, keys, nkeys,
								  &old_vals, &new_vals, &creates);

	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = item_datum(new_item);
	values[1] = item_datum(old_vals);
	nulls[1] = (old_vals == NULL);
	values[2] = item_datum(new_vals);
	nulls[2] = (new_vals == NULL);
	values[3] = BoolGetDatum(creates);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

static DdbType
type_from_text(text *t)
{
	char	   *s = text_to_cstring(t);
	DdbType		type;

	if (!DdbTypeFromName(s, strlen(s), &type) || !DdbTypeIsScalarKey(type))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key type must be S, N or B, not \"%s\"", s)));
	return type;
}

static const char *const key_op_names[] = {
	[DDB_KEY_EQ] = "EQ",
	[DDB_KEY_LT] = "LT",
	[DDB_KEY_LE] = "LE",
	[DDB_KEY_GT] = "GT",
	[DDB_KEY_GE] = "GE",
	[DDB_KEY_BETWEEN] = "BETWEEN",
	[DDB_KEY_BEGINS_WITH] = "BEGINS_WITH",
};

/*
 * ddb.expr_key_condition(expr, names, vals, hash_key, hash_type,
 *						  range_key, range_type): the parts of a key
 * condition as {"hash": <value>, "range_op": "...", "range": [<values>]}.
 */
Datum
ddb_expr_key_condition(PG_FUNCTION_ARGS)
{
	text	   *expr;
	DdbExprRequest *req;
	DdbExpr    *kc;
	DdbKeyCondition out;
	char	   *hash_name;
	char	   *range_name = NULL;
	DdbType		hash_type;
	DdbType		range_type = DDB_S;
	StringInfoData buf;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
		PG_RETURN_NULL();
	expr = PG_GETARG_TEXT_PP(0);
	hash_name = text_to_cstring(PG_GETARG_TEXT_PP(3));
	hash_type = type_from_text(PG_GETARG_TEXT_PP(4));
	if (!PG_ARGISNULL(5))
	{
		range_name = text_to_cstring(PG_GETARG_TEXT_PP(5));
		range_type = PG_ARGISNULL(6) ? DDB_S : type_from_text(PG_GETARG_TEXT_PP(6));
	}
	req = DdbExprBegin(arg_jbv(fcinfo, 1), arg_jbv(fcinfo, 2), true, true,
					   "FilterExpression and KeyConditionExpression are null");
	kc = DdbExprParse(req, DDB_EXPR_KEY_CONDITION, VARDATA_ANY(expr),
					  VARSIZE_ANY_EXHDR(expr));
	DdbExprEnd(req);
	DdbExprKeyCondition(kc, hash_name, hash_type, range_name, range_type, &out);

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"hash\": ");
	DdbValueAppendJson(&buf, out.hash_value);
	if (out.has_range)
	{
		appendStringInfo(&buf, ", \"range_op\": \"%s\", \"range\": [",
						 key_op_names[out.range_op]);
		DdbValueAppendJson(&buf, out.range_value1);
		if (out.range_value2)
		{
			appendStringInfoString(&buf, ", ");
			DdbValueAppendJson(&buf, out.range_value2);
		}
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/*
 * ddb.expr_top_level_names(expr, kind, names, vals): the top-level
 * attributes the expression mentions.
 */
Datum
ddb_expr_top_level_names(PG_FUNCTION_ARGS)
{
	text	   *expr;
	DdbExprKind kind;
	DdbExprRequest *req;
	DdbExpr    *e;
	List	   *names;
	ListCell   *lc;
	Datum	   *elems;
	int			n = 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	expr = PG_GETARG_TEXT_PP(0);
	kind = kind_from_text(PG_GETARG_TEXT_PP(1));
	req = DdbExprBegin(arg_jbv(fcinfo, 2), arg_jbv(fcinfo, 3), true, true,
					   "ConditionExpression is null");
	e = DdbExprParse(req, kind, VARDATA_ANY(expr), VARSIZE_ANY_EXHDR(expr));
	DdbExprEnd(req);
	names = DdbExprTopLevelNames(e);
	elems = palloc(Max(list_length(names), 1) * sizeof(Datum));
	foreach(lc, names)
		elems[n++] = CStringGetTextDatum((char *) lfirst(lc));
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false,
										  TYPALIGN_INT));
}

/* ddb.expr_cache_stats(): the per-backend expression cache. */
Datum
ddb_expr_cache_stats(PG_FUNCTION_ARGS)
{
	DdbExprCacheStats st;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	DdbExprGetCacheStats(&st);
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int32GetDatum(st.entries);
	values[1] = Int64GetDatum(st.hits);
	values[2] = Int64GetDatum(st.misses);
	values[3] = Int64GetDatum(st.evictions);
	values[4] = Int64GetDatum((int64) st.bytes);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ddb.expr_cache_reset(): empty this backend's expression cache. */
Datum
ddb_expr_cache_reset(PG_FUNCTION_ARGS)
{
	DdbExprResetCache();
	PG_RETURN_VOID();
}
