#!/usr/bin/env bash
#
# bench/ttl.sh -- TTL expiry at scale: how fast the background worker
# deletes a million expired items, and how long a concurrent writer waits.
#
#     sudo bash bench/ttl.sh
#
# As root: builds the checkout into a private copy of the PostgreSQL
# installation under a scratch directory (nothing is installed into the
# system), starts a throw-away cluster there as postgres (Unix socket only,
# ddb_emul preloaded), and:
#
#   1. loads table "Bench" (S key id, an N attribute exp, ~100-byte payload)
#      with BENCH_EXPIRED items whose exp lies in the past and BENCH_LIVE
#      whose exp lies in the future (plain INSERTs into the item table);
#   2. PutItem throughput on a table with and without a TTL index (what
#      the index costs every write);
#   3. measures UpdateTimeToLive, which builds the TTL index (and blocks
#      writers of the table meanwhile), with the worker's sweeps held off
#      (ddb_emul.ttl_interval = 1h);
#   4. measures one sweep with nothing to delete (ddb.ttl_sweep_now() on a
#      copy of the table whose items all lie in the future), with and
#      without the TTL index;
#   5. runs pgbench writers (BENCH_CLIENTS clients, UpdateItem on random
#      keys, half of them among the expired items) for BENCH_BASELINE
#      seconds without expiry, then starts expiry (ttl_interval = 1 s,
#      reload) and keeps writing until every expired item is gone: the
#      deletion rate, and the writers' throughput, 99th percentile and
#      worst latency with and without the sweep running.
#
# Environment: BENCH_EXPIRED (1000000), BENCH_LIVE (100000), BENCH_CLIENTS
# (4), BENCH_BASELINE (10 s), BENCH_BATCH (ddb_emul.ttl_batch_size, 1000),
# BENCH_DIR (scratch directory, default a new /tmp/ddb_emul_bench_ttl.*),
# BENCH_KEEP=1 (keep it), PG_CONFIG.
#
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
EXPIRED=${BENCH_EXPIRED:-1000000}
LIVE=${BENCH_LIVE:-100000}
CLIENTS=${BENCH_CLIENTS:-4}
BASELINE=${BENCH_BASELINE:-10}
BATCH=${BENCH_BATCH:-1000}
LOCKWAIT_MS=20
W=${BENCH_DIR:-$(mktemp -d /tmp/ddb_emul_bench_ttl.XXXXXX)}
PORT=5496
SOCK="$W/sock"
DATA="$W/data"

[ "$(id -u)" = 0 ] || { echo "run as root (sudo)"; exit 1; }

