#!/usr/bin/env bash
#
# test/extra/recvlogical.sh -- the ddb_emul output plugin over the
# replication protocol, with pg_recvlogical, against a cluster of its own:
#
#  1. records of API writes arrive as one JSON line each, in commit and
#     change order, with the settings' region, tableName, images and the TTL
#     marker; plugin option errors reach pg_recvlogical;
#  2. exactly once across a crash: while a writer commits puts one by one,
#     the postmaster is killed with SIGKILL; after crash recovery a new
#     pg_recvlogical continues from the slot.  Every committed change must
#     appear (no loss), nothing uncommitted may appear, and a change sent
#     again because the slot's confirmed position was older is the same
#     record (same SequenceNumber and eventID, so consumers drop it): the
#     distinct SequenceNumbers are exactly the committed changes.
#
# Runs from scripts/test.sh (extra step; see there for DDB_EMUL_WORK, BINDIR)
# as root; the cluster runs as postgres on a Unix socket in DDB_EMUL_WORK and
# is always stopped.  Bounded: about 20 s, at most 60 s.
#
set -uo pipefail

BINDIR=${BINDIR:-$(pg_config --bindir)}
WORK=${DDB_EMUL_WORK:?DDB_EMUL_WORK is not set}
DATA="$WORK/data"
SOCK="$WORK/sock"
LOG="$WORK/server.log"
PORT=5499					# only names the socket file in $SOCK
DB=ddb
SLOT=ddb_recv
OUT1="$WORK/records1.jsonl"	# before the crash
OUT2="$WORK/records2.jsonl"	# after it
RECV_PIDFILE="$WORK/recvlogical.pid"
DEADLINE=$((SECONDS + 60))

as_pg() {
	(cd "$WORK" && runuser -u postgres -- "$@")
}

# The cluster and pg_recvlogical go, whatever happens.
cleanup() {
	stop_recv
	if [ -f "$DATA/postmaster.pid" ]; then
		as_pg "$BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	if [ -f "$LOG" ]; then
		echo "---- tail of $LOG ----"
		tail -n 30 "$LOG"
	fi
	exit 1
}

check_time() {
	[ "$SECONDS" -lt "$DEADLINE" ] || fail "out of time (60 s)"
}

psql_q() {
	as_pg "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" \
		-U postgres -d "$DB" -c "$1"
}

pg_start() {
	as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 start >/dev/null
}

# start_recv FILE: pg_recvlogical in the background, writing to FILE.
start_recv() {
	as_pg sh -c 'echo $$ > "$1"; shift; exec "$@"' sh "$RECV_PIDFILE" \
		"$BINDIR/pg_recvlogical" -h "$SOCK" -p "$PORT" -U postgres -d "$DB" \
		-S "$SLOT" --start --no-loop -F 1 -s 1 -o include-table-name \
		-f "$1" >>"$WORK/recvlogical.log" 2>&1 &
	local i
	for i in $(seq 1 50); do
		[ -s "$RECV_PIDFILE" ] && return 0
		sleep 0.1
	done
	fail "pg_recvlogical did not start"
}

recv_running() {
	[ -s "$RECV_PIDFILE" ] && kill -0 "$(cat "$RECV_PIDFILE")" 2>/dev/null
}

stop_recv() {
	local i
	if recv_running; then
		kill -INT "$(cat "$RECV_PIDFILE")" 2>/dev/null
		for i in $(seq 1 50); do
			recv_running || break
			sleep 0.1
		done
		recv_running && kill -KILL "$(cat "$RECV_PIDFILE")" 2>/dev/null
	fi
	rm -f "$RECV_PIDFILE"
}

# lines FILE...: number of lines in the files (0 when missing).
lines() {
	cat "$@" 2>/dev/null | wc -l
}

# wait_for DESCRIPTION SECONDS COMMAND...: poll COMMAND until it succeeds.
wait_for() {
	local what="$1" secs="$2" end
	shift 2
	end=$((SECONDS + secs))
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		check_time
		sleep 0.2
	done
}

# event_keys FILE: "EVENT id" per record of table Events.
event_keys() {
	sed -nE 's/.*"eventName":"([A-Z]+)".*"Keys":\{"id":\{"S":"([^"]*)"\}\}.*/\1 \2/p' "$@"
}

# seqs: the SequenceNumbers of the records on stdin, one per line.
seqs() {
	sed -nE 's/.*"SequenceNumber":"([0-9]+)".*/\1/p'
}

