/*-------------------------------------------------------------------------
 *
 * indexes.h
 *	  Secondary indexes (GSI and LSI): definitions from CreateTable and
 *	  UpdateTable, their PostgreSQL indexes, descriptions, and the checks
 *	  every write makes on index key attributes.
 *
 * A secondary index is a real PostgreSQL expression index on the item
 * table, over ddb.index_key(item, attribute, type) -- the same
 * order-preserving encoding as the table keys -- followed by the table's
 * own key columns, and partial on the index key attributes being present
 * with the declared type.  Items without them are simply not in the index
 * (sparse indexes), and a Query on the index is an index range scan.
 *
 * src/indexes.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_INDEXES_H
#define DDB_INDEXES_H

#include "postgres.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "request.h"
#include "values.h"

struct DdbTable;

/* A key attribute of a table or index. */
typedef struct DdbKeyAttr
{
	char	   *name;
	int			namelen;
	DdbType		type;
} DdbKeyAttr;

/* An attribute name with a type or key role, as in AttributeDefinitions / KeySchema. */
typedef struct DdbNamedType
{
	char	   *name;
	char	   *type;
} DdbNamedType;

typedef enum DdbProjectionType
{
	DDB_PROJECTION_ALL,
	DDB_PROJECTION_KEYS_ONLY,
	DDB_PROJECTION_INCLUDE
} DdbProjectionType;

typedef struct DdbIndex
{
	char	   *name;
	bool		global;
	DdbKeyAttr	hash;
	bool		has_range;
	DdbKeyAttr	range;
	DdbProjectionType projection;
	List	   *non_key_attributes;	/* char *, INCLUDE only */
	bool		active;			/* false while CREATING / backfilling */
	char	   *pg_index;		/* name of the PostgreSQL index in ddb_data */
} DdbIndex;

/* Read a list of {AttributeName, <member>} (AttributeDefinitions, KeySchema). */
extern List *DdbReadNamedTypes(JsonbContainer *arr, const char *member,
							   const char *path, const char *const *allowed,
							   DdbConstraints *c);
extern DdbNamedType *DdbFindNamed(List *l, const char *name);
extern char *DdbJoinNames(List *l);

/*
 * CreateTable: the framework constraints of LocalSecondaryIndexes and
 * GlobalSecondaryIndexes (added to c), then DynamoDB's own checks of the
 * definitions against the key schema and attribute definitions.  Returns
 * the catalog JSON arrays (NULL when absent) and fills *used with the
 * names of every attribute some key schema uses.
 */
extern void DdbIndexConstraints(JsonbContainer *req, DdbConstraints *c);
extern void DdbIndexChecks(JsonbContainer *req, const char *table_name,
						   List *attrdefs, List *keys, bool provisioned,
						   Jsonb **lsi_json, Jsonb **gsi_json, List **used);

/* Load the index definitions of a table from its catalog JSON. */
extern void DdbLoadIndexes(struct DdbTable *t, Jsonb *lsi, Jsonb *gsi);

/* The CREATE INDEX statement of one catalog index definition. */
extern char *DdbIndexDDL(const char *physical_name, bool table_has_range,
						 JsonbContainer *def, bool concurrently);

/* Create the PostgreSQL index of every index definition in the JSON array. */
extern void DdbCreatePhysicalIndexes(const char *physical_name,
									 bool table_has_range, Jsonb *defs,
									 bool concurrently);

/*
 * Index members of a TableDescription: "LocalSecondaryIndexes" and
 * "GlobalSecondaryIndexes" with counts, sizes and ARNs.
 */
extern void DdbPushIndexDescriptions(JsonbParseState **ps, const struct DdbTable *t,
									 Jsonb *lsi, Jsonb *gsi);

/*
 * Check the index key attributes of an item about to be written: when
 * present, each must have the declared type and not be an empty string or
 * binary.  from_update chooses DynamoDB's UpdateItem wording.
 */
extern void DdbCheckIndexKeys(const struct DdbTable *t, const DdbValue *item,
							  bool from_update);

/* Does idx project attribute name?  The projected attributes of item. */
extern bool DdbIndexProjects(const struct DdbTable *t, const DdbIndex *idx,
							 const char *name, int len);
extern DdbValue *DdbIndexEntry(const struct DdbTable *t, const DdbIndex *idx,
							   const DdbValue *item);

/*
 * Write units each index consumes when an item goes from old_item to
 * new_item (NULL: none); units has t->nindexes slots.  Returns how many
 * indexes were written.
 */
extern int	DdbIndexWriteUnits(const struct DdbTable *t, const DdbValue *old_item,
							   const DdbValue *new_item, double *units);

#endif							/* DDB_INDEXES_H */
