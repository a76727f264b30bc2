/*-------------------------------------------------------------------------
 *
 * decoder.c
 *	  The logical-decoding output plugin "ddb_emul": one DynamoDB Streams
 *	  record per committed change to an item of a table with a stream.
 *
 * The plugin lives in the extension's library, so its name is the
 * library's:
 *
 *	  SELECT pg_create_logical_replication_slot('s', 'ddb_emul');
 *	  SELECT data FROM pg_logical_slot_get_changes('s', NULL, NULL,
 *												   'include-table-name', '1');
 *	  pg_recvlogical -d db -S s --start -f - -o include-table-name=1
 *
 * Every output message is one record, a JSON object shaped like a DynamoDB
 * Streams record as Lambda receives it:
 *
 *	  {"eventID":"<32 hex>","eventName":"INSERT|MODIFY|REMOVE",
 *	   "eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"<region>",
 *	   "dynamodb":{"ApproximateCreationDateTime":<epoch seconds>,
 *				   "Keys":{...},"NewImage":{...},"OldImage":{...},
 *				   "SequenceNumber":"<31 digits>","SizeBytes":<n>,
 *				   "StreamViewType":"<view type>"},
 *	   "userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"},
 *	   "eventSourceARN":"arn:aws:dynamodb:<region>:<account>:table/<T>/stream/<label>",
 *	   "tableName":"<T>"}
 *
 * (userIdentity on TTL deletions only, tableName only when asked for.)
 *
 * Options, as name/value pairs of pg_logical_slot_get_changes() or
 * pg_recvlogical -o name=value; booleans take PostgreSQL's spellings and a
 * name without value means true.  Anything else is an error.
 *
 *	  format-version	  integer, default 1: the record format.  1 is the only
 *						  one; other values are rejected.
 *	  include-table-name  boolean, default false: add "tableName" (the
 *						  DynamoDB table name) to every record, for consumers
 *						  that read several tables from one slot.
 *	  tables			  comma-separated DynamoDB table names (blanks around
 *						  names are ignored), default every table: write
 *						  records of these tables only.
 *
 * Which changes produce a record: INSERT, UPDATE and DELETE of a row of an
 * item table ddb_data.<physical_name> whose ddb.tables row has
 * stream_enabled, as of the change (ddb.tables is a user catalog table,
 * read with the historic snapshot).  An INSERT gives an INSERT record, an
 * UPDATE a MODIFY (a REMOVE and an INSERT when it changed the key, which the
 * API never does), a DELETE a REMOVE.  An UPDATE whose old and new items
 * are equal gives nothing when the old row is in the WAL (REPLICA IDENTITY
 * FULL).  Nothing comes from tables without a stream, from other tables
 * (ddb.tables included), from TRUNCATE or from rolled-back (sub)transactions.
 * Records are written when their transaction commits, in change order;
 * PostgreSQL spills transactions larger than logical_decoding_work_mem to
 * disk and replays them the same way.
 *
 * Images follow the StreamViewType: INSERT has NewImage only, REMOVE
 * OldImage only, MODIFY both; KEYS_ONLY neither, NEW_IMAGE never OldImage,
 * OLD_IMAGE never NewImage.  An old image needs REPLICA IDENTITY FULL on the
 * item table; without it the old row holds only the key columns and
 * OldImage is left out.  Keys are decoded from the key columns (pk, sk).
 * SizeBytes is DynamoDB's item size of Keys plus the images included.
 *
 * SequenceNumber is 31 decimal digits: the LSN of the commit record (20),
 * the number of the change within its transaction (10) and one digit that
 * tells apart the two records of a key-changing UPDATE.  So it increases
 * with commit order and, within a transaction, with change order, and a
 * change decoded again (the slot restarting from an older confirmed
 * position, e.g. after a crash) gets the same number: consumers drop
 * records whose SequenceNumber they have already seen.  eventID is a
 * 128-bit hash of the system identifier and the SequenceNumber, as stable
 * as it and unique across clusters.  ApproximateCreationDateTime is the
 * commit time in whole epoch seconds.
 *
 * TTL deletions: a transactional logical message with prefix
 * "ddb_emul.ttl" (DdbMarkTtlTransaction) marks the rest of its transaction;
 * its REMOVE records carry userIdentity.
 *
 * Which relations are item tables, and their stream settings, are cached
 * per relation OID for the life of the decoding context.  An entry is read
 * again after a relcache invalidation of its relation (UpdateTable sends
 * one) and all entries after any change to ddb.tables is decoded.
 *
 * src/decoder.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "common/hashfn.h"
#include "nodes/parsenodes.h"
#include "replication/logical.h"
#include "replication/message.h"
#include "replication/output_plugin.h"
#include "replication/reorderbuffer.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "ddb_emul.h"
#include "decoder.h"
#include "values.h"

/* The catalog of DynamoDB tables (src/sql/01_catalog.sql). */
#define CATALOG_SCHEMA "ddb"
#define CATALOG_TABLE "tables"