# ---------------------------------------------------------------------------
# the cluster

echo "== cluster in $WORK"
as_pg mkdir -p "$SOCK" || fail "cannot create $SOCK"
as_pg "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --no-locale \
	--encoding=UTF8 --no-sync >"$WORK/initdb.log" 2>&1 || {
	cat "$WORK/initdb.log"
	fail "initdb failed"
}
cat >>"$DATA/postgresql.conf" <<EOF

# added by test/extra/recvlogical.sh
listen_addresses = ''
unix_socket_directories = '$SOCK'
port = $PORT
wal_level = logical
shared_preload_libraries = 'ddb_emul'
max_replication_slots = 4
max_wal_senders = 4
ddb_emul.region = 'eu-test-1'
log_line_prefix = '%m [%p] %q%a@%d '
EOF
# PostgreSQL builds with the output_plugin_libraries patch accept only the
# output plugins it lists.
plugins=$(as_pg "$BINDIR/postgres" -D "$DATA" -C output_plugin_libraries 2>/dev/null) &&
	echo "output_plugin_libraries = '${plugins:+$plugins, }ddb_emul'" >>"$DATA/postgresql.conf"
pg_start || fail "the server did not start"

as_pg "$BINDIR/createdb" -h "$SOCK" -p "$PORT" -U postgres "$DB" || fail "createdb failed"
psql_q "CREATE EXTENSION ddb_emul" || fail "CREATE EXTENSION failed"
psql_q "SELECT ddb.create_table('{\"TableName\": \"Events\", \"BillingMode\": \"PAY_PER_REQUEST\",
	\"AttributeDefinitions\": [{\"AttributeName\": \"id\", \"AttributeType\": \"S\"}],
	\"KeySchema\": [{\"AttributeName\": \"id\", \"KeyType\": \"HASH\"}],
	\"StreamSpecification\": {\"StreamEnabled\": true, \"StreamViewType\": \"NEW_AND_OLD_IMAGES\"}}')" >/dev/null ||
	fail "CreateTable Events failed"
psql_q "ALTER TABLE ddb_data.\"Events\" REPLICA IDENTITY FULL" || fail "ALTER TABLE failed"
psql_q "SELECT ddb.create_table('{\"TableName\": \"Quiet\", \"BillingMode\": \"PAY_PER_REQUEST\",
	\"AttributeDefinitions\": [{\"AttributeName\": \"id\", \"AttributeType\": \"S\"}],
	\"KeySchema\": [{\"AttributeName\": \"id\", \"KeyType\": \"HASH\"}]}')" >/dev/null ||
	fail "CreateTable Quiet failed"

as_pg "$BINDIR/pg_recvlogical" -h "$SOCK" -p "$PORT" -U postgres -d "$DB" \
	-S "$SLOT" --create-slot -P ddb_emul || fail "pg_recvlogical --create-slot failed"

# ---------------------------------------------------------------------------
# 1. records through pg_recvlogical

echo "== option errors reach pg_recvlogical"
err=$(timeout 20 runuser -u postgres -- "$BINDIR/pg_recvlogical" -h "$SOCK" -p "$PORT" \
	-U postgres -d "$DB" -S "$SLOT" --start --no-loop -f - -o format-version=2 2>&1) &&
	fail "format-version=2 was accepted"
echo "$err" | grep -q 'format-version 2 is not supported' ||
	fail "unexpected error for format-version=2: $err"
err=$(timeout 20 runuser -u postgres -- "$BINDIR/pg_recvlogical" -h "$SOCK" -p "$PORT" \
	-U postgres -d "$DB" -S "$SLOT" --start --no-loop -f - -o format-version 2>&1) &&
	fail "format-version without a value was accepted"
echo "$err" | grep -q 'option "format-version" requires a value' ||
	fail "unexpected error for format-version without value: $err"

echo "== records of API writes"
start_recv "$OUT1"
psql_q "SELECT ddb.put_item('{\"TableName\": \"Events\", \"Item\": {\"id\": {\"S\": \"a\"}, \"n\": {\"N\": \"1\"}}}')" >/dev/null &&
psql_q "SELECT ddb.update_item('{\"TableName\": \"Events\", \"Key\": {\"id\": {\"S\": \"a\"}},
	\"UpdateExpression\": \"SET n = :n\", \"ExpressionAttributeValues\": {\":n\": {\"N\": \"2\"}}}')" >/dev/null &&
