/*-------------------------------------------------------------------------
 *
 * pg_shim.c
 *	  The few PostgreSQL backend facilities the expression engine and
 *	  values.c use, for running them outside the server (the fuzz target):
 *	  memory contexts (palloc & co., one malloc per chunk so that
 *	  AddressSanitizer sees every overrun), StringInfo, ereport (ERROR
 *	  longjmps to the innermost PG_TRY), check_stack_depth, List append,
 *	  escape_json and the port.h printf/qsort wrappers.
 *
 * Only what the engine needs, with the same contracts; not a general
 * replacement for the backend.
 *
 * test/fuzz/pg_shim.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/memnodes.h"
#include "nodes/pg_list.h"
#include "utils/json.h"
#include "utils/memutils.h"

#undef snprintf
#undef vsnprintf
#undef sprintf
#undef fprintf
#undef printf
#undef qsort
#undef vsprintf
#undef vfprintf
#undef vprintf

/* ---- memory contexts ---- */

typedef struct ShimChunk
{
	struct ShimChunk *prev;
	struct ShimChunk *next;
	struct ShimContext *owner;
	Size		size;
	/* user data follows, MAXALIGNed */
} ShimChunk;

#define CHUNK_HDR	MAXALIGN(sizeof(ShimChunk))

typedef struct ShimContext
{
	MemoryContextData base;		/* parent/children/reset_cbs are used */
	ShimChunk  *chunks;
	Size		allocated;
} ShimContext;

static ShimContext top_context;
MemoryContext TopMemoryContext = NULL;
MemoryContext CurrentMemoryContext = NULL;
MemoryContext ErrorContext = NULL;

void		shim_init(void);

void
shim_init(void)
{
	if (TopMemoryContext != NULL)
		return;
	memset(&top_context, 0, sizeof(top_context));
	top_context.base.type = T_AllocSetContext;
	top_context.base.name = "TopMemoryContext";
	TopMemoryContext = &top_context.base;
	CurrentMemoryContext = TopMemoryContext;
	ErrorContext = TopMemoryContext;
}

static void
link_child(MemoryContext parent, MemoryContext child)
{
	child->parent = parent;
	child->prevchild = NULL;
	child->nextchild = parent ? parent->firstchild : NULL;
	if (parent)
	{
		if (parent->firstchild)
			parent->firstchild->prevchild = child;
		parent->firstchild = child;
	}
}

static void
unlink_child(MemoryContext child)
{
	MemoryContext parent = child->parent;

	if (child->prevchild)
		child->prevchild->nextchild = child->nextchild;
	else if (parent)
		parent->firstchild = child->nextchild;
	if (child->nextchild)
		child->nextchild->prevchild = child->prevchild;
	child->parent = child->prevchild = child->nextchild = NULL;
}

MemoryContext
AllocSetContextCreateInternal(MemoryContext parent, const char *name,
							  Size minContextSize, Size initBlockSize,
							  Size maxBlockSize)
{
	ShimContext *c = calloc(1, sizeof(ShimContext));

	if (c == NULL)
		abort();
	c->base.type = T_AllocSetContext;
	c->base.name = name;
	link_child(parent, &c->base);
	return &c->base;
}

static void
call_reset_callbacks(MemoryContext context)
{
	MemoryContextCallback *cb;

	while ((cb = context->reset_cbs) != NULL)
	{
		context->reset_cbs = cb->next;
		cb->func(cb->arg);
	}
}

static void
free_chunks(ShimContext *c)
{
	ShimChunk  *ch = c->chunks;

	while (ch)
	{
		ShimChunk  *next = ch->next;

		free(ch);
		ch = next;
	}
	c->chunks = NULL;
	c->allocated = 0;
}

void
MemoryContextDelete(MemoryContext context)
{
	ShimContext *c = (ShimContext *) context;

	Assert(context != TopMemoryContext);
	while (context->firstchild)
		MemoryContextDelete(context->firstchild);
	call_reset_callbacks(context);
	free_chunks(c);
	unlink_child(context);
	if (CurrentMemoryContext == context)
		CurrentMemoryContext = TopMemoryContext;
	free(c);
}

void
MemoryContextReset(MemoryContext context)
{
	while (context->firstchild)
		MemoryContextDelete(context->firstchild);
	call_reset_callbacks(context);
	free_chunks((ShimContext *) context);
}

void
MemoryContextSetParent(MemoryContext context, MemoryContext new_parent)
{
	unlink_child(context);
	link_child(new_parent, context);
}

void
MemoryContextRegisterResetCallback(MemoryContext context,
								   MemoryContextCallback *cb)
{
	cb->next = context->reset_cbs;
	context->reset_cbs = cb;
}

Size
MemoryContextMemAllocated(MemoryContext context, bool recurse)
{
	Size		total = ((ShimContext *) context)->allocated;

	if (recurse)
	{
		MemoryContext child;

		for (child = context->firstchild; child; child = child->nextchild)
			total += MemoryContextMemAllocated(child, true);
	}
	return total;
}