/* Tell the walsender about progress after this many changes without output. */
#define PROGRESS_EVERY_SKIPPED 100

typedef enum StreamViewType
{
	VIEW_KEYS_ONLY,
	VIEW_NEW_IMAGE,
	VIEW_OLD_IMAGE,
	VIEW_NEW_AND_OLD_IMAGES
} StreamViewType;

static const char *const view_type_names[] = {
	"KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"
};

typedef enum DecoderRelKind
{
	REL_OTHER,					/* changes produce nothing */
	REL_CATALOG,				/* ddb.tables: its changes empty the cache */
	REL_ITEMS					/* the item table of a DynamoDB table */
} DecoderRelKind;

/* What the decoder knows about one relation; entries of rel_cache. */
typedef struct DecoderRel
{
	Oid			relid;			/* hash key */
	bool		valid;			/* false: read it again before use */
	DecoderRelKind kind;

	/* REL_ITEMS: true when records are due (stream on, tables option) */
	bool		streamed;
	/* the rest is set only when streamed; strings in rel_cache_context */
	StreamViewType view;
	char	   *table_name;
	char	   *stream_label;
	char	   *hash_name;
	DdbType		hash_type;
	char	   *range_name;		/* NULL without sort key */
	DdbType		range_type;
	AttrNumber	pk_attnum;
	AttrNumber	sk_attnum;		/* InvalidAttrNumber without sort key */
	AttrNumber	item_attnum;
} DecoderRel;

/* The plugin's state for one decoding context. */
typedef struct DecoderData
{
	MemoryContext context;		/* per change, reset after each */

	/* options */
	int			format_version;
	bool		include_table_name;
	List	   *tables;			/* table names; NIL: every table */

	/* the transaction being decoded */
	bool		ttl;			/* a TTL marker came before */
	uint64		nchanges;		/* changes so far */
	uint64		nrecords;		/* records written */

	int			nskipped;		/* changes without output since progress */
} DecoderData;

/*
 * The relation cache.  It is process-wide because a relcache callback
 * cannot be unregistered, and filled afresh for every decoding context
 * (what a relation is depends on the historic snapshot).
 */
static HTAB *rel_cache = NULL;
static MemoryContext rel_cache_context = NULL;
static bool rel_callback_registered = false;

extern PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);

static void decoder_startup(LogicalDecodingContext *ctx,
							OutputPluginOptions *opt, bool is_init);
static void decoder_shutdown(LogicalDecodingContext *ctx);
static void decoder_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
static void decoder_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						   XLogRecPtr commit_lsn);
static void decoder_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						   Relation relation, ReorderBufferChange *change);
static void decoder_message(LogicalDecodingContext *ctx,
							ReorderBufferTXN *txn, XLogRecPtr message_lsn,
							bool transactional, const char *prefix,
							Size message_size, const char *message);

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	AssertVariableIsOfType(&_PG_output_plugin_init, LogicalOutputPluginInit);

	cb->startup_cb = decoder_startup;
	cb->begin_cb = decoder_begin;
	cb->change_cb = decoder_change;
	cb->commit_cb = decoder_commit;
	cb->message_cb = decoder_message;
	cb->shutdown_cb = decoder_shutdown;
}

