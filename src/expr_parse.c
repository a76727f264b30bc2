/*-------------------------------------------------------------------------
 *
 * expr_parse.c
 *	  Recursive-descent parser for DynamoDB's five expression languages.
 *
 * Grammar (keywords case-insensitive, function names case-sensitive):
 *
 *	condition	= or ;
 *	or			= and { OR and } ;
 *	and			= not { AND not } ;
 *	not			= NOT not | primary ;
 *	primary		= "(" condition ")" | operand comparator operand
 *				| operand BETWEEN operand AND operand
 *				| operand IN "(" operand { "," operand } ")" | function ;
 *	operand		= path | VALREF | function | "(" operand ")" ;
 *	function	= NAME "(" operand { "," operand } ")" ;
 *	path		= element { "." element | "[" INTEGER "]" } ;
 *	element		= NAME | NAMEREF ;
 *
 *	update		= clause { clause } ;	SET/REMOVE/ADD/DELETE at most once each
 *	clause		= SET path "=" value { "," path "=" value }
 *				| REMOVE path { "," path }
 *				| ADD path VALREF { "," path VALREF }
 *				| DELETE path VALREF { "," path VALREF } ;
 *	value		= "(" sum ")" | sum ;
 *	sum			= uoperand [ ("+" | "-") uoperand ] ;
 *	uoperand	= "(" operand ")" | operand ;		(function arguments too)
 *
 *	projection	= path { "," path } ;
 *
 * KeyConditionExpression is parsed as a condition and checked later
 * (expr_keycond.c), as DynamoDB does.
 *
 * Errors that depend only on the text are raised here, in DynamoDB's
 * order: a syntax error or an exceeded limit as soon as it is seen, then
 * (conditions) redundant parentheses, unknown function, misused function,
 * reserved word; (updates) reserved word, unknown function, repeated
 * clause; (projections) reserved word.  Errors that depend on the names and
 * values of a request are raised when binding (expr_bind.c).
 *
 * src/expr_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "expr_int.h"

/* What a parsed piece of a condition turned out to be. */
typedef enum ExprResult
{
	R_OPERAND,					/* a path or value: needs a comparator */
	R_COND,						/* a condition */
	R_FUNCALL					/* a bare function call: either */
} ExprResult;

typedef struct ExprParser
{
	DdbExprKind kind;
	const char *text;			/* copy owned by the tree's context */
	int			len;
	ExprToken  *toks;
	int			ntoks;
	int			pos;
	ExprAst    *ast;
	int			noperators;
	int			names_cap;
	int			values_cap;
	bool		seen_clause[4];
	/* first error of each category, raised once the syntax is known good */
	char	   *err_parens;
	char	   *err_unknown_fn;
	char	   *err_misused_fn;
	char	   *err_reserved;
	char	   *err_section;
} ExprParser;

static const char *const function_names[] = {
	[FN_ATTRIBUTE_EXISTS] = "attribute_exists",
	[FN_ATTRIBUTE_NOT_EXISTS] = "attribute_not_exists",
	[FN_ATTRIBUTE_TYPE] = "attribute_type",
	[FN_BEGINS_WITH] = "begins_with",
	[FN_CONTAINS] = "contains",
	[FN_SIZE] = "size",
	[FN_IF_NOT_EXISTS] = "if_not_exists",
	[FN_LIST_APPEND] = "list_append",
};

static const char *const clause_names[] = {
	[ACT_SET] = "SET",
	[ACT_REMOVE] = "REMOVE",
	[ACT_ADD] = "ADD",
	[ACT_DELETE] = "DELETE",
};

static ExprNode *parse_or(ExprParser *p, ExprResult *res);
static ExprNode *parse_operand(ExprParser *p);

/* ---- tokens ---- */

static inline ExprToken *
peek(ExprParser *p)
{
	return &p->toks[p->pos];
}

