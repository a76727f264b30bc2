/*-------------------------------------------------------------------------
 *
 * expr_cache.c
 *	  The per-backend cache of parsed expressions, and DdbExprParse.
 *
 * A syntax tree depends only on (kind, text), so it is parsed once per
 * backend and reused by every request with the same expression; binding
 * to a request's names and values (expr_bind.c) is cheap and done per
 * request.
 *
 * Each cached tree lives in its own small memory context under a cache
 * context in TopMemoryContext.  The cache is bounded (entries and bytes)
 * and evicts the least recently used tree.  A bound expression points into
 * its tree, so using a tree pins it until the memory context of the
 * caller (where the DdbExpr is allocated) is reset or deleted: a memory
 * context callback unpins it.  An evicted tree that is still pinned is
 * freed when its last pin goes.
 *
 * A tree is parsed in a context under the caller's context and moved into
 * the cache only when parsing succeeded, so a syntax error leaves nothing
 * behind; binding errors happen after the pin is registered, so the
 * refcount is released by the same callback when the caller's context
 * goes away.
 *
 * src/expr_cache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/ilist.h"
#include "utils/memutils.h"

#include "expr_int.h"

#define CACHE_BUCKETS		1024	/* power of two */
#define CACHE_MAX_ENTRIES	2048
#define CACHE_MAX_BYTES		(16 * 1024 * 1024)

typedef struct ExprCacheEntry
{
	struct ExprCacheEntry *hnext;	/* hash chain */
	dlist_node	lru;			/* most recently used first */
	uint32		hash;
	DdbExprKind kind;
	int			len;
	char	   *text;
	MemoryContext cxt;			/* holds the entry and its tree */
	ExprAst    *ast;
	Size		bytes;
	int			refcount;		/* pins by live DdbExprs */
	bool		evicted;		/* no longer in the cache; free at refcount 0 */
} ExprCacheEntry;

typedef struct ExprPin
{
	MemoryContextCallback cb;
	ExprCacheEntry *entry;
} ExprPin;

static MemoryContext cache_cxt = NULL;
static ExprCacheEntry *buckets[CACHE_BUCKETS];
static dlist_head lru_list = DLIST_STATIC_INIT(lru_list);
static int	cache_entries = 0;
static Size cache_bytes = 0;
static int64 cache_hits = 0;
static int64 cache_misses = 0;
static int64 cache_evictions = 0;

/* FNV-1a over the kind and the text. */
static uint32
hash_expr(DdbExprKind kind, const char *text, int len)
{
	uint32		h = 2166136261u;
	int			i;

	h = (h ^ (uint32) kind) * 16777619u;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char) text[i]) * 16777619u;
	return h;
}

static void
free_entry(ExprCacheEntry *entry)
{
	MemoryContextDelete(entry->cxt);
}

/* Take an entry out of the hash table and the LRU list. */
static void
evict(ExprCacheEntry *entry)
{
	ExprCacheEntry **pp = &buckets[entry->hash & (CACHE_BUCKETS - 1)];

	while (*pp != entry)
		pp = &(*pp)->hnext;
	*pp = entry->hnext;
	dlist_delete(&entry->lru);
	cache_entries--;
	cache_bytes -= entry->bytes;
	cache_evictions++;
	entry->evicted = true;
	if (entry->refcount == 0)
		free_entry(entry);
}

static void
unpin(void *arg)
{
	ExprCacheEntry *entry = (ExprCacheEntry *) arg;

	Assert(entry->refcount > 0);
	entry->refcount--;
	if (entry->evicted && entry->refcount == 0)
		free_entry(entry);
}

/* Pin entry until CurrentMemoryContext is reset or deleted. */
static void
pin(ExprCacheEntry *entry)
{
	ExprPin    *p = palloc(sizeof(ExprPin));

	p->entry = entry;
	p->cb.func = unpin;
	p->cb.arg = entry;
	entry->refcount++;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &p->cb);
}

/*
 * Parse text into a new entry whose context is a child of the caller's
 * context (moved into the cache by the caller); on error the context is
 * deleted before the error propagates.
 */
static ExprCacheEntry *
parse_entry(DdbExprKind kind, const char *text, int len)
{
	MemoryContext cxt;
	MemoryContext oldcxt;
	ExprCacheEntry *volatile entry = NULL;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "ddb_emul expression",
								ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		ExprCacheEntry *e = palloc0(sizeof(ExprCacheEntry));

		e->ast = ExprParseText(kind, text, len);
		e->text = ExprCopyBytes(text, len);
		e->cxt = cxt;
		entry = e;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	return entry;
}

/*
 * The parsed tree for (kind, text), from the cache or freshly parsed (and
 * then cached).  The tree is pinned for the lifetime of
 * CurrentMemoryContext; it must not be modified.
 */
const ExprAst *
ExprCacheLookup(DdbExprKind kind, const char *text, int len)
{
	uint32		hash = hash_expr(kind, text, len);
	ExprCacheEntry *entry;
	MemoryContext cxt;

	for (entry = buckets[hash & (CACHE_BUCKETS - 1)]; entry; entry = entry->hnext)
	{
		if (entry->hash == hash && entry->kind == kind && entry->len == len &&
			memcmp(entry->text, text, len) == 0)
		{
			cache_hits++;
			dlist_move_head(&lru_list, &entry->lru);
			pin(entry);
			return entry->ast;
		}
	}

	cache_misses++;
	entry = parse_entry(kind, text, len);
	cxt = entry->cxt;

	if (cache_cxt == NULL)
		cache_cxt = AllocSetContextCreate(TopMemoryContext,
										  "ddb_emul expression cache",
										  ALLOCSET_SMALL_SIZES);
	MemoryContextSetParent(cxt, cache_cxt);
	entry->hash = hash;
	entry->kind = kind;
	entry->len = len;
	entry->cxt = cxt;
	entry->bytes = MemoryContextMemAllocated(cxt, true);
	entry->hnext = buckets[hash & (CACHE_BUCKETS - 1)];
	buckets[hash & (CACHE_BUCKETS - 1)] = entry;
	dlist_push_head(&lru_list, &entry->lru);
	cache_entries++;
	cache_bytes += entry->bytes;

	/* Keep the cache bounded; the new entry is at the head, evicted last. */
	while (cache_entries > 1 &&
		   (cache_entries > CACHE_MAX_ENTRIES || cache_bytes > CACHE_MAX_BYTES))
		evict(dlist_container(ExprCacheEntry, lru, dlist_tail_node(&lru_list)));

	pin(entry);
	return entry->ast;
}

DdbExpr *
DdbExprParse(DdbExprRequest *req, DdbExprKind kind, const char *text, int len)
{
	const ExprAst *ast;

	if (len <= 0)
		ExprError(kind, "The expression can not be empty;");
	if (len > DDB_EXPR_MAX_SIZE)
		ExprError(kind,
				  "Expression size has exceeded the maximum allowed size; expression size: %d",
				  len);
	ast = ExprCacheLookup(kind, text, len);
	return ExprBind(req, ast);
}

void
DdbExprGetCacheStats(DdbExprCacheStats *stats)
{
	stats->entries = cache_entries;
	stats->hits = cache_hits;
	stats->misses = cache_misses;
	stats->evictions = cache_evictions;
	stats->bytes = cache_bytes;
}

/* Drop every cached tree (pinned ones are freed when unpinned). */
void
DdbExprResetCache(void)
{
	while (!dlist_is_empty(&lru_list))
		evict(dlist_container(ExprCacheEntry, lru, dlist_head_node(&lru_list)));
	cache_hits = cache_misses = cache_evictions = 0;
}