void
DdbMarkTtlTransaction(void)
{
	if (XLogLogicalInfoActive())
		(void) LogLogicalMessage(DDB_TTL_MESSAGE_PREFIX, "", 0, true);
}


/* ---------------------------------------------------------------------
 * options
 * ---------------------------------------------------------------------
 */

static void
option_needs_value(DefElem *elem)
{
	if (elem->arg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" requires a value", elem->defname)));
}

static bool
option_bool(DefElem *elem)
{
	bool		result;

	if (elem->arg == NULL)
		return true;
	if (!parse_bool(strVal(elem->arg), &result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not parse value \"%s\" for parameter \"%s\"",
						strVal(elem->arg), elem->defname)));
	return result;
}

static int
option_format_version(DefElem *elem)
{
	const char *s;
	char	   *end;
	long		v;

	option_needs_value(elem);
	s = strVal(elem->arg);
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not parse value \"%s\" for parameter \"%s\"",
						s, elem->defname)));
	if (v != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("format-version %ld is not supported", v),
				 errdetail("The only format version is 1.")));
	return (int) v;
}

/* The names of the tables option; blanks around names are dropped. */
static List *
option_tables(DefElem *elem)
{
	List	   *names = NIL;
	char	   *s;

	option_needs_value(elem);
	s = pstrdup(strVal(elem->arg));
	for (;;)
	{
		char	   *comma = strchr(s, ',');
		char	   *end;

		if (comma != NULL)
			*comma = '\0';
		while (isspace((unsigned char) *s))
			s++;
		end = s + strlen(s);
		while (end > s && isspace((unsigned char) end[-1]))
			end--;
		*end = '\0';
		if (*s == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value \"%s\" for parameter \"%s\"",
							strVal(elem->arg), elem->defname),
					 errdetail("The value is a comma-separated list of table names, none of them empty.")));
		names = lappend(names, s);
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	return names;
}

static bool
table_selected(DecoderData *data, const char *table_name)
{
	ListCell   *lc;

	if (data->tables == NIL)
		return true;
	foreach(lc, data->tables)
	{
		if (strcmp((const char *) lfirst(lc), table_name) == 0)
			return true;
	}
	return false;
}


/* ---------------------------------------------------------------------
 * the relation cache
 * ---------------------------------------------------------------------
 */

/* Mark every entry for reading again. */
static void
rel_cache_invalidate_all(void)
{
	HASH_SEQ_STATUS status;
	DecoderRel *rel;

	if (rel_cache == NULL)
		return;
	hash_seq_init(&status, rel_cache);
	while ((rel = (DecoderRel *) hash_seq_search(&status)) != NULL)
		rel->valid = false;
}

static void
decoder_relcache_callback(Datum arg, Oid relid)
{
	DecoderRel *rel;

	if (rel_cache == NULL)
		return;
	if (!OidIsValid(relid))
	{
		rel_cache_invalidate_all();
		return;
	}
	rel = (DecoderRel *) hash_search(rel_cache, &relid, HASH_FIND, NULL);
	if (rel != NULL)
		rel->valid = false;
}

/* Drop the cache and everything in it. */
static void
rel_cache_drop(void)
{
	rel_cache = NULL;
	if (rel_cache_context != NULL)
		MemoryContextReset(rel_cache_context);
}