/* Does the NAME token spell word (upper case), ignoring case? */
static bool
tok_is_word(ExprParser *p, const ExprToken *t, const char *word)
{
	int			i;

	if (t->kind != TK_NAME || (int) strlen(word) != t->len)
		return false;
	for (i = 0; i < t->len; i++)
	{
		char		c = p->text[t->start + i];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c != word[i])
			return false;
	}
	return true;
}

/* The clause keyword (ACT_*) the token spells, or -1. */
static int
tok_clause(ExprParser *p, const ExprToken *t)
{
	int			i;

	if (p->kind != DDB_EXPR_UPDATE)
		return -1;
	for (i = 0; i < (int) lengthof(clause_names); i++)
		if (tok_is_word(p, t, clause_names[i]))
			return i;
	return -1;
}

/* Is the token a keyword of the language being parsed? */
static bool
tok_is_keyword(ExprParser *p, const ExprToken *t)
{
	if (t->kind != TK_NAME)
		return false;
	switch (p->kind)
	{
		case DDB_EXPR_UPDATE:
			return tok_clause(p, t) >= 0;
		case DDB_EXPR_PROJECTION:
			return false;
		default:
			return tok_is_word(p, t, "AND") || tok_is_word(p, t, "OR") ||
				tok_is_word(p, t, "NOT") || tok_is_word(p, t, "BETWEEN") ||
				tok_is_word(p, t, "IN");
	}
}

/*
 * Raise DynamoDB's syntax error at token idx: the token's text (<EOF> at
 * the end) and the text from the previous token to the next one.
 */
static void pg_attribute_noreturn()
syntax_error(ExprParser *p, int idx)
{
	const ExprToken *t = &p->toks[idx];
	const ExprToken *prev = idx > 0 ? &p->toks[idx - 1] : NULL;
	const ExprToken *next = NULL;
	StringInfoData tok;
	StringInfoData near;
	int			start;
	int			end;

	if (t->kind != TK_EOF && p->toks[idx + 1].kind != TK_EOF)
		next = &p->toks[idx + 1];
	start = prev ? prev->start : t->start;
	if (next)
		end = next->start + next->len;
	else if (t->kind != TK_EOF)
		end = t->start + t->len;
	else
		end = prev ? prev->start + prev->len : t->start;

	initStringInfo(&tok);
	if (t->kind == TK_EOF)
		appendStringInfoString(&tok, "<EOF>");
	else
		ExprAppendSafe(&tok, p->text + t->start, t->len);
	initStringInfo(&near);
	ExprAppendSafe(&near, p->text + start, end - start);
	ExprError(p->kind, "Syntax error; token: \"%s\", near: \"%s\"",
			  tok.data, near.data);
}

static inline void
expect(ExprParser *p, ExprTokKind kind)
{
	if (peek(p)->kind != kind)
		syntax_error(p, p->pos);
	p->pos++;
}

static void
count_operator(ExprParser *p)
{
	if (++p->noperators > DDB_EXPR_MAX_OPERATORS)
		ExprError(p->kind,
				  "The expression contains too many operators; operator count: %d",
				  p->noperators);
}

/* Remember the first error of a category (a palloc'd message). */
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

static char *
safe_text(ExprParser *p, int start, int len)
{
	StringInfoData buf;

	initStringInfo(&buf);
	ExprAppendSafe(&buf, p->text + start, len);
	return buf.data;
}

/* ---- nodes ---- */

static ExprNode *
make_node(ExprNodeKind kind, int nargs)
{
	ExprNode   *n = palloc0(sizeof(ExprNode));

	n->kind = kind;
	n->nargs = nargs;
	if (nargs > 0)
		n->args = palloc0(nargs * sizeof(ExprNode *));
	n->slot = -1;
	return n;
}

static ExprNode *
make_binary(ExprNodeKind kind, ExprNode *a, ExprNode *b)
{
	ExprNode   *n = make_node(kind, 2);

	n->args[0] = a;
	n->args[1] = b;
	return n;
}

