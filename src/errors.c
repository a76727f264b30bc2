/*-------------------------------------------------------------------------
 *
 * errors.c
 *	  The DynamoDB exception table and the helpers that raise them.
 *
 * src/errors.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/json.h"

#include "errors.h"

typedef struct DdbExceptionInfo
{
	const char *name;
	const char *prefix;			/* __type namespace */
	char		sqlstate[6];
} DdbExceptionInfo;

#define DDB_NS "com.amazonaws.dynamodb.v20120810"
#define CORAL_VALIDATE "com.amazon.coral.validate"
#define CORAL_SERVICE "com.amazon.coral.service"

/* Indexed by DdbException; SQLSTATE class "YD" is ours. */
static const DdbExceptionInfo exception_info[DDB_EX__COUNT] = {
	[DDB_EX_VALIDATION] = {"ValidationException", CORAL_VALIDATE, "YD001"},
	[DDB_EX_SERIALIZATION] = {"SerializationException", CORAL_SERVICE, "YD002"},
	[DDB_EX_CONDITIONAL_CHECK_FAILED] = {"ConditionalCheckFailedException", DDB_NS, "YD003"},
	[DDB_EX_RESOURCE_NOT_FOUND] = {"ResourceNotFoundException", DDB_NS, "YD004"},
	[DDB_EX_RESOURCE_IN_USE] = {"ResourceInUseException", DDB_NS, "YD005"},
	[DDB_EX_TRANSACTION_CANCELED] = {"TransactionCanceledException", DDB_NS, "YD006"},
	[DDB_EX_TRANSACTION_CONFLICT] = {"TransactionConflictException", DDB_NS, "YD007"},
	[DDB_EX_TRANSACTION_IN_PROGRESS] = {"TransactionInProgressException", DDB_NS, "YD008"},
	[DDB_EX_IDEMPOTENT_PARAMETER_MISMATCH] = {"IdempotentParameterMismatchException", DDB_NS, "YD009"},
	[DDB_EX_PROVISIONED_THROUGHPUT_EXCEEDED] = {"ProvisionedThroughputExceededException", DDB_NS, "YD010"},
	[DDB_EX_ITEM_COLLECTION_SIZE_LIMIT_EXCEEDED] = {"ItemCollectionSizeLimitExceededException", DDB_NS, "YD011"},
	[DDB_EX_LIMIT_EXCEEDED] = {"LimitExceededException", DDB_NS, "YD012"},
	[DDB_EX_EXPIRED_ITERATOR] = {"ExpiredIteratorException", DDB_NS, "YD013"},
	[DDB_EX_TRIMMED_DATA_ACCESS] = {"TrimmedDataAccessException", DDB_NS, "YD014"},
	[DDB_EX_UNKNOWN_OPERATION] = {"UnknownOperationException", CORAL_SERVICE, "YD015"},
	[DDB_EX_INTERNAL_SERVER_ERROR] = {"InternalServerError", DDB_NS, "YD016"},
};

const char *
DdbExceptionName(DdbException ex)
{
	Assert(ex >= 0 && ex < DDB_EX__COUNT);
	return exception_info[ex].name;
}

int
DdbExceptionSqlstate(DdbException ex)
{
	const char *s = exception_info[ex].sqlstate;

	return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
}

/*
 * Raise ex with the given message; extra_json, when not NULL, is appended
 * to the JSON body after the message member.
 */
void
ddb_error_extra(DdbException ex, const char *message, const char *extra_json)
{
	StringInfoData body;

	initStringInfo(&body);
	appendStringInfoString(&body, "{\"__type\":");
	{
		StringInfoData type;

		initStringInfo(&type);
		appendStringInfo(&type, "%s#%s", exception_info[ex].prefix,
						 exception_info[ex].name);
		escape_json(&body, type.data);
	}
	/*
	 * DynamoDB spells the member "Message" in TransactionCanceledException
	 * and in the framework's SerializationException, "message" elsewhere.
	 */
	appendStringInfoString(&body,
						   (ex == DDB_EX_TRANSACTION_CANCELED ||
							ex == DDB_EX_SERIALIZATION) ?
						   ",\"Message\":" : ",\"message\":");
	escape_json(&body, message);
	if (extra_json != NULL && extra_json[0] != '\0')
	{
		appendStringInfoChar(&body, ',');
		appendStringInfoString(&body, extra_json);
	}
	appendStringInfoChar(&body, '}');

	ereport(ERROR,
			(errcode(DdbExceptionSqlstate(ex)),
			 errmsg_internal("%s", message),
			 errdetail_internal("%s", body.data)));
	pg_unreachable();
}

void
ddb_error(DdbException ex, const char *fmt,...)
{
	StringInfoData msg;

	initStringInfo(&msg);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&msg, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&msg, needed);
	}
	ddb_error_extra(ex, msg.data, NULL);
}
