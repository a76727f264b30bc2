/*-------------------------------------------------------------------------
 *
 * ddb_emul.h
 *	  Settings shared by the whole extension.
 *
 * src/ddb_emul.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DDB_EMUL_H
#define DDB_EMUL_H

/* ddb_emul.region and ddb_emul.account_id, used in ARNs. */
extern char *ddb_region;
extern char *ddb_account_id;

/* Schema of the physical item tables. */
#define DDB_DATA_SCHEMA "ddb_data"

#endif							/* DDB_EMUL_H */
