/*-------------------------------------------------------------------------
 *
 * expr_update.c
 *	  Applying an UpdateExpression to an item.
 *
 * DynamoDB's semantics:
 *	- every right-hand side is evaluated on the item as it was before the
 *	  update ("SET a = b, b = a" swaps); reading a missing attribute is an
 *	  error;
 *	- list indexes refer to positions before the update: elements set in
 *	  place are replaced where they are, while removals (which shift the
 *	  following elements) and appends (SET past the end, which go to the
 *	  end in index order) are applied after every other action;
 *	- the parent of a target must exist with the right container type, else
 *	  "The document path provided in the update expression is invalid for
 *	  update" (REMOVE and DELETE on an item that does not exist are
 *	  silently ignored);
 *	- ADD adds numbers (exact, DdbNumberAdd) or unites sets, creating the
 *	  attribute; DELETE removes set members, and an emptied set removes the
 *	  attribute.
 *
 * The caller's item is never modified: the update works on a deep copy.
 *
 * src/expr_update.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "expr_int.h"

#define MSG_INVALID_PATH "The document path provided in the update expression is invalid for update"
#define MSG_BAD_TYPE "An operand in the update expression has an incorrect data type"
#define MSG_MISSING "The provided expression refers to an attribute that does not exist in the item"

/* A deferred change to a list: removal (value NULL) or append. */
typedef struct ListOp
{
	DdbValue   *list;
	int32		index;
	DdbValue   *value;
} ListOp;

typedef struct UpdateState
{
	const DdbExpr *e;
	ListOp	   *ops;
	int			nops;
	int			opscap;
} UpdateState;

/* ---- right-hand sides ---- */

static const DdbValue *
eval_set_value(const DdbExpr *e, const ExprNode *n, const DdbValue *item)
{
	const DdbValue *a;
	const DdbValue *b;

	check_stack_depth();
	switch (n->kind)
	{
		case EXPR_PATH:
			a = ExprResolvePath(e, n, item);
			if (a == NULL)
				ddb_validation_error(MSG_MISSING);
			return a;
		case EXPR_VALUE:
			return e->values[n->slot];
		case EXPR_FUNC:
			if (n->op == FN_IF_NOT_EXISTS)
			{
				a = ExprResolvePath(e, n->args[0], item);
				return a ? a : eval_set_value(e, n->args[1], item);
			}
			else
			{
				DdbValue   *res;
				int			i;

				Assert(n->op == FN_LIST_APPEND);
				a = eval_set_value(e, n->args[0], item);
				b = eval_set_value(e, n->args[1], item);
				if (a->type != DDB_L || b->type != DDB_L)
					ddb_validation_error(MSG_BAD_TYPE);
				res = DdbValueMakeList(DDB_L);
				for (i = 0; i < a->u.list.count; i++)
					DdbListAppend(res, a->u.list.elems[i]);
				for (i = 0; i < b->u.list.count; i++)
					DdbListAppend(res, b->u.list.elems[i]);
				return res;
			}
		case EXPR_PLUS:
		case EXPR_MINUS:
			{
				char	   *sum;

				a = eval_set_value(e, n->args[0], item);
				b = eval_set_value(e, n->args[1], item);
				if (a->type != DDB_N || b->type != DDB_N)
					ddb_validation_error(MSG_BAD_TYPE);
				sum = DdbNumberAdd(pnstrdup(a->u.str.data, a->u.str.len),
								   pnstrdup(b->u.str.data, b->u.str.len),
								   n->kind == EXPR_MINUS);
				return DdbValueMakeString(DDB_N, sum, strlen(sum));
			}
		default:
			elog(ERROR, "unexpected node in update value");
			return NULL;
	}
}

/* ---- targets ---- */

/*
 * The container in root that holds the last element of path, or NULL when
 * it does not exist or has the wrong type for that element.
 */
static DdbValue *
find_parent(const DdbExpr *e, const ExprNode *path, DdbValue *root)
{
	DdbValue   *cur = root;
	int			i;

	for (i = 0; i < path->nelems; i++)
	{
		const ExprPathElem *el = &path->elems[i];

		if (el->index >= 0)
		{
			if (cur->type != DDB_L)
				return NULL;
			if (i == path->nelems - 1)
				return cur;
			if (el->index >= cur->u.list.count)
				return NULL;
			cur = cur->u.list.elems[el->index];
		}
		else
		{
			const char *name;
			int			len;

			if (cur->type != DDB_M)
				return NULL;
			if (i == path->nelems - 1)
				return cur;
			ExprElemName(e, el, &name, &len);
			cur = DdbMapGet(cur, name, len);
			if (cur == NULL)
				return NULL;
		}
	}
	return NULL;
}