/* Slot of placeholder token t ("#x" or ":x"), adding it when new. */
static int
placeholder_slot(ExprParser *p, const ExprToken *t)
{
	ExprAst    *ast = p->ast;
	const char *s = p->text + t->start;
	bool		is_name = (t->kind == TK_NAMEREF);
	char	 ***arr = is_name ? &ast->names : &ast->values;
	int		   *n = is_name ? &ast->nnames : &ast->nvalues;
	int		   *cap = is_name ? &p->names_cap : &p->values_cap;
	int			i;

	for (i = 0; i < *n; i++)
		if (strncmp((*arr)[i], s, t->len) == 0 && (*arr)[i][t->len] == '\0')
			return i;
	if (*n >= *cap)
	{
		*cap = Max(8, *cap * 2);
		if (*arr == NULL)
			*arr = palloc(*cap * sizeof(char *));
		else
			*arr = repalloc(*arr, *cap * sizeof(char *));
	}
	(*arr)[*n] = pnstrdup(s, t->len);
	return (*n)++;
}

/* ---- paths ---- */

/* Parse the digits of a list index. */
static int32
parse_index(ExprParser *p, const ExprToken *t)
{
	int64		v = 0;
	int			i;

	for (i = 0; i < t->len; i++)
	{
		v = v * 10 + (p->text[t->start + i] - '0');
		if (v > PG_INT32_MAX)
			ExprError(p->kind,
					  "List index is not within the allowable range; index: [%s]",
					  safe_text(p, t->start, t->len));
	}
	return (int32) v;
}

static bool
starts_element(ExprParser *p, const ExprToken *t)
{
	return t->kind == TK_NAMEREF ||
		(t->kind == TK_NAME && !tok_is_keyword(p, t));
}

static void
add_element(ExprParser *p, ExprNode *path, const ExprToken *t, int *cap)
{
	ExprPathElem *el;

	if (path->nelems >= *cap)
	{
		*cap *= 2;
		path->elems = repalloc(path->elems, *cap * sizeof(ExprPathElem));
	}
	el = &path->elems[path->nelems++];
	el->index = -1;
	el->slot = -1;
	el->name = NULL;
	el->namelen = 0;
	if (t->kind == TK_NAMEREF)
		el->slot = placeholder_slot(p, t);
	else if (t->kind == TK_NAME)
	{
		el->name = p->text + t->start;
		el->namelen = t->len;
		if (ExprIsReservedWord(el->name, el->namelen))
			note(&p->err_reserved,
				 "Attribute name is a reserved keyword; reserved keyword: %s",
				 safe_text(p, t->start, t->len));
	}
	else
		el->index = parse_index(p, t);
}

/* path = element { "." element | "[" INTEGER "]" } */
static ExprNode *
parse_path(ExprParser *p)
{
	ExprNode   *path = make_node(EXPR_PATH, 0);
	int			cap = 4;

	path->elems = palloc(cap * sizeof(ExprPathElem));
	if (!starts_element(p, peek(p)))
		syntax_error(p, p->pos);
	add_element(p, path, peek(p), &cap);
	p->pos++;
	for (;;)
	{
		ExprToken  *t = peek(p);

		if (t->kind == TK_DOT)
		{
			p->pos++;
			if (!starts_element(p, peek(p)))
				syntax_error(p, p->pos);
			add_element(p, path, peek(p), &cap);
			p->pos++;
		}
		else if (t->kind == TK_LBRACKET)
		{
			p->pos++;
			if (peek(p)->kind != TK_INTEGER)
				syntax_error(p, p->pos);
			add_element(p, path, peek(p), &cap);
			p->pos++;
			expect(p, TK_RBRACKET);
		}
		else
			break;
	}
	if (path->nelems > DDB_MAX_NESTING)
		ExprError(p->kind,
				  "The document path has too many nesting levels; nesting levels: %d",
				  path->nelems);
	return path;
}

/* ---- operands ---- */