psql_q "SELECT ddb.put_item('{\"TableName\": \"Events\", \"Item\": {\"id\": {\"S\": \"a\"}, \"n\": {\"N\": \"2\"}}}')" >/dev/null &&
psql_q "SELECT ddb.put_item('{\"TableName\": \"Quiet\", \"Item\": {\"id\": {\"S\": \"q\"}}}')" >/dev/null &&
psql_q "BEGIN;
	SELECT ddb.put_item('{\"TableName\": \"Events\", \"Item\": {\"id\": {\"S\": \"b\"}}}');
	SELECT ddb.put_item('{\"TableName\": \"Events\", \"Item\": {\"id\": {\"S\": \"c\"}}}');
	SELECT ddb.delete_item('{\"TableName\": \"Events\", \"Key\": {\"id\": {\"S\": \"b\"}}}');
	COMMIT" >/dev/null &&
psql_q "BEGIN;
	SELECT ddb.put_item('{\"TableName\": \"Events\", \"Item\": {\"id\": {\"S\": \"x\"}}}');
	ROLLBACK" >/dev/null &&
psql_q "BEGIN;
	SELECT pg_logical_emit_message(true, 'ddb_emul.ttl', '');
	SELECT ddb.delete_item('{\"TableName\": \"Events\", \"Key\": {\"id\": {\"S\": \"c\"}}}');
	COMMIT" >/dev/null &&
psql_q "SELECT ddb.delete_item('{\"TableName\": \"Events\", \"Key\": {\"id\": {\"S\": \"a\"}}}')" >/dev/null ||
	fail "writes failed"

expected="INSERT a
MODIFY a
INSERT b
INSERT c
REMOVE b
REMOVE c
REMOVE a"
have_seven() { [ "$(lines "$OUT1")" -ge 7 ]; }
wait_for "7 records" 15 have_seven || fail "expected 7 records, got $(lines "$OUT1"): $(cat "$OUT1")"
sleep 0.5					# nothing more may come
got=$(event_keys "$OUT1")
[ "$got" = "$expected" ] || fail "records differ; expected:
$expected
got:
$got
file:
$(cat "$OUT1")"
[ "$(lines "$OUT1")" -eq 7 ] || fail "more than 7 records: $(cat "$OUT1")"
[ "$(grep -c '"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}' "$OUT1")" -eq 1 ] ||
	fail "expected one TTL record"
sed -n 6p "$OUT1" | grep -q '"userIdentity"' || fail "the TTL delete is not marked"
sed -n 2p "$OUT1" | grep -q '"NewImage":{"n":{"N":"2"},"id":{"S":"a"}},"OldImage":{"n":{"N":"1"},"id":{"S":"a"}}' ||
	fail "MODIFY lacks its images: $(sed -n 2p "$OUT1")"
[ "$(grep -c '"awsRegion":"eu-test-1"' "$OUT1")" -eq 7 ] || fail "awsRegion is not the setting's"
[ "$(grep -c '"eventSourceARN":"arn:aws:dynamodb:eu-test-1:000000000000:table/Events/stream/[0-9T:.-]*","tableName":"Events"}$' "$OUT1")" -eq 7 ] ||
	fail "eventSourceARN or tableName wrong: $(head -n 1 "$OUT1")"
seqs <"$OUT1" | LC_ALL=C sort -C -u || fail "SequenceNumbers do not increase"
echo "ok: 7 records in order"

# ---------------------------------------------------------------------------
# 2. exactly once across a crash

echo "== crash while streaming"
N=400
: >"$WORK/writes.sql"
for i in $(seq 1 "$N"); do
	printf "SELECT ddb.put_item('{\"TableName\": \"Events\", \"Item\": {\"id\": {\"S\": \"c%04d\"}, \"n\": {\"N\": \"%d\"}}}');\nSELECT pg_sleep(0.01);\n" "$i" "$i"
done >"$WORK/writes.sql"
chown postgres: "$WORK/writes.sql"
base=$(lines "$OUT1")
as_pg "$BINDIR/psql" -X -q -h "$SOCK" -p "$PORT" -U postgres -d "$DB" \
	-f "$WORK/writes.sql" >"$WORK/writer.log" 2>&1 &
