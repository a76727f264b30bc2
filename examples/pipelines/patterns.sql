-- The access patterns of the single-table example (see README.md), each
-- one DynamoDB request through ddb.execute.

-- 1. Get a team.
SELECT ddb.execute('GetItem', '{"TableName": "Pipelines",
  "Key": {"pk": {"S": "TEAM#core"}, "sk": {"S": "TEAM#core"}}}') AS team;

-- 2. A team's pipelines.
SELECT ddb.execute('Query', '{"TableName": "Pipelines",
  "KeyConditionExpression": "pk = :team AND begins_with(sk, :prefix)",
  "ExpressionAttributeValues": {":team": {"S": "TEAM#core"}, ":prefix": {"S": "PIPELINE#"}},
  "ProjectionExpression": "sk, repo"}') AS pipelines;

-- 3. A pipeline's two latest executions.
SELECT ddb.execute('Query', '{"TableName": "Pipelines",
  "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "PIPELINE#core#build"}},
  "ScanIndexForward": false, "Limit": 2, "ProjectionExpression": "sk, #s",
  "ExpressionAttributeNames": {"#s": "status"}}') AS latest;

-- 4. An execution's stages in order.
SELECT ddb.execute('Query', '{"TableName": "Pipelines",
  "KeyConditionExpression": "pk = :e", "ExpressionAttributeValues": {":e": {"S": "EXEC#core#build#2026-11-03T10:00:00Z"}},
  "ProjectionExpression": "#n, #s", "ExpressionAttributeNames": {"#n": "name", "#s": "status"}}') AS stages;

-- 5. Who owns the "deploy" pipeline: the inverted index.
SELECT ddb.execute('Query', '{"TableName": "Pipelines", "IndexName": "inverted",
  "KeyConditionExpression": "sk = :p", "ExpressionAttributeValues": {":p": {"S": "PIPELINE#deploy"}}}') AS owner;

-- 6. A team's failed executions, newest first: the sparse index.
SELECT ddb.execute('Query', '{"TableName": "Pipelines", "IndexName": "failures",
  "KeyConditionExpression": "failed_team = :t", "ExpressionAttributeValues": {":t": {"S": "core"}},
  "ScanIndexForward": false}') AS failures;

-- 7. Record a failure of the running execution (optimistic locking on version).
SELECT ddb.execute('UpdateItem', '{"TableName": "Pipelines",
  "Key": {"pk": {"S": "PIPELINE#core#build"}, "sk": {"S": "EXEC#2026-11-03T10:00:00Z"}},
  "UpdateExpression": "SET #s = :failed, failed_team = :t, failed_at = :at, version = version + :one",
  "ConditionExpression": "version = :v",
  "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":failed": {"S": "FAILED"}, ":t": {"S": "core"}, ":at": {"S": "2026-11-03T10:03:00Z"},
                                ":one": {"N": "1"}, ":v": {"N": "1"}},
  "ReturnValues": "UPDATED_NEW"}') AS recorded;
-- The same update again loses: the version moved on.
SELECT ddb.execute('UpdateItem', '{"TableName": "Pipelines",
  "Key": {"pk": {"S": "PIPELINE#core#build"}, "sk": {"S": "EXEC#2026-11-03T10:00:00Z"}},
  "UpdateExpression": "SET #s = :failed", "ConditionExpression": "version = :v",
  "ExpressionAttributeNames": {"#s": "status"},
  "ExpressionAttributeValues": {":failed": {"S": "FAILED"}, ":v": {"N": "1"}}}');

-- 8. Start an execution and count it on its pipeline, all or nothing.
SELECT ddb.execute('TransactWriteItems', '{"TransactItems": [
  {"Put": {"TableName": "Pipelines",
           "Item": {"pk": {"S": "PIPELINE#core#build"}, "sk": {"S": "EXEC#2026-11-04T10:00:00Z"}, "status": {"S": "RUNNING"}, "version": {"N": "1"}},
           "ConditionExpression": "attribute_not_exists(sk)"}},
  {"Update": {"TableName": "Pipelines", "Key": {"pk": {"S": "TEAM#core"}, "sk": {"S": "PIPELINE#build"}},
              "UpdateExpression": "ADD runs :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}') AS started;
-- Starting the same execution twice cancels the whole transaction.
SELECT ddb.execute('TransactWriteItems', '{"TransactItems": [
  {"Put": {"TableName": "Pipelines",
           "Item": {"pk": {"S": "PIPELINE#core#build"}, "sk": {"S": "EXEC#2026-11-04T10:00:00Z"}, "status": {"S": "RUNNING"}, "version": {"N": "1"}},
           "ConditionExpression": "attribute_not_exists(sk)"}},
  {"Update": {"TableName": "Pipelines", "Key": {"pk": {"S": "TEAM#core"}, "sk": {"S": "PIPELINE#build"}},
              "UpdateExpression": "ADD runs :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}');

-- 9. Mark the older failure fixed: it leaves the sparse index.
SELECT ddb.execute('UpdateItem', '{"TableName": "Pipelines",
  "Key": {"pk": {"S": "PIPELINE#core#build"}, "sk": {"S": "EXEC#2026-11-02T10:00:00Z"}},
  "UpdateExpression": "SET #s = :fixed REMOVE failed_team, failed_at",
  "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":fixed": {"S": "FIXED"}}}') AS fixed;
SELECT ddb.execute('Query', '{"TableName": "Pipelines", "IndexName": "failures",
  "KeyConditionExpression": "failed_team = :t", "ExpressionAttributeValues": {":t": {"S": "core"}},
  "ScanIndexForward": false, "Select": "COUNT"}') AS failures_left;
SELECT ddb.execute('GetItem', '{"TableName": "Pipelines",
  "Key": {"pk": {"S": "TEAM#core"}, "sk": {"S": "PIPELINE#build"}}, "ProjectionExpression": "runs"}') AS runs;
