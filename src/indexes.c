/*-------------------------------------------------------------------------
 *
 * indexes.c
 *	  Secondary indexes: validation of their definitions, the PostgreSQL
 *	  indexes that serve them, their descriptions, ddb.index_key() and the
 *	  write-time checks of index key attributes.
 *
 * In the catalog (ddb.tables.local_indexes / global_indexes) an index is
 * stored as DynamoDB describes it (IndexName, KeySchema, Projection,
 * ProvisionedThroughput, IndexStatus) plus three members of ours:
 * HashType / RangeType (from AttributeDefinitions) and PgIndex, the name of
 * its PostgreSQL index.  Our members never reach a response.
 *
 * src/indexes.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "capacity.h"
#include "catalog.h"
#include "ddb_emul.h"
#include "indexes.h"
#include "request.h"

#define DDB_MAX_LSI 5
#define DDB_MAX_GSI 20
#define DDB_MAX_PROJECTED_ATTRIBUTES 100

static const char *const key_roles[] = {"HASH", "RANGE", NULL};
static const char *const projection_types[] = {"ALL", "INCLUDE", "KEYS_ONLY", NULL};

/* ---------------------------------------------------------------------
 * Named lists (AttributeDefinitions, KeySchema)
 * ---------------------------------------------------------------------
 */

/*
 * Read a list of {AttributeName, <member>} structures, adding framework
 * constraint errors for missing or invalid members to c.
 */
List *
DdbReadNamedTypes(JsonbContainer *arr, const char *member, const char *path,
				  const char *const *allowed, DdbConstraints *c)
{
	List	   *result = NIL;
	int			n = arr ? JsonContainerSize(arr) : 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		JsonbValue *elem = getIthJsonbValueFromContainer(arr, i);
		JsonbContainer *obj = DdbJsonObject(elem, "Map");
		DdbNamedType *nt = palloc0(sizeof(DdbNamedType));
		char		p[256];

		nt->name = DdbReqString(obj, "AttributeName", NULL);
		nt->type = DdbReqString(obj, member, NULL);
		snprintf(p, sizeof(p), "%s.%d.member.attributeName", path, i + 1);
		if (nt->name == NULL)
			DdbConstraintAdd(c, NULL, p, "Member must not be null");
		else if (nt->name[0] == '\0')
			DdbConstraintAdd(c, nt->name, p, "Member must have length greater than or equal to 1");
		else if (strlen(nt->name) > 255)
			DdbConstraintAdd(c, nt->name, p, "Member must have length less than or equal to 255");
		snprintf(p, sizeof(p), "%s.%d.member.%s", path, i + 1,
				 strcmp(member, "KeyType") == 0 ? "keyType" : "attributeType");
		if (nt->type == NULL)
			DdbConstraintAdd(c, NULL, p, "Member must not be null");
		else
			DdbCheckEnum(c, nt->type, p, allowed);
		result = lappend(result, nt);
	}
	return result;
}

DdbNamedType *
DdbFindNamed(List *l, const char *name)
{
	ListCell   *lc;

	foreach(lc, l)
	{
		DdbNamedType *nt = lfirst(lc);

		if (nt->name && name && strcmp(nt->name, name) == 0)
			return nt;
	}
	return NULL;
}

/* "a, b, c" of the names in l. */
char *
DdbJoinNames(List *l)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, l)
	{
		DdbNamedType *nt = lfirst(lc);

		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", nt->name ? nt->name : "null");
	}
	return buf.data;
}

/* ---------------------------------------------------------------------
 * CreateTable: definitions
 * ---------------------------------------------------------------------
 */

