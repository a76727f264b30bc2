#!/usr/bin/env bash
#
# test/extra/worker_launcher.sh -- the launcher, against a cluster of its
# own (ddb_emul preloaded, launcher_naptime and ttl_interval 1 s):
#
#  1. a database created after start gets a worker once CREATE EXTENSION
#     commits there; DROP EXTENSION makes it go;
#  2. trouble in one database stays there: a table whose item table was
#     altered behind ddb_emul's back (column item renamed) makes every TTL
#     sweep of its database fail on it, yet the other tables of that
#     database and the other database keep expiring; the error shows in
#     ddb.worker_status();
#  3. a worker that dies (pg_terminate_backend) is started again;
#  4. DROP DATABASE (without FORCE) and ALTER DATABASE RENAME do not wait
#     for the worker, CREATE DATABASE ... TEMPLATE neither, and the dropped
#     database is forgotten;
#  5. after kill -9 of the postmaster and a restart, the launcher and the
#     workers are back and expire items.
#
# Runs from scripts/test.sh (extra step) as root; the cluster runs as
# postgres on a Unix socket in DDB_EMUL_WORK and is always stopped.  About
# 25 s, at most 60 s.
#
set -uo pipefail

BINDIR=${BINDIR:-$(pg_config --bindir)}
WORK=${DDB_EMUL_WORK:?DDB_EMUL_WORK is not set}
DATA="$WORK/data"
SOCK="$WORK/sock"
LOG="$WORK/server.log"
PORT=5497					# only names the socket file in $SOCK
TIME_LIMIT=60
# shellcheck source=../lib/cluster.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/cluster.sh"

# q DB SQL: one statement, unaligned tuples only
q() {
	as_pg "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" \
		-U postgres -d "$1" -c "$2"
}

# workers DB: the pids of ddb_emul workers connected to DB
workers() {
	q postgres "SELECT coalesce(string_agg(pid::text, ' '), '') FROM pg_stat_activity
		WHERE backend_type = 'ddb_emul worker' AND datname = '$1'"
}
has_worker() { [ -n "$(workers "$1")" ]; }
no_worker() { [ -z "$(workers "$1")" ]; }

# setup DB: the extension and table Live with TTL on "exp"
setup() {
	q postgres "CREATE DATABASE $1" || fail "CREATE DATABASE $1 failed"
	q "$1" "CREATE EXTENSION ddb_emul" || fail "CREATE EXTENSION in $1 failed"
	create_ttl_table "$1" Live
}

create_ttl_table() {
	q "$1" "SELECT ddb.create_table('{\"TableName\": \"$2\", \"BillingMode\": \"PAY_PER_REQUEST\",
		\"AttributeDefinitions\": [{\"AttributeName\": \"id\", \"AttributeType\": \"S\"}],
		\"KeySchema\": [{\"AttributeName\": \"id\", \"KeyType\": \"HASH\"}]}')" >/dev/null &&
	q "$1" "SELECT ddb.update_time_to_live('{\"TableName\": \"$2\",
		\"TimeToLiveSpecification\": {\"AttributeName\": \"exp\", \"Enabled\": true}}')" >/dev/null ||
		fail "table $2 in $1 failed"
}

# put DB TABLE ID SECONDS_FROM_NOW
put() {
	q "$1" "SELECT ddb.put_item(jsonb_build_object('TableName', '$2', 'Item', jsonb_build_object(
		'id', jsonb_build_object('S', '$3'),
		'exp', jsonb_build_object('N', (floor(extract(epoch FROM now())) + $4)::text))))" >/dev/null ||
		fail "PutItem into $1.$2 failed"
}

# count DB TABLE
count() {
	q "$1" "SELECT count(*) FROM ddb_data.\"$2\""
}

# expires DB TABLE: put an expired item and wait until the worker took it
expires() {
	local id="x$RANDOM"
	put "$1" "$2" "$id" -1
	gone() { [ "$(q "$1" "SELECT count(*) FROM ddb_data.\"$2\" WHERE item->'id'->>'S' = '$3'")" = 0 ]; }
	wait_for 10 gone "$1" "$2" "$id"
}

# ---------------------------------------------------------------------------
echo "== cluster in $WORK"
as_pg mkdir -p "$SOCK" || fail "cannot create $SOCK"
as_pg "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --no-locale \
	--encoding=UTF8 --no-sync >"$WORK/initdb.log" 2>&1 || {
	cat "$WORK/initdb.log"
	fail "initdb failed"
}
cat "${DDB_EMUL_TEST_CONF:?}" >>"$DATA/postgresql.conf"
cat >>"$DATA/postgresql.conf" <<EOF

# added by test/extra/worker_launcher.sh
listen_addresses = ''
unix_socket_directories = '$SOCK'
port = $PORT
shared_preload_libraries = 'ddb_emul'
ddb_emul.ttl_interval = 1
ddb_emul.worker_naptime = 100
ddb_emul.launcher_naptime = 1
EOF
pg_start || fail "the server did not start"
launcher=$(q postgres "SELECT pid FROM pg_stat_activity WHERE backend_type = 'ddb_emul launcher'")
[ -n "$launcher" ] || fail "no launcher"