static ExprFunc
lookup_function(const char *name, int len)
{
	int			i;

	for (i = 0; i < (int) lengthof(function_names); i++)
		if ((int) strlen(function_names[i]) == len &&
			memcmp(function_names[i], name, len) == 0)
			return (ExprFunc) i;
	return FN_UNKNOWN;
}

static inline bool
is_condition_kind(DdbExprKind kind)
{
	return kind == DDB_EXPR_CONDITION || kind == DDB_EXPR_FILTER ||
		kind == DDB_EXPR_KEY_CONDITION;
}

/*
 * In a condition, only size() may be used where a value is expected;
 * remember any other function found among args.
 */
static void
note_misused_args(ExprParser *p, ExprNode **args, int nargs)
{
	int			i;

	if (!is_condition_kind(p->kind))
		return;
	for (i = 0; i < nargs; i++)
		if (args[i]->kind == EXPR_FUNC && args[i]->op != FN_SIZE)
			note(&p->err_misused_fn,
				 "The function is not allowed to be used this way in an expression; function: %s",
				 pnstrdup(args[i]->fname, args[i]->fnamelen));
}

/* A node used as a condition: size() and the update functions cannot be. */
static void
note_condition_use(ExprParser *p, ExprNode *n)
{
	if (n->kind == EXPR_FUNC &&
		(n->op == FN_SIZE || n->op == FN_IF_NOT_EXISTS || n->op == FN_LIST_APPEND))
		note(&p->err_misused_fn,
			 "The function is not allowed to be used this way in an expression; function: %s",
			 pnstrdup(n->fname, n->fnamelen));
}

/* "(" operand ")" | operand, for conditions: any depth, two or more redundant. */
static ExprNode *
parse_operand_paren(ExprParser *p)
{
	ExprNode   *n;

	check_stack_depth();
	if (peek(p)->kind != TK_LPAREN)
		return parse_operand(p);
	p->pos++;
	n = parse_operand_paren(p);
	expect(p, TK_RPAREN);
	if (++n->parens >= 2)
		note(&p->err_parens, "The expression has redundant parentheses;");
	return n;
}

/* "(" operand ")" | operand, for updates: one pair at most. */
static ExprNode *
parse_update_operand(ExprParser *p)
{
	ExprNode   *n;

	if (peek(p)->kind != TK_LPAREN)
		return parse_operand(p);
	p->pos++;
	n = parse_operand(p);
	expect(p, TK_RPAREN);
	n->parens++;
	return n;
}

/* function = NAME "(" operand { "," operand } ")" */
static ExprNode *
parse_function(ExprParser *p)
{
	ExprToken  *name = peek(p);
	ExprNode   *n = make_node(EXPR_FUNC, 0);
	int			cap = 4;
	bool		update = (p->kind == DDB_EXPR_UPDATE);

	check_stack_depth();
	n->fname = p->text + name->start;
	n->fnamelen = name->len;
	n->op = lookup_function(n->fname, n->fnamelen);
	p->pos += 2;				/* name and "(" */
	count_operator(p);
	n->args = palloc(cap * sizeof(ExprNode *));
	for (;;)
	{
		ExprNode   *arg = update ? parse_update_operand(p) : parse_operand_paren(p);

		if (n->nargs >= cap)
		{
			cap *= 2;
			n->args = repalloc(n->args, cap * sizeof(ExprNode *));
		}
		n->args[n->nargs++] = arg;
		if (peek(p)->kind != TK_COMMA)
			break;
		p->pos++;
	}
	expect(p, TK_RPAREN);

	/* In updates only the two update functions exist. */
	if (update && n->op != FN_IF_NOT_EXISTS && n->op != FN_LIST_APPEND)
		n->op = FN_UNKNOWN;
	if (n->op == FN_UNKNOWN)
		note(&p->err_unknown_fn, "Invalid function name; function: %s",
			 safe_text(p, name->start, name->len));
	note_misused_args(p, n->args, n->nargs);
	return n;
}

