/*-------------------------------------------------------------------------
 *
 * expr_bind.c
 *	  A request's ExpressionAttributeNames / ExpressionAttributeValues, and
 *	  binding parsed expressions to them.
 *
 * Binding resolves every placeholder slot of a (cached, shared) syntax
 * tree and raises the errors that depend on the request, in DynamoDB's
 * order:
 *
 *	conditions	for each simple condition in the order written, the first
 *				of: undefined name or value, wrong number of function
 *				operands, identical first and second operand, operand type
 *				of a constant;
 *	updates		undefined name, undefined value, overlapping paths,
 *				conflicting paths, ADD/DELETE operand type, then function
 *				errors (operand count, document path required, operand
 *				types, nested list_append);
 *	projections	undefined name, overlapping paths, conflicting paths.
 *
 * src/expr_bind.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "expr_int.h"

/* ---- messages ---- */

const char *
ExprKindName(DdbExprKind kind)
{
	switch (kind)
	{
		case DDB_EXPR_CONDITION:
			return "Condition";
		case DDB_EXPR_FILTER:
			return "Filter";
		case DDB_EXPR_KEY_CONDITION:
			return "KeyCondition";
		case DDB_EXPR_UPDATE:
			return "Update";
		case DDB_EXPR_PROJECTION:
			return "Projection";
	}
	return "";
}

void
ExprError(DdbExprKind kind, const char *fmt,...)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "Invalid %sExpression: ", ExprKindName(kind));
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	ddb_error(DDB_EX_VALIDATION, "%s", buf.data);
}

void
ExprAppendSafe(StringInfo buf, const char *s, int len)
{
	const unsigned char *u = (const unsigned char *) s;
	int			i = 0;

	while (i < len)
	{
		int			n;
		int			k;

		if (u[i] == 0)
			n = 0;
		else if (u[i] < 0x80)
			n = 1;
		else if ((u[i] & 0xE0) == 0xC0 && u[i] >= 0xC2)
			n = 2;
		else if ((u[i] & 0xF0) == 0xE0)
			n = 3;
		else if ((u[i] & 0xF8) == 0xF0 && u[i] <= 0xF4)
			n = 4;
		else
			n = 0;
		if (n > len - i)
			n = 0;
		for (k = 1; k < n; k++)
			if ((u[i + k] & 0xC0) != 0x80)
				n = 0;
		if (n == 0)
		{
			appendStringInfoChar(buf, '?');
			i++;
		}
		else
		{
			appendBinaryStringInfo(buf, s + i, n);
			i += n;
		}
	}
}

void
ExprAppendPath(StringInfo buf, const DdbExpr *e, const ExprNode *path)
{
	int			i;

	appendStringInfoChar(buf, '[');
	for (i = 0; i < path->nelems; i++)
	{
		const ExprPathElem *el = &path->elems[i];

		if (i > 0)
			appendStringInfoString(buf, ", ");
		if (el->index >= 0)
			appendStringInfo(buf, "[%d]", el->index);
		else
		{
			const char *name;
			int			len;

			ExprElemName(e, el, &name, &len);
			if (name)
				ExprAppendSafe(buf, name, len);
		}
	}
	appendStringInfoChar(buf, ']');
}

static char *
path_string(const DdbExpr *e, const ExprNode *path)
{
	StringInfoData buf;

	initStringInfo(&buf);
	ExprAppendPath(&buf, e, path);
	return buf.data;
}

/* Remember the first message of a category. */
static void
note(char **slot, const char *fmt,...)
pg_attribute_printf(2, 3);

static void
note(char **slot, const char *fmt,...)
{
	StringInfoData buf;

	if (*slot != NULL)
		return;
	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	*slot = buf.data;
}

/* ---- requests ---- */

DdbExprRequest *
ExprRequestCreate(void)
{
	return palloc0(sizeof(DdbExprRequest));
}

