/*
 * Secondary indexes are expression indexes over ddb.index_key(): the key
 * encoding of one attribute of a stored item, NULL when the item does not
 * hold a non-empty value of the index key's type (so it is not indexed).
 */
CREATE FUNCTION ddb.index_key(item jsonb, attribute text, type text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'ddb_index_key'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ddb.index_key(jsonb, text, text) IS
'ddb_emul: ddb.encode_key() of an item''s attribute when it has the given key type, else NULL';

CREATE FUNCTION ddb.backfill_indexes() RETURNS void
AS 'MODULE_PATHNAME', 'ddb_backfill_indexes'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ddb.backfill_indexes() IS
'ddb_emul: start a worker, at commit, that builds indexes left CREATING by UpdateTable';