/* Constraint errors of one LocalSecondaryIndexes / GlobalSecondaryIndexes list. */
static void
index_list_constraints(JsonbContainer *arr, const char *path, bool global,
					   DdbConstraints *c)
{
	int			n = JsonContainerSize(arr);
	int			i;

	for (i = 0; i < n; i++)
	{
		JsonbContainer *idx = DdbJsonObject(getIthJsonbValueFromContainer(arr, i), "Map");
		int			namelen = 0;
		char	   *name = DdbReqString(idx, "IndexName", &namelen);
		JsonbContainer *ks = DdbReqArray(idx, "KeySchema");
		JsonbContainer *proj = DdbReqObject(idx, "Projection");
		char		p[256];

		snprintf(p, sizeof(p), "%s.%d.member.indexName", path, i + 1);
		DdbCheckRequiredTableName(c, name, namelen, p);
		snprintf(p, sizeof(p), "%s.%d.member.keySchema", path, i + 1);
		if (ks == NULL)
			DdbConstraintAdd(c, NULL, p, "Member must not be null");
		else
		{
			if (JsonContainerSize(ks) > 2)
				DdbConstraintAdd(c, "[...]", p, "Member must have length less than or equal to 2");
			else if (JsonContainerSize(ks) < 1)
				DdbConstraintAdd(c, "[]", p, "Member must have length greater than or equal to 1");
			(void) DdbReadNamedTypes(ks, "KeyType", p, key_roles, c);
		}
		snprintf(p, sizeof(p), "%s.%d.member.projection", path, i + 1);
		if (proj == NULL)
			DdbConstraintAdd(c, NULL, p, "Member must not be null");
		else
		{
			char	   *pt = DdbReqString(proj, "ProjectionType", NULL);
			JsonbContainer *nka = DdbReqArray(proj, "NonKeyAttributes");

			snprintf(p, sizeof(p), "%s.%d.member.projection.projectionType", path, i + 1);
			DdbCheckEnum(c, pt, p, projection_types);
			if (nka != NULL && JsonContainerSize(nka) < 1)
			{
				snprintf(p, sizeof(p), "%s.%d.member.projection.nonKeyAttributes", path, i + 1);
				DdbConstraintAdd(c, "[]", p, "Member must have length greater than or equal to 1");
			}
		}
		if (global)
		{
			JsonbContainer *pt = DdbReqObject(idx, "ProvisionedThroughput");

			if (pt != NULL)
			{
				const char *units[2] = {"WriteCapacityUnits", "ReadCapacityUnits"};
				const char *paths[2] = {"writeCapacityUnits", "readCapacityUnits"};
				int			u;

				for (u = 0; u < 2; u++)
				{
					int64		v;

					snprintf(p, sizeof(p), "%s.%d.member.provisionedThroughput.%s",
							 path, i + 1, paths[u]);
					if (!DdbReqInt64(pt, units[u], &v))
						DdbConstraintAdd(c, NULL, p, "Member must not be null");
					else if (v < 1)
						DdbConstraintAdd(c, psprintf(INT64_FORMAT, v), p,
										 "Member must have value greater than or equal to 1");
				}
			}
		}
	}
}

void
DdbIndexConstraints(JsonbContainer *req, DdbConstraints *c)
{
	JsonbContainer *lsi = DdbReqArray(req, "LocalSecondaryIndexes");
	JsonbContainer *gsi = DdbReqArray(req, "GlobalSecondaryIndexes");

	if (lsi)
		index_list_constraints(lsi, "localSecondaryIndexes", false, c);
	if (gsi)
		index_list_constraints(gsi, "globalSecondaryIndexes", true, c);
}

/* Remember the attribute names a key schema uses. */
static void
note_used(List **used, List *keys)
{
	ListCell   *lc;

	foreach(lc, keys)
	{
		DdbNamedType *k = lfirst(lc);

		if (DdbFindNamed(*used, k->name) == NULL)
			*used = lappend(*used, k);
	}
}

/*
 * DynamoDB's checks of one index list, in dynalite's order, and the
 * catalog JSON of the list.
 */
