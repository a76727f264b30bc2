/*-------------------------------------------------------------------------
 *
 * expr_int.h
 *	  Internals of the expression engine shared by src/expr_*.c: tokens,
 *	  the syntax tree, bound expressions and requests.  Nothing outside the
 *	  engine includes this file.
 *
 * A syntax tree (ExprAst) depends only on the expression's kind and text,
 * so it is cached per backend and shared read-only by every request that
 * uses the same expression.  Placeholders (#name, :value) are numbered
 * "slots" in the tree; binding a tree to a request (DdbExpr) resolves each
 * slot once, so evaluation never looks a placeholder up.
 *
 * src/expr_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_EXPR_INT_H
#define DDB_EXPR_INT_H

#include "postgres.h"
#include "lib/stringinfo.h"

#include "expr.h"

/* ---- tokens (expr_lex.c) ---- */

typedef enum ExprTokKind
{
	TK_EOF,
	TK_NAME,					/* letter { letter | digit | _ } */
	TK_NAMEREF,					/* # { letter | digit | _ }+ */
	TK_VALREF,					/* : { letter | digit | _ }+ */
	TK_INTEGER,					/* digits */
	TK_LPAREN,
	TK_RPAREN,
	TK_LBRACKET,
	TK_RBRACKET,
	TK_COMMA,
	TK_DOT,
	TK_EQ,
	TK_NE,
	TK_LT,
	TK_LE,
	TK_GT,
	TK_GE,
	TK_PLUS,
	TK_MINUS,
	TK_ERROR					/* a character no token starts with */
} ExprTokKind;

typedef struct ExprToken
{
	ExprTokKind kind;
	int			start;			/* byte offset in the text */
	int			len;			/* bytes; 0 for TK_EOF */
} ExprToken;

/* Split text into tokens; the last one is TK_EOF.  Never fails. */
extern ExprToken *ExprTokenize(const char *text, int len, int *ntokens);

/* ---- syntax tree (expr_parse.c) ---- */

typedef enum ExprNodeKind
{
	EXPR_PATH,					/* document path */
	EXPR_VALUE,					/* :placeholder */
	EXPR_FUNC,					/* name(args) */
	EXPR_CMP,					/* args[0] op args[1] */
	EXPR_BETWEEN,				/* args[0] BETWEEN args[1] AND args[2] */
	EXPR_IN,					/* args[0] IN (args[1..]) */
	EXPR_AND,
	EXPR_OR,
	EXPR_NOT,
	EXPR_PLUS,					/* update: args[0] + args[1] */
	EXPR_MINUS					/* update: args[0] - args[1] */
} ExprNodeKind;

typedef enum ExprCmpOp
{
	CMP_EQ,
	CMP_NE,
	CMP_LT,
	CMP_LE,
	CMP_GT,
	CMP_GE
} ExprCmpOp;

typedef enum ExprFunc
{
	FN_UNKNOWN = -1,
	FN_ATTRIBUTE_EXISTS = 0,
	FN_ATTRIBUTE_NOT_EXISTS,
	FN_ATTRIBUTE_TYPE,
	FN_BEGINS_WITH,
	FN_CONTAINS,
	FN_SIZE,
	FN_IF_NOT_EXISTS,
	FN_LIST_APPEND
} ExprFunc;

typedef struct ExprPathElem
{
	int32		index;			/* >= 0: [index]; -1: a name */
	int			slot;			/* name given as #ref: its name slot; else -1 */
	const char *name;			/* literal name (slot < 0) */
	int			namelen;
} ExprPathElem;

typedef struct ExprNode
{
	ExprNodeKind kind;
	int			op;				/* ExprCmpOp (CMP) or ExprFunc (FUNC) */
	int			parens;			/* pairs of parentheses around the node */
	int			nargs;
	struct ExprNode **args;
	/* EXPR_PATH */
	int			nelems;
	ExprPathElem *elems;
	/* EXPR_VALUE: value slot */
	int			slot;
	/* EXPR_FUNC: the name as written */
	const char *fname;
	int			fnamelen;
} ExprNode;

typedef enum ExprActionKind
{
	ACT_SET,
	ACT_REMOVE,
	ACT_ADD,
	ACT_DELETE
} ExprActionKind;

typedef struct ExprAction
{
	ExprActionKind kind;
	ExprNode   *path;			/* target */
	ExprNode   *value;			/* SET: value expression; ADD/DELETE: value */
} ExprAction;

typedef struct ExprAst
{
	DdbExprKind kind;
	/* condition, filter, key condition */
	ExprNode   *root;
	/* update: actions in the order written */
	int			nactions;
	ExprAction *actions;
	bool		has_set_or_add;
	/* projection */
	int			npaths;
	ExprNode  **paths;
	/* placeholders, numbered in order of first appearance */
	int			nnames;
	char	  **names;			/* "#x" as written (NUL-terminated) */
	int			nvalues;
	char	  **values;			/* ":x" as written */
} ExprAst;