/* Start with an empty cache. */
static void
rel_cache_create(void)
{
	HASHCTL		ctl;

	rel_cache_drop();
	if (rel_cache_context == NULL)
	{
		if (CacheMemoryContext == NULL)
			CreateCacheMemoryContext();
		rel_cache_context = AllocSetContextCreate(CacheMemoryContext,
												  "ddb_emul decoder cache",
												  ALLOCSET_SMALL_SIZES);
	}
	if (!rel_callback_registered)
	{
		CacheRegisterRelcacheCallback(decoder_relcache_callback, (Datum) 0);
		rel_callback_registered = true;
	}
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(DecoderRel);
	ctl.hcxt = rel_cache_context;
	rel_cache = hash_create("ddb_emul decoder relations", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* Forget what an entry said, freeing its strings. */
static void
rel_forget(DecoderRel *rel)
{
	if (rel->table_name != NULL)
		pfree(rel->table_name);
	if (rel->stream_label != NULL)
		pfree(rel->stream_label);
	if (rel->hash_name != NULL)
		pfree(rel->hash_name);
	if (rel->range_name != NULL)
		pfree(rel->range_name);
	rel->table_name = rel->stream_label = rel->hash_name = rel->range_name = NULL;
	rel->kind = REL_OTHER;
	rel->streamed = false;
}

/* Number of the live column called name, or InvalidAttrNumber. */
static AttrNumber
column_attnum(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	return InvalidAttrNumber;
}

/* Value of column name of a ddb.tables row. */
static Datum
catalog_column(HeapTuple tup, TupleDesc desc, const char *name, bool *isnull)
{
	AttrNumber	attnum = column_attnum(desc, name);

	if (attnum == InvalidAttrNumber)
		elog(ERROR, "column \"%s\" of %s.%s is missing", name,
			 CATALOG_SCHEMA, CATALOG_TABLE);
	return heap_getattr(tup, attnum, desc, isnull);
}

static char *
catalog_text(HeapTuple tup, TupleDesc desc, const char *name)
{
	bool		isnull;
	Datum		d = catalog_column(tup, desc, name, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static DdbType
catalog_key_type(const char *type_name, const char *table_name)
{
	DdbType		t;

	if (type_name == NULL || !DdbTypeFromName(type_name, strlen(type_name), &t) ||
		!DdbTypeIsScalarKey(t))
		elog(ERROR, "invalid key type \"%s\" of table \"%s\" in %s.%s",
			 type_name ? type_name : "(null)", table_name,
			 CATALOG_SCHEMA, CATALOG_TABLE);
	return t;
}

/*
 * Fill rel, an item table candidate in ddb_data, from its ddb.tables row as
 * the historic snapshot sees it.
 */
static void
rel_fill_items(DecoderData *data, DecoderRel *rel, Relation relation)
{
	Oid			nsp = get_namespace_oid(CATALOG_SCHEMA, true);
	Oid			catid;
	Relation	cat;
	TupleDesc	desc;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	TupleDesc	reldesc = RelationGetDescr(relation);

	catid = OidIsValid(nsp) ? get_relname_relid(CATALOG_TABLE, nsp) : InvalidOid;
	if (!OidIsValid(catid))
		return;

	/*
	 * No lock, as the reorder buffer opens relations: a decoding process
	 * must not wait for a transaction that may itself wait for it
	 * (synchronous logical replication).
	 */
	cat = RelationIdGetRelation(catid);
	if (!RelationIsValid(cat))
		return;
	if (!RelationIsUsedAsCatalogTable(cat))
	{
		RelationClose(cat);
		return;
	}
	desc = RelationGetDescr(cat);
	{
		AttrNumber	attnum = column_attnum(desc, "physical_name");

		if (attnum == InvalidAttrNumber)
			elog(ERROR, "column \"physical_name\" of %s.%s is missing",
				 CATALOG_SCHEMA, CATALOG_TABLE);
		ScanKeyInit(&key, attnum, BTEqualStrategyNumber, F_TEXTEQ,
					CStringGetTextDatum(RelationGetRelationName(relation)));
	}
	/* a heap scan with the catalog snapshot, which is the historic one */
	scan = systable_beginscan(cat, InvalidOid, false, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		bool		enabled;
		char	   *table_name = catalog_text(tup, desc, "table_name");

		rel->kind = REL_ITEMS;
		enabled = DatumGetBool(catalog_column(tup, desc, "stream_enabled", &isnull));
		if (!isnull && enabled && table_selected(data, table_name))
		{
			char	   *view = catalog_text(tup, desc, "stream_view_type");
			char	   *label = catalog_text(tup, desc, "stream_label");
			char	   *hash_name = catalog_text(tup, desc, "hash_key");
			char	   *range_name = catalog_text(tup, desc, "range_key");
			int			i;

			rel->pk_attnum = column_attnum(reldesc, "pk");
			rel->sk_attnum = range_name ? column_attnum(reldesc, "sk") : InvalidAttrNumber;
			rel->item_attnum = column_attnum(reldesc, "item");
			rel->hash_type = catalog_key_type(catalog_text(tup, desc, "hash_type"),
											  table_name);
			if (range_name)
				rel->range_type = catalog_key_type(catalog_text(tup, desc, "range_type"),
												   table_name);
			for (i = 0; i < (int) lengthof(view_type_names); i++)
				if (view != NULL && strcmp(view, view_type_names[i]) == 0)
					break;
			if (i == (int) lengthof(view_type_names))
				elog(ERROR, "invalid stream view type \"%s\" of table \"%s\" in %s.%s",
					 view ? view : "(null)", table_name, CATALOG_SCHEMA, CATALOG_TABLE);
			rel->view = (StreamViewType) i;

			if (hash_name != NULL && rel->pk_attnum != InvalidAttrNumber &&
				rel->item_attnum != InvalidAttrNumber &&
				(range_name == NULL || rel->sk_attnum != InvalidAttrNumber))
			{
				rel->table_name = MemoryContextStrdup(rel_cache_context, table_name);
				rel->stream_label = MemoryContextStrdup(rel_cache_context,
														label ? label : "");
				rel->hash_name = MemoryContextStrdup(rel_cache_context, hash_name);
				if (range_name)
					rel->range_name = MemoryContextStrdup(rel_cache_context, range_name);
				rel->streamed = true;
			}
		}
	}
	systable_endscan(scan);
	RelationClose(cat);
}

/* The cache entry of relation, read (again) if need be. */
static DecoderRel *
rel_lookup(DecoderData *data, Relation relation)
{
	Oid			relid = RelationGetRelid(relation);
	DecoderRel *rel;
	bool		found;
	char	   *nspname;

	rel = (DecoderRel *) hash_search(rel_cache, &relid, HASH_ENTER, &found);
	if (!found)
	{
		memset(rel, 0, sizeof(DecoderRel));
		rel->relid = relid;
	}
	if (rel->valid)
		return rel;

	rel_forget(rel);
	/* set first: an invalidation arriving while we read clears it again */
	rel->valid = true;
	nspname = get_namespace_name(RelationGetNamespace(relation));
	if (nspname == NULL)
		return rel;
	if (strcmp(nspname, DDB_DATA_SCHEMA) == 0)
		rel_fill_items(data, rel, relation);
	else if (strcmp(nspname, CATALOG_SCHEMA) == 0 &&
			 strcmp(RelationGetRelationName(relation), CATALOG_TABLE) == 0)
		rel->kind = REL_CATALOG;
	return rel;
}


/* ---------------------------------------------------------------------
 * records
 * ---------------------------------------------------------------------
 */

/*
 * The item of a row version, or NULL when the row has none (an old row
 * without REPLICA IDENTITY FULL).  *unchanged is set when the item was not
 * written by the UPDATE and the WAL holds only a pointer to the old value.
 */
static DdbValue *
tuple_item(HeapTuple tup, TupleDesc desc, DecoderRel *rel, bool *unchanged)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, rel->item_attnum, desc, &isnull);

	*unchanged = false;
	if (isnull)
		return NULL;
	if (VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(d)))
	{
		*unchanged = true;
		return NULL;
	}
	return DdbItemFromJsonb(DatumGetJsonbP(d));
}

/* A key column of a row version, or NULL. */
static bytea *
tuple_key_column(HeapTuple tup, TupleDesc desc, AttrNumber attnum)
{
	bool		isnull;
	Datum		d;

	if (attnum == InvalidAttrNumber)
		return NULL;
	d = heap_getattr(tup, attnum, desc, &isnull);
	return isnull ? NULL : DatumGetByteaPP(d);
}

static bool
bytea_equal(bytea *a, bytea *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/* Did an UPDATE change the key of the row? */
static bool
key_changed(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc, DecoderRel *rel)
{
	bytea	   *o = tuple_key_column(oldtup, desc, rel->pk_attnum);
	bytea	   *n = tuple_key_column(newtup, desc, rel->pk_attnum);

	if (o == NULL || n == NULL)
		return false;
	if (!bytea_equal(o, n))
		return true;
	if (rel->range_name == NULL)
		return false;
	o = tuple_key_column(oldtup, desc, rel->sk_attnum);
	n = tuple_key_column(newtup, desc, rel->sk_attnum);
	return o != NULL && n != NULL && !bytea_equal(o, n);
}

/* One key attribute: from its key column, else from the item. */
static DdbValue *
key_value(HeapTuple tup, TupleDesc desc, AttrNumber attnum, DdbType type,
		  const char *name, const DdbValue *item)
{
	bytea	   *b = tuple_key_column(tup, desc, attnum);

	if (b != NULL)
		return DdbDecodeKey(type, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	if (item != NULL)
		return DdbMapGet(item, name, strlen(name));
	return NULL;
}

/* The Keys map of a record, or NULL if the row version lacks them. */
static DdbValue *
record_keys(HeapTuple tup, TupleDesc desc, DecoderRel *rel, const DdbValue *item)
{
	DdbValue   *keys = DdbValueMakeMap();
	DdbValue   *v;

	v = key_value(tup, desc, rel->pk_attnum, rel->hash_type, rel->hash_name, item);
	if (v == NULL)
		return NULL;
	DdbMapSet(keys, rel->hash_name, strlen(rel->hash_name), v);
	if (rel->range_name != NULL)
	{
		v = key_value(tup, desc, rel->sk_attnum, rel->range_type, rel->range_name, item);
		if (v == NULL)
			return NULL;
		DdbMapSet(keys, rel->range_name, strlen(rel->range_name), v);
	}
	return keys;
}

/* Append the 32 hex digits of the eventID of the record numbered seq. */
static void
append_event_id(StringInfo out, const char *seq)
{
	char		buf[64];
	int			len;

	len = snprintf(buf, sizeof(buf), UINT64_FORMAT "/%s", GetSystemIdentifier(), seq);
	appendStringInfo(out, "%016" INT64_MODIFIER "x%016" INT64_MODIFIER "x",
					 hash_bytes_extended((const unsigned char *) buf, len, 0),
					 hash_bytes_extended((const unsigned char *) buf, len,
										 UINT64CONST(0x9e3779b97f4a7c15)));
}

/*
 * Write one record; event is INSERT, MODIFY or REMOVE, keytup the row
 * version the keys come from, new_item and old_item the images available
 * (NULL when not).  Returns the number of records written (0 or 1).
 */
static int
write_record(LogicalDecodingContext *ctx, DecoderData *data,
			 ReorderBufferTXN *txn, DecoderRel *rel, const char *event,
			 HeapTuple keytup, TupleDesc desc,
			 DdbValue *new_item, DdbValue *old_item,
			 uint64 change_no, int sub)
{
	const char *region = ddb_region ? ddb_region : "";
	const char *account = ddb_account_id ? ddb_account_id : "";
	DdbValue   *keys;
	bool		with_new;
	bool		with_old;
	int64		size;
	char		seq[48];
	StringInfo	out;

	keys = record_keys(keytup, desc, rel, new_item ? new_item : old_item);
	if (keys == NULL)
		return 0;
	with_new = new_item != NULL &&
		(rel->view == VIEW_NEW_IMAGE || rel->view == VIEW_NEW_AND_OLD_IMAGES);
	with_old = old_item != NULL &&
		(rel->view == VIEW_OLD_IMAGE || rel->view == VIEW_NEW_AND_OLD_IMAGES);
	size = DdbItemSize(keys);
	if (with_new)
		size += DdbItemSize(new_item);
	if (with_old)
		size += DdbItemSize(old_item);
	snprintf(seq, sizeof(seq), "%020" INT64_MODIFIER "u%010" INT64_MODIFIER "u%d",
			 (uint64) txn->final_lsn, change_no, sub);

	OutputPluginPrepareWrite(ctx, true);
	out = ctx->out;
	appendStringInfoString(out, "{\"eventID\":\"");
	append_event_id(out, seq);
	appendStringInfo(out, "\",\"eventName\":\"%s\"", event);
	appendStringInfoString(out, ",\"eventVersion\":\"1.1\",\"eventSource\":\"aws:dynamodb\",\"awsRegion\":");
	escape_json(out, region);
	appendStringInfo(out, ",\"dynamodb\":{\"ApproximateCreationDateTime\":" INT64_FORMAT,
					 (int64) timestamptz_to_time_t(txn->xact_time.commit_time));
	appendStringInfoString(out, ",\"Keys\":");
	DdbItemAppendJson(out, keys);
	if (with_new)
	{
		appendStringInfoString(out, ",\"NewImage\":");
		DdbItemAppendJson(out, new_item);
	}
	if (with_old)
	{
		appendStringInfoString(out, ",\"OldImage\":");
		DdbItemAppendJson(out, old_item);
	}
	appendStringInfo(out, ",\"SequenceNumber\":\"%s\",\"SizeBytes\":" INT64_FORMAT
					 ",\"StreamViewType\":\"%s\"}",
					 seq, size, view_type_names[rel->view]);
	if (data->ttl && strcmp(event, "REMOVE") == 0)
		appendStringInfoString(out, ",\"userIdentity\":{\"type\":\"Service\","
							   "\"principalId\":\"dynamodb.amazonaws.com\"}");
	appendStringInfoString(out, ",\"eventSourceARN\":");
	escape_json(out, psprintf("arn:aws:dynamodb:%s:%s:table/%s/stream/%s",
							  region, account, rel->table_name, rel->stream_label));
	if (data->include_table_name)
	{
		appendStringInfoString(out, ",\"tableName\":");
		escape_json(out, rel->table_name);
	}
	appendStringInfoChar(out, '}');
	OutputPluginWrite(ctx, true);
	data->nrecords++;
	return 1;
}

/*
 * The records of one change to a streamed item table; returns how many
 * were written.
 */
static int
decode_item_change(LogicalDecodingContext *ctx, DecoderData *data,
				   ReorderBufferTXN *txn, DecoderRel *rel, Relation relation,
				   ReorderBufferChange *change, uint64 change_no)
{
	TupleDesc	desc = RelationGetDescr(relation);
	HeapTuple	newtup = NULL;
	HeapTuple	oldtup = NULL;
	DdbValue   *new_item = NULL;
	DdbValue   *old_item = NULL;
	bool		new_unchanged = false;
	bool		old_unchanged = false;
	int			n;

	if (change->data.tp.newtuple != NULL)
		newtup = &change->data.tp.newtuple->tuple;
	if (change->data.tp.oldtuple != NULL)
		oldtup = &change->data.tp.oldtuple->tuple;

	switch (change->action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			if (newtup == NULL)
				return 0;
			new_item = tuple_item(newtup, desc, rel, &new_unchanged);
			return write_record(ctx, data, txn, rel, "INSERT", newtup, desc,
								new_item, NULL, change_no, 0);

		case REORDER_BUFFER_CHANGE_UPDATE:
			if (newtup == NULL)
				return 0;
			new_item = tuple_item(newtup, desc, rel, &new_unchanged);
			if (oldtup != NULL)
				old_item = tuple_item(oldtup, desc, rel, &old_unchanged);
			/* an item the UPDATE did not write is the old one */
			if (new_unchanged)
				new_item = old_item;
			if (oldtup != NULL && key_changed(oldtup, newtup, desc, rel))
			{
				n = write_record(ctx, data, txn, rel, "REMOVE", oldtup, desc,
								 NULL, old_item, change_no, 0);
				n += write_record(ctx, data, txn, rel, "INSERT", newtup, desc,
								  new_item, NULL, change_no, 1);
				return n;
			}
			if (new_unchanged)
				return 0;
			if (old_item != NULL && new_item != NULL &&
				DdbValueEquals(old_item, new_item))
				return 0;
			return write_record(ctx, data, txn, rel, "MODIFY", newtup, desc,
								new_item, old_item, change_no, 0);

		case REORDER_BUFFER_CHANGE_DELETE:
			if (oldtup == NULL)
				return 0;
			old_item = tuple_item(oldtup, desc, rel, &old_unchanged);
			return write_record(ctx, data, txn, rel, "REMOVE", oldtup, desc,
								NULL, old_item, change_no, 0);

		default:
			return 0;
	}
}


/* ---------------------------------------------------------------------
 * callbacks
 * ---------------------------------------------------------------------
 */

static void
decoder_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt,
				bool is_init)
{
	DecoderData *data = palloc0(sizeof(DecoderData));
	ListCell   *lc;

	data->context = AllocSetContextCreate(ctx->context,
										  "ddb_emul change context",
										  ALLOCSET_DEFAULT_SIZES);
	data->format_version = 1;
	data->include_table_name = false;
	data->tables = NIL;

	foreach(lc, ctx->output_plugin_options)
	{
		DefElem    *elem = lfirst(lc);

		Assert(elem->arg == NULL || IsA(elem->arg, String));
		if (strcmp(elem->defname, "format-version") == 0)
			data->format_version = option_format_version(elem);
		else if (strcmp(elem->defname, "include-table-name") == 0)
			data->include_table_name = option_bool(elem);
		else if (strcmp(elem->defname, "tables") == 0)
			data->tables = option_tables(elem);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" = \"%s\" is unknown",
							elem->defname,
							elem->arg ? strVal(elem->arg) : "(null)"),
					 errhint("The options of output plugin \"ddb_emul\" are format-version, include-table-name and tables.")));
	}

	ctx->output_plugin_private = data;
	opt->output_type = OUTPUT_PLUGIN_TEXTUAL_OUTPUT;
	opt->receive_rewrites = false;

	rel_cache_create();
}

