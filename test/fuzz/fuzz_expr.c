/*-------------------------------------------------------------------------
 *
 * fuzz_expr.c
 *	  libFuzzer target for the expression engine: arbitrary bytes become an
 *	  expression of one of the five kinds plus ExpressionAttributeNames and
 *	  ExpressionAttributeValues; the expression is parsed, bound, and
 *	  evaluated / applied / projected on a small fixed item.
 *
 * Input format (lines; see corpus/ for examples):
 *
 *	line 1	kind: C(ondition) F(ilter) K(eyCondition) U(pdate) P(rojection)
 *	line 2	the expression
 *	line 3	names:  #key=name;#key=name
 *	line 4	values: :key=VALUE;...
 *
 * VALUE: s<text> n<number> b<bytes> t f z(NULL) l[VALUE,...]
 *		  m{name=VALUE,...} S[text,...] N[number,...] B[bytes,...]
 *		  (text runs up to one of ";,]}" or the end of the line)
 *
 * A DynamoDB error (ereport ERROR) is an expected outcome; crashes,
 * sanitizer reports, leaks and a modified input item are failures.
 *
 * test/fuzz/fuzz_expr.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/stringinfo.h"
#include "utils/memutils.h"

#include "expr.h"

extern void shim_init(void);
extern void shim_set_stack_base(void);
extern const char *shim_last_error(int *sqlstate);

typedef struct Cursor
{
	const char *p;
	const char *end;
} Cursor;

static bool
at_delim(Cursor *c)
{
	return c->p >= c->end || *c->p == ';' || *c->p == ',' || *c->p == ']' ||
		*c->p == '}';
}

static void
read_text(Cursor *c, const char **s, int *len)
{
	*s = c->p;
	while (!at_delim(c))
		c->p++;
	*len = c->p - *s;
}

static DdbValue *read_value(Cursor *c, int depth);

static DdbValue *
read_set(Cursor *c, DdbType settype)
{
	DdbValue   *set = DdbValueMakeList(settype);

	if (c->p >= c->end || *c->p != '[')
		return NULL;
	c->p++;
	while (c->p < c->end && *c->p != ']')
	{
		const char *s;
		int			len;
		DdbValue   *m = NULL;

		read_text(c, &s, &len);
		if (settype == DDB_NS)
		{
			DdbValueError err = {0};
			char	   *canon = DdbNumberCanonical(s, len, &err);

			if (canon)
				m = DdbValueMakeString(DDB_N, canon, strlen(canon));
		}
		else if (settype == DDB_SS)
			m = DdbValueMakeString(DDB_S, s, len);
		else
			m = DdbValueMakeString(DDB_B, s, len);
		if (m)
			DdbSetAdd(set, m);
		if (c->p < c->end && *c->p == ',')
			c->p++;
		else
			break;
	}
	if (c->p < c->end && *c->p == ']')
		c->p++;
	return set->u.list.count > 0 ? set : NULL;
}

static DdbValue *
read_value(Cursor *c, int depth)
{
	const char *s;
	int			len;
	char		t;

	if (c->p >= c->end)
		return NULL;
	t = *c->p++;
	switch (t)
	{
		case 's':
			read_text(c, &s, &len);
			return DdbValueMakeString(DDB_S, s, len);
		case 'b':
			read_text(c, &s, &len);
			return DdbValueMakeString(DDB_B, s, len);
		case 'n':
			{
				DdbValueError err = {0};
				char	   *canon;

				read_text(c, &s, &len);
				canon = DdbNumberCanonical(s, len, &err);
				return canon ? DdbValueMakeString(DDB_N, canon, strlen(canon)) : NULL;
			}
		case 't':
			return DdbValueMakeBool(true);
		case 'f':
			return DdbValueMakeBool(false);
		case 'z':
			return DdbValueMakeNull();
		case 'S':
			return read_set(c, DDB_SS);
		case 'N':
			return read_set(c, DDB_NS);
		case 'B':
			return read_set(c, DDB_BS);
		case 'l':
			{
				DdbValue   *l = DdbValueMakeList(DDB_L);

				if (c->p >= c->end || *c->p != '[')
					return l;
				c->p++;
				while (c->p < c->end && *c->p != ']' && depth < DDB_MAX_NESTING)
				{
					DdbValue   *v = read_value(c, depth + 1);

					if (v)
						DdbListAppend(l, v);
					if (c->p < c->end && *c->p == ',')
						c->p++;
					else
						break;
				}
				if (c->p < c->end && *c->p == ']')
					c->p++;
				return l;
			}
		case 'm':
			{
				DdbValue   *m = DdbValueMakeMap();

				if (c->p >= c->end || *c->p != '{')
					return m;
				c->p++;
				while (c->p < c->end && *c->p != '}' && depth < DDB_MAX_NESTING)
				{
					const char *name = c->p;
					int			namelen;
					DdbValue   *v;

					while (c->p < c->end && *c->p != '=' && !at_delim(c))
						c->p++;
					namelen = c->p - name;
					if (c->p >= c->end || *c->p != '=')
						break;
					c->p++;
					v = read_value(c, depth + 1);
					/* names come from JSON strings: never empty, never NUL */
					if (v && namelen > 0 && memchr(name, '\0', namelen) == NULL)
						DdbMapSet(m, name, namelen, v);
					if (c->p < c->end && *c->p == ',')
						c->p++;
					else
						break;
				}
				if (c->p < c->end && *c->p == '}')
					c->p++;
				return m;
			}
		default:
			return NULL;
	}
}