writer=$!
some_streamed() { [ "$(lines "$OUT1")" -ge $((base + 60)) ]; }
wait_for "60 streamed records" 20 some_streamed || fail "records do not arrive: $(lines "$OUT1")"
pm=$(head -n 1 "$DATA/postmaster.pid")
kill -KILL "$pm" || fail "cannot kill the postmaster $pm"
echo "killed postmaster $pm after $(($(lines "$OUT1") - base)) streamed records"
wait "$writer" 2>/dev/null
recv_gone() { ! recv_running; }
wait_for "pg_recvlogical to stop" 15 recv_gone || fail "pg_recvlogical survived the crash"
rm -f "$RECV_PIDFILE"

# children of the dead postmaster exit on their own; start when they have
started=0
for _ in $(seq 1 30); do
	if pg_start 2>/dev/null; then
		started=1
		break
	fi
	check_time
	sleep 0.5
done
[ "$started" = 1 ] || fail "the server did not restart"
echo "restarted after crash recovery"

start_recv "$OUT2"
for i in 1 2 3 4 5; do
	psql_q "SELECT ddb.put_item('{\"TableName\": \"Events\", \"Item\": {\"id\": {\"S\": \"after$i\"}}}')" >/dev/null ||
		fail "write after restart failed"
done
committed=$(psql_q "SELECT count(*) FROM ddb_data.\"Events\" WHERE item->'id'->>'S' LIKE 'c%'") ||
	fail "cannot count committed items"
[ "$committed" -gt 0 ] && [ "$committed" -lt "$N" ] ||
	echo "note: $committed of $N puts committed (the crash came late or early)"
psql_q "SELECT item->'id'->>'S' FROM ddb_data.\"Events\" WHERE item->'id'->>'S' LIKE 'c%' ORDER BY 1" \
	>"$WORK/committed.txt" || fail "cannot list committed items"

# c* records, deduplicated by SequenceNumber
crash_records() { grep -h '"Keys":{"id":{"S":"c[0-9]' "$OUT1" "$OUT2" 2>/dev/null; }
all_there() {
	[ "$(crash_records | seqs | sort -u | wc -l)" -ge "$committed" ] &&
		[ "$(grep -c '"Keys":{"id":{"S":"after' "$OUT2" 2>/dev/null)" -ge 5 ]
}
wait_for "every committed change" 20 all_there ||
	fail "missing records: $(crash_records | seqs | sort -u | wc -l) distinct of $committed committed"
sleep 0.5
stop_recv

distinct=$(crash_records | seqs | sort -u | wc -l)
[ "$distinct" -eq "$committed" ] ||
	fail "$distinct distinct SequenceNumbers for $committed committed changes"
event_keys "$OUT1" "$OUT2" | sed -n 's/^INSERT \(c[0-9][0-9]*\)$/\1/p' | sort -u >"$WORK/streamed.txt"
diff "$WORK/committed.txt" "$WORK/streamed.txt" >"$WORK/diff.txt" ||
	fail "streamed items differ from committed ones: $(cat "$WORK/diff.txt")"
# a record sent twice is the same line: deduplicated, one line per change
LC_ALL=C sort -u "$OUT1" "$OUT2" >"$WORK/dedup.jsonl"
[ "$(seqs <"$WORK/dedup.jsonl" | sort -u | wc -l)" -eq "$(lines "$WORK/dedup.jsonl")" ] ||
	fail "a change sent twice came with a different record (eventID, time or content)"
[ "$(lines "$WORK/dedup.jsonl")" -eq $((7 + committed + 5)) ] ||
	fail "$(lines "$WORK/dedup.jsonl") distinct records, expected $((7 + committed + 5))"
[ "$(event_keys "$WORK/dedup.jsonl" | grep -vc '^INSERT ')" -eq 4 ] ||
	fail "unexpected events: $(event_keys "$WORK/dedup.jsonl" | grep -v '^INSERT ')"
[ "$(grep -c '"Keys":{"id":{"S":"after' "$OUT2")" -eq 5 ] || fail "records after the restart repeated"
for f in "$OUT1" "$OUT2"; do
	seqs <"$f" | LC_ALL=C sort -C -u || fail "SequenceNumbers do not increase in $f"
done
echo "ok: $committed committed changes streamed exactly once after deduplication" \
	"($(($(lines "$OUT1" "$OUT2") - $(lines "$WORK/dedup.jsonl"))) records sent again after the crash, identical)"
exit 0