static Jsonb *
check_index_list(JsonbContainer *arr, bool global, const char *table_name,
				 List *attrdefs, List *table_keys, bool provisioned,
				 List **names_seen, List **used, int *projected)
{
	DdbNamedType *table_hash = linitial(table_keys);
	int			n = JsonContainerSize(arr);
	int			i;
	JsonbParseState *ps = NULL;

	if (n == 0)
		ddb_validation_error(DDB_MSG_PARAM_INVALID "List of %s is empty",
							 global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
	if (!global && list_length(table_keys) != 2)
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex");

	pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
	{
		JsonbContainer *idx = DdbJsonObject(getIthJsonbValueFromContainer(arr, i), "Map");
		char	   *name = DdbReqString(idx, "IndexName", NULL);
		DdbConstraints dummy;
		List	   *keys;
		DdbNamedType *h,
				   *r = NULL;
		ListCell   *lc;
		JsonbContainer *proj = DdbReqObject(idx, "Projection");
		char	   *ptype = DdbReqString(proj, "ProjectionType", NULL);
		JsonbContainer *nka = DdbReqArray(proj, "NonKeyAttributes");
		JsonbContainer *pt = DdbReqObject(idx, "ProvisionedThroughput");
		int64		rcu = 0,
					wcu = 0;

		DdbConstraintsInit(&dummy);
		keys = DdbReadNamedTypes(DdbReqArray(idx, "KeySchema"), "KeyType", "", key_roles, &dummy);
		h = linitial(keys);
		if (list_length(keys) == 2)
			r = lsecond(keys);
		foreach(lc, keys)
		{
			DdbNamedType *k = lfirst(lc);

			if (DdbFindNamed(attrdefs, k->name) == NULL)
				ddb_validation_error(DDB_MSG_PARAM_INVALID
									 "Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]",
									 DdbJoinNames(keys), DdbJoinNames(attrdefs));
		}
		if (r != NULL && strcmp(h->name, r->name) == 0)
			ddb_validation_error("Both the Hash Key and the Range Key element in the KeySchema have the same name");
		if (strcmp(h->type, "HASH") != 0)
			ddb_validation_error("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
		if (r != NULL && strcmp(r->type, "RANGE") != 0)
			ddb_validation_error("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
		if (!global)
		{
			if (r == NULL)
				ddb_validation_error(DDB_MSG_PARAM_INVALID
									 "Index KeySchema does not have a range key for index: %s", name);
			if (strcmp(h->name, table_hash->name) != 0)
				ddb_validation_error(DDB_MSG_PARAM_INVALID
									 "Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s",
									 name, h->name, table_hash->name);
		}
		if (ptype == NULL)
			ddb_validation_error(DDB_MSG_PARAM_INVALID "Unknown ProjectionType: null");
		if (nka != NULL && strcmp(ptype, "INCLUDE") != 0)
			ddb_validation_error(DDB_MSG_PARAM_INVALID
								 "ProjectionType is %s, but NonKeyAttributes is specified", ptype);
		if (nka == NULL && strcmp(ptype, "INCLUDE") == 0)
			ddb_validation_error(DDB_MSG_PARAM_INVALID
								 "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");	/* (unconfirmed) */
		foreach(lc, *names_seen)
			if (strcmp((char *) lfirst(lc), name) == 0)
				ddb_validation_error(DDB_MSG_PARAM_INVALID "Duplicate index name: %s", name);
		*names_seen = lappend(*names_seen, name);
		if (global)
		{
			/* (unconfirmed) texts for throughput on indexes */
			if (provisioned && pt == NULL)
				ddb_validation_error(DDB_MSG_PARAM_INVALID
									 "ProvisionedThroughput must be specified for index: %s", name);
			if (!provisioned && pt != NULL)
				ddb_validation_error(DDB_MSG_PARAM_INVALID
									 "ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST",
									 name);
			if (pt)
			{
				(void) DdbReqInt64(pt, "ReadCapacityUnits", &rcu);
				(void) DdbReqInt64(pt, "WriteCapacityUnits", &wcu);
			}
		}
		note_used(used, keys);

		/* The catalog entry. */
		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		DdbPushCString(&ps, "IndexName", name);
		DdbPushKey(&ps, "KeySchema");
		pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
		foreach(lc, keys)
		{
			DdbNamedType *k = lfirst(lc);

			pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
			DdbPushCString(&ps, "AttributeName", k->name);
			DdbPushCString(&ps, "KeyType", k->type);
			pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
		}
		pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
		DdbPushKey(&ps, "Projection");
		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		DdbPushCString(&ps, "ProjectionType", ptype);
		if (nka)
		{
			int			j;

			DdbPushKey(&ps, "NonKeyAttributes");
			pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
			for (j = 0; j < (int) JsonContainerSize(nka); j++)
			{
				int			len;
				char	   *a = DdbJsonString(getIthJsonbValueFromContainer(nka, j), "String", &len);

				DdbPushStringValue(&ps, NULL, a, len);
				(*projected)++;
			}
			pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
		}
		pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
		if (global)
		{
			DdbPushCString(&ps, "IndexStatus", "ACTIVE");
			DdbPushKey(&ps, "ProvisionedThroughput");
			pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
			DdbPushInt64(&ps, "ReadCapacityUnits", rcu);
			DdbPushInt64(&ps, "WriteCapacityUnits", wcu);
			pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
		}
		DdbPushCString(&ps, "PgIndex", DdbPhysicalName(psprintf("%s|%s", table_name, name)));
		DdbPushCString(&ps, "HashType", DdbFindNamed(attrdefs, h->name)->type);
		if (r)
			DdbPushCString(&ps, "RangeType", DdbFindNamed(attrdefs, r->name)->type);
		pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	}
	if (!global && n > DDB_MAX_LSI)
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "Number of LocalSecondaryIndexes exceeds per-table limit of 5");
	if (global && n > DDB_MAX_GSI)
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "GlobalSecondaryIndex count exceeds the per-table limit of 20");
	return JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_ARRAY, NULL));
}