# ---------------------------------------------------------------------------
echo "== 1. a database created after start"
q postgres "CREATE DATABASE late" || fail "CREATE DATABASE failed"
sleep 1.5
no_worker late || fail "a worker stays in a database without the extension"
q late "CREATE EXTENSION ddb_emul" || fail "CREATE EXTENSION failed"
wait_for 5 has_worker late || fail "no worker after CREATE EXTENSION"
q late "DROP EXTENSION ddb_emul CASCADE" || fail "DROP EXTENSION failed"
wait_for 5 no_worker late || fail "the worker stays after DROP EXTENSION"
q late "CREATE EXTENSION ddb_emul" || fail "CREATE EXTENSION again failed"
wait_for 5 has_worker late || fail "no worker after CREATE EXTENSION again"
create_ttl_table late Live
expires late Live || fail "no expiry in database late"
echo "ok: worker follows CREATE / DROP EXTENSION"

# ---------------------------------------------------------------------------
echo "== 2. errors stay in their database"
setup good
create_ttl_table late Abroken			# swept first: name order
create_ttl_table late Zlater			# swept after the broken table
q late "ALTER TABLE ddb_data.\"Abroken\" RENAME COLUMN item TO stuff" || fail "ALTER TABLE failed"
expires late Zlater || fail "a broken table stops the tables after it"
expires good Live || fail "a broken table in another database stops expiry here"
q late "SELECT errors > 0 AND last_error LIKE '%column \"item\" does not exist%' FROM ddb.worker_status()" | grep -qx t ||
	fail "the error is not reported: $(q late "SELECT * FROM ddb.worker_status()")"
grep -q 'ddb_emul: TTL expiry' "$LOG" || fail "the error's log entry names no job"
has_worker late || fail "the worker of database late died"
echo "ok: $(q late "SELECT errors FROM ddb.worker_status()") failed sweeps in late, expiry goes on"

# ---------------------------------------------------------------------------
echo "== 3. a worker that dies is started again"
old=$(workers good)
q postgres "SELECT pg_terminate_backend($old)" >/dev/null || fail "pg_terminate_backend failed"
restarted() { local w; w=$(workers good); [ -n "$w" ] && [ "$w" != "$old" ]; }
wait_for 10 restarted || fail "the worker of good did not come back"
expires good Live || fail "no expiry after the restart"
echo "ok: worker $old replaced by $(workers good)"

# ---------------------------------------------------------------------------
echo "== 4. DROP / RENAME / TEMPLATE do not wait for the worker"
t0=$SECONDS
q postgres "ALTER DATABASE late RENAME TO renamed" || fail "ALTER DATABASE RENAME failed"
wait_for 10 has_worker renamed || fail "no worker after the rename"
q postgres "CREATE DATABASE cloned TEMPLATE renamed" || fail "CREATE DATABASE TEMPLATE failed"
wait_for 10 has_worker cloned || fail "no worker in the cloned (it has the extension)"
wait_for 10 has_worker renamed || fail "no worker in the template after the cloned"
expires cloned Zlater || fail "no expiry in the cloned"
q postgres "DROP DATABASE renamed" || fail "DROP DATABASE failed"
[ $((SECONDS - t0)) -lt 15 ] || fail "the database commands took $((SECONDS - t0)) s"
sleep 1.5
[ "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'ddb_emul worker' AND datname IS NULL")" = 0 ] ||
	fail "a worker without database"
[ "$(q postgres "SELECT pid FROM pg_stat_activity WHERE backend_type = 'ddb_emul launcher'")" = "$launcher" ] ||
	fail "the launcher changed"
grep -q 'database "renamed" is being accessed' "$LOG" && fail "DROP DATABASE waited for a session"
expires good Live || fail "no expiry in good after the drop"
echo "ok: in $((SECONDS - t0)) s"

# ---------------------------------------------------------------------------
echo "== 5. kill -9 of the postmaster"
put good Live doomed -1
pm=$(head -n 1 "$DATA/postmaster.pid")
kill -KILL "$pm" || fail "cannot kill the postmaster"
started=0
for _ in $(seq 1 40); do
	if pg_start 2>/dev/null; then
		started=1
		break
	fi
	check_time
	sleep 0.5
done
[ "$started" = 1 ] || fail "the server did not restart"
wait_for 10 has_worker good || fail "no worker in good after the restart"
wait_for 10 has_worker cloned || fail "no worker in cloned after the restart"
[ -n "$(q postgres "SELECT pid FROM pg_stat_activity WHERE backend_type = 'ddb_emul launcher'")" ] ||
	fail "no launcher after the restart"
gone() { [ "$(q good "SELECT count(*) FROM ddb_data.\"Live\" WHERE item->'id'->>'S' = 'doomed'")" = 0 ]; }
wait_for 10 gone || fail "the item put before the crash did not expire"
expires cloned Zlater || fail "no expiry in cloned after the restart"
echo "ok: back after the crash"

as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null || fail "the server did not stop"
exit 0
