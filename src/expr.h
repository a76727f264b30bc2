/*-------------------------------------------------------------------------
 *
 * expr.h
 *	  The expression engine: DynamoDB's ConditionExpression,
 *	  FilterExpression, KeyConditionExpression, UpdateExpression and
 *	  ProjectionExpression, parsed into a syntax tree, bound to a request's
 *	  ExpressionAttributeNames / ExpressionAttributeValues, and evaluated
 *	  against items.
 *
 * Usage for one request:
 *
 *		req = DdbExprBegin(names, values, has_any_expr, has_value_expr, "...");
 *		upd = DdbExprParse(req, DDB_EXPR_UPDATE, text, len);	(in DynamoDB's
 *		cond = DdbExprParse(req, DDB_EXPR_CONDITION, text, len);  order)
 *		DdbExprEnd(req);				unused names, then unused values
 *		... DdbExprEvalCondition(cond, item), DdbExprApplyUpdate(upd, ...)
 *
 * Every error is raised as a DynamoDB ValidationException with DynamoDB's
 * message (errors.h).  Everything returned is palloc'd in the caller's
 * CurrentMemoryContext and belongs to the caller; a DdbExpr stays valid
 * as long as the memory context it was created in.
 *
 * Parsed syntax trees are cached per backend (keyed by kind and text), so a
 * repeated expression is not parsed again; binding to a request's names
 * and values is done per request.
 *
 * src/expr.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_EXPR_H
#define DDB_EXPR_H

#include "postgres.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "values.h"

typedef enum DdbExprKind
{
	DDB_EXPR_CONDITION,
	DDB_EXPR_FILTER,
	DDB_EXPR_KEY_CONDITION,
	DDB_EXPR_UPDATE,
	DDB_EXPR_PROJECTION
} DdbExprKind;

/* Largest expression DynamoDB accepts, in bytes, before substitution. */
#define DDB_EXPR_MAX_SIZE		4096
#define DDB_EXPR_MAX_OPERATORS	300
#define DDB_EXPR_MAX_IN_OPERANDS 100

typedef struct DdbExprRequest DdbExprRequest;	/* names/values maps, usage */
typedef struct DdbExpr DdbExpr; /* a parsed, bound expression */

/*
 * Start a request.  names / values are the request's
 * ExpressionAttributeNames / ExpressionAttributeValues members (jbvBinary
 * objects), or NULL when absent.  has_any_expr / has_value_expr say
 * whether the request has any expression / any expression that can take
 * values; value_exprs_null is DynamoDB's text for the latter being absent
 * (e.g. "ConditionExpression is null"), or NULL for operations without
 * value-taking expressions (GetItem), where extra values are reported as
 * unused by DdbExprEnd instead.  Validates the maps with DynamoDB's
 * messages.
 */
extern DdbExprRequest *DdbExprBegin(JsonbValue *names, JsonbValue *values,
									bool has_any_expr, bool has_value_expr,
									const char *value_exprs_null);

/*
 * The same from already converted maps: names is a map (type M) of S
 * values, values a map of validated attribute values; either may be NULL.
 * Used by DdbExprBegin and by tests that have no jsonb (the fuzz target).
 */
extern DdbExprRequest *DdbExprBeginValues(const DdbValue *names,
										  const DdbValue *values,
										  bool has_any_expr, bool has_value_expr,
										  const char *value_exprs_null);

/*
 * Parse (or fetch from the per-backend cache) and bind one expression of
 * the request.  Raises every DynamoDB error for it in DynamoDB's order.
 * Call in DynamoDB's order: Update, Condition, KeyCondition, Filter,
 * Projection.
 */
extern DdbExpr *DdbExprParse(DdbExprRequest *req, DdbExprKind kind,
							 const char *text, int len);

/* After every expression is parsed: unused names, then unused values. */
extern void DdbExprEnd(DdbExprRequest *req);

extern DdbExprKind DdbExprGetKind(const DdbExpr *e);

/* Condition / filter: evaluate against item (type M; NULL = no item). */
extern bool DdbExprEvalCondition(const DdbExpr *cond, const DdbValue *item);

/*
 * Projection: a new map holding only the projected paths, nesting kept
 * (list elements in index order).  item NULL returns NULL.
 */
extern DdbValue *DdbExprProject(const DdbExpr *proj, const DdbValue *item);

/*
 * Distinct top-level attribute names (palloc'd C strings) of every
 * document path the expression mentions, in order of first appearance.
 */
extern List *DdbExprTopLevelNames(const DdbExpr *e);

/* The same, but only for paths that go below the top level (a.b, a[0]). */
extern List *DdbExprNestedTopLevelNames(const DdbExpr *e);

/*
 * Update: apply to a copy of item (never NULL: for a missing item pass a
 * key-only item and item_existed = false).  key_names/nkeys are the
 * table's key attribute names.  Returns the new item; fills
 * *updated_old / *updated_new (when not NULL) with DynamoDB's UPDATED_OLD
 * / UPDATED_NEW maps, NULL when empty; *creates_item (when not NULL) says
 * whether the update creates a missing item (false for REMOVE/DELETE-only
 * updates).
 *
 * Raises "Cannot update attribute <k>. This attribute is part of the key"
 * for an action on a key attribute (also nested, as DynamoDB does), then
 * "Key attributes must be scalars; ...: Key: <k>" for any other path of
 * the expression (e.g. a right-hand side) below a key attribute.
 */
extern DdbValue *DdbExprApplyUpdate(const DdbExpr *upd, const DdbValue *item,
									bool item_existed,
									const char *const *key_names, int nkeys,
									DdbValue **updated_old,
									DdbValue **updated_new,
									bool *creates_item);

/*
 * Update or condition: raise "Key attributes must be scalars; list random
 * access '[]' and map lookup '.' are not allowed: IndexKey: <k>" when a
 * path of the expression goes below one of the given (secondary index key)
 * attributes.
 */
extern void DdbExprCheckIndexKeys(const DdbExpr *e,
								  const char *const *index_key_names, int n);

/*
 * Key condition (Query).  DdbExprKeyConditionValidate raises the
 * schema-independent errors (operators, nesting, one condition per key,
 * "Conditions can be of length 1 or 2 only"); DdbExprKeyCondition does that
 * too, then checks the parts against the key schema and returns them.
 */
typedef enum DdbKeyOp
{
	DDB_KEY_EQ,
	DDB_KEY_LT,
	DDB_KEY_LE,
	DDB_KEY_GT,
	DDB_KEY_GE,
	DDB_KEY_BETWEEN,
	DDB_KEY_BEGINS_WITH
} DdbKeyOp;

typedef struct DdbKeyCondition
{
	DdbValue   *hash_value;
	bool		has_range;
	DdbKeyOp	range_op;
	DdbValue   *range_value1;
	DdbValue   *range_value2;	/* BETWEEN only */
} DdbKeyCondition;

extern void DdbExprKeyConditionValidate(const DdbExpr *kc);
extern void DdbExprKeyCondition(const DdbExpr *kc,
								const char *hash_name, DdbType hash_type,
								const char *range_name, DdbType range_type,
								DdbKeyCondition *out);

/* Cache statistics (for tests and monitoring). */
typedef struct DdbExprCacheStats
{
	int			entries;
	int64		hits;
	int64		misses;
	int64		evictions;
	Size		bytes;
} DdbExprCacheStats;

extern void DdbExprGetCacheStats(DdbExprCacheStats *stats);
extern void DdbExprResetCache(void);

#endif							/* DDB_EXPR_H */
