/*-------------------------------------------------------------------------
 *
 * decoder.h
 *	  The ddb_emul logical-decoding output plugin (DynamoDB Streams
 *	  records) and the marker the TTL sweep writes for it.
 *
 * src/decoder.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_DECODER_H
#define DDB_DECODER_H

/*
 * Prefix of the transactional logical message that marks a transaction as
 * a TTL sweep: REMOVE records of the changes that follow the message in
 * that transaction carry DynamoDB's userIdentity of a TTL deletion.
 */
#define DDB_TTL_MESSAGE_PREFIX "ddb_emul.ttl"

/*
 * Mark the current transaction as a TTL sweep, for the stream records of
 * the deletes that follow in it.  Call it before the deletes (once per
 * transaction is enough; again after rolling back a subtransaction that
 * called it).  Does nothing unless wal_level is logical.  Equivalent to
 * SELECT pg_logical_emit_message(true, 'ddb_emul.ttl', '').
 */
extern void DdbMarkTtlTransaction(void);

#endif							/* DDB_DECODER_H */
