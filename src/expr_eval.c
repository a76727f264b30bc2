/*-------------------------------------------------------------------------
 *
 * expr_eval.c
 *	  Evaluating conditions and projections against an item.
 *
 * Reading never fails: a path that does not resolve (missing attribute,
 * ".x" on a non-map, "[i]" on a non-list or past its end) is "missing", and
 * every comparison with a missing operand or operands of different types
 * is false, except "<>" which is then true.  Errors about the request's
 * own constants were raised when binding (expr_bind.c).
 *
 * src/expr_eval.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "expr_int.h"

/* ---- paths ---- */

const DdbValue *
ExprResolvePath(const DdbExpr *e, const ExprNode *path, const DdbValue *item)
{
	const DdbValue *cur = item;
	int			i;

	for (i = 0; i < path->nelems && cur != NULL; i++)
	{
		const ExprPathElem *el = &path->elems[i];

		if (el->index >= 0)
		{
			if (cur->type != DDB_L || el->index >= cur->u.list.count)
				return NULL;
			cur = cur->u.list.elems[el->index];
		}
		else
		{
			const char *name;
			int			len;

			if (cur->type != DDB_M)
				return NULL;
			ExprElemName(e, el, &name, &len);
			cur = DdbMapGet(cur, name, len);
		}
	}
	return cur;
}

DdbValue *
ExprMakeNumber(int64 n)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), INT64_FORMAT, n);
	return DdbValueMakeString(DDB_N, buf, strlen(buf));
}

/* ---- operands ---- */

/* Number of elements / bytes that size() reports, or -1 when undefined. */
static int64
value_size(const DdbValue *v)
{
	switch (v->type)
	{
		case DDB_S:
		case DDB_B:
			return v->u.str.len;
		case DDB_M:
			return v->u.map.count;
		case DDB_L:
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			return v->u.list.count;
		default:
			return -1;
	}
}

/* Value of an operand, NULL when missing or undefined. */
static const DdbValue *
eval_operand(const DdbExpr *e, const ExprNode *n, const DdbValue *item)
{
	switch (n->kind)
	{
		case EXPR_PATH:
			return ExprResolvePath(e, n, item);
		case EXPR_VALUE:
			return e->values[n->slot];
		case EXPR_FUNC:
			if (n->op == FN_SIZE)
			{
				const DdbValue *v = eval_operand(e, n->args[0], item);
				int64		size;

				if (v == NULL || (size = value_size(v)) < 0)
					return NULL;
				return ExprMakeNumber(size);
			}
			return NULL;
		default:
			return NULL;
	}
}

static bool
same_ordered_type(const DdbValue *a, const DdbValue *b)
{
	return a != NULL && b != NULL && a->type == b->type &&
		DdbTypeIsScalarKey(a->type);
}

static bool
bytes_contain(const char *hay, int haylen, const char *needle, int needlelen)
{
	int			i;

	if (needlelen == 0)
		return true;
	for (i = 0; i + needlelen <= haylen; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, needlelen) == 0)
			return true;
	return false;
}

/* contains(a, b) */
static bool
eval_contains(const DdbValue *a, const DdbValue *b)
{
	int			i;

	if (a == NULL || b == NULL)
		return false;
	switch (a->type)
	{
		case DDB_S:
		case DDB_B:
			return b->type == a->type &&
				bytes_contain(a->u.str.data, a->u.str.len,
							  b->u.str.data, b->u.str.len);
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			if ((a->type == DDB_SS && b->type != DDB_S) ||
				(a->type == DDB_NS && b->type != DDB_N) ||
				(a->type == DDB_BS && b->type != DDB_B))
				return false;
			/* fall through */
		case DDB_L:
			for (i = 0; i < a->u.list.count; i++)
				if (DdbValueEquals(a->u.list.elems[i], b))
					return true;
			return false;
		default:
			return false;
	}
}

static bool
eval_function(const DdbExpr *e, const ExprNode *n, const DdbValue *item)
{
	const DdbValue *a;
	const DdbValue *b;

	switch ((ExprFunc) n->op)
	{
		case FN_ATTRIBUTE_EXISTS:
			return eval_operand(e, n->args[0], item) != NULL;
		case FN_ATTRIBUTE_NOT_EXISTS:
			return eval_operand(e, n->args[0], item) == NULL;
		case FN_ATTRIBUTE_TYPE:
			a = eval_operand(e, n->args[0], item);
			b = eval_operand(e, n->args[1], item);
			if (a == NULL || b == NULL || b->type != DDB_S)
				return false;
			{
				const char *tn = DdbTypeName(a->type);

				return (int) strlen(tn) == b->u.str.len &&
					memcmp(tn, b->u.str.data, b->u.str.len) == 0;
			}
		case FN_BEGINS_WITH:
			a = eval_operand(e, n->args[0], item);
			b = eval_operand(e, n->args[1], item);
			if (a == NULL || b == NULL || a->type != b->type ||
				(a->type != DDB_S && a->type != DDB_B))
				return false;
			return b->u.str.len <= a->u.str.len &&
				memcmp(a->u.str.data, b->u.str.data, b->u.str.len) == 0;
		case FN_CONTAINS:
			return eval_contains(eval_operand(e, n->args[0], item),
								 eval_operand(e, n->args[1], item));
		default:
			/* not a condition function (rejected when parsing) */
			return false;
	}
}