static void *
chunk_alloc(MemoryContext context, Size size, bool zero)
{
	ShimContext *c = (ShimContext *) context;
	ShimChunk  *ch;

	if (!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	ch = zero ? calloc(1, CHUNK_HDR + size) : malloc(CHUNK_HDR + size);
	if (ch == NULL)
		elog(ERROR, "out of memory");
	ch->owner = c;
	ch->size = size;
	ch->prev = NULL;
	ch->next = c->chunks;
	if (c->chunks)
		c->chunks->prev = ch;
	c->chunks = ch;
	c->allocated += size;
	return (char *) ch + CHUNK_HDR;
}

static ShimChunk *
chunk_of(void *pointer)
{
	return (ShimChunk *) ((char *) pointer - CHUNK_HDR);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return chunk_alloc(context, size, false);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return chunk_alloc(context, size, true);
}

void *
palloc(Size size)
{
	return chunk_alloc(CurrentMemoryContext, size, false);
}

void *
palloc0(Size size)
{
	return chunk_alloc(CurrentMemoryContext, size, true);
}

void
pfree(void *pointer)
{
	ShimChunk  *ch = chunk_of(pointer);
	ShimContext *c = ch->owner;

	if (ch->prev)
		ch->prev->next = ch->next;
	else
		c->chunks = ch->next;
	if (ch->next)
		ch->next->prev = ch->prev;
	c->allocated -= ch->size;
	free(ch);
}

void *
repalloc(void *pointer, Size size)
{
	ShimChunk  *old = chunk_of(pointer);
	ShimContext *c = old->owner;
	void	   *res;

	if (!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	/* allocate anew so that stale pointers to the old block are caught */
	res = chunk_alloc(&c->base, size, false);
	memcpy(res, pointer, Min(size, old->size));
	pfree(pointer);
	return res;
}

char *
pstrdup(const char *in)
{
	size_t		len = strlen(in);
	char	   *out = palloc(len + 1);

	memcpy(out, in, len + 1);
	return out;
}

char *
pnstrdup(const char *in, Size len)
{
	char	   *out;

	len = strnlen(in, len);
	out = palloc(len + 1);
	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

char *
psprintf(const char *fmt,...)
{
	va_list		args;
	int			n;
	char	   *buf;

	va_start(args, fmt);
	n = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	buf = palloc(n + 1);
	va_start(args, fmt);
	vsnprintf(buf, n + 1, fmt, args);
	va_end(args);
	return buf;
}

/* ---- StringInfo ---- */

void
initStringInfo(StringInfo str)
{
	str->maxlen = 1024;
	str->data = palloc(str->maxlen);
	resetStringInfo(str);
}

StringInfo
makeStringInfo(void)
{
	StringInfo	s = palloc(sizeof(StringInfoData));

	initStringInfo(s);
	return s;
}

void
resetStringInfo(StringInfo str)
{
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

void
enlargeStringInfo(StringInfo str, int needed)
{
	int			newlen;

	if (needed < 0 || ((Size) needed) >= (MaxAllocSize - (Size) str->len))
		elog(ERROR, "out of memory: cannot enlarge string buffer");
	needed += str->len + 1;
	if (needed <= str->maxlen)
		return;
	newlen = 2 * str->maxlen;
	while (needed > newlen)
		newlen = 2 * newlen;
	if (newlen > (int) MaxAllocSize)
		newlen = (int) MaxAllocSize;
	str->data = repalloc(str->data, newlen);
	str->maxlen = newlen;
}

int
appendStringInfoVA(StringInfo str, const char *fmt, va_list args)
{
	int			avail = str->maxlen - str->len;
	int			n;

	if (avail < 16)
		return 32;
	n = vsnprintf(str->data + str->len, avail, fmt, args);
	if (n >= 0 && n < avail)
	{
		str->len += n;
		return 0;
	}
	str->data[str->len] = '\0';
	return n < 0 ? 2 * str->maxlen : n + 1;
}

void
appendStringInfo(StringInfo str, const char *fmt,...)
{
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(str, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(str, needed);
	}
}

void
appendBinaryStringInfo(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
	str->data[str->len] = '\0';
}

void
appendBinaryStringInfoNT(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
}

void
appendStringInfoString(StringInfo str, const char *s)
{
	appendBinaryStringInfo(str, s, strlen(s));
}

void
appendStringInfoChar(StringInfo str, char ch)
{
	if (str->len + 1 >= str->maxlen)
		enlargeStringInfo(str, 1);
	str->data[str->len] = ch;
	str->len++;
	str->data[str->len] = '\0';
}

void
appendStringInfoSpaces(StringInfo str, int count)
{
	while (count-- > 0)
		appendStringInfoChar(str, ' ');
}

void
escape_json(StringInfo buf, const char *str)
{
	const char *p;

	appendStringInfoChar(buf, '"');
	for (p = str; *p; p++)
	{
		switch (*p)
		{
			case '\b':
				appendStringInfoString(buf, "\\b");
				break;
			case '\f':
				appendStringInfoString(buf, "\\f");
				break;
			case '\n':
				appendStringInfoString(buf, "\\n");
				break;
			case '\r':
				appendStringInfoString(buf, "\\r");
				break;
			case '\t':
				appendStringInfoString(buf, "\\t");
				break;
			case '"':
				appendStringInfoString(buf, "\\\"");
				break;
			case '\\':
				appendStringInfoString(buf, "\\\\");
				break;
			default:
				if ((unsigned char) *p < ' ')
					appendStringInfo(buf, "\\u%04x", (int) *p);
				else
					appendStringInfoChar(buf, *p);
				break;
		}
	}
	appendStringInfoChar(buf, '"');
}

/* ---- errors ---- */

sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;

static int	err_level;
static int	err_code;
static char err_message[8192];
static char err_detail[8192];

/* The message of the last error raised, for the harness. */
const char *shim_last_error(int *sqlstate);

const char *
shim_last_error(int *sqlstate)
{
	if (sqlstate)
		*sqlstate = err_code;
	return err_message;
}

bool
errstart(int elevel, const char *domain)
{
	err_level = elevel;
	err_code = 0;
	err_message[0] = '\0';
	err_detail[0] = '\0';
	return elevel >= ERROR;		/* lower levels are not reported */
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

int
errcode(int sqlerrcode)
{
	err_code = sqlerrcode;
	return 0;
}

static void
format_into(char *dst, size_t size, const char *fmt, va_list args)
{
	vsnprintf(dst, size, fmt, args);
}

int
errmsg(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	format_into(err_message, sizeof(err_message), fmt, args);
	va_end(args);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	format_into(err_message, sizeof(err_message), fmt, args);
	va_end(args);
	return 0;
}

int
errdetail(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	format_into(err_detail, sizeof(err_detail), fmt, args);
	va_end(args);
	return 0;
}

int
errdetail_internal(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	format_into(err_detail, sizeof(err_detail), fmt, args);
	va_end(args);
	return 0;
}

int
errhint(const char *fmt,...)
{
	return 0;
}

void
pg_re_throw(void)
{
	if (PG_exception_stack == NULL)
	{
		fprintf(stderr, "ERROR outside PG_TRY: %s\n", err_message);
		abort();
	}
	siglongjmp(*PG_exception_stack, 1);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (err_level >= ERROR)
		pg_re_throw();
}

/* ---- stack depth ---- */

static char *stack_base = NULL;

void		shim_set_stack_base(void);

void
shim_set_stack_base(void)
{
	char		here;

	stack_base = &here;
}

void
check_stack_depth(void)
{
	char		here;
	long		depth;

	if (stack_base == NULL)
		return;
	depth = stack_base - &here;
	if (depth < 0)
		depth = -depth;
	if (depth > 2L * 1024 * 1024)
		ereport(ERROR,
				(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
				 errmsg("stack depth limit exceeded")));
}

/* ---- lists ---- */

List *
lappend(List *list, void *datum)
{
	if (list == NIL)
	{
		list = palloc(offsetof(List, initial_elements) + 4 * sizeof(ListCell));
		list->type = T_List;
		list->length = 0;
		list->max_length = 4;
		list->elements = list->initial_elements;
	}
	else if (list->length >= list->max_length)
	{
		int			newmax = list->max_length * 2;
		ListCell   *cells = palloc(newmax * sizeof(ListCell));

		memcpy(cells, list->elements, list->length * sizeof(ListCell));
		if (list->elements != list->initial_elements)
			pfree(list->elements);
		list->elements = cells;
		list->max_length = newmax;
	}
	list->elements[list->length++].ptr_value = datum;
	return list;
}

/* ---- port.h wrappers ---- */

int
pg_snprintf(char *str, size_t count, const char *fmt,...)
{
	va_list		args;
	int			n;

	va_start(args, fmt);
	n = vsnprintf(str, count, fmt, args);
	va_end(args);
	return n;
}

int
pg_vsnprintf(char *str, size_t count, const char *fmt, va_list args)
{
	return vsnprintf(str, count, fmt, args);
}

int
pg_sprintf(char *str, const char *fmt,...)
{
	va_list		args;
	int			n;

	va_start(args, fmt);
	n = vsprintf(str, fmt, args);
	va_end(args);
	return n;
}

int
pg_fprintf(FILE *stream, const char *fmt,...)
{
	va_list		args;
	int			n;

	va_start(args, fmt);
	n = vfprintf(stream, fmt, args);
	va_end(args);
	return n;
}

int
pg_printf(const char *fmt,...)
{
	va_list		args;
	int			n;

	va_start(args, fmt);
	n = vprintf(fmt, args);
	va_end(args);
	return n;
}

void
pg_qsort(void *base, size_t nel, size_t elsize,
		 int (*cmp) (const void *, const void *))
{
	qsort(base, nel, elsize, cmp);
}
