/*
 * TransactWriteItems' ClientRequestToken (src/transact.c).
 *
 * One row per token used by a successful TransactWriteItems in the last 10
 * minutes, with a SHA-256 hash of the whole request.  The row is written in
 * the same transaction as the items: a repeat of the identical request
 * within 10 minutes succeeds without applying anything, a different request
 * with the same token is rejected with IdempotentParameterMismatchException,
 * and a repeat arriving while the first one is still running waits for it
 * on the primary key.  Expired rows are reused or deleted by later requests
 * that carry a token.
 */
CREATE TABLE ddb.transact_tokens (
	token			text PRIMARY KEY COLLATE "C",
	request_hash	bytea NOT NULL,
	used_at			timestamptz NOT NULL
);
CREATE INDEX transact_tokens_used_at ON ddb.transact_tokens (used_at);

COMMENT ON TABLE ddb.transact_tokens IS
	'ddb_emul: ClientRequestToken of recent TransactWriteItems calls (idempotency for 10 minutes)';

-- Every caller of ddb.transact_write_items() may use tokens.
GRANT SELECT, INSERT, UPDATE, DELETE ON ddb.transact_tokens TO PUBLIC;