static void
add_list_op(UpdateState *st, DdbValue *list, int32 index, DdbValue *value)
{
	if (st->nops >= st->opscap)
	{
		st->opscap = Max(8, st->opscap * 2);
		st->ops = st->ops ? repalloc(st->ops, st->opscap * sizeof(ListOp)) :
			palloc(st->opscap * sizeof(ListOp));
	}
	st->ops[st->nops].list = list;
	st->ops[st->nops].index = index;
	st->ops[st->nops].value = value;
	st->nops++;
}

/* The current value of the target in its parent, or NULL. */
static DdbValue *
target_value(const DdbExpr *e, DdbValue *parent, const ExprPathElem *last)
{
	if (last->index >= 0)
		return last->index < parent->u.list.count ?
			parent->u.list.elems[last->index] : NULL;
	else
	{
		const char *name;
		int			len;

		ExprElemName(e, last, &name, &len);
		return DdbMapGet(parent, name, len);
	}
}

static void
store_target(UpdateState *st, DdbValue *parent, const ExprPathElem *last,
			 DdbValue *value)
{
	if (last->index >= 0)
	{
		if (last->index < parent->u.list.count)
			parent->u.list.elems[last->index] = value;
		else
			add_list_op(st, parent, last->index, value);
	}
	else
	{
		const char *name;
		int			len;

		ExprElemName(st->e, last, &name, &len);
		DdbMapSet(parent, name, len, value);
	}
}

static void
remove_target(UpdateState *st, DdbValue *parent, const ExprPathElem *last)
{
	if (last->index >= 0)
	{
		if (last->index < parent->u.list.count)
			add_list_op(st, parent, last->index, NULL);
	}
	else
	{
		const char *name;
		int			len;

		ExprElemName(st->e, last, &name, &len);
		DdbMapRemove(parent, name, len);
	}
}

static void
apply_action(UpdateState *st, const ExprAction *a, const DdbValue *setval,
			 DdbValue *root, bool item_existed)
{
	const DdbExpr *e = st->e;
	const ExprPathElem *last = &a->path->elems[a->path->nelems - 1];
	DdbValue   *parent = find_parent(e, a->path, root);
	DdbValue   *cur;
	const DdbValue *v;
	DdbValue   *res;
	int			i;

	if (parent == NULL)
	{
		if (!item_existed && (a->kind == ACT_REMOVE || a->kind == ACT_DELETE))
			return;
		ddb_validation_error(MSG_INVALID_PATH);
	}

	switch (a->kind)
	{
		case ACT_SET:
			store_target(st, parent, last, DdbValueCopy(setval));
			break;
		case ACT_REMOVE:
			remove_target(st, parent, last);
			break;
		case ACT_ADD:
			v = e->values[a->value->slot];
			cur = target_value(e, parent, last);
			if (cur == NULL)
				res = DdbValueCopy(v);
			else if (v->type == DDB_N)
			{
				char	   *sum;

				if (cur->type != DDB_N)
					ddb_validation_error(MSG_BAD_TYPE);
				sum = DdbNumberAdd(pnstrdup(cur->u.str.data, cur->u.str.len),
								   pnstrdup(v->u.str.data, v->u.str.len), false);
				res = DdbValueMakeString(DDB_N, sum, strlen(sum));
			}
			else
			{
				if (cur->type != v->type)
					ddb_validation_error(MSG_BAD_TYPE);
				res = DdbValueCopy(cur);
				for (i = 0; i < v->u.list.count; i++)
					DdbSetAdd(res, DdbValueCopy(v->u.list.elems[i]));
			}
			store_target(st, parent, last, res);
			break;
		case ACT_DELETE:
			v = e->values[a->value->slot];
			cur = target_value(e, parent, last);
			if (cur == NULL)
				break;
			if (cur->type != v->type)
				ddb_validation_error(MSG_BAD_TYPE);
			res = DdbValueCopy(cur);
			for (i = 0; i < v->u.list.count; i++)
				DdbSetRemove(res, v->u.list.elems[i]);
			if (res->u.list.count == 0)
				remove_target(st, parent, last);
			else
				store_target(st, parent, last, res);
			break;
	}
}

static int
list_op_cmp(const void *a, const void *b)
{
	const ListOp *x = (const ListOp *) a;
	const ListOp *y = (const ListOp *) b;

	if (x->list != y->list)
		return (x->list > y->list) - (x->list < y->list);
	if ((x->value == NULL) != (y->value == NULL))
		return x->value == NULL ? -1 : 1;	/* removals first */
	return (x->index > y->index) - (x->index < y->index);
}