/* "#k=v;#k=v" or ":k=VALUE;..." into a map; NULL when the line is empty. */
static DdbValue *
read_map(const char *line, int len, bool values)
{
	Cursor		c = {line, line + len};
	DdbValue   *map;

	if (len == 0)
		return NULL;
	map = DdbValueMakeMap();
	while (c.p < c.end)
	{
		const char *key = c.p;
		int			keylen;
		DdbValue   *v;

		while (c.p < c.end && *c.p != '=' && *c.p != ';')
			c.p++;
		keylen = c.p - key;
		if (c.p < c.end && *c.p == '=')
		{
			c.p++;
			if (values)
				v = read_value(&c, 1);
			else
			{
				const char *s = c.p;

				while (c.p < c.end && *c.p != ';')
					c.p++;
				/* attribute names come from JSON strings: no NUL */
				v = memchr(s, '\0', c.p - s) ? NULL :
					DdbValueMakeString(DDB_S, s, c.p - s);
			}
			if (v && memchr(key, '\0', keylen) == NULL)
				DdbMapSet(map, key, keylen, v);
		}
		while (c.p < c.end && *c.p != ';')
			c.p++;
		if (c.p < c.end)
			c.p++;
	}
	return map;
}

static DdbValue *
fixed_item(void)
{
	Cursor		c;
	static const char *src =
	"m{pk=sk1,sk=n7,a=n1,b=shello,c=l[n1,sx,m{d=n2}],"
	"m=m{x=n5,y=l[sa,sb],z=m{}},ss=S[a,b,c],ns=N[1,2,3],bs=B[xy,z],"
	"t=t,n=z,bin=bab,e=s,l=l[l[n1,n2],n3]}";

	c.p = src;
	c.end = src + strlen(src);
	return read_value(&c, 0);
}

static char *
show(const DdbValue *item)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (item)
		DdbItemAppendJson(&buf, item);
	return buf.data;
}

static void
check_unchanged(const DdbValue *item, const char *before, const char *what)
{
	char	   *after = show(item);

	if (strcmp(before, after) != 0)
	{
		fprintf(stderr, "%s modified its input item:\n%s\n%s\n", what, before, after);
		abort();
	}
}