/* operand = path | VALREF | function (without parentheses) */
static ExprNode *
parse_operand(ExprParser *p)
{
	ExprToken  *t = peek(p);

	check_stack_depth();
	if (t->kind == TK_VALREF)
	{
		ExprNode   *n = make_node(EXPR_VALUE, 0);

		n->slot = placeholder_slot(p, t);
		p->pos++;
		return n;
	}
	if (t->kind == TK_NAME && !tok_is_keyword(p, t) &&
		p->toks[p->pos + 1].kind == TK_LPAREN)
		return parse_function(p);
	return parse_path(p);
}

/* ---- conditions ---- */

static bool
at_comparison(ExprParser *p)
{
	ExprToken  *t = peek(p);

	switch (t->kind)
	{
		case TK_EQ:
		case TK_NE:
		case TK_LT:
		case TK_LE:
		case TK_GT:
		case TK_GE:
			return true;
		default:
			return tok_is_word(p, t, "BETWEEN") || tok_is_word(p, t, "IN");
	}
}

/* After an operand: a comparison, BETWEEN or IN, or nothing. */
static ExprNode *
parse_comparison_tail(ExprParser *p, ExprNode *lhs, ExprResult *res)
{
	ExprToken  *t = peek(p);
	ExprNode   *n;
	int			op;

	switch (t->kind)
	{
		case TK_EQ:
			op = CMP_EQ;
			break;
		case TK_NE:
			op = CMP_NE;
			break;
		case TK_LT:
			op = CMP_LT;
			break;
		case TK_LE:
			op = CMP_LE;
			break;
		case TK_GT:
			op = CMP_GT;
			break;
		case TK_GE:
			op = CMP_GE;
			break;
		default:
			op = -1;
			break;
	}
	if (op >= 0)
	{
		p->pos++;
		count_operator(p);
		n = make_binary(EXPR_CMP, lhs, parse_operand_paren(p));
		n->op = op;
	}
	else if (tok_is_word(p, t, "BETWEEN"))
	{
		p->pos++;
		count_operator(p);
		n = make_node(EXPR_BETWEEN, 3);
		n->args[0] = lhs;
		n->args[1] = parse_operand_paren(p);
		if (!tok_is_word(p, peek(p), "AND"))
			syntax_error(p, p->pos);
		p->pos++;
		n->args[2] = parse_operand_paren(p);
	}
	else if (tok_is_word(p, t, "IN"))
	{
		int			cap = 8;

		p->pos++;
		count_operator(p);
		expect(p, TK_LPAREN);
		n = make_node(EXPR_IN, 0);
		n->args = palloc(cap * sizeof(ExprNode *));
		n->args[n->nargs++] = lhs;
		for (;;)
		{
			if (n->nargs >= cap)
			{
				cap *= 2;
				n->args = repalloc(n->args, cap * sizeof(ExprNode *));
			}
			n->args[n->nargs++] = parse_operand_paren(p);
			if (peek(p)->kind != TK_COMMA)
				break;
			p->pos++;
		}
		expect(p, TK_RPAREN);
		if (n->nargs > DDB_EXPR_MAX_IN_OPERANDS)
			ExprError(p->kind,
					  "The IN operator is provided with too many operands; number of operands: %d",
					  n->nargs);
	}
	else
	{
		*res = (lhs->kind == EXPR_FUNC) ? R_FUNCALL : R_OPERAND;
		return lhs;
	}
	note_misused_args(p, n->args, n->nargs);
	*res = R_COND;
	return n;
}

static ExprNode *
parse_primary(ExprParser *p, ExprResult *res)
{
	ExprNode   *lhs;

	check_stack_depth();
	if (peek(p)->kind == TK_LPAREN)
	{
		ExprResult	inner_res;
		ExprNode   *inner;

		p->pos++;
		inner = parse_or(p, &inner_res);
		expect(p, TK_RPAREN);
		if (++inner->parens >= 2)
			note(&p->err_parens, "The expression has redundant parentheses;");
		if (inner_res == R_COND)
		{
			*res = R_COND;
			return inner;
		}
		if (inner_res == R_FUNCALL && !at_comparison(p))
		{
			/* still either a condition or (inside more parentheses) an operand */
			*res = (peek(p)->kind == TK_RPAREN) ? R_FUNCALL : R_COND;
			return inner;
		}
		lhs = inner;
	}
	else
		lhs = parse_operand(p);
	return parse_comparison_tail(p, lhs, res);
}

