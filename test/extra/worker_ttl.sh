#!/usr/bin/env bash
#
# test/extra/worker_ttl.sh -- the background worker's jobs, against a
# cluster of its own:
#
#  1. without shared_preload_libraries: no worker, UpdateTimeToLive warns,
#     ddb.worker_status() says so, ddb.ttl_sweep_now() still expires;
#  2. preloaded: the launcher and the database's worker are in
#     pg_stat_activity under their backend_type;
#  3. the worker itself expires items within the bound (ttl_interval 1 s):
#     expired ones go, the others stay, the stream REMOVE record is marked;
#  4. the streams pump runs: records reach ddb.stream_records without any
#     Streams action;
#  5. a SIGHUP reload changes the interval: with ttl_interval = 1h an
#     expired item stays, back to 1 s it goes.
#
# Runs from scripts/test.sh (extra step; see there for DDB_EMUL_WORK,
# BINDIR, DDB_EMUL_TEST_CONF) as root; the cluster runs as postgres on a
# Unix socket in DDB_EMUL_WORK and is always stopped.  About 15 s, at most
# 45 s.
#
set -uo pipefail

BINDIR=${BINDIR:-$(pg_config --bindir)}
WORK=${DDB_EMUL_WORK:?DDB_EMUL_WORK is not set}
DATA="$WORK/data"
SOCK="$WORK/sock"
LOG="$WORK/server.log"
PORT=5498					# only names the socket file in $SOCK
DB=ddb
TIME_LIMIT=45
# shellcheck source=../lib/cluster.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"

# q SQL [DB]: one statement, unaligned tuples only
q() {
	as_pg "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" \
		-U postgres -d "${2:-$DB}" -c "$1"
}

pg_stop() {
	as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null
}

# put TABLE ID SECONDS_FROM_NOW: an item whose "exp" is now + SECONDS
put() {
	q "SELECT ddb.put_item(jsonb_build_object('TableName', '$1', 'Item', jsonb_build_object(
		'id', jsonb_build_object('S', '$2'),
		'exp', jsonb_build_object('N', (floor(extract(epoch FROM now())) + $3)::text))))" >/dev/null
}

# ids TABLE: the ids of its items, sorted, space-separated
ids() {
	q "SELECT coalesce(string_agg(item->'id'->>'S', ' ' ORDER BY item->'id'->>'S'), '')
		FROM ddb_data.\"$1\""
}

create_table() {
	q "SELECT ddb.create_table('{\"TableName\": \"$1\", \"BillingMode\": \"PAY_PER_REQUEST\",
		\"AttributeDefinitions\": [{\"AttributeName\": \"id\", \"AttributeType\": \"S\"}],
		\"KeySchema\": [{\"AttributeName\": \"id\", \"KeyType\": \"HASH\"}]$2}')" >/dev/null
}

enable_ttl() {
	q "SELECT ddb.update_time_to_live('{\"TableName\": \"$1\",
		\"TimeToLiveSpecification\": {\"AttributeName\": \"exp\", \"Enabled\": true}}')" 2>&1
}

# ---------------------------------------------------------------------------
echo "== cluster in $WORK"
as_pg mkdir -p "$SOCK" || fail "cannot create $SOCK"
as_pg "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --no-locale \
	--encoding=UTF8 --no-sync >"$WORK/initdb.log" 2>&1 || {
	cat "$WORK/initdb.log"
	fail "initdb failed"
}
{
	echo
	echo "# added by test/extra/worker_ttl.sh"
	echo "listen_addresses = ''"
	echo "unix_socket_directories = '$SOCK'"
	echo "port = $PORT"
	echo "include = '$WORK/test.conf'"
	echo "include = '$WORK/preload.conf'"
} >>"$DATA/postgresql.conf"
# the suite's settings, minus the preload (step 1 runs without it)
grep -v '^shared_preload_libraries' "${DDB_EMUL_TEST_CONF:?}" >"$WORK/test.conf"
cat >>"$WORK/test.conf" <<EOF
ddb_emul.ttl_interval = 1
ddb_emul.worker_naptime = 100
ddb_emul.launcher_naptime = 1
EOF
: >"$WORK/preload.conf"
chown postgres: "$WORK/test.conf" "$WORK/preload.conf"

# ---------------------------------------------------------------------------
echo "== 1. without shared_preload_libraries"
pg_start || fail "the server did not start"
as_pg "$BINDIR/createdb" -h "$SOCK" -p "$PORT" -U postgres "$DB" || fail "createdb failed"
q "CREATE EXTENSION ddb_emul" || fail "CREATE EXTENSION failed"
create_table Plain "" || fail "CreateTable Plain failed"
out=$(enable_ttl Plain) || fail "UpdateTimeToLive failed without the worker: $out"
echo "$out" | grep -q 'WARNING:  the ddb_emul background worker is not running in this database' ||
	fail "no WARNING without the worker: $out"
echo "$out" | grep -q '"TimeToLiveSpecification"' || fail "UpdateTimeToLive answered: $out"
[ "$(q "SELECT state FROM ddb.worker_status()")" = "not loaded" ] ||
	fail "worker_status: $(q "SELECT * FROM ddb.worker_status()")"