static void
run(DdbExprKind kind, const char *expr, int exprlen, DdbValue *names,
	DdbValue *values)
{
	DdbValue   *item = fixed_item();
	char	   *before = show(item);
	DdbExprRequest *req;
	DdbExpr    *e;
	static const char *const keys[] = {"pk", "sk"};
	static const char *const index_keys[] = {"m"};

	req = DdbExprBeginValues(names, values, true, true, "X is null");
	e = DdbExprParse(req, kind, expr, exprlen);
	/* the same text again comes from the cache */
	e = DdbExprParse(req, kind, expr, exprlen);
	DdbExprEnd(req);
	(void) DdbExprTopLevelNames(e);
	(void) DdbExprNestedTopLevelNames(e);

	switch (kind)
	{
		case DDB_EXPR_CONDITION:
		case DDB_EXPR_FILTER:
			(void) DdbExprEvalCondition(e, item);
			(void) DdbExprEvalCondition(e, NULL);
			check_unchanged(item, before, "condition");
			break;
		case DDB_EXPR_KEY_CONDITION:
			{
				DdbKeyCondition out;

				(void) DdbExprEvalCondition(e, item);
				DdbExprKeyConditionValidate(e);
				DdbExprKeyCondition(e, "pk", DDB_S, "sk", DDB_N, &out);
			}
			break;
		case DDB_EXPR_UPDATE:
			{
				DdbValue   *old_vals = NULL;
				DdbValue   *new_vals = NULL;
				bool		creates;
				DdbValue   *res;
				DdbValue   *keyonly = DdbValueMakeMap();

				res = DdbExprApplyUpdate(e, item, true, keys, 2,
										 &old_vals, &new_vals, &creates);
				check_unchanged(item, before, "update");
				(void) show(res);
				(void) show(old_vals);
				(void) show(new_vals);
				DdbMapSet(keyonly, "pk", 2, DdbValueMakeString(DDB_S, "k1", 2));
				res = DdbExprApplyUpdate(e, keyonly, false, keys, 2,
										 &old_vals, &new_vals, &creates);
				(void) show(res);
			}
			break;
		case DDB_EXPR_PROJECTION:
			(void) show(DdbExprProject(e, item));
			check_unchanged(item, before, "projection");
			break;
	}
	DdbExprCheckIndexKeys(e, index_keys, 1);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *) data;
	const char *end = p + size;
	const char *lines[4] = {p, p, p, p};
	int			lens[4] = {0, 0, 0, 0};
	int			i;
	DdbExprKind kind;
	MemoryContext cxt;

	shim_init();
	shim_set_stack_base();

	for (i = 0; i < 4 && p <= end; i++)
	{
		const char *nl = memchr(p, '\n', end - p);

		lines[i] = p;
		lens[i] = nl ? nl - p : end - p;
		p = nl ? nl + 1 : end + 1;
	}
	switch (lens[0] > 0 ? lines[0][0] : 'C')
	{
		case 'F':
			kind = DDB_EXPR_FILTER;
			break;
		case 'K':
			kind = DDB_EXPR_KEY_CONDITION;
			break;
		case 'U':
			kind = DDB_EXPR_UPDATE;
			break;
		case 'P':
			kind = DDB_EXPR_PROJECTION;
			break;
		default:
			kind = DDB_EXPR_CONDITION;
			break;
	}

	cxt = AllocSetContextCreate(TopMemoryContext, "fuzz input",
								ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		DdbValue   *names = read_map(lines[2], lens[2], false);
		DdbValue   *values = read_map(lines[3], lens[3], true);

		run(kind, lines[1], lens[1], names, values);
	}
	PG_CATCH();
	{
		/* a DynamoDB error: expected */
		if (getenv("FUZZ_EXPR_VERBOSE"))
			fprintf(stderr, "error: %s\n", shim_last_error(NULL));
	}
	PG_END_TRY();
	MemoryContextSwitchTo(TopMemoryContext);
	MemoryContextDelete(cxt);
	return 0;
}
