/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  The ddb.tables catalog: key schemas, control-plane operations and a
 *	  per-backend cache of table descriptions.
 *
 * src/catalog.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_CATALOG_H
#define DDB_CATALOG_H

#include "postgres.h"
#include "utils/jsonb.h"

#include "indexes.h"
#include "values.h"

/*
 * What the data plane needs to know about a table.  Entries live in the
 * backend's table cache and stay valid until the next invalidation of the
 * physical relation (DDL on it, or a catalog change that touches it), so
 * callers must not keep them across transactions.
 */
typedef struct DdbTable
{
	char	   *name;			/* DynamoDB table name */
	char	   *physical_name;	/* relation name in ddb_data */
	Oid			relid;			/* OID of the physical relation */
	DdbKeyAttr	hash;
	bool		has_range;
	DdbKeyAttr	range;
	char	   *qualified_name; /* quoted ddb_data.<physical_name> */
	int			nindexes;		/* secondary indexes, LSIs first */
	DdbIndex   *indexes;
	void	   *access_plans;	/* owned by the access layer */
} DdbTable;

/* Look a table up (cached); raises ResourceNotFoundException when missing. */
extern DdbTable *DdbTableLookup(const char *name, int len);

/* Name of the relation (or index) in ddb_data for a DynamoDB name. */
extern char *DdbPhysicalName(const char *name);

/* Memory context that cache entries live in (for the access layer's plans). */
extern MemoryContext DdbTableCacheContext(void);


/* Control plane, each returns the DynamoDB response body. */
extern Jsonb *DdbCreateTable(JsonbContainer *request);
extern Jsonb *DdbDescribeTable(JsonbContainer *request);
extern Jsonb *DdbListTables(JsonbContainer *request);
extern Jsonb *DdbDeleteTable(JsonbContainer *request);
extern Jsonb *DdbUpdateTable(JsonbContainer *request);

#endif							/* DDB_CATALOG_H */