static bool
eval_condition(const DdbExpr *e, const ExprNode *n, const DdbValue *item)
{
	const DdbValue *a;
	const DdbValue *b;
	const DdbValue *c;
	int			i;

	check_stack_depth();
	switch (n->kind)
	{
		case EXPR_AND:
			return eval_condition(e, n->args[0], item) &&
				eval_condition(e, n->args[1], item);
		case EXPR_OR:
			return eval_condition(e, n->args[0], item) ||
				eval_condition(e, n->args[1], item);
		case EXPR_NOT:
			return !eval_condition(e, n->args[0], item);
		case EXPR_CMP:
			a = eval_operand(e, n->args[0], item);
			b = eval_operand(e, n->args[1], item);
			switch ((ExprCmpOp) n->op)
			{
				case CMP_EQ:
					return a != NULL && b != NULL && DdbValueEquals(a, b);
				case CMP_NE:
					return !(a != NULL && b != NULL && DdbValueEquals(a, b));
				case CMP_LT:
					return same_ordered_type(a, b) && DdbValueCompare(a, b) < 0;
				case CMP_LE:
					return same_ordered_type(a, b) && DdbValueCompare(a, b) <= 0;
				case CMP_GT:
					return same_ordered_type(a, b) && DdbValueCompare(a, b) > 0;
				case CMP_GE:
					return same_ordered_type(a, b) && DdbValueCompare(a, b) >= 0;
			}
			return false;
		case EXPR_BETWEEN:
			a = eval_operand(e, n->args[0], item);
			b = eval_operand(e, n->args[1], item);
			c = eval_operand(e, n->args[2], item);
			return same_ordered_type(a, b) && same_ordered_type(a, c) &&
				DdbValueCompare(b, a) <= 0 && DdbValueCompare(a, c) <= 0;
		case EXPR_IN:
			a = eval_operand(e, n->args[0], item);
			if (a == NULL)
				return false;
			for (i = 1; i < n->nargs; i++)
			{
				b = eval_operand(e, n->args[i], item);
				if (b != NULL && DdbValueEquals(a, b))
					return true;
			}
			return false;
		case EXPR_FUNC:
			return eval_function(e, n, item);
		default:
			return false;
	}
}

bool
DdbExprEvalCondition(const DdbExpr *cond, const DdbValue *item)
{
	static DdbValue empty_item = {.type = DDB_M};

	Assert(cond->ast->root != NULL);
	if (item == NULL)
		item = &empty_item;
	return eval_condition(cond, cond->ast->root, item);
}

/* ---- projection ---- */

/*
 * The projection is first collected in a tree that mirrors the item's
 * containers (list children keyed by their original index), then turned
 * into a DdbValue, so that "a[2], a[0]" gives [a[0], a[2]].
 */
typedef struct ProjNode
{
	const DdbValue *leaf;		/* a whole value taken */
	bool		is_list;
	int			nchildren;
	int			cap;
	struct ProjChild *children;
} ProjNode;

typedef struct ProjChild
{
	const char *name;
	int			namelen;
	int32		index;
	ProjNode   *node;
} ProjChild;

static ProjNode *
proj_child(ProjNode *parent, const char *name, int namelen, int32 index)
{
	ProjChild  *c;
	int			i;

	for (i = 0; i < parent->nchildren; i++)
	{
		c = &parent->children[i];
		if (index >= 0 ? c->index == index :
			(c->index < 0 && c->namelen == namelen &&
			 memcmp(c->name, name, namelen) == 0))
			return c->node;
	}
	if (parent->nchildren >= parent->cap)
	{
		parent->cap = Max(4, parent->cap * 2);
		parent->children = parent->children ?
			repalloc(parent->children, parent->cap * sizeof(ProjChild)) :
			palloc(parent->cap * sizeof(ProjChild));
	}
	c = &parent->children[parent->nchildren++];
	c->name = name;
	c->namelen = namelen;
	c->index = index;
	c->node = palloc0(sizeof(ProjNode));
	return c->node;
}

static int
proj_index_cmp(const void *a, const void *b)
{
	int32		x = ((const ProjChild *) a)->index;
	int32		y = ((const ProjChild *) b)->index;

	return (x > y) - (x < y);
}

static DdbValue *
proj_build(ProjNode *n)
{
	DdbValue   *v;
	int			i;

	check_stack_depth();
	if (n->leaf)
		return DdbValueCopy(n->leaf);
	if (n->is_list)
	{
		v = DdbValueMakeList(DDB_L);
		if (n->nchildren > 1)
			qsort(n->children, n->nchildren, sizeof(ProjChild), proj_index_cmp);
		for (i = 0; i < n->nchildren; i++)
			DdbListAppend(v, proj_build(n->children[i].node));
	}
	else
	{
		v = DdbValueMakeMap();
		for (i = 0; i < n->nchildren; i++)
			DdbMapSet(v, n->children[i].name,
					  n->children[i].namelen, proj_build(n->children[i].node));
	}
	return v;
}

