/*-------------------------------------------------------------------------
 *
 * values.h
 *	  DynamoDB attribute values: validation, canonical numbers, comparison,
 *	  item size and the order-preserving key encoding.
 *
 * On the wire and in storage an attribute value is DynamoDB's typed JSON
 * ({"S":"x"}, {"N":"1"}, {"M":{...}}, ...).  Inside the backend it is a
 * DdbValue tree: scalars hold their bytes (B decoded, N canonical decimal
 * text), maps hold their entries in jsonb key order (shorter names first,
 * then bytewise) and sets hold their members sorted in key order and
 * unique, so equality of two values is structural.
 *
 * src/values.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_VALUES_H
#define DDB_VALUES_H

#include "postgres.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "errors.h"

/* Largest item DynamoDB stores, and the key size limits. */
#define DDB_MAX_ITEM_SIZE		409600
#define DDB_MAX_HASH_KEY_SIZE	2048
#define DDB_MAX_RANGE_KEY_SIZE	1024
#define DDB_MAX_NUMBER_DIGITS	38
#define DDB_MAX_NESTING			32

typedef enum DdbType
{
	DDB_S = 0,
	DDB_N,
	DDB_B,
	DDB_BOOL,
	DDB_NULL,
	DDB_M,
	DDB_L,
	DDB_SS,
	DDB_NS,
	DDB_BS,
	DDB_TYPE__COUNT
} DdbType;

typedef struct DdbValue DdbValue;

typedef struct DdbMapEntry
{
	char	   *name;			/* not NUL-terminated necessarily; use namelen */
	int			namelen;
	DdbValue   *value;
} DdbMapEntry;

struct DdbValue
{
	DdbType		type;
	union
	{
		/* S: UTF-8 bytes; B: decoded bytes; N: canonical decimal text */
		struct
		{
			char	   *data;
			int			len;
		}			str;
		bool		boolean;	/* BOOL (NULL is always true) */
		/* M (and an item, which is a map of top-level attributes) */
		struct
		{
			int			count;
			int			capacity;
			DdbMapEntry *entries;	/* jsonb key order */
		}			map;
		/* L, and SS/NS/BS whose members are S/N/B values in key order */
		struct
		{
			int			count;
			int			capacity;
			DdbValue  **elems;
		}			list;
	}			u;
};

/*
 * A validation failure: the exception to raise and DynamoDB's message for
 * it.  Functions that validate request input report through this struct
 * instead of raising, so callers can wrap the message (e.g. "Expression
 * AttributeValues contains invalid value: <msg> for key :v").
 */
typedef struct DdbValueError
{
	DdbException ex;
	char	   *message;
} DdbValueError;

/* Raise the error recorded in *err. */
extern void DdbRaiseValueError(const DdbValueError *err) pg_attribute_noreturn();

/*
 * DynamoDB's messages that other modules raise too (arithmetic in update
 * expressions, names in ExpressionAttributeNames).
 */
#define DDB_MSG_NUMBER_OVERFLOW \
	"Number overflow. Attempting to store a number with magnitude larger than supported range"
#define DDB_MSG_NUMBER_UNDERFLOW \
	"Number underflow. Attempting to store a number with magnitude smaller than supported range"
#define DDB_MSG_NUMBER_DIGITS \
	"Attempting to store more than 38 significant digits in a Number"
#define DDB_MSG_EMPTY_ATTR_NAME "Empty attribute name"
#define DDB_MSG_ATTR_NAME_TOO_LARGE \
	"Attribute name is too large, must be less than 65536 bytes"
#define DDB_MSG_NESTING_EXCEEDED \
	"Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"

/* Longest attribute name, in bytes. */
#define DDB_MAX_ATTR_NAME_LEN	65535

/*
 * Check an attribute name (1 .. 65535 bytes); returns false and fills *err
 * (ValidationException) when it is empty or too long.
 */
extern bool DdbCheckAttributeName(const char *name, int len, DdbValueError *err);

/* Type names: "S", "N", ..., "BS"; and "STRING", "NUMBER", ... for ADD/DELETE. */
extern const char *DdbTypeName(DdbType t);
extern const char *DdbTypeLongName(DdbType t);
/* Look a short type name up; returns false if it is not one of the ten. */
extern bool DdbTypeFromName(const char *name, int len, DdbType *out);
static inline bool
DdbTypeIsScalarKey(DdbType t)
{
	return t == DDB_S || t == DDB_N || t == DDB_B;
}
static inline bool
DdbTypeIsSet(DdbType t)
{
	return t == DDB_SS || t == DDB_NS || t == DDB_BS;
}

/* ---- numbers ---- */

/*
 * Validate a DynamoDB number string and return its canonical text (plain
 * decimal, no exponent, no '+', no leading zeros, no trailing fractional
 * zeros, "-0" -> "0").  On invalid input returns NULL and fills *err with
 * DynamoDB's message (ValidationException).
 */
extern char *DdbNumberCanonical(const char *s, int len, DdbValueError *err);

/* Compare two canonical number texts numerically: <0, 0, >0. */
extern int	DdbNumberCompare(const char *a, int alen, const char *b, int blen);

/*
 * Exact a + b (or a - b when subtract) of two canonical numbers; raises
 * DynamoDB's overflow/underflow/digits ValidationException when the result
 * cannot be stored.  Returns canonical text.
 */
extern char *DdbNumberAdd(const char *a, const char *b, bool subtract);

/* ---- base64 (standard alphabet, padded) ---- */