static void
decoder_shutdown(LogicalDecodingContext *ctx)
{
	rel_cache_drop();
}

static void
decoder_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	DecoderData *data = ctx->output_plugin_private;

	data->ttl = false;
	data->nchanges = 0;
	data->nrecords = 0;
}

static void
decoder_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			   XLogRecPtr commit_lsn)
{
	DecoderData *data = ctx->output_plugin_private;

	/* as pgoutput does at every commit; skipped_xact when nothing went out */
	OutputPluginUpdateProgress(ctx, data->nrecords == 0);
	data->nskipped = 0;
	data->ttl = false;
}

static void
decoder_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			   Relation relation, ReorderBufferChange *change)
{
	DecoderData *data = ctx->output_plugin_private;
	uint64		change_no = ++data->nchanges;
	MemoryContext old;
	DecoderRel *rel;
	int			written = 0;

	old = MemoryContextSwitchTo(data->context);
	rel = rel_lookup(data, relation);
	if (rel->kind == REL_CATALOG)
		rel_cache_invalidate_all();
	else if (rel->kind == REL_ITEMS && rel->streamed)
		written = decode_item_change(ctx, data, txn, rel, relation, change,
									 change_no);
	MemoryContextSwitchTo(old);
	MemoryContextReset(data->context);

	/*
	 * A walsender only learns of progress from output; tell it about long
	 * runs of changes that produce none, or it may time out.
	 */
	if (written > 0)
		data->nskipped = 0;
	else if (++data->nskipped >= PROGRESS_EVERY_SKIPPED)
	{
		OutputPluginUpdateProgress(ctx, false);
		data->nskipped = 0;
	}
}

static void
decoder_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
				XLogRecPtr message_lsn, bool transactional,
				const char *prefix, Size message_size, const char *message)
{
	DecoderData *data = ctx->output_plugin_private;

	if (transactional && strcmp(prefix, DDB_TTL_MESSAGE_PREFIX) == 0)
		data->ttl = true;
}