static ExprNode *
parse_not(ExprParser *p, ExprResult *res)
{
	ExprNode   *n;
	ExprResult	inner_res;

	check_stack_depth();
	if (!tok_is_word(p, peek(p), "NOT"))
		return parse_primary(p, res);
	p->pos++;
	count_operator(p);
	n = make_node(EXPR_NOT, 1);
	n->args[0] = parse_not(p, &inner_res);
	if (inner_res == R_OPERAND)
		syntax_error(p, p->pos);
	note_condition_use(p, n->args[0]);
	*res = R_COND;
	return n;
}

static ExprNode *
parse_and(ExprParser *p, ExprResult *res)
{
	ExprNode   *left = parse_not(p, res);

	while (tok_is_word(p, peek(p), "AND"))
	{
		ExprResult	rres;
		ExprNode   *right;

		if (*res == R_OPERAND)
			syntax_error(p, p->pos);
		p->pos++;
		count_operator(p);
		right = parse_not(p, &rres);
		if (rres == R_OPERAND)
			syntax_error(p, p->pos);
		note_condition_use(p, left);
		note_condition_use(p, right);
		left = make_binary(EXPR_AND, left, right);
		*res = R_COND;
	}
	return left;
}

static ExprNode *
parse_or(ExprParser *p, ExprResult *res)
{
	ExprNode   *left;

	check_stack_depth();
	left = parse_and(p, res);
	while (tok_is_word(p, peek(p), "OR"))
	{
		ExprResult	rres;
		ExprNode   *right;

		if (*res == R_OPERAND)
			syntax_error(p, p->pos);
		p->pos++;
		count_operator(p);
		right = parse_and(p, &rres);
		if (rres == R_OPERAND)
			syntax_error(p, p->pos);
		note_condition_use(p, left);
		note_condition_use(p, right);
		left = make_binary(EXPR_OR, left, right);
		*res = R_COND;
	}
	return left;
}

static void
parse_condition(ExprParser *p)
{
	ExprResult	res;
	ExprNode   *root = parse_or(p, &res);

	if (res == R_OPERAND || peek(p)->kind != TK_EOF)
		syntax_error(p, p->pos);
	note_condition_use(p, root);
	p->ast->root = root;
}

/* ---- updates ---- */

/* sum = uoperand [ ("+" | "-") uoperand ], lhs possibly given */
static ExprNode *
parse_sum(ExprParser *p, ExprNode *lhs)
{
	ExprToken  *t;

	if (lhs == NULL)
		lhs = parse_update_operand(p);
	t = peek(p);
	if (t->kind == TK_PLUS || t->kind == TK_MINUS)
	{
		p->pos++;
		count_operator(p);
		return make_binary(t->kind == TK_PLUS ? EXPR_PLUS : EXPR_MINUS,
						   lhs, parse_update_operand(p));
	}
	return lhs;
}

/* value = "(" sum ")" | sum */
static ExprNode *
parse_set_value(ExprParser *p)
{
	ExprNode   *inner;

	if (peek(p)->kind != TK_LPAREN)
		return parse_sum(p, NULL);
	p->pos++;
	inner = parse_sum(p, NULL);
	expect(p, TK_RPAREN);
	inner->parens++;
	if (inner->kind != EXPR_PLUS && inner->kind != EXPR_MINUS)
		return parse_sum(p, inner);	/* it was "(" operand ")" */
	return inner;
}

