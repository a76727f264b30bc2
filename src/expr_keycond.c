/*-------------------------------------------------------------------------
 *
 * expr_keycond.c
 *	  KeyConditionExpression: checking a parsed condition against the rules
 *	  of Query and splitting it into a partition key value and an optional
 *	  sort key condition.
 *
 * A KeyConditionExpression is parsed with the condition grammar; what is
 * not allowed in it is rejected here with DynamoDB's messages, walking the
 * condition in the order written: OR / NOT / IN / <> and the functions
 * other than begins_with, size() ("nested operations"), BETWEEN or
 * begins_with without the key attribute first, two attribute names in one
 * condition, nested attributes, no attribute, two conditions on one key;
 * then the number of conditions (1 or 2), and, against the key schema, the
 * missing partition key, unsupported operators and value types.
 *
 * src/expr_keycond.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "expr_int.h"

typedef struct KeyTerm
{
	const char *name;
	int			namelen;
	DdbKeyOp	op;
	int			nvalues;
	const DdbValue *values[2];
} KeyTerm;

typedef struct KeyTerms
{
	int			n;
	KeyTerm		terms[2];
} KeyTerms;

#define KC_ERROR(...) ddb_validation_error(__VA_ARGS__)

static DdbKeyOp
key_op_of(const ExprNode *n, bool flipped)
{
	if (n->kind == EXPR_BETWEEN)
		return DDB_KEY_BETWEEN;
	if (n->kind == EXPR_FUNC)
		return DDB_KEY_BEGINS_WITH;
	switch ((ExprCmpOp) n->op)
	{
		case CMP_LT:
			return flipped ? DDB_KEY_GT : DDB_KEY_LT;
		case CMP_LE:
			return flipped ? DDB_KEY_GE : DDB_KEY_LE;
		case CMP_GT:
			return flipped ? DDB_KEY_LT : DDB_KEY_GT;
		case CMP_GE:
			return flipped ? DDB_KEY_LE : DDB_KEY_GE;
		default:
			return DDB_KEY_EQ;
	}
}

static const char *
key_op_name(DdbKeyOp op)
{
	switch (op)
	{
		case DDB_KEY_EQ:
			return "EQ";
		case DDB_KEY_LT:
			return "LT";
		case DDB_KEY_LE:
			return "LE";
		case DDB_KEY_GT:
			return "GT";
		case DDB_KEY_GE:
			return "GE";
		case DDB_KEY_BETWEEN:
			return "BETWEEN";
		case DDB_KEY_BEGINS_WITH:
			return "BEGINS_WITH";
	}
	return "";
}

static void
collect_terms(const DdbExpr *e, const ExprNode *n, KeyTerms *kt, int *count)
{
	const char *attr = NULL;
	int			attrlen = 0;
	int			attr_ix = 0;
	int			i;

	check_stack_depth();
	switch (n->kind)
	{
		case EXPR_OR:
			KC_ERROR("Invalid operator used in KeyConditionExpression: OR");
			break;
		case EXPR_NOT:
			KC_ERROR("Invalid operator used in KeyConditionExpression: NOT");
			break;
		case EXPR_IN:
			KC_ERROR("Invalid operator used in KeyConditionExpression: IN");
			break;
		case EXPR_CMP:
			if (n->op == CMP_NE)
				KC_ERROR("Invalid operator used in KeyConditionExpression: <>");
			break;
		case EXPR_FUNC:
			if (n->op == FN_SIZE)
				KC_ERROR("KeyConditionExpressions cannot contain nested operations");
			if (n->op != FN_BEGINS_WITH)
				KC_ERROR("Invalid operator used in KeyConditionExpression: %s",
						 pnstrdup(n->fname, n->fnamelen));
			break;
		default:
			break;
	}
	if (n->kind == EXPR_BETWEEN && n->args[0]->kind != EXPR_PATH)
		KC_ERROR("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand");
	if (n->kind == EXPR_FUNC && n->args[0]->kind != EXPR_PATH)
		KC_ERROR("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand");

	for (i = 0; i < n->nargs; i++)
	{
		const ExprNode *arg = n->args[i];

		if (arg->kind == EXPR_PATH)
		{
			if (attr != NULL)
				KC_ERROR("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
			if (arg->nelems > 1)
				KC_ERROR("KeyConditionExpressions cannot have conditions on nested attributes");
			ExprElemName(e, &arg->elems[0], &attr, &attrlen);
			attr_ix = i;
		}
		else if (arg->kind != EXPR_VALUE)
			collect_terms(e, arg, kt, count);
	}
	if (n->kind == EXPR_AND)
		return;

	if (attr == NULL)
		KC_ERROR("Invalid condition in KeyConditionExpression: No key attribute specified");
	for (i = 0; i < kt->n; i++)
		if (kt->terms[i].namelen == attrlen &&
			memcmp(kt->terms[i].name, attr, attrlen) == 0)
			KC_ERROR("KeyConditionExpressions must only contain one condition per key");
	(*count)++;
	if (kt->n < 2)
	{
		KeyTerm    *t = &kt->terms[kt->n++];
		int			k = 0;

		t->name = attr;
		t->namelen = attrlen;
		t->op = key_op_of(n, attr_ix != 0);
		for (i = 0; i < n->nargs && k < 2; i++)
			if (i != attr_ix && n->args[i]->kind == EXPR_VALUE)
				t->values[k++] = e->values[n->args[i]->slot];
		t->nvalues = k;
	}
}

/* Operand types each legacy comparison operator accepts. */
static bool
type_valid_for(DdbKeyOp op, DdbType t)
{
	switch (op)
	{
		case DDB_KEY_EQ:
			return DdbTypeIsScalarKey(t) || DdbTypeIsSet(t);
		case DDB_KEY_BEGINS_WITH:
			return t == DDB_S || t == DDB_B;
		default:
			return DdbTypeIsScalarKey(t);
	}
}