DdbValue *
ExprProjectPaths(const DdbExpr *e, ExprNode *const *paths, int npaths,
				 const DdbValue *item)
{
	ProjNode   *root = palloc0(sizeof(ProjNode));
	int			p;

	for (p = 0; p < npaths; p++)
	{
		const ExprNode *path = paths[p];
		const DdbValue *cur = item;
		ProjNode   *node = root;
		int			i;

		if (ExprResolvePath(e, path, item) == NULL)
			continue;
		for (i = 0; i < path->nelems; i++)
		{
			const ExprPathElem *el = &path->elems[i];

			if (el->index >= 0)
			{
				node->is_list = true;
				cur = cur->u.list.elems[el->index];
				node = proj_child(node, NULL, 0, el->index);
			}
			else
			{
				const char *name;
				int			len;

				ExprElemName(e, el, &name, &len);
				cur = DdbMapGet(cur, name, len);
				node = proj_child(node, name, len, -1);
			}
		}
		node->leaf = cur;
	}
	return proj_build(root);
}

DdbValue *
DdbExprProject(const DdbExpr *proj, const DdbValue *item)
{
	Assert(proj->ast->kind == DDB_EXPR_PROJECTION);
	if (item == NULL)
		return NULL;
	return ExprProjectPaths(proj, proj->ast->paths, proj->ast->npaths, item);
}

/* ---- walking paths ---- */

static void
walk_node(const ExprNode *n, ExprPathWalker fn, void *arg)
{
	int			i;

	check_stack_depth();
	if (n->kind == EXPR_PATH)
	{
		fn(n, arg);
		return;
	}
	for (i = 0; i < n->nargs; i++)
		walk_node(n->args[i], fn, arg);
}

void
ExprWalkPaths(const ExprAst *ast, ExprPathWalker fn, void *arg)
{
	int			i;

	switch (ast->kind)
	{
		case DDB_EXPR_CONDITION:
		case DDB_EXPR_FILTER:
		case DDB_EXPR_KEY_CONDITION:
			walk_node(ast->root, fn, arg);
			break;
		case DDB_EXPR_UPDATE:
			for (i = 0; i < ast->nactions; i++)
			{
				walk_node(ast->actions[i].path, fn, arg);
				if (ast->actions[i].value)
					walk_node(ast->actions[i].value, fn, arg);
			}
			break;
		case DDB_EXPR_PROJECTION:
			for (i = 0; i < ast->npaths; i++)
				walk_node(ast->paths[i], fn, arg);
			break;
	}
}

typedef struct TopNamesState
{
	const DdbExpr *e;
	bool		nested_only;
	List	   *names;
} TopNamesState;

static void
collect_top_name(const ExprNode *path, void *arg)
{
	TopNamesState *st = (TopNamesState *) arg;
	const char *name;
	int			len;
	ListCell   *lc;
	char	   *s;

	if (st->nested_only && path->nelems < 2)
		return;
	ExprElemName(st->e, &path->elems[0], &name, &len);
	if (name == NULL)
		return;
	foreach(lc, st->names)
	{
		char	   *other = (char *) lfirst(lc);

		if ((int) strlen(other) == len && memcmp(other, name, len) == 0)
			return;
	}
	s = ExprCopyBytes(name, len);
	st->names = lappend(st->names, s);
}

List *
DdbExprTopLevelNames(const DdbExpr *e)
{
	TopNamesState st = {e, false, NIL};

	ExprWalkPaths(e->ast, collect_top_name, &st);
	return st.names;
}

List *
DdbExprNestedTopLevelNames(const DdbExpr *e)
{
	TopNamesState st = {e, true, NIL};

	ExprWalkPaths(e->ast, collect_top_name, &st);
	return st.names;
}

typedef struct IndexKeyState
{
	const DdbExpr *e;
	const char *const *names;
	int			n;
} IndexKeyState;

static void
check_index_key_path(const ExprNode *path, void *arg)
{
	IndexKeyState *st = (IndexKeyState *) arg;
	const char *name;
	int			len;
	int			i;

	if (path->nelems < 2)
		return;
	ExprElemName(st->e, &path->elems[0], &name, &len);
	for (i = 0; i < st->n; i++)
		if ((int) strlen(st->names[i]) == len && memcmp(st->names[i], name, len) == 0)
			ddb_validation_error("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: %s",
								 st->names[i]);
}

void
DdbExprCheckIndexKeys(const DdbExpr *e, const char *const *index_key_names, int n)
{
	IndexKeyState st = {e, index_key_names, n};

	ExprWalkPaths(e->ast, check_index_key_path, &st);
}
