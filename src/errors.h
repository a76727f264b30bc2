/*-------------------------------------------------------------------------
 *
 * errors.h
 *	  DynamoDB exceptions raised as PostgreSQL errors.
 *
 * Every DynamoDB exception has its own SQLSTATE (class "YD"), its DynamoDB
 * message as errmsg and the complete DynamoDB JSON error body as errdetail,
 * so a PL/pgSQL caller can catch by SQLSTATE and a gateway can hand the
 * body through untouched.
 *
 * src/errors.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_ERRORS_H
#define DDB_ERRORS_H

#include "postgres.h"
#include "lib/stringinfo.h"

typedef enum DdbException
{
	DDB_EX_VALIDATION = 0,
	DDB_EX_SERIALIZATION,
	DDB_EX_CONDITIONAL_CHECK_FAILED,
	DDB_EX_RESOURCE_NOT_FOUND,
	DDB_EX_RESOURCE_IN_USE,
	DDB_EX_TRANSACTION_CANCELED,
	DDB_EX_TRANSACTION_CONFLICT,
	DDB_EX_TRANSACTION_IN_PROGRESS,
	DDB_EX_IDEMPOTENT_PARAMETER_MISMATCH,
	DDB_EX_PROVISIONED_THROUGHPUT_EXCEEDED,
	DDB_EX_ITEM_COLLECTION_SIZE_LIMIT_EXCEEDED,
	DDB_EX_LIMIT_EXCEEDED,
	DDB_EX_EXPIRED_ITERATOR,
	DDB_EX_TRIMMED_DATA_ACCESS,
	DDB_EX_UNKNOWN_OPERATION,
	DDB_EX_INTERNAL_SERVER_ERROR,
	DDB_EX__COUNT
} DdbException;

/* Name of the exception, e.g. "ValidationException". */
extern const char *DdbExceptionName(DdbException ex);

/* SQLSTATE of the exception (a MAKE_SQLSTATE value). */
extern int	DdbExceptionSqlstate(DdbException ex);

/*
 * Raise a DynamoDB exception with a printf-style message.  Never returns.
 */
extern void ddb_error(DdbException ex, const char *fmt,...)
			pg_attribute_printf(2, 3) pg_attribute_noreturn();

/*
 * Raise a DynamoDB exception whose JSON body carries extra members after
 * "message" (e.g. "Item" or "CancellationReasons").  extra_json is the text
 * of those members without surrounding braces, starting with a comma-free
 * member, e.g. "\"Item\":{...}"; NULL for none.
 */
extern void ddb_error_extra(DdbException ex, const char *message,
							const char *extra_json) pg_attribute_noreturn();

/* Shorthand for the most common case. */
#define ddb_validation_error(...) ddb_error(DDB_EX_VALIDATION, __VA_ARGS__)

/*
 * Messages that are used from several places; keep them in one spot so the
 * exact DynamoDB text is written once.
 */
#define DDB_MSG_KEY_SCHEMA_MISMATCH "The provided key element does not match the schema"
#define DDB_MSG_RESOURCE_NOT_FOUND "Requested resource not found"
#define DDB_MSG_CONDITIONAL_FAILED "The conditional request failed"
#define DDB_MSG_PARAM_INVALID "One or more parameter values were invalid: "
/* The two openings of the empty key value error: reads, writes. */
#define DDB_MSG_PARAMS_INVALID "One or more parameter values were invalid:"
#define DDB_MSG_PARAMS_NOT_VALID "One or more parameter values are not valid."

#endif							/* DDB_ERRORS_H */