static void
validate(const DdbExpr *kc, KeyTerms *kt)
{
	int			count = 0;
	int			i,
				j;

	Assert(kc->ast->kind == DDB_EXPR_KEY_CONDITION);
	memset(kt, 0, sizeof(*kt));
	collect_terms(kc, kc->ast->root, kt, &count);
	for (i = 0; i < kt->n; i++)
		for (j = 0; j < kt->terms[i].nvalues; j++)
			if (!type_valid_for(kt->terms[i].op, kt->terms[i].values[j]->type))
				KC_ERROR(DDB_MSG_PARAM_INVALID "ComparisonOperator %s is not valid for %s AttributeValue type",
						 key_op_name(kt->terms[i].op),
						 DdbTypeName(kt->terms[i].values[j]->type));
	if (count != 1 && count != 2)
		KC_ERROR("Conditions can be of length 1 or 2 only");
}

void
DdbExprKeyConditionValidate(const DdbExpr *kc)
{
	KeyTerms	kt;

	validate(kc, &kt);
}

static bool
term_is(const KeyTerm *t, const char *name)
{
	return name != NULL && (int) strlen(name) == t->namelen &&
		memcmp(t->name, name, t->namelen) == 0;
}

void
DdbExprKeyCondition(const DdbExpr *kc, const char *hash_name, DdbType hash_type,
					const char *range_name, DdbType range_type,
					DdbKeyCondition *out)
{
	KeyTerms	kt;
	const KeyTerm *hash = NULL;
	const KeyTerm *range = NULL;
	int			i;

	validate(kc, &kt);
	for (i = 0; i < kt.n; i++)
	{
		if (term_is(&kt.terms[i], hash_name))
			hash = &kt.terms[i];
		else if (term_is(&kt.terms[i], range_name))
			range = &kt.terms[i];
	}
	if (hash == NULL)
		KC_ERROR("Query condition missed key schema element: %s", hash_name);
	if (hash->op != DDB_KEY_EQ)
		KC_ERROR("Query key condition not supported");
	if (kt.n == 2 && range == NULL)
	{
		if (range_name != NULL)
			KC_ERROR("Query condition missed key schema element: %s", range_name);
		KC_ERROR("Query key condition not supported");
	}
	if (hash->values[0]->type != hash_type ||
		(range && (range->values[0]->type != range_type ||
				   (range->nvalues > 1 && range->values[1]->type != range_type))))
		KC_ERROR(DDB_MSG_PARAM_INVALID "Condition parameter type does not match schema type");

	memset(out, 0, sizeof(*out));
	out->hash_value = DdbValueCopy(hash->values[0]);
	if (range)
	{
		out->has_range = true;
		out->range_op = range->op;
		out->range_value1 = DdbValueCopy(range->values[0]);
		if (range->nvalues > 1)
			out->range_value2 = DdbValueCopy(range->values[1]);
	}
}