log() { echo "==> $*"; }
as_pg() { (cd "$W" && runuser -u postgres -- "$@"); }
q() { as_pg "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d bench -c "$1"; }
now_ms() { date +%s%3N; }

cleanup() {
	[ -f "$DATA/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
	if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$W"; else echo "kept $W"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
log "build and private installation in $W"
mkdir -p "$W"
sysbin=$("$PG_CONFIG" --bindir)
syslib=$("$PG_CONFIG" --pkglibdir)
sysshare=$("$PG_CONFIG" --sharedir)
inst="$W/inst"
mkdir -p "$inst$(dirname "$sysbin")" "$inst$(dirname "$syslib")" "$inst$(dirname "$sysshare")"
cp -a "$sysbin" "$inst$sysbin"
cp -as "$syslib" "$inst$(dirname "$syslib")/"
cp -as "$sysshare" "$inst$(dirname "$sysshare")/"
(cd "$inst" && find . -type l -path '*ddb_emul*' -delete)
mkdir -p "$W/src"
(cd "$SRC" && tar --exclude=.git -cf - .) | (cd "$W/src" && tar -xf -)
(cd "$W/src" && make -s clean >/dev/null 2>&1 || true; make -s PG_CONFIG="$PG_CONFIG" >/dev/null &&
	make -s install DESTDIR="$inst" PG_CONFIG="$PG_CONFIG" >/dev/null)
BIN="$inst$sysbin"
chown -R postgres: "$W"

log "cluster"
as_pg mkdir -p "$SOCK"
as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --no-locale -E UTF8 >/dev/null
plugins=$(as_pg "$BIN/postgres" -D "$DATA" -C output_plugin_libraries 2>/dev/null || true)
cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$SOCK'
port = $PORT
shared_preload_libraries = 'ddb_emul'
wal_level = logical
max_replication_slots = 4
shared_buffers = 1GB
max_wal_size = 8GB
checkpoint_timeout = 30min
log_lock_waits = on
deadlock_timeout = ${LOCKWAIT_MS}ms
ddb_emul.ttl_interval = 3600
ddb_emul.ttl_batch_size = $BATCH
EOF
[ -n "$plugins" ] && echo "output_plugin_libraries = '$plugins, ddb_emul'" >>"$DATA/postgresql.conf"
as_pg "$BIN/pg_ctl" -D "$DATA" -l "$W/server.log" -w start >/dev/null
as_pg "$BIN/createdb" -h "$SOCK" -p "$PORT" -U postgres bench
q "CREATE EXTENSION ddb_emul"

create() {
	q "SELECT ddb.create_table('{\"TableName\": \"$1\", \"BillingMode\": \"PAY_PER_REQUEST\",
		\"AttributeDefinitions\": [{\"AttributeName\": \"id\", \"AttributeType\": \"S\"}],
		\"KeySchema\": [{\"AttributeName\": \"id\", \"KeyType\": \"HASH\"}]}')" >/dev/null
}
enable() {
	q "SELECT ddb.update_time_to_live('{\"TableName\": \"$1\",
		\"TimeToLiveSpecification\": {\"AttributeName\": \"exp\", \"Enabled\": true}}')" >/dev/null
}

# ---------------------------------------------------------------------------
log "1. loading $EXPIRED expired and $LIVE live items"
create Bench
t0=$(now_ms)
q "INSERT INTO ddb_data.\"Bench\" (pk, item, size)
   SELECT ddb.encode_key(jsonb_build_object('S', 'k' || g)), i, 120
     FROM generate_series(1, $EXPIRED + $LIVE) g,
          LATERAL (SELECT jsonb_build_object('id', jsonb_build_object('S', 'k' || g),
             'exp', jsonb_build_object('N', (extract(epoch FROM now())::bigint
                    + CASE WHEN g <= $EXPIRED THEN -86400 + g % 3600 ELSE 86400 END)::text),
             'v', jsonb_build_object('N', '0'),
             'payload', jsonb_build_object('S', repeat('x', 100))) AS i) x"
q "VACUUM ANALYZE ddb_data.\"Bench\""
load_s=$(( ($(now_ms) - t0) / 1000 ))
table_mb=$(q "SELECT pg_total_relation_size('ddb_data.\"Bench\"') / 1048576")

# ---------------------------------------------------------------------------
log "2. PutItem with and without a TTL index (one session, 3 x 20000 each, alternating)"
create Plain
create Timed
enable Timed
q "CREATE FUNCTION bench_puts(t text, n int, base int) RETURNS numeric LANGUAGE plpgsql AS \$\$
DECLARE ts timestamptz := clock_timestamp();
BEGIN
  FOR r IN base + 1 .. base + n LOOP
    PERFORM ddb.put_item(jsonb_build_object('TableName', t, 'Item', jsonb_build_object(
      'id', jsonb_build_object('S', 'p' || r), 'exp', jsonb_build_object('N', (2000000000 + r)::text),
      'payload', jsonb_build_object('S', repeat('x', 100)))));
  END LOOP;
  RETURN round(n / extract(epoch FROM clock_timestamp() - ts));
END \$\$"
plain_tps="" timed_tps=""
for i in 0 1 2; do
	plain_tps="$plain_tps $(q "SELECT bench_puts('Plain', 20000, $i * 20000)")"
	timed_tps="$timed_tps $(q "SELECT bench_puts('Timed', 20000, $i * 20000)")"
done
q "SELECT ddb.delete_table('{\"TableName\": \"Plain\"}'), ddb.delete_table('{\"TableName\": \"Timed\"}')" >/dev/null
q "CHECKPOINT"

log "3. UpdateTimeToLive (builds the TTL index)"
t0=$(now_ms)
enable Bench
enable_ms=$(( $(now_ms) - t0 ))
index_mb=$(q "SELECT pg_relation_size('ddb_data.\"Bench#ttl\"') / 1048576")

log "4. a sweep with nothing to delete"
create Idle
q "INSERT INTO ddb_data.\"Idle\" (pk, item, size) SELECT pk, jsonb_set(item, '{exp,N}',
	to_jsonb((extract(epoch FROM now())::bigint + 86400)::text)), size FROM ddb_data.\"Bench\""
q "VACUUM ANALYZE ddb_data.\"Idle\""
q "CREATE FUNCTION bench_time_sweep() RETURNS numeric LANGUAGE plpgsql AS \$\$
DECLARE t timestamptz := clock_timestamp();
BEGIN
  PERFORM ddb.ttl_sweep_now();
  RETURN round(1000 * extract(epoch FROM clock_timestamp() - t), 1);
END \$\$"
time_sweep() {
	q "SELECT bench_time_sweep()"
}
# Bench (a million expired items) sits this out
q "UPDATE ddb.tables SET ttl_status = 'DISABLED' WHERE table_name = 'Bench'"
q "UPDATE ddb.tables SET ttl_attribute = 'exp', ttl_status = 'ENABLED' WHERE table_name = 'Idle'"
idle_noindex_ms=$(time_sweep)
q "UPDATE ddb.tables SET ttl_attribute = NULL, ttl_status = 'DISABLED' WHERE table_name = 'Idle'"
enable Idle
idle_index_ms=$(time_sweep)
q "SELECT ddb.delete_table('{\"TableName\": \"Idle\"}')" >/dev/null
q "UPDATE ddb.tables SET ttl_status = 'ENABLED' WHERE table_name = 'Bench'"
# ---------------------------------------------------------------------------
# The writers' statement (a function: pgbench would take :names for its own)
q "CREATE FUNCTION bench_update(k text) RETURNS jsonb LANGUAGE sql AS \$\$
  SELECT ddb.update_item(jsonb_build_object('TableName', 'Bench',
    'Key', jsonb_build_object('id', jsonb_build_object('S', k)),
    'UpdateExpression', 'SET v = if_not_exists(v, :zero) + :one',
    'ExpressionAttributeValues', '{\":one\": {\"N\": \"1\"}, \":zero\": {\"N\": \"0\"}}'::jsonb)) \$\$"
cat >"$W/update.sql" <<EOF
\set e random(1, $EXPIRED)
\set l random($((EXPIRED + 1)), $((EXPIRED + LIVE)))
\set c random(0, 1)
SELECT bench_update('k' || CASE WHEN :c = 0 THEN :e ELSE :l END);
EOF
chown postgres: "$W/update.sql"
# pgbench_run NAME SECONDS: writers for SECONDS; per-transaction log in $W/NAME.*
pgbench_run() {
	as_pg "$BIN/pgbench" -n -h "$SOCK" -p "$PORT" -U postgres -c "$CLIENTS" -j "$CLIENTS" \
		-T "$2" -M prepared -f "$W/update.sql" -l --log-prefix="$W/$1" bench >"$W/$1.out" 2>&1 ||
		{ cat "$W/$1.out"; exit 1; }
}
# stats PREFIX: "transactions max_ms p99_ms" from the pgbench logs
stats() {
	cat "$W"/$1.[0-9]* | awk '{ print $3 }' | sort -n |
		awk '{ a[NR] = $1 } END { printf "%d %.1f %.1f\n", NR, a[NR] / 1000, a[int(NR * 0.99)] / 1000 }'
}

log "5a. writers without expiry ($BASELINE s)"
pgbench_run base "$BASELINE"
read -r base_n base_max base_p99 <<<"$(stats base)"

log "5b. writers while the worker deletes $EXPIRED expired items"
expired_left() {
	q "SELECT count(*) FROM ddb_data.\"Bench\" WHERE ddb.ttl_expiry(item, 'exp') <= extract(epoch FROM now())"
}
# writers in 5-second pgbench runs until the flag file appears
rm -f "$W/stop"
(
	i=0
	until [ -e "$W/stop" ]; do
		i=$((i + 1))
		pgbench_run "sweep_$i" 5
	done
) &
writers=$!
sleep 2
q "ALTER SYSTEM SET ddb_emul.ttl_interval = 1"
q "SELECT pg_reload_conf()" >/dev/null
t0=$(now_ms)
while :; do
	sleep 0.5
	[ "$(expired_left)" -eq 0 ] && break
	[ $(( $(now_ms) - t0 )) -lt 1200000 ] || { echo "the sweep did not finish in 20 minutes"; break; }
done
sweep_ms=$(( $(now_ms) - t0 ))
touch "$W/stop"
wait "$writers"
read -r sweep_n sweep_max sweep_p99 <<<"$(stats 'sweep_*')"
writers_s=$(cat "$W"/sweep_*.out | sed -n 's/^duration: \([0-9]*\) s/\1/p' | awk '{ s += $1 } END { print s }')
deleted=$(q "SELECT ttl_deleted FROM ddb.worker_status()")
lock_waits=$(grep -c 'still waiting for' "$W/server.log" || true)

# ---------------------------------------------------------------------------
cat <<EOF

TTL benchmark ($(nproc) CPUs, $(free -g | awk '/Mem/ {print $2}') GB, PostgreSQL $("$BIN/postgres" -V | awk '{print $3}'),
  shared_buffers 1GB, fsync on, ttl_batch_size $BATCH, $CLIENTS writer clients)

  table: $EXPIRED expired + $LIVE live items, $table_mb MB, loaded in ${load_s} s
  UpdateTimeToLive (TTL index build, writers blocked): ${enable_ms} ms, index $index_mb MB
  sweep with nothing expired ($((EXPIRED + LIVE)) items): ${idle_index_ms} ms with the TTL index, ${idle_noindex_ms} ms without
  expiry of $EXPIRED items by the worker: $((sweep_ms / 1000)) s, $(( EXPIRED * 1000 / (sweep_ms > 0 ? sweep_ms : 1) )) items/s (worker reports $deleted deleted)
  writers (UpdateItem, half on expired keys):
    without expiry: $(( base_n / BASELINE )) tx/s, p99 ${base_p99} ms, max ${base_max} ms
    during expiry:  $(( sweep_n / (writers_s > 0 ? writers_s : 1) )) tx/s, p99 ${sweep_p99} ms, max ${sweep_max} ms
  PutItem, one session (items/s, three runs each):$plain_tps without TTL,$timed_tps with the TTL index
  lock waits over $LOCKWAIT_MS ms logged during the run (log_lock_waits): $lock_waits

EOF