/* Apply the deferred removals and appends, list by list. */
static void
apply_list_ops(UpdateState *st)
{
	int			i = 0;

	if (st->nops > 1)
		qsort(st->ops, st->nops, sizeof(ListOp), list_op_cmp);
	while (i < st->nops)
	{
		DdbValue   *list = st->ops[i].list;
		int			j = i;
		int			k;
		int			out;
		int			r;

		while (j < st->nops && st->ops[j].list == list)
			j++;
		/* removals: ops[i..r) in ascending index order */
		for (r = i; r < j && st->ops[r].value == NULL; r++)
			;
		if (r > i)
		{
			int			next = i;

			out = 0;
			for (k = 0; k < list->u.list.count; k++)
			{
				if (next < r && st->ops[next].index == k)
				{
					next++;
					continue;
				}
				list->u.list.elems[out++] = list->u.list.elems[k];
			}
			list->u.list.count = out;
		}
		for (k = r; k < j; k++)
			DdbListAppend(list, st->ops[k].value);
		i = j;
	}
}

/* ---- key attributes ---- */

typedef struct KeyCheckState
{
	const DdbExpr *e;
	const char *const *keys;
	int			nkeys;
} KeyCheckState;

static const char *
key_of_path(const DdbExpr *e, const ExprNode *path, const char *const *keys,
			int nkeys)
{
	const char *name;
	int			len;
	int			i;

	ExprElemName(e, &path->elems[0], &name, &len);
	for (i = 0; i < nkeys; i++)
		if ((int) strlen(keys[i]) == len && memcmp(keys[i], name, len) == 0)
			return keys[i];
	return NULL;
}

static void
check_nested_key_path(const ExprNode *path, void *arg)
{
	KeyCheckState *st = (KeyCheckState *) arg;
	const char *key;

	if (path->nelems < 2)
		return;
	key = key_of_path(st->e, path, st->keys, st->nkeys);
	if (key)
		ddb_validation_error("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: %s",
							 key);
}

/* ---- entry point ---- */

static DdbValue *
nonempty(DdbValue *map)
{
	return (map != NULL && map->u.map.count > 0) ? map : NULL;
}

DdbValue *
DdbExprApplyUpdate(const DdbExpr *upd, const DdbValue *item, bool item_existed,
				   const char *const *key_names, int nkeys,
				   DdbValue **updated_old, DdbValue **updated_new,
				   bool *creates_item)
{
	const ExprAst *ast = upd->ast;
	UpdateState st = {upd, NULL, 0, 0};
	const DdbValue **setvals;
	ExprNode  **targets;
	DdbValue   *result;
	KeyCheckState kst = {upd, key_names, nkeys};
	int			i;

	Assert(ast->kind == DDB_EXPR_UPDATE);
	Assert(item != NULL && item->type == DDB_M);

	/* key attributes cannot be targets, nor be looked into */
	for (i = 0; i < ast->nactions; i++)
	{
		const char *key = key_of_path(upd, ast->actions[i].path, key_names, nkeys);

		if (key)
			ddb_validation_error(DDB_MSG_PARAM_INVALID
								 "Cannot update attribute %s. This attribute is part of the key",
								 key);
	}
	ExprWalkPaths(ast, check_nested_key_path, &kst);

	/* right-hand sides on the item as it was */
	setvals = palloc0(Max(ast->nactions, 1) * sizeof(DdbValue *));
	for (i = 0; i < ast->nactions; i++)
		if (ast->actions[i].kind == ACT_SET)
			setvals[i] = eval_set_value(upd, ast->actions[i].value, item);

	result = DdbValueCopy(item);
	for (i = 0; i < ast->nactions; i++)
		apply_action(&st, &ast->actions[i], setvals[i], result, item_existed);
	apply_list_ops(&st);

	if (updated_old || updated_new)
	{
		targets = palloc(Max(ast->nactions, 1) * sizeof(ExprNode *));
		for (i = 0; i < ast->nactions; i++)
			targets[i] = ast->actions[i].path;
		if (updated_old)
			*updated_old = nonempty(ExprProjectPaths(upd, targets, ast->nactions, item));
		if (updated_new)
			*updated_new = nonempty(ExprProjectPaths(upd, targets, ast->nactions, result));
	}
	if (creates_item)
		*creates_item = ast->has_set_or_add;
	return result;
}
