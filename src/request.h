/*-------------------------------------------------------------------------
 *
 * request.h
 *	  The request layer: the action table behind ddb.execute() and the
 *	  per-action SQL functions, reading members of a request body with
 *	  DynamoDB's serialization and constraint errors, and building response
 *	  bodies.
 *
 * src/request.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_REQUEST_H
#define DDB_REQUEST_H

#include "postgres.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "errors.h"

/* ---- reading request members ---- */

/* The member `key` of obj, or NULL when absent or JSON null. */
extern JsonbValue *DdbReqMember(JsonbContainer *obj, const char *key);

/*
 * Typed member getters.  Each returns false / NULL when the member is
 * absent (or null) and raises SerializationException when it has the wrong
 * JSON type.  Strings are returned NUL-terminated (palloc'd).
 */
extern char *DdbReqString(JsonbContainer *obj, const char *key, int *len);
extern bool DdbReqBool(JsonbContainer *obj, const char *key, bool *out);
extern bool DdbReqInt64(JsonbContainer *obj, const char *key, int64 *out);
extern JsonbContainer *DdbReqObject(JsonbContainer *obj, const char *key);
extern JsonbContainer *DdbReqArray(JsonbContainer *obj, const char *key);
/* Same checks for a JsonbValue already in hand (e.g. an array element). */
extern char *DdbJsonString(JsonbValue *v, const char *what, int *len);
extern JsonbContainer *DdbJsonObject(JsonbValue *v, const char *what);

/* Name of a JSON value's kind as DynamoDB's deserializer reports it. */
extern const char *DdbJsonTokenName(JsonbValue *v);

/*
 * Framework constraint errors ("1 validation error detected: Value null at
 * 'tableName' failed to satisfy constraint: Member must not be null"),
 * collected and raised together as DynamoDB does (at most 10 listed).
 */
typedef struct DdbConstraints
{
	int			count;
	StringInfoData buf;
} DdbConstraints;

extern void DdbConstraintsInit(DdbConstraints *c);
/* value is the offending value's text (NULL prints as null). */
extern void DdbConstraintAdd(DdbConstraints *c, const char *value,
							 const char *path, const char *rule);
extern void DdbConstraintsRaise(DdbConstraints *c);

/* Common checks, each adding to c. */
extern void DdbCheckRequiredTableName(DdbConstraints *c, const char *name, int len,
									  const char *path);
extern void DdbCheckEnum(DdbConstraints *c, const char *value, const char *path,
						 const char *const *allowed);

/* ---- building responses ---- */

extern void DdbPushKey(JsonbParseState **ps, const char *key);
extern void DdbPushStringValue(JsonbParseState **ps, const char *key,
							   const char *val, int len);
extern void DdbPushCString(JsonbParseState **ps, const char *key, const char *val);
extern void DdbPushInt64(JsonbParseState **ps, const char *key, int64 val);
extern void DdbPushNumeric(JsonbParseState **ps, const char *key, Datum numeric);
extern void DdbPushBool(JsonbParseState **ps, const char *key, bool val);
/* Push a stored Jsonb container (object or array) as a value. */
extern void DdbPushJsonb(JsonbParseState **ps, const char *key, Jsonb *j);
extern Jsonb *DdbEmptyObject(void);
/*
 * Assembling responses from stored items without re-encoding them: a
 * member is a stored container (object or array; container_len bytes from
 * &jsonb->root) or a numeric.
 */
typedef struct DdbJsonbPart
{
	const char *key;
	const JsonbContainer *container;
	uint32		container_len;
	Numeric		numeric;
} DdbJsonbPart;

extern Jsonb *DdbJsonbAssembleObject(DdbJsonbPart *parts, int n);
extern Jsonb *DdbJsonbAssembleArray(Jsonb **elems, int n);

/* {key: value} for a stored object/array value, copied without re-encoding. */
extern Jsonb *DdbJsonbSingleMember(const char *key, const Jsonb *value);

/* ---- actions ---- */

typedef Jsonb *(*DdbActionHandler) (JsonbContainer *request);

/*
 * Run one API action on a request body: checks that the body is a JSON
 * object, connects SPI, runs the handler in a private memory context and
 * returns the response body allocated in the caller's context.
 */
extern Jsonb *DdbRunAction(DdbActionHandler handler, Jsonb *request);

#endif							/* DDB_REQUEST_H */