void
ExprRequestCheckPresence(bool names_given, bool values_given,
						 bool has_any_expr, bool has_value_expr,
						 const char *value_exprs_null)
{
	if (names_given && !has_any_expr)
		ddb_validation_error("ExpressionAttributeNames can only be specified when using expressions");
	if (values_given && !has_value_expr && value_exprs_null != NULL)
		ddb_validation_error("ExpressionAttributeValues can only be specified when using expressions: %s",
							 value_exprs_null);
}

/* Is key sigil followed by one or more of [0-9A-Za-z_]? */
static bool
valid_key(const char *key, int keylen, char sigil)
{
	int			i;

	if (keylen < 2 || key[0] != sigil)
		return false;
	for (i = 1; i < keylen; i++)
	{
		char		c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

void
ExprRequestCheckNameKey(const char *key, int keylen)
{
	if (!valid_key(key, keylen, '#'))
	{
		StringInfoData buf;

		initStringInfo(&buf);
		ExprAppendSafe(&buf, key, keylen);
		ddb_validation_error("ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\"",
							 buf.data);
	}
}

void
ExprRequestCheckValueKey(const char *key, int keylen)
{
	if (!valid_key(key, keylen, ':'))
	{
		StringInfoData buf;

		initStringInfo(&buf);
		ExprAppendSafe(&buf, key, keylen);
		ddb_validation_error("ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"",
							 buf.data);
	}
}

static ExprMapEntry *
add_entry(ExprMapEntry **arr, int *n, const char *key, int keylen)
{
	ExprMapEntry *e;

	if (*arr == NULL)
		*arr = palloc(8 * sizeof(ExprMapEntry));
	else if ((*n & (*n - 1)) == 0 && *n >= 8)
		*arr = repalloc(*arr, *n * 2 * sizeof(ExprMapEntry));
	e = &(*arr)[(*n)++];
	memset(e, 0, sizeof(*e));
	e->key = ExprCopyBytes(key, keylen);
	e->keylen = keylen;
	return e;
}

void
ExprRequestAddName(DdbExprRequest *req, const char *key, int keylen,
				   const char *name, int namelen)
{
	ExprMapEntry *e = add_entry(&req->names, &req->nnames, key, keylen);

	req->has_names = true;
	if (name != NULL)
	{
		e->name = palloc(namelen + 1);
		memcpy(e->name, name, namelen);
		e->name[namelen] = '\0';
		e->namelen = namelen;
	}
}

void
ExprRequestAddValue(DdbExprRequest *req, const char *key, int keylen,
					DdbValue *value)
{
	ExprMapEntry *e = add_entry(&req->values, &req->nvalues, key, keylen);

	req->has_values = true;
	e->value = value;
}

static int
entry_key_cmp(const ExprMapEntry *a, const char *key, int keylen)
{
	int			c = memcmp(a->key, key, Min(a->keylen, keylen));

	if (c != 0)
		return c;
	return (a->keylen > keylen) - (a->keylen < keylen);
}

static const ExprMapEntry *sort_base;

static int
sort_cmp(const void *a, const void *b)
{
	int			ia = *(const int *) a;
	int			ib = *(const int *) b;
	int			c = entry_key_cmp(&sort_base[ia], sort_base[ib].key,
								  sort_base[ib].keylen);

	if (c != 0)
		return c;
	return (ia > ib) - (ia < ib);
}

/* Index array sorted by key (then position), for binary search. */
static int *
sort_entries(ExprMapEntry *arr, int n)
{
	int		   *idx = palloc(Max(n, 1) * sizeof(int));
	int			i;

	for (i = 0; i < n; i++)
		idx[i] = i;
	sort_base = arr;
	if (n > 1)
		qsort(idx, n, sizeof(int), sort_cmp);
	sort_base = NULL;
	return idx;
}

void
ExprRequestFinish(DdbExprRequest *req)
{
	req->names_sorted = sort_entries(req->names, req->nnames);
	req->values_sorted = sort_entries(req->values, req->nvalues);
}

static ExprMapEntry *
lookup_entry(ExprMapEntry *arr, int *sorted, int n, const char *key)
{
	int			keylen = strlen(key);
	int			lo = 0;
	int			hi = n - 1;
	ExprMapEntry *found = NULL;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = entry_key_cmp(&arr[sorted[mid]], key, keylen);

		if (c == 0)
		{
			/* the last of equal keys wins */
			found = &arr[sorted[mid]];
			lo = mid + 1;
		}
		else if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return found;
}

DdbExprRequest *
DdbExprBeginValues(const DdbValue *names, const DdbValue *values,
				   bool has_any_expr, bool has_value_expr,
				   const char *value_exprs_null)
{
	DdbExprRequest *req = ExprRequestCreate();
	int			i;

	ExprRequestCheckPresence(names != NULL, values != NULL, has_any_expr,
							 has_value_expr, value_exprs_null);
	if (names != NULL)
	{
		if (names->type != DDB_M || names->u.map.count == 0)
			ddb_validation_error("ExpressionAttributeNames must not be empty");
		for (i = 0; i < names->u.map.count; i++)
			ExprRequestCheckNameKey(names->u.map.entries[i].name,
									names->u.map.entries[i].namelen);
		for (i = 0; i < names->u.map.count; i++)
		{
			const DdbMapEntry *me = &names->u.map.entries[i];
			const DdbValue *v = me->value;

			if (v == NULL || v->type != DDB_S)
				ExprRequestAddName(req, me->name, me->namelen, NULL, 0);
			else
			{
				if (v->u.str.len == 0)
				{
					StringInfoData buf;

					initStringInfo(&buf);
					ExprAppendSafe(&buf, me->name, me->namelen);
					ddb_validation_error("ExpressionAttributeNames contains invalid value: Empty attribute name for key %s",
										 buf.data);
				}
				ExprRequestAddName(req, me->name, me->namelen,
								   v->u.str.data, v->u.str.len);
			}
		}
	}
	if (values != NULL)
	{
		if (values->type != DDB_M || values->u.map.count == 0)
			ddb_validation_error("ExpressionAttributeValues must not be empty");
		for (i = 0; i < values->u.map.count; i++)
			ExprRequestCheckValueKey(values->u.map.entries[i].name,
									 values->u.map.entries[i].namelen);
		for (i = 0; i < values->u.map.count; i++)
			ExprRequestAddValue(req, values->u.map.entries[i].name,
								values->u.map.entries[i].namelen,
								values->u.map.entries[i].value);
	}
	ExprRequestFinish(req);
	return req;
}

static void
raise_unused(const char *what, ExprMapEntry *arr, int n)
{
	StringInfoData buf;
	bool		any = false;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < n; i++)
	{
		if (arr[i].used)
			continue;
		appendStringInfoString(&buf, any ? ", " : "");
		ExprAppendSafe(&buf, arr[i].key, arr[i].keylen);
		any = true;
	}
	if (any)
		ddb_validation_error("Value provided in %s unused in expressions: keys: {%s}",
							 what, buf.data);
}

void
DdbExprEnd(DdbExprRequest *req)
{
	raise_unused("ExpressionAttributeNames", req->names, req->nnames);
	raise_unused("ExpressionAttributeValues", req->values, req->nvalues);
}

/* ---- binding: shared helpers ---- */

/* Type of an operand known without an item: a constant, or size(). */
static bool
static_type(const DdbExpr *e, const ExprNode *n, DdbType *t)
{
	if (n->kind == EXPR_VALUE && e->values[n->slot] != NULL)
	{
		*t = e->values[n->slot]->type;
		return true;
	}
	if (n->kind == EXPR_FUNC && n->op == FN_SIZE)
	{
		*t = DDB_N;
		return true;
	}
	return false;
}

/* Both nodes paths with the same resolved elements? */
static bool
paths_equal(const DdbExpr *e, const ExprNode *a, const ExprNode *b)
{
	int			i;

	if (a->kind != EXPR_PATH || b->kind != EXPR_PATH || a->nelems != b->nelems)
		return false;
	for (i = 0; i < a->nelems; i++)
	{
		const ExprPathElem *x = &a->elems[i];
		const ExprPathElem *y = &b->elems[i];
		const char *xn,
				   *yn;
		int			xl,
					yl;

		if ((x->index >= 0) != (y->index >= 0))
			return false;
		if (x->index >= 0)
		{
			if (x->index != y->index)
				return false;
			continue;
		}
		ExprElemName(e, x, &xn, &xl);
		ExprElemName(e, y, &yn, &yl);
		if (xn == NULL || yn == NULL || xl != yl || memcmp(xn, yn, xl) != 0)
			return false;
	}
	return true;
}

/* First undefined name of a path, noted. */
static void
check_path_names(const DdbExpr *e, const ExprNode *path, char **err)
{
	int			i;

	for (i = 0; i < path->nelems; i++)
	{
		const ExprPathElem *el = &path->elems[i];

		if (el->slot >= 0 && e->names[el->slot] == NULL)
			note(err, "An expression attribute name used in the document path is not defined; attribute name: %s",
				 e->ast->names[el->slot]);
	}
}

static void
check_value_defined(const DdbExpr *e, const ExprNode *n, char **err)
{
	if (e->values[n->slot] == NULL)
		note(err, "An expression attribute value used in expression is not defined; attribute value: %s",
			 e->ast->values[n->slot]);
}

/* ---- binding: conditions ---- */

typedef struct CondErrors
{
	char	   *undefined;
	char	   *operands;
	char	   *distinct;
	char	   *types;
} CondErrors;

static const char *const cmp_symbols[] = {"=", "<>", "<", "<=", ">", ">="};

static const char *
function_name(const ExprNode *fn)
{
	return pnstrdup(fn->fname, fn->fnamelen);
}

static void check_cond_operand(const DdbExpr *e, const ExprNode *n, CondErrors *errs);

static void
check_cond_function(const DdbExpr *e, const ExprNode *fn, CondErrors *errs)
{
	static const int nargs_of[] = {
		[FN_ATTRIBUTE_EXISTS] = 1,
		[FN_ATTRIBUTE_NOT_EXISTS] = 1,
		[FN_ATTRIBUTE_TYPE] = 2,
		[FN_BEGINS_WITH] = 2,
		[FN_CONTAINS] = 2,
		[FN_SIZE] = 1,
		[FN_IF_NOT_EXISTS] = 2,
		[FN_LIST_APPEND] = 2,
	};
	const char *name = function_name(fn);
	DdbType		t;
	int			i;

	for (i = 0; i < fn->nargs; i++)
		check_cond_operand(e, fn->args[i], errs);

	if (fn->op < 0 || fn->nargs != nargs_of[fn->op])
	{
		note(&errs->operands,
			 "Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d",
			 name, fn->nargs);
		return;
	}

	if ((fn->op == FN_ATTRIBUTE_TYPE || fn->op == FN_BEGINS_WITH ||
		 fn->op == FN_CONTAINS) && paths_equal(e, fn->args[0], fn->args[1]))
		note(&errs->distinct,
			 "The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s",
			 name, path_string(e, fn->args[0]));

	switch ((ExprFunc) fn->op)
	{
		case FN_ATTRIBUTE_EXISTS:
		case FN_ATTRIBUTE_NOT_EXISTS:
			if (fn->args[0]->kind != EXPR_PATH)
				note(&errs->types,
					 "Operator or function requires a document path; operator or function: %s",
					 name);
			break;
		case FN_BEGINS_WITH:
			for (i = 0; i < 2; i++)
				if (static_type(e, fn->args[i], &t) && t != DDB_S && t != DDB_B)
				{
					note(&errs->types,
						 "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
						 name, DdbTypeName(t));
					break;
				}
			break;
		case FN_ATTRIBUTE_TYPE:
			if (!static_type(e, fn->args[1], &t))
				note(&errs->types,
					 "Incorrect operand type for operator or function; operator or function: %s, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}",
					 name);
			else if (t != DDB_S)
				note(&errs->types,
					 "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
					 name, DdbTypeName(t));
			else
			{
				const DdbValue *v = e->values[fn->args[1]->slot];
				DdbType		dummy;

				if (!DdbTypeFromName(v->u.str.data, v->u.str.len, &dummy))
				{
					StringInfoData buf;

					initStringInfo(&buf);
					ExprAppendSafe(&buf, v->u.str.data, v->u.str.len);
					note(&errs->types,
						 "Invalid attribute type name found; type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
						 buf.data);
				}
			}
			break;
		case FN_SIZE:
			if (static_type(e, fn->args[0], &t) &&
				(t == DDB_N || t == DDB_BOOL || t == DDB_NULL))
				note(&errs->types,
					 "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
					 name, DdbTypeName(t));
			break;
		default:
			break;
	}
}

static void
check_cond_operand(const DdbExpr *e, const ExprNode *n, CondErrors *errs)
{
	switch (n->kind)
	{
		case EXPR_PATH:
			check_path_names(e, n, &errs->undefined);
			break;
		case EXPR_VALUE:
			check_value_defined(e, n, &errs->undefined);
			break;
		case EXPR_FUNC:
			check_cond_function(e, n, errs);
			break;
		default:
			break;
	}
}

/* Constant operands of <, <=, >, >= and BETWEEN must be S, N or B. */
static void
check_ordered_operand(const DdbExpr *e, const ExprNode *n, const char *op,
					  CondErrors *errs)
{
	DdbType		t;

	if (static_type(e, n, &t) && !DdbTypeIsScalarKey(t))
		note(&errs->types,
			 "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
			 op, DdbTypeName(t));
}

static char *
display_value(const DdbValue *v)
{
	StringInfoData buf;

	initStringInfo(&buf);
	DdbValueAppendDisplay(&buf, v);
	return buf.data;
}

static void
check_simple_condition(const DdbExpr *e, const ExprNode *n)
{
	CondErrors	errs = {0};
	int			i;

	switch (n->kind)
	{
		case EXPR_CMP:
			check_cond_operand(e, n->args[0], &errs);
			check_cond_operand(e, n->args[1], &errs);
			if (paths_equal(e, n->args[0], n->args[1]))
				note(&errs.distinct,
					 "The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s",
					 cmp_symbols[n->op], path_string(e, n->args[0]));
			if (n->op != CMP_EQ && n->op != CMP_NE)
				for (i = 0; i < 2; i++)
					check_ordered_operand(e, n->args[i], cmp_symbols[n->op], &errs);
			break;
		case EXPR_BETWEEN:
			for (i = 0; i < 3; i++)
				check_cond_operand(e, n->args[i], &errs);
			for (i = 0; i < 3; i++)
				check_ordered_operand(e, n->args[i], "BETWEEN", &errs);
			if (n->args[1]->kind == EXPR_VALUE && n->args[2]->kind == EXPR_VALUE &&
				e->values[n->args[1]->slot] && e->values[n->args[2]->slot] &&
				errs.types == NULL)
			{
				const DdbValue *lo = e->values[n->args[1]->slot];
				const DdbValue *hi = e->values[n->args[2]->slot];

				if (lo->type != hi->type)
					note(&errs.types,
						 "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s",
						 display_value(lo), display_value(hi));
				else if (DdbValueCompare(lo, hi) > 0)
					note(&errs.types,
						 "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: %s, upper bound operand: AttributeValue: %s",
						 display_value(lo), display_value(hi));
			}
			break;
		case EXPR_IN:
			for (i = 0; i < n->nargs; i++)
				check_cond_operand(e, n->args[i], &errs);
			break;
		case EXPR_FUNC:
			check_cond_function(e, n, &errs);
			break;
		default:
			break;
	}
	if (errs.undefined)
		ExprError(e->ast->kind, "%s", errs.undefined);
	if (errs.operands)
		ExprError(e->ast->kind, "%s", errs.operands);
	if (errs.distinct)
		ExprError(e->ast->kind, "%s", errs.distinct);
	if (errs.types)
		ExprError(e->ast->kind, "%s", errs.types);
}

static void
check_condition_tree(const DdbExpr *e, const ExprNode *n)
{
	int			i;

	switch (n->kind)
	{
		case EXPR_AND:
		case EXPR_OR:
		case EXPR_NOT:
			for (i = 0; i < n->nargs; i++)
				check_condition_tree(e, n->args[i]);
			break;
		default:
			check_simple_condition(e, n);
			break;
	}
}

/* ---- binding: paths of updates and projections ---- */

/*
 * DynamoDB's overlap / conflict check over target paths: each path is
 * compared with every earlier one; the first overlap (one path a prefix of
 * the other) is raised, else the last conflict (a name where the other has
 * an index, at the same position after an equal prefix).
 */
static void
check_overlaps(const DdbExpr *e, ExprNode *const *paths, int n)
{
	const ExprNode *conflict_a = NULL;
	const ExprNode *conflict_b = NULL;
	int			i,
				j;

	for (j = 0; j < n; j++)
	{
		for (i = 0; i < j; i++)
		{
			const ExprNode *a = paths[i];
			const ExprNode *b = paths[j];
			int			k;
			int			m = Min(a->nelems, b->nelems);
			bool		related = true;

			for (k = 0; k < m; k++)
			{
				const ExprPathElem *x = &a->elems[k];
				const ExprPathElem *y = &b->elems[k];

				if ((x->index >= 0) != (y->index >= 0))
				{
					conflict_a = a;
					conflict_b = b;
					related = false;
					break;
				}
				if (x->index >= 0)
				{
					if (x->index != y->index)
					{
						related = false;
						break;
					}
				}
				else
				{
					const char *xn,
							   *yn;
					int			xl,
								yl;

					ExprElemName(e, x, &xn, &xl);
					ExprElemName(e, y, &yn, &yl);
					if (xl != yl || memcmp(xn, yn, xl) != 0)
					{
						related = false;
						break;
					}
				}
			}
			if (related)
				ExprError(e->ast->kind,
						  "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s",
						  path_string(e, a), path_string(e, b));
		}
	}
	if (conflict_a)
		ExprError(e->ast->kind,
				  "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: %s, path two: %s",
				  path_string(e, conflict_a), path_string(e, conflict_b));
}

/* ---- binding: updates ---- */

/* First undefined name (values: value) in the order written. */
static void
check_update_refs(const DdbExpr *e, const ExprNode *n, char **names_err,
				  char **values_err)
{
	int			i;

	switch (n->kind)
	{
		case EXPR_PATH:
			check_path_names(e, n, names_err);
			break;
		case EXPR_VALUE:
			check_value_defined(e, n, values_err);
			break;
		default:
			for (i = 0; i < n->nargs; i++)
				check_update_refs(e, n->args[i], names_err, values_err);
			break;
	}
}

/* Constant operands of + and - must be N, of list_append L. */
static void
check_constant_type(const DdbExpr *e, const ExprNode *n, DdbType want,
					const char *op, char **err)
{
	if (n->kind == EXPR_VALUE && e->values[n->slot] != NULL &&
		e->values[n->slot]->type != want)
		note(err,
			 "Incorrect operand type for operator or function; operator or function: %s, operand type: %s",
			 op, DdbTypeName(e->values[n->slot]->type));
}

static void
check_update_value(const DdbExpr *e, const ExprNode *n, bool in_list_append,
				   char **err)
{
	int			i;

	switch (n->kind)
	{
		case EXPR_PLUS:
		case EXPR_MINUS:
			for (i = 0; i < 2; i++)
				check_update_value(e, n->args[i], in_list_append, err);
			for (i = 0; i < 2; i++)
				check_constant_type(e, n->args[i], DDB_N,
									n->kind == EXPR_PLUS ? "+" : "-", err);
			break;
		case EXPR_FUNC:
			for (i = 0; i < n->nargs; i++)
				check_update_value(e, n->args[i],
								   in_list_append || n->op == FN_LIST_APPEND, err);
			if (n->nargs != 2)
			{
				note(err,
					 "Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d",
					 function_name(n), n->nargs);
				break;
			}
			if (n->op == FN_IF_NOT_EXISTS)
			{
				if (n->args[0]->kind != EXPR_PATH)
					note(err,
						 "Operator or function requires a document path; operator or function: %s",
						 function_name(n));
			}
			else
			{
				if (in_list_append)
					note(err,
						 "The function is not allowed to be used this way in an expression; function: %s",
						 function_name(n));
				for (i = 0; i < 2; i++)
					check_constant_type(e, n->args[i], DDB_L, "list_append", err);
			}
			break;
		default:
			break;
	}
}

static void
check_update(const DdbExpr *e)
{
	const ExprAst *ast = e->ast;
	char	   *names_err = NULL;
	char	   *values_err = NULL;
	char	   *err = NULL;
	ExprNode  **targets;
	int			i;

	for (i = 0; i < ast->nactions; i++)
	{
		check_update_refs(e, ast->actions[i].path, &names_err, &values_err);
		if (ast->actions[i].value)
			check_update_refs(e, ast->actions[i].value, &names_err, &values_err);
	}
	if (names_err)
		ExprError(ast->kind, "%s", names_err);
	if (values_err)
		ExprError(ast->kind, "%s", values_err);

	targets = palloc(Max(ast->nactions, 1) * sizeof(ExprNode *));
	for (i = 0; i < ast->nactions; i++)
		targets[i] = ast->actions[i].path;
	check_overlaps(e, targets, ast->nactions);

	for (i = 0; i < ast->nactions; i++)
	{
		const ExprAction *a = &ast->actions[i];
		const DdbValue *v;

		if (a->kind != ACT_ADD && a->kind != ACT_DELETE)
			continue;
		v = e->values[a->value->slot];
		if (DdbTypeIsSet(v->type) || (a->kind == ACT_ADD && v->type == DDB_N))
			continue;
		ExprError(ast->kind,
				  "Incorrect operand type for operator or function; operator: %s, operand type: %s",
				  a->kind == ACT_ADD ? "ADD" : "DELETE", DdbTypeLongName(v->type));
	}

	for (i = 0; i < ast->nactions; i++)
		if (ast->actions[i].kind == ACT_SET)
			check_update_value(e, ast->actions[i].value, false, &err);
	if (err)
		ExprError(ast->kind, "%s", err);
}

/* ---- binding: projections ---- */

static void
check_projection(const DdbExpr *e)
{
	const ExprAst *ast = e->ast;
	char	   *err = NULL;
	int			i;

	for (i = 0; i < ast->npaths; i++)
		check_path_names(e, ast->paths[i], &err);
	if (err)
		ExprError(ast->kind, "%s", err);
	check_overlaps(e, ast->paths, ast->npaths);
}

/* ---- entry point ---- */

DdbExpr *
ExprBind(DdbExprRequest *req, const ExprAst *ast)
{
	DdbExpr    *e = palloc0(sizeof(DdbExpr));
	int			i;

	e->ast = ast;
	e->names = palloc0(Max(ast->nnames, 1) * sizeof(char *));
	e->namelens = palloc0(Max(ast->nnames, 1) * sizeof(int));
	e->values = palloc0(Max(ast->nvalues, 1) * sizeof(DdbValue *));
	for (i = 0; i < ast->nnames; i++)
	{
		ExprMapEntry *me = lookup_entry(req->names, req->names_sorted,
										req->nnames, ast->names[i]);

		if (me != NULL && me->name != NULL)
		{
			me->used = true;
			e->names[i] = me->name;
			e->namelens[i] = me->namelen;
		}
	}
	for (i = 0; i < ast->nvalues; i++)
	{
		ExprMapEntry *me = lookup_entry(req->values, req->values_sorted,
										req->nvalues, ast->values[i]);

		if (me != NULL && me->value != NULL)
		{
			me->used = true;
			e->values[i] = me->value;
		}
	}

	switch (ast->kind)
	{
		case DDB_EXPR_CONDITION:
		case DDB_EXPR_FILTER:
		case DDB_EXPR_KEY_CONDITION:
			check_condition_tree(e, ast->root);
			break;
		case DDB_EXPR_UPDATE:
			check_update(e);
			break;
		case DDB_EXPR_PROJECTION:
			check_projection(e);
			break;
	}
	return e;
}

DdbExprKind
DdbExprGetKind(const DdbExpr *e)
{
	return e->ast->kind;
}
