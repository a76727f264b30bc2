--
-- Attribute values (src/values.c, src/values_json.c): the order-preserving
-- key encoding, canonical numbers, item size and validation of typed items.
--

CREATE FUNCTION ddb.encode_key(value jsonb) RETURNS bytea
    AS 'MODULE_PATHNAME', 'ddb_encode_key'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ddb.encode_key(jsonb) IS
    'Order-preserving binary encoding of a typed S, N or B value: byte order of encodings is DynamoDB''s order of values';

CREATE FUNCTION ddb.decode_key(key bytea, type text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'ddb_decode_key'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ddb.decode_key(bytea, text) IS
    'Typed value (type S, N or B) whose key encoding is key';

CREATE FUNCTION ddb.canonical_number(number text) RETURNS text
    AS 'MODULE_PATHNAME', 'ddb_canonical_number'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ddb.canonical_number(text) IS
    'DynamoDB''s canonical text of a number (38 digits, exponent -130 .. 125)';

CREATE FUNCTION ddb.item_size(item jsonb) RETURNS integer
    AS 'MODULE_PATHNAME', 'ddb_item_size'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ddb.item_size(jsonb) IS
    'DynamoDB''s size in bytes of a typed item (validated first)';

CREATE FUNCTION ddb.validate_item(item jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'ddb_validate_item'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ddb.validate_item(jsonb) IS
    'Validates a typed item and returns it in canonical form';