static void
add_action(ExprParser *p, ExprActionKind kind, ExprNode *path, ExprNode *value,
		   int *cap)
{
	ExprAst    *ast = p->ast;
	ExprAction *a;

	if (ast->nactions >= *cap)
	{
		*cap *= 2;
		ast->actions = repalloc(ast->actions, *cap * sizeof(ExprAction));
	}
	a = &ast->actions[ast->nactions++];
	a->kind = kind;
	a->path = path;
	a->value = value;
	if (kind == ACT_SET || kind == ACT_ADD)
		ast->has_set_or_add = true;
}

static void
parse_update(ExprParser *p)
{
	int			cap = 8;
	int			clause;

	p->ast->actions = palloc(cap * sizeof(ExprAction));
	clause = tok_clause(p, peek(p));
	if (clause < 0)
		syntax_error(p, p->pos);
	while (clause >= 0)
	{
		p->pos++;
		if (p->seen_clause[clause])
			note(&p->err_section,
				 "The \"%s\" section can only be used once in an update expression;",
				 clause_names[clause]);
		p->seen_clause[clause] = true;
		for (;;)
		{
			ExprNode   *path = parse_path(p);
			ExprNode   *value = NULL;

			switch ((ExprActionKind) clause)
			{
				case ACT_SET:
					expect(p, TK_EQ);
					value = parse_set_value(p);
					break;
				case ACT_REMOVE:
					break;
				case ACT_ADD:
				case ACT_DELETE:
					if (peek(p)->kind != TK_VALREF)
						syntax_error(p, p->pos);
					value = parse_operand(p);
					break;
			}
			add_action(p, (ExprActionKind) clause, path, value, &cap);
			if (peek(p)->kind != TK_COMMA)
				break;
			p->pos++;
		}
		clause = tok_clause(p, peek(p));
	}
	if (peek(p)->kind != TK_EOF)
		syntax_error(p, p->pos);
}

/* ---- projections ---- */

static void
parse_projection(ExprParser *p)
{
	ExprAst    *ast = p->ast;
	int			cap = 8;

	ast->paths = palloc(cap * sizeof(ExprNode *));
	for (;;)
	{
		if (ast->npaths >= cap)
		{
			cap *= 2;
			ast->paths = repalloc(ast->paths, cap * sizeof(ExprNode *));
		}
		ast->paths[ast->npaths++] = parse_path(p);
		if (peek(p)->kind != TK_COMMA)
			break;
		p->pos++;
	}
	if (peek(p)->kind != TK_EOF)
		syntax_error(p, p->pos);
}

/* ---- entry point ---- */

static void
raise_noted(DdbExprKind kind, const char *msg)
{
	if (msg != NULL)
		ExprError(kind, "%s", msg);
}

/*
 * Parse one expression into a tree allocated in CurrentMemoryContext,
 * raising every error that depends only on the text.  The caller has
 * checked that the text is neither empty nor too long.
 */
ExprAst *
ExprParseText(DdbExprKind kind, const char *text, int len)
{
	ExprParser	p;
	ExprAst    *ast = palloc0(sizeof(ExprAst));

	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.text = ExprCopyBytes(text, len);
	p.len = len;
	p.toks = ExprTokenize(p.text, len, &p.ntoks);
	p.ast = ast;
	ast->kind = kind;

	switch (kind)
	{
		case DDB_EXPR_CONDITION:
		case DDB_EXPR_FILTER:
		case DDB_EXPR_KEY_CONDITION:
			parse_condition(&p);
			raise_noted(kind, p.err_parens);
			raise_noted(kind, p.err_unknown_fn);
			raise_noted(kind, p.err_misused_fn);
			raise_noted(kind, p.err_reserved);
			break;
		case DDB_EXPR_UPDATE:
			parse_update(&p);
			raise_noted(kind, p.err_reserved);
			raise_noted(kind, p.err_unknown_fn);
			raise_noted(kind, p.err_section);
			break;
		case DDB_EXPR_PROJECTION:
			parse_projection(&p);
			raise_noted(kind, p.err_reserved);
			break;
	}
	pfree(p.toks);
	return ast;
}