/* Append the base64 text of data to buf. */
extern void DdbBase64Encode(StringInfo buf, const char *data, int len);

/*
 * Check base64 text the way DynamoDB's deserializer does; returns false and
 * fills *err (SerializationException, DynamoDB's message) when it is not
 * canonical padded base64.
 */
extern bool DdbBase64Validate(const char *src, int len, DdbValueError *err);

/*
 * Decode base64 text; returns the bytes (NUL-terminated for convenience,
 * *outlen excludes it), or NULL with *err filled as DdbBase64Validate does.
 */
extern char *DdbBase64Decode(const char *src, int len, int *outlen,
							 DdbValueError *err);

/* ---- construction and conversion ---- */

extern DdbValue *DdbValueMakeString(DdbType t, const char *data, int len);	/* S/N/B */
extern DdbValue *DdbValueMakeBool(bool b);
extern DdbValue *DdbValueMakeNull(void);
extern DdbValue *DdbValueMakeMap(void);
extern DdbValue *DdbValueMakeList(DdbType t);	/* L or a set type */
extern DdbValue *DdbValueCopy(const DdbValue *v);

/*
 * Validate one AttributeValue from a request (jv is a jbvBinary object, or
 * any JsonbValue; anything else is a SerializationException) and return its
 * canonical tree.  depth is the nesting level of jv (1 for a top-level
 * attribute).  Returns NULL and fills *err on invalid input.
 *
 * An M or L at depth DDB_MAX_NESTING or deeper is rejected, as DynamoDB
 * does: an item attribute may hold 31 nested documents; a value that is not
 * in an item (an ExpressionAttributeValue) starts at depth 0.
 */
extern DdbValue *DdbValueFromRequest(JsonbValue *jv, int depth, DdbValueError *err);

/*
 * Validate an Item / Key / attribute map from a request (a JSON object of
 * name -> AttributeValue) and return it as a DdbValue of type M.
 */
extern DdbValue *DdbItemFromRequest(JsonbValue *jv, DdbValueError *err);

/*
 * Only the deserializer's checks (JSON kinds and base64) of a value / an
 * item, which DynamoDB makes on the whole request before any validation;
 * DdbValueFromRequest and DdbItemFromRequest make them too.
 */
extern bool DdbValueCheckRequest(JsonbValue *jv, DdbValueError *err);
extern bool DdbItemCheckRequest(JsonbValue *jv, DdbValueError *err);

/* Convert stored (already canonical) typed JSON; no validation. */
extern DdbValue *DdbValueFromJsonb(JsonbValue *jv);
extern DdbValue *DdbItemFromJsonb(Jsonb *item);

/* Typed JSON output. */
extern Jsonb *DdbItemToJsonb(const DdbValue *item);
/* Push v as a typed-JSON object at the current position (after a key or as an element). */
extern void DdbValuePush(JsonbParseState **ps, const DdbValue *v);
/* Push item (type M) as a plain object of name -> typed value. */
extern void DdbItemPush(JsonbParseState **ps, const DdbValue *item);
/* Append typed JSON text, e.g. {"S":"x"}. */
extern void DdbValueAppendJson(StringInfo buf, const DdbValue *v);
extern void DdbItemAppendJson(StringInfo buf, const DdbValue *item);
/* DynamoDB's display in messages, e.g. {N:2}, {S:dog}. */
extern void DdbValueAppendDisplay(StringInfo buf, const DdbValue *v);

/* ---- semantics ---- */

/* Deep equality with DynamoDB's rules (sets unordered, numbers numeric). */
extern bool DdbValueEquals(const DdbValue *a, const DdbValue *b);

/*
 * Order of two values of the same S, N or B type: strings and binaries
 * bytewise unsigned, numbers numerically.
 */
extern int	DdbValueCompare(const DdbValue *a, const DdbValue *b);

/* DynamoDB's size of a value / of an item (sum of names and values). */
extern int64 DdbValueSize(const DdbValue *v);
extern int64 DdbItemSize(const DdbValue *item);

/* Map access (name compared bytewise). */
extern DdbValue *DdbMapGet(const DdbValue *map, const char *name, int namelen);
extern void DdbMapSet(DdbValue *map, const char *name, int namelen, DdbValue *value);
extern bool DdbMapRemove(DdbValue *map, const char *name, int namelen);
/* List / set append (sets: caller keeps order and uniqueness via DdbSetAdd). */
extern void DdbListAppend(DdbValue *list, DdbValue *elem);
/* Add a member to a set keeping it sorted and unique; returns false if present. */
extern bool DdbSetAdd(DdbValue *set, DdbValue *member);
/* Remove a member from a set; returns true if it was present. */
extern bool DdbSetRemove(DdbValue *set, const DdbValue *member);
/*
 * Sort the members of a set built with DdbListAppend into key order;
 * returns false when two members are equal (the set keeps them).
 */
extern bool DdbSetSort(DdbValue *set);

/* ---- key encoding ---- */

/*
 * Order-preserving, reversible binary encoding of an S, N or B value:
 * memcmp order of the encodings equals DynamoDB's order of the values.
 * S: UTF-8 bytes; B: the bytes; N: sign byte, biased exponent, one byte per
 * digit (complemented for negatives, with a terminator).
 */
extern bytea *DdbEncodeKey(const DdbValue *v);
extern DdbValue *DdbDecodeKey(DdbType t, const char *data, int len);

/* Size of a key value for the 2048/1024-byte limits (bytes of S/B; N as stored). */
extern int	DdbKeyValueSize(const DdbValue *v);

#endif							/* DDB_VALUES_H */