/* Parse text; raises every error that depends only on the text. */
extern ExprAst *ExprParseText(DdbExprKind kind, const char *text, int len);

/* ---- requests and bound expressions (expr_bind.c) ---- */

typedef struct ExprMapEntry
{
	char	   *key;			/* "#x" / ":x" */
	int			keylen;
	char	   *name;			/* names: the attribute name; NULL if JSON null */
	int			namelen;
	DdbValue   *value;			/* values */
	bool		used;
} ExprMapEntry;

struct DdbExprRequest
{
	bool		has_names;
	int			nnames;
	ExprMapEntry *names;		/* in request order */
	int		   *names_sorted;	/* indexes sorted by key, for lookup */
	bool		has_values;
	int			nvalues;
	ExprMapEntry *values;
	int		   *values_sorted;
};

struct ExprCacheEntry;

struct DdbExpr
{
	const ExprAst *ast;
	/* per name slot: the attribute name (NULL: not defined) */
	const char **names;
	int		   *namelens;
	/* per value slot: the value (NULL: not defined) */
	const DdbValue **values;
};

/* Bind a parsed tree to a request: resolve slots, raise the checks that
 * depend on names and values. */
extern DdbExpr *ExprBind(DdbExprRequest *req, const ExprAst *ast);

/* Request construction, used by DdbExprBegin (jsonb) and DdbExprBeginValues. */
extern DdbExprRequest *ExprRequestCreate(void);
extern void ExprRequestCheckPresence(bool names_given, bool values_given,
									 bool has_any_expr, bool has_value_expr,
									 const char *value_exprs_null);
extern void ExprRequestCheckNameKey(const char *key, int keylen);
extern void ExprRequestCheckValueKey(const char *key, int keylen);
extern void ExprRequestAddName(DdbExprRequest *req, const char *key, int keylen,
							   const char *name, int namelen);
extern void ExprRequestAddValue(DdbExprRequest *req, const char *key, int keylen,
								DdbValue *value);
extern void ExprRequestFinish(DdbExprRequest *req);

/* ---- helpers shared by the files of the engine ---- */

/* "Condition", "Filter", ... for "Invalid <Kind>Expression: ". */
extern const char *ExprKindName(DdbExprKind kind);

/* Raise "Invalid <Kind>Expression: <msg>". */
extern void ExprError(DdbExprKind kind, const char *fmt,...)
			pg_attribute_printf(2, 3) pg_attribute_noreturn();

/* palloc'd copy of len bytes (which may include NULs), NUL-terminated. */
static inline char *
ExprCopyBytes(const char *s, int len)
{
	char	   *c = palloc(len + 1);

	memcpy(c, s, len);
	c[len] = '\0';
	return c;
}

/* Append bytes for a message, replacing NUL and invalid UTF-8 with '?'. */
extern void ExprAppendSafe(StringInfo buf, const char *s, int len);

/* Resolved name of a path element of a bound expression. */
static inline void
ExprElemName(const DdbExpr *e, const ExprPathElem *el, const char **name, int *len)
{
	if (el->slot >= 0)
	{
		*name = e->names[el->slot];
		*len = e->namelens[el->slot];
	}
	else
	{
		*name = el->name;
		*len = el->namelen;
	}
}

/* Append DynamoDB's display of a path, e.g. "[a, b, [1]]". */
extern void ExprAppendPath(StringInfo buf, const DdbExpr *e, const ExprNode *path);

/* Is the word a reserved word (case-insensitive)?  (expr_reserved.c) */
extern bool ExprIsReservedWord(const char *word, int len);

/* Value at path in item, or NULL when the path does not resolve. */
extern const DdbValue *ExprResolvePath(const DdbExpr *e, const ExprNode *path,
									   const DdbValue *item);

/* Project the given paths of item into a new map (expr_eval.c). */
extern DdbValue *ExprProjectPaths(const DdbExpr *e, ExprNode *const *paths,
								  int npaths, const DdbValue *item);

/* Walk every path node of the expression (in source order). */
typedef void (*ExprPathWalker) (const ExprNode *path, void *arg);
extern void ExprWalkPaths(const ExprAst *ast, ExprPathWalker fn, void *arg);

/* Number value (canonical) from an integer. */
extern DdbValue *ExprMakeNumber(int64 n);

/* Cache (expr_cache.c): the tree for (kind, text), parsing when needed. */
extern const ExprAst *ExprCacheLookup(DdbExprKind kind, const char *text, int len);

#endif							/* DDB_EXPR_INT_H */
