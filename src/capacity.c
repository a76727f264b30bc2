/*-------------------------------------------------------------------------
 *
 * capacity.c
 *	  DynamoDB's consumed-capacity arithmetic and response members.
 *
 * src/capacity.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/numeric.h"

#include "capacity.h"
#include "catalog.h"
#include "request.h"

DdbCapacityMode
DdbCapacityModeFromString(const char *s)
{
	if (s == NULL || strcmp(s, "NONE") == 0)
		return DDB_CAPACITY_NONE;
	if (strcmp(s, "INDEXES") == 0)
		return DDB_CAPACITY_INDEXES;
	return DDB_CAPACITY_TOTAL;
}

double
DdbReadUnits(int64 size, bool consistent)
{
	double		units = ceil((double) size / 4096.0);

	if (units < 1)
		units = 1;
	return consistent ? units : units / 2;
}

double
DdbWriteUnits(int64 size)
{
	double		units = ceil((double) size / 1024.0);

	return units < 1 ? 1 : units;
}

/* Push a double as a JSON number (units are multiples of 0.5). */
static void
push_units(JsonbParseState **ps, const char *key, double units)
{
	char		buf[64];

	snprintf(buf, sizeof(buf), "%.1f", units);
	DdbPushNumeric(ps, key, DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
												ObjectIdGetDatum(InvalidOid),
												Int32GetDatum(-1)));
}

void
DdbPushCapacity(JsonbParseState **ps, DdbCapacityMode mode, const char *table,
				double units, bool read)
{
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushCString(ps, "TableName", table);
	push_units(ps, "CapacityUnits", units);
	push_units(ps, read ? "ReadCapacityUnits" : "WriteCapacityUnits", units);
	if (mode == DDB_CAPACITY_INDEXES)
	{
		DdbPushKey(ps, "Table");
		pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
		push_units(ps, "CapacityUnits", units);
		push_units(ps, read ? "ReadCapacityUnits" : "WriteCapacityUnits", units);
		pushJsonbValue(ps, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

void
DdbPushCapacityMember(JsonbParseState **ps, DdbCapacityMode mode,
					  const char *table, double units, bool read)
{
	if (mode == DDB_CAPACITY_NONE)
		return;
	DdbPushKey(ps, "ConsumedCapacity");
	DdbPushCapacity(ps, mode, table, units, read);
}

/*
 * Push "ConsumedCapacity" for an operation that used table_units on table
 * t and index_units[i] on its index i (index_units may be NULL): TOTAL
 * reports the sum, INDEXES also "Table" and each index with units, under
 * "GlobalSecondaryIndexes" / "LocalSecondaryIndexes".
 */
void
DdbPushCapacityMemberWithIndexes(JsonbParseState **ps, DdbCapacityMode mode,
								 const DdbTable *t, double table_units,
								 const double *index_units, bool read)
{
	const char *kind = read ? "ReadCapacityUnits" : "WriteCapacityUnits";
	double		total = table_units;
	int			i;
	int			pass;

	if (mode == DDB_CAPACITY_NONE)
		return;
	for (i = 0; index_units && i < t->nindexes; i++)
		total += index_units[i];
	DdbPushKey(ps, "ConsumedCapacity");
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	DdbPushCString(ps, "TableName", t->name);
	push_units(ps, "CapacityUnits", total);
	push_units(ps, kind, total);
	if (mode == DDB_CAPACITY_INDEXES)
	{
		DdbPushKey(ps, "Table");
		pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
		push_units(ps, "CapacityUnits", table_units);
		push_units(ps, kind, table_units);
		pushJsonbValue(ps, WJB_END_OBJECT, NULL);
		for (pass = 0; pass < 2 && index_units; pass++)
		{
			bool		global = (pass == 0);
			bool		opened = false;

			for (i = 0; i < t->nindexes; i++)
			{
				if (t->indexes[i].global != global || index_units[i] <= 0)
					continue;
				if (!opened)
				{
					DdbPushKey(ps, global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
					pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
					opened = true;
				}
				DdbPushKey(ps, t->indexes[i].name);
				pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
				push_units(ps, "CapacityUnits", index_units[i]);
				push_units(ps, kind, index_units[i]);
				pushJsonbValue(ps, WJB_END_OBJECT, NULL);
			}
			if (opened)
				pushJsonbValue(ps, WJB_END_OBJECT, NULL);
		}
	}
	pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}