void
DdbIndexChecks(JsonbContainer *req, const char *table_name, List *attrdefs,
			   List *keys, bool provisioned, Jsonb **lsi_json, Jsonb **gsi_json,
			   List **used)
{
	JsonbContainer *lsi = DdbReqArray(req, "LocalSecondaryIndexes");
	JsonbContainer *gsi = DdbReqArray(req, "GlobalSecondaryIndexes");
	List	   *names = NIL;
	int			projected = 0;

	*lsi_json = *gsi_json = NULL;
	*used = NIL;
	note_used(used, keys);
	if (lsi)
		*lsi_json = check_index_list(lsi, false, table_name, attrdefs, keys, provisioned,
									 &names, used, &projected);
	if (gsi)
		*gsi_json = check_index_list(gsi, true, table_name, attrdefs, keys, provisioned,
									 &names, used, &projected);
	if (projected > DDB_MAX_PROJECTED_ATTRIBUTES)	/* (unconfirmed) */
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "The number of attributes in the projections of all indexes exceeds the limit of 100: %d",
							 projected);
}

/* ---------------------------------------------------------------------
 * Loading definitions
 * ---------------------------------------------------------------------
 */

static char *
member_cstring(JsonbContainer *obj, const char *key)
{
	JsonbValue *v = getKeyJsonValueFromContainer(obj, key, strlen(key), NULL);

	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static void
load_index(DdbIndex *idx, JsonbContainer *def, bool global)
{
	JsonbValue *ks = getKeyJsonValueFromContainer(def, "KeySchema", 9, NULL);
	JsonbValue *proj = getKeyJsonValueFromContainer(def, "Projection", 10, NULL);
	char	   *pt;
	char	   *status;
	JsonbValue *nka;
	int			i;

	idx->name = member_cstring(def, "IndexName");
	idx->global = global;
	idx->pg_index = member_cstring(def, "PgIndex");
	status = member_cstring(def, "IndexStatus");
	idx->active = (status == NULL || strcmp(status, "ACTIVE") == 0);
	for (i = 0; i < (int) JsonContainerSize(ks->val.binary.data); i++)
	{
		JsonbValue *k = getIthJsonbValueFromContainer(ks->val.binary.data, i);
		DdbKeyAttr *a = (i == 0) ? &idx->hash : &idx->range;
		char	   *type = member_cstring(def, i == 0 ? "HashType" : "RangeType");

		a->name = member_cstring(k->val.binary.data, "AttributeName");
		a->namelen = strlen(a->name);
		DdbTypeFromName(type, strlen(type), &a->type);
		if (i == 1)
			idx->has_range = true;
	}
	pt = member_cstring(proj->val.binary.data, "ProjectionType");
	idx->projection = strcmp(pt, "ALL") == 0 ? DDB_PROJECTION_ALL :
		strcmp(pt, "KEYS_ONLY") == 0 ? DDB_PROJECTION_KEYS_ONLY : DDB_PROJECTION_INCLUDE;
	nka = getKeyJsonValueFromContainer(proj->val.binary.data, "NonKeyAttributes", 16, NULL);
	idx->non_key_attributes = NIL;
	if (nka != NULL)
		for (i = 0; i < (int) JsonContainerSize(nka->val.binary.data); i++)
		{
			JsonbValue *a = getIthJsonbValueFromContainer(nka->val.binary.data, i);

			idx->non_key_attributes = lappend(idx->non_key_attributes,
											  pnstrdup(a->val.string.val, a->val.string.len));
		}
}

void
DdbLoadIndexes(DdbTable *t, Jsonb *lsi, Jsonb *gsi)
{
	int			nl = lsi ? JsonContainerSize(&lsi->root) : 0;
	int			ng = gsi ? JsonContainerSize(&gsi->root) : 0;
	int			i;

	t->nindexes = nl + ng;
	t->indexes = t->nindexes ? palloc0(sizeof(DdbIndex) * t->nindexes) : NULL;
	for (i = 0; i < nl; i++)
		load_index(&t->indexes[i],
				   getIthJsonbValueFromContainer(&lsi->root, i)->val.binary.data, false);
	for (i = 0; i < ng; i++)
		load_index(&t->indexes[nl + i],
				   getIthJsonbValueFromContainer(&gsi->root, i)->val.binary.data, true);
}

/* ---------------------------------------------------------------------
 * PostgreSQL indexes
 * ---------------------------------------------------------------------
 */

/* The SQL expression of one index key column. */
static char *
key_expr(const char *attr, const char *type)
{
	return psprintf("ddb.index_key(item, %s, %s)",
					quote_literal_cstr(attr), quote_literal_cstr(type));
}

/*
 * The CREATE INDEX statement of one catalog index definition on the item
 * table physical_name.
 */
char *
DdbIndexDDL(const char *physical_name, bool table_has_range,
			JsonbContainer *def, bool concurrently)
{
	DdbIndex	idx;
	char	   *h,
			   *r = NULL;
	StringInfoData sql;

	memset(&idx, 0, sizeof(idx));
	load_index(&idx, def, getKeyJsonValueFromContainer(def, "IndexStatus", 11, NULL) != NULL);
	h = key_expr(idx.hash.name, DdbTypeName(idx.hash.type));
	if (idx.has_range)
		r = key_expr(idx.range.name, DdbTypeName(idx.range.type));

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE INDEX %s%s ON %s (",
					 concurrently ? "CONCURRENTLY IF NOT EXISTS " : "",
					 quote_identifier(idx.pg_index),
					 quote_qualified_identifier(DDB_DATA_SCHEMA, physical_name));
	/* Index keys, then the table keys: the order DynamoDB returns items in. */
	if (idx.global)
		appendStringInfo(&sql, "%s, %s%spk%s", h, r ? r : "", r ? ", " : "",
						 table_has_range ? ", sk" : "");
	else
		appendStringInfo(&sql, "pk, %s, sk", r);
	appendStringInfo(&sql, ") WHERE %s IS NOT NULL", idx.global ? h : r);
	if (idx.global && r)
		appendStringInfo(&sql, " AND %s IS NOT NULL", r);
	return sql.data;
}

void
DdbCreatePhysicalIndexes(const char *physical_name, bool table_has_range,
						 Jsonb *defs, bool concurrently)
{
	int			i;

	if (defs == NULL)
		return;
	for (i = 0; i < (int) JsonContainerSize(&defs->root); i++)
	{
		JsonbContainer *def = getIthJsonbValueFromContainer(&defs->root, i)->val.binary.data;
		char	   *sql = DdbIndexDDL(physical_name, table_has_range, def, concurrently);
		int			ret = SPI_execute(sql, false, 0);

		if (ret < 0)
			elog(ERROR, "SPI_execute(\"%s\") failed: %s", sql, SPI_result_code_string(ret));
	}
}

/* ---------------------------------------------------------------------
 * Descriptions
 * ---------------------------------------------------------------------
 */

/* The SQL condition under which an item is in idx. */
static char *
membership_sql(const DdbIndex *idx)
{
	const DdbKeyAttr *a = idx->global ? &idx->hash : &idx->range;
	char	   *cond = psprintf("%s IS NOT NULL", key_expr(a->name, DdbTypeName(a->type)));

	if (idx->global && idx->has_range)
		cond = psprintf("%s AND %s IS NOT NULL", cond,
						key_expr(idx->range.name, DdbTypeName(idx->range.type)));
	return cond;
}

/* Item count and projected size of an index, counted now. */
static void
index_counts(const DdbIndex *idx, const DdbTable *t, int64 *count, int64 *bytes)
{
	StringInfoData sql;
	int			ret;
	bool		isnull;
	Datum		d;

	initStringInfo(&sql);
	if (idx->projection == DDB_PROJECTION_ALL)
		appendStringInfo(&sql, "SELECT count(*), coalesce(sum(size), 0)::bigint FROM %s WHERE %s",
						 t->qualified_name, membership_sql(idx));
	else
	{
		/* The projected attributes: table keys, index keys, NonKeyAttributes. */
		StringInfoData names;
		ListCell   *lc;

		initStringInfo(&names);
		appendStringInfo(&names, "ARRAY[%s", quote_literal_cstr(t->hash.name));
		if (t->has_range)
			appendStringInfo(&names, ", %s", quote_literal_cstr(t->range.name));
		appendStringInfo(&names, ", %s", quote_literal_cstr(idx->hash.name));
		if (idx->has_range)
			appendStringInfo(&names, ", %s", quote_literal_cstr(idx->range.name));
		foreach(lc, idx->non_key_attributes)
			appendStringInfo(&names, ", %s", quote_literal_cstr((char *) lfirst(lc)));
		appendStringInfoString(&names, "]::text[]");
		appendStringInfo(&sql, "SELECT count(*), coalesce(sum(ddb.item_size("
						 "(SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(item)"
						 " WHERE key = ANY(%s)))), 0)::bigint FROM %s WHERE %s",
						 names.data, t->qualified_name, membership_sql(idx));
	}
	ret = SPI_execute(sql.data, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	*count = DatumGetInt64(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	*bytes = DatumGetInt64(d);
}

/* Push the description of one list, copying DynamoDB's members from the catalog. */
static void
push_index_list(JsonbParseState **ps, const char *member, Jsonb *defs,
				const DdbTable *t, bool global)
{
	int			i;

	if (defs == NULL || JsonContainerSize(&defs->root) == 0)
		return;
	DdbPushKey(ps, member);
	pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < (int) JsonContainerSize(&defs->root); i++)
	{
		JsonbContainer *def = getIthJsonbValueFromContainer(&defs->root, i)->val.binary.data;
		DdbIndex	idx;
		int64		count = 0,
					bytes = 0;
		JsonbValue *v;

		memset(&idx, 0, sizeof(idx));
		load_index(&idx, def, global);
		if (idx.active)
			index_counts(&idx, t, &count, &bytes);

		pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
		DdbPushCString(ps, "IndexName", idx.name);
		v = getKeyJsonValueFromContainer(def, "KeySchema", 9, NULL);
		DdbPushKey(ps, "KeySchema");
		pushJsonbValue(ps, WJB_VALUE, v);
		v = getKeyJsonValueFromContainer(def, "Projection", 10, NULL);
		DdbPushKey(ps, "Projection");
		pushJsonbValue(ps, WJB_VALUE, v);
		if (global)
		{
			JsonbValue *pt = getKeyJsonValueFromContainer(def, "ProvisionedThroughput", 21, NULL);
			JsonbValue *rcu = getKeyJsonValueFromContainer(pt->val.binary.data, "ReadCapacityUnits", 17, NULL);
			JsonbValue *wcu = getKeyJsonValueFromContainer(pt->val.binary.data, "WriteCapacityUnits", 18, NULL);

			DdbPushCString(ps, "IndexStatus", idx.active ? "ACTIVE" : "CREATING");
			if (!idx.active)
				DdbPushBool(ps, "Backfilling", true);
			DdbPushKey(ps, "ProvisionedThroughput");
			pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
			DdbPushInt64(ps, "NumberOfDecreasesToday", 0);
			DdbPushKey(ps, "ReadCapacityUnits");
			pushJsonbValue(ps, WJB_VALUE, rcu);
			DdbPushKey(ps, "WriteCapacityUnits");
			pushJsonbValue(ps, WJB_VALUE, wcu);
			pushJsonbValue(ps, WJB_END_OBJECT, NULL);
		}
		DdbPushInt64(ps, "IndexSizeBytes", bytes);
		DdbPushInt64(ps, "ItemCount", count);
		DdbPushCString(ps, "IndexArn",
					   psprintf("arn:aws:dynamodb:%s:%s:table/%s/index/%s",
								ddb_region, ddb_account_id, t->name, idx.name));
		pushJsonbValue(ps, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(ps, WJB_END_ARRAY, NULL);
}

void
DdbPushIndexDescriptions(JsonbParseState **ps, const DdbTable *t, Jsonb *lsi, Jsonb *gsi)
{
	push_index_list(ps, "LocalSecondaryIndexes", lsi, t, false);
	push_index_list(ps, "GlobalSecondaryIndexes", gsi, t, true);
}

/* ---------------------------------------------------------------------
 * Writes
 * ---------------------------------------------------------------------
 */

static int
index_name_cmp(const void *a, const void *b)
{
	return strcmp((*(const DdbIndex *const *) a)->name, (*(const DdbIndex *const *) b)->name);
}

/*
 * Check one index key attribute of an item.  DynamoDB names the first
 * index (alphabetically) that the attribute keys.
 */
static void
check_index_attr(const DdbIndex *idx, const DdbKeyAttr *a, const DdbValue *item,
				 bool from_update)
{
	const DdbValue *v = DdbMapGet(item, a->name, a->namelen);

	if (v == NULL)
		return;
	if (v->type != a->type)
		ddb_validation_error(DDB_MSG_PARAM_INVALID
							 "Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s",
							 a->name, DdbTypeName(a->type), DdbTypeName(v->type), idx->name);
	if ((v->type == DDB_S || v->type == DDB_B) && v->u.str.len == 0)
	{
		if (from_update)		/* (unconfirmed) wording for UpdateItem */
			ddb_validation_error("One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
								 v->type == DDB_S ? "string" : "binary", idx->name, a->name);
		ddb_validation_error("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
							 v->type == DDB_S ? "string" : "binary", idx->name, a->name);
	}
}

void
DdbCheckIndexKeys(const DdbTable *t, const DdbValue *item, bool from_update)
{
	const DdbIndex **sorted;
	int			i;

	if (t->nindexes == 0)
		return;
	sorted = palloc(sizeof(DdbIndex *) * t->nindexes);
	for (i = 0; i < t->nindexes; i++)
		sorted[i] = &t->indexes[i];
	qsort(sorted, t->nindexes, sizeof(DdbIndex *), index_name_cmp);
	for (i = 0; i < t->nindexes; i++)
	{
		/* An LSI's hash key is the table's, already checked. */
		if (sorted[i]->global)
			check_index_attr(sorted[i], &sorted[i]->hash, item, from_update);
		if (sorted[i]->has_range)
			check_index_attr(sorted[i], &sorted[i]->range, item, from_update);
	}
	pfree(sorted);
}

/* ---------------------------------------------------------------------
 * ddb.index_key(item jsonb, attribute text, type text) RETURNS bytea
 * ---------------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(ddb_index_key);

/*
 * The key encoding of attribute of a stored item when it holds a non-empty
 * value of the given type (S, N or B); NULL otherwise, so that the item is
 * not in an index keyed by it.  Immutable: the expression of every
 * secondary index.
 */
Datum
ddb_index_key(PG_FUNCTION_ARGS)
{
	Jsonb	   *item = PG_GETARG_JSONB_P(0);
	text	   *attr = PG_GETARG_TEXT_PP(1);
	text	   *type = PG_GETARG_TEXT_PP(2);
	JsonbValue *av;
	JsonbValue *v;
	DdbType		t;
	DdbValue   *dv;

	if (!JB_ROOT_IS_OBJECT(item) || JB_ROOT_IS_SCALAR(item))
		PG_RETURN_NULL();
	if (!DdbTypeFromName(VARDATA_ANY(type), VARSIZE_ANY_EXHDR(type), &t) ||
		!DdbTypeIsScalarKey(t))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key type must be S, N or B")));
	av = getKeyJsonValueFromContainer(&item->root, VARDATA_ANY(attr),
									  VARSIZE_ANY_EXHDR(attr), NULL);
	if (av == NULL || av->type != jbvBinary || !JsonContainerIsObject(av->val.binary.data))
		PG_RETURN_NULL();
	v = getKeyJsonValueFromContainer(av->val.binary.data, DdbTypeName(t), 1, NULL);
	if (v == NULL || v->type != jbvString || v->val.string.len == 0)
		PG_RETURN_NULL();
	if (t == DDB_B)
	{
		DdbValueError err;
		int			rawlen;
		char	   *raw = DdbBase64Decode(v->val.string.val, v->val.string.len,
										  &rawlen, &err);

		if (raw == NULL || rawlen == 0)
			PG_RETURN_NULL();
		dv = DdbValueMakeString(DDB_B, raw, rawlen);
	}
	else
		dv = DdbValueMakeString(t, v->val.string.val, v->val.string.len);
	PG_RETURN_BYTEA_P(DdbEncodeKey(dv));
}

/* ---------------------------------------------------------------------
 * Index entries
 * ---------------------------------------------------------------------
 */

static bool
attr_is(const char *name, int len, const DdbKeyAttr *a)
{
	return a->namelen == len && memcmp(a->name, name, len) == 0;
}

/*
 * Does idx project attribute name (of len bytes)?  Every index projects
 * the table's keys and its own; KEYS_ONLY nothing else, INCLUDE its
 * NonKeyAttributes, ALL everything.
 */
bool
DdbIndexProjects(const DdbTable *t, const DdbIndex *idx, const char *name, int len)
{
	ListCell   *lc;

	if (idx->projection == DDB_PROJECTION_ALL)
		return true;
	if (attr_is(name, len, &t->hash) ||
		(t->has_range && attr_is(name, len, &t->range)) ||
		attr_is(name, len, &idx->hash) ||
		(idx->has_range && attr_is(name, len, &idx->range)))
		return true;
	foreach(lc, idx->non_key_attributes)
	{
		const char *nka = (const char *) lfirst(lc);

		if (strlen(nka) == (size_t) len && memcmp(nka, name, len) == 0)
			return true;
	}
	return false;
}

/* The attributes of item that idx projects (sharing their values). */
DdbValue *
DdbIndexEntry(const DdbTable *t, const DdbIndex *idx, const DdbValue *item)
{
	DdbValue   *entry = DdbValueMakeMap();
	int			i;

	for (i = 0; i < item->u.map.count; i++)
	{
		const DdbMapEntry *e = &item->u.map.entries[i];

		if (DdbIndexProjects(t, idx, e->name, e->namelen))
			DdbMapSet(entry, e->name, e->namelen, e->value);
	}
	return entry;
}

/* Is item (NULL: none) in idx, i.e. does it hold its key attributes? */
static bool
in_index(const DdbIndex *idx, const DdbValue *item)
{
	const DdbKeyAttr *keys[2] = {&idx->hash, idx->has_range ? &idx->range : NULL};
	int			i;

	if (item == NULL)
		return false;
	for (i = 0; i < 2 && keys[i]; i++)
	{
		const DdbValue *v = DdbMapGet(item, keys[i]->name, keys[i]->namelen);

		if (v == NULL || v->type != keys[i]->type ||
			((v->type == DDB_S || v->type == DDB_B) && v->u.str.len == 0))
			return false;
	}
	return true;
}

/*
 * Write units each index of t consumes when an item changes from old_item
 * to new_item (either NULL for none): a new entry is a put, a vanished one
 * a delete, a changed index key both, changed projected attributes one
 * write of the larger entry, nothing changed nothing.  Fills units[i] for
 * every index i; returns how many indexes were written.
 */
int
DdbIndexWriteUnits(const DdbTable *t, const DdbValue *old_item,
				   const DdbValue *new_item, double *units)
{
	int			i;
	int			written = 0;

	for (i = 0; i < t->nindexes; i++)
	{
		const DdbIndex *idx = &t->indexes[i];
		DdbValue   *o = in_index(idx, old_item) ? DdbIndexEntry(t, idx, old_item) : NULL;
		DdbValue   *n = in_index(idx, new_item) ? DdbIndexEntry(t, idx, new_item) : NULL;
		double		u = 0;

		if (o && n)
		{
			const DdbKeyAttr *keys[2] = {&idx->hash, idx->has_range ? &idx->range : NULL};
			bool		key_changed = false;
			int			k;

			for (k = 0; k < 2 && keys[k]; k++)
				if (!DdbValueEquals(DdbMapGet(o, keys[k]->name, keys[k]->namelen),
									DdbMapGet(n, keys[k]->name, keys[k]->namelen)))
					key_changed = true;
			if (key_changed)
				u = DdbWriteUnits(DdbItemSize(o)) + DdbWriteUnits(DdbItemSize(n));
			else if (!DdbValueEquals(o, n))
				u = DdbWriteUnits(Max(DdbItemSize(o), DdbItemSize(n)));
		}
		else if (o)
			u = DdbWriteUnits(DdbItemSize(o));
		else if (n)
			u = DdbWriteUnits(DdbItemSize(n));
		units[i] = u;
		if (u > 0)
			written++;
	}
	return written;
}
