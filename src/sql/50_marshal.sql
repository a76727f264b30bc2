--
-- Plain JSON <-> DynamoDB typed JSON (src/marshal.c), like the AWS SDKs'
-- util-dynamodb.  Sets and binaries, which plain JSON has no form for, are
-- one-member objects {"$SS": [...]}, {"$NS": [...]}, {"$BS": [...]},
-- {"$B": "base64"}; {"$M": {...}} is a map that would otherwise read as one
-- of those.
--

CREATE FUNCTION ddb.marshal(item jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'ddb_marshal'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ddb.marshal(jsonb) IS
    'A plain JSON object as a typed DynamoDB item (canonical, valid for ddb.put_item)';

CREATE FUNCTION ddb.marshal_value(value jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'ddb_marshal_value'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ddb.marshal_value(jsonb) IS
    'Any plain JSON value as one typed DynamoDB AttributeValue';

CREATE FUNCTION ddb.unmarshal(item jsonb, keep_types boolean DEFAULT false)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'ddb_unmarshal'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ddb.unmarshal(jsonb, boolean) IS
    'A typed DynamoDB item as a plain JSON object; keep_types writes sets and binaries as $SS/$NS/$BS/$B markers so that ddb.marshal restores them';

CREATE FUNCTION ddb.unmarshal_value(value jsonb, keep_types boolean DEFAULT false)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'ddb_unmarshal_value'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ddb.unmarshal_value(jsonb, boolean) IS
    'One typed DynamoDB AttributeValue as plain JSON; keep_types as for ddb.unmarshal';