put Plain gone -10 && put Plain kept 3600 || fail "PutItem failed"
[ "$(q "SELECT ddb.ttl_sweep_now()")" = 1 ] || fail "ttl_sweep_now did not delete one item"
[ "$(ids Plain)" = kept ] || fail "Plain holds: $(ids Plain)"
pg_stop || fail "the server did not stop"
echo "ok: without the worker"

# ---------------------------------------------------------------------------
echo "== 2. preloaded: launcher and worker"
echo "shared_preload_libraries = 'ddb_emul'" >"$WORK/preload.conf"
pg_start || fail "the server did not start with ddb_emul preloaded"
worker_up() {
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'ddb_emul worker' AND datname = '$DB'")" = 1 ]
}
wait_for 10 worker_up || fail "no ddb_emul worker for $DB: $(q "SELECT backend_type, datname FROM pg_stat_activity")"
[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'ddb_emul launcher' AND datname IS NULL")" = 1 ] ||
	fail "no ddb_emul launcher in pg_stat_activity"
[ "$(q "SELECT state FROM ddb.worker_status()")" = running ] ||
	fail "worker_status: $(q "SELECT * FROM ddb.worker_status()")"
[ "$(q "SELECT pid FROM ddb.worker_status()")" = \
	"$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'ddb_emul worker' AND datname = '$DB'")" ] ||
	fail "worker_status pid is not the worker's"
# a database without the extension gets no lasting worker
[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'ddb_emul worker' AND datname = 'postgres'")" = 0 ] ||
	fail "a worker stays in database postgres"
echo "ok: launcher and worker in pg_stat_activity"

# ---------------------------------------------------------------------------
echo "== 3. the worker expires items"
create_table Carts ', "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}' ||
	fail "CreateTable Carts failed"
out=$(enable_ttl Carts) || fail "UpdateTimeToLive failed: $out"
echo "$out" | grep -q WARNING && fail "WARNING with the worker running: $out"
t0=$SECONDS
for i in 1 2 3 4 5; do put Carts "old$i" "-$i" || fail "PutItem failed"; done
put Carts future 3600 && put Carts soon 2 || fail "PutItem failed"
q "SELECT ddb.put_item('{\"TableName\": \"Carts\", \"Item\": {\"id\": {\"S\": \"string\"}, \"exp\": {\"S\": \"1\"}}}')" >/dev/null ||
	fail "PutItem failed"
expired() { [ "$(ids Carts)" = "future string" ]; }
wait_for 15 expired || fail "items did not expire: $(ids Carts)"
echo "ok: expired within $((SECONDS - t0)) s (ttl_interval 1 s)"
[ "$(q "SELECT ttl_deleted >= 6 AND last_ttl_sweep IS NOT NULL FROM ddb.worker_status()")" = t ] ||
	fail "worker_status: $(q "SELECT * FROM ddb.worker_status()")"

# ---------------------------------------------------------------------------
echo "== 4. the streams pump"
# No Streams action is called: only the worker moves records to the table.
pumped() {
	[ "$(q "SELECT count(*) FROM ddb.stream_records WHERE record->>'eventName' = 'REMOVE'
		AND record->'userIdentity'->>'principalId' = 'dynamodb.amazonaws.com'")" = 6 ]
}
wait_for 10 pumped || fail "TTL REMOVE records not pumped: $(q "SELECT record->>'eventName', record->'userIdentity' FROM ddb.stream_records")"
[ "$(q "SELECT count(*) FROM ddb.stream_records WHERE record->>'eventName' = 'INSERT'")" = 8 ] ||
	fail "INSERT records: $(q "SELECT count(*) FROM ddb.stream_records WHERE record->>'eventName' = 'INSERT'")"
lag=$(q "SELECT pg_current_wal_lsn() - confirmed_flush_lsn < 10000000 FROM pg_replication_slots WHERE slot_name LIKE 'ddb_emul_streams_%'")
[ "$lag" = t ] || fail "the streams slot is not advanced: $lag"
echo "ok: stream records pumped by the worker"

# ---------------------------------------------------------------------------
echo "== 5. SIGHUP changes the interval"
q "ALTER SYSTEM SET ddb_emul.ttl_interval = '1h'" && q "SELECT pg_reload_conf()" >/dev/null ||
	fail "reload failed"
sleep 1.5					# a sweep under way may still finish
put Carts later -1 || fail "PutItem failed"
sleep 3
[ "$(ids Carts)" = "future later string" ] || fail "expired with ttl_interval = 1h: $(ids Carts)"
q "ALTER SYSTEM SET ddb_emul.ttl_interval = 1" && q "SELECT pg_reload_conf()" >/dev/null ||
	fail "reload failed"
wait_for 10 expired || fail "not expired after the reload: $(ids Carts)"
echo "ok: reload took effect"

pg_stop || fail "the server did not stop cleanly"
grep -q 'terminated by signal' "$LOG" && fail "a process crashed"
echo "ok: clean shutdown"
exit 0
