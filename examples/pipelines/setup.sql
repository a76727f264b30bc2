-- The Pipelines table of the single-table example and a few items.
SELECT ddb.execute('CreateTable', '{
  "TableName": "Pipelines",
  "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [
    {"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "sk", "AttributeType": "S"},
    {"AttributeName": "failed_team", "AttributeType": "S"},
    {"AttributeName": "failed_at", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "inverted",
     "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}, {"AttributeName": "pk", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"}},
    {"IndexName": "failures",
     "KeySchema": [{"AttributeName": "failed_team", "KeyType": "HASH"}, {"AttributeName": "failed_at", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["status"]}}]
}') -> 'TableDescription' ->> 'TableStatus' AS status;

-- Teams and pipelines.
SELECT ddb.execute('BatchWriteItem', '{"RequestItems": {"Pipelines": [
  {"PutRequest": {"Item": {"pk": {"S": "TEAM#core"}, "sk": {"S": "TEAM#core"}, "name": {"S": "Core"}, "plan": {"S": "pro"}}}},
  {"PutRequest": {"Item": {"pk": {"S": "TEAM#web"}, "sk": {"S": "TEAM#web"}, "name": {"S": "Web"}, "plan": {"S": "free"}}}},
  {"PutRequest": {"Item": {"pk": {"S": "TEAM#core"}, "sk": {"S": "PIPELINE#build"}, "repo": {"S": "core/engine"}, "runs": {"N": "0"}}}},
  {"PutRequest": {"Item": {"pk": {"S": "TEAM#core"}, "sk": {"S": "PIPELINE#release"}, "repo": {"S": "core/engine"}, "runs": {"N": "0"}}}},
  {"PutRequest": {"Item": {"pk": {"S": "TEAM#web"}, "sk": {"S": "PIPELINE#deploy"}, "repo": {"S": "web/site"}, "runs": {"N": "0"}}}}
]}}') AS loaded;

-- Executions (one failed) and their stages.
SELECT ddb.execute('BatchWriteItem', '{"RequestItems": {"Pipelines": [
  {"PutRequest": {"Item": {"pk": {"S": "PIPELINE#core#build"}, "sk": {"S": "EXEC#2026-11-01T10:00:00Z"}, "status": {"S": "SUCCEEDED"}, "version": {"N": "2"}}}},
  {"PutRequest": {"Item": {"pk": {"S": "PIPELINE#core#build"}, "sk": {"S": "EXEC#2026-11-02T10:00:00Z"}, "status": {"S": "FAILED"}, "version": {"N": "2"},
                           "failed_team": {"S": "core"}, "failed_at": {"S": "2026-11-02T10:07:00Z"}}}},
  {"PutRequest": {"Item": {"pk": {"S": "PIPELINE#core#build"}, "sk": {"S": "EXEC#2026-11-03T10:00:00Z"}, "status": {"S": "RUNNING"}, "version": {"N": "1"}}}},
  {"PutRequest": {"Item": {"pk": {"S": "EXEC#core#build#2026-11-03T10:00:00Z"}, "sk": {"S": "STAGE#01"}, "name": {"S": "checkout"}, "status": {"S": "SUCCEEDED"}, "seconds": {"N": "4"}}}},
  {"PutRequest": {"Item": {"pk": {"S": "EXEC#core#build#2026-11-03T10:00:00Z"}, "sk": {"S": "STAGE#02"}, "name": {"S": "compile"}, "status": {"S": "SUCCEEDED"}, "seconds": {"N": "95.5"}}}},
  {"PutRequest": {"Item": {"pk": {"S": "EXEC#core#build#2026-11-03T10:00:00Z"}, "sk": {"S": "STAGE#03"}, "name": {"S": "test"}, "status": {"S": "RUNNING"}}}}
]}}') AS loaded;
