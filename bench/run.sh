#!/usr/bin/env bash
#
# bench/run.sh -- pgbench benchmarks of ddb_emul against hand-written SQL.
#
#     sudo bash bench/run.sh
#
# For each of GetItem, PutItem, UpdateItem (with a condition), Query (10
# items), Query on a GSI (10 items of one index partition) and
# BatchWriteItem (25 puts) it runs a pgbench workload through the
# ddb_emul API and one through hand-written SQL doing the same work on the
# same physical table, in the same cluster, on the same data, and writes
# bench/RESULTS.md: throughput, latency, CPU time and instructions per
# operation, the ratios ddb_emul / hand SQL against the targets, profiles of
# the missed targets, the exact commands and scripts, and the machine.
#
# What it does, as root:
#   1. builds the extension from a clean copy of the checkout (working tree,
#      uncommitted changes included) and installs it into a private copy of
#      the PostgreSQL installation under the scratch directory (nothing is
#      installed into the system; the dev server on 5433 is not used);
#   2. starts a throw-away cluster there as the postgres user on a free port
#      (Unix socket only) with the settings below, in a cgroup of its own
#      (v1 cpuacct) so its CPU time can be measured; pgbench gets another;
#   3. creates DynamoDB table "bench" (S partition key pk, S sort key sk)
#      and loads it through ddb.put_item with BENCH_PARTITIONS x 25 items of
#      about 200 bytes;
#   4. calls each operation once: one that still raises "not implemented"
#      is reported as such and skipped;
#   5. checks that each hand-written statement leaves exactly the rows the
#      API call leaves (item and size) and reads what the API reads;
#   6. runs every workload pair BENCH_REPS times, alternating ddb_emul and
#      hand SQL, BENCH_SECONDS each, with pgbench -M prepared, VACUUM before
#      each run;
#   7. for every operation that misses its target, profiles both sides with
#      perf (if installed): functions by time per operation;
#   8. restarts the server under valgrind --tool=callgrind (if installed)
#      and counts the server's instructions per operation of every workload
#      (deterministic, unlike time on a shared machine), per function too;
#   8a. streams (before 8): the output plugin ddb_emul's decoding time
#      against test_decoding's on the same WAL (BENCH_STREAM_RECORDS
#      PutItems on a table with a stream), the pump's time and GetRecords'
#      reading rate (see streams_phase);
#   9. writes the report, stops the cluster and removes the scratch
#      directory (BENCH_KEEP=1 keeps it: pgbench logs, perf data, callgrind
#      files).
#
# The section of bench/RESULTS.md between the ANALYSIS markers is written by
# hand and carried over from the previous RESULTS.md unchanged.
#
# Environment:
#   BENCH_SECONDS     duration of one pgbench run (default 3)
#   BENCH_REPS        runs per side and operation, alternating (default 3)
#   BENCH_CLIENTS     pgbench -c and -j (default: nproc)
#   BENCH_PARTITIONS  partitions of 25 items each (default 4000: 100k items)
#   BENCH_PROFILE     1 = profile missed targets (default), 0 = never,
#                     all = profile every operation
#   BENCH_PROFILE_SECONDS  length of a profiled run, per side (default 4)
#   BENCH_INSTRUCTIONS  0 = skip the callgrind pass (default 1)
#   BENCH_QUIET_BUDGET  seconds to wait in all for other processes to leave
#                     the CPUs alone before runs (default 20; 5 per run)
#   BENCH_BUILD_RETRIES  how often to retry a failing build, 30 s apart
#                     (default 2)
#   BENCH_INSTALLED=1 use the extension installed in the system
#                     (pg_config's pkglibdir) instead of building the checkout
#   BENCH_ONLY        regex: run only the operations whose name matches
#                     (get|put|update|query|gsi|batch|streams); the report then goes to
#                     /tmp/ddb_emul_bench_results.md unless BENCH_OUT says
#   BENCH_OUT         where to write the report (default bench/RESULTS.md)
#   BENCH_STREAM_RECORDS  changes decoded in the streams section (100000)
#   BENCH_STREAM_REPS  decoding runs per plugin (default 5; the median counts)
#   BENCH_KEEP=1      keep the scratch directory /tmp/ddb_emul_bench.*
#   PG_CONFIG         PostgreSQL to use (default PostgreSQL 15's)
#
# The whole run takes about 6-8 minutes with the defaults, more when the
# machine is busy.  The TTL and stream-trigger benchmarks are separate
# scripts with their own clusters: bench/ttl.sh, bench/triggers.sh.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../scripts/lib.sh
source "$BENCH_DIR/../scripts/lib.sh"

SECONDS_PER_RUN="${BENCH_SECONDS:-3}"
REPS="${BENCH_REPS:-3}"
CLIENTS="${BENCH_CLIENTS:-$(nproc)}"
PARTITIONS="${BENCH_PARTITIONS:-4000}"
PROFILE="${BENCH_PROFILE:-1}"
PROFILE_SECONDS="${BENCH_PROFILE_SECONDS:-4}"
ONLY="${BENCH_ONLY:-}"
if [ -n "$ONLY" ]; then
	OUT="${BENCH_OUT:-/tmp/ddb_emul_bench_results.md}"
else
	OUT="${BENCH_OUT:-$BENCH_DIR/RESULTS.md}"
fi
SORTKEYS=25                     # items per partition (= batch size)
SK0=100                         # sort keys are "100" .. "124"
PK0=1000000                     # partition keys are "1000000" ..

for v in SECONDS_PER_RUN REPS CLIENTS PARTITIONS PROFILE_SECONDS; do
	case "${!v}" in ''|*[!0-9]*|0) die "$v must be a positive integer" ;; esac
done
[ $((PARTITIONS % 160)) -eq 0 ] || die "BENCH_PARTITIONS must be a multiple of 160"

require_root
unset_pg_env
umask 022

# ---------------------------------------------------------------------------
# scratch directory, private installation, cluster

W="$(mktemp -d /tmp/ddb_emul_bench.XXXXXX)"
chmod 755 "$W"
SERVER_UP=0
CG=""
cleanup() {
	local i
	if [ "$SERVER_UP" = 1 ]; then
		as_postgres / "$BINDIR/pg_ctl" -D "$W/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	if [ -n "$CG" ]; then
		for i in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$CG/server" "$CG/client" "$CG" 2>/dev/null && break
			sleep 0.5
		done
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		log "scratch directory kept: $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT

pg_paths
SYS_BINDIR="$BINDIR"

if [ "${BENCH_INSTALLED:-0}" = 1 ]; then
	BUILD_DESC="the extension installed in $PKGLIBDIR (BENCH_INSTALLED=1; not rebuilt)"
	log "using the installed extension in $PKGLIBDIR"
	[ -f "$PKGLIBDIR/ddb_emul.so" ] || die "ddb_emul is not installed in $PKGLIBDIR"
else
	log "build: clean copy of $DDB_ROOT, make, private installation in $W/inst"
	# others may be in the middle of an edit: retry a broken build a few times
	tries=0
	until copy_tree "$DDB_ROOT" "$W/build" &&
		DDB_EMUL_SYSTEM_INSTALL=0 build_install "$W/build" "$W/build.log"; do
		tries=$((tries + 1))
		[ "$tries" -le "${BENCH_BUILD_RETRIES:-2}" ] || die "build failed"
		warn "build failed; trying again in 30 s with the tree as it is then"
		rm -rf "$W/build"
		sleep 30
	done
	# A private installation: server binaries copied (PostgreSQL finds its
	# lib and share directories relative to its executable), the rest
	# symlinked to the system's, ddb_emul installed into it with DESTDIR.
	inst="$W/inst"
	sysshare="$("$PG_CONFIG" --sharedir)"
	mkdir -p "$inst$(dirname "$BINDIR")" "$inst$(dirname "$PKGLIBDIR")" "$inst$(dirname "$sysshare")"
	cp -a "$BINDIR" "$inst$BINDIR"
	cp -as "$PKGLIBDIR" "$inst$(dirname "$PKGLIBDIR")/"
	cp -as "$sysshare" "$inst$(dirname "$sysshare")/"
	(cd "$inst" && find . -type l -path '*ddb_emul*' -delete)
	(cd "$W/build" && make -s install DESTDIR="$inst" PG_CONFIG="$PG_CONFIG") >>"$W/build.log" 2>&1 ||
		die "private installation failed (see $W/build.log)"
	PG_CONFIG="$inst$BINDIR/pg_config"
	BINDIR="$("$PG_CONFIG" --bindir)"
	PKGLIBDIR="$("$PG_CONFIG" --pkglibdir)"
	[ -f "$PKGLIBDIR/ddb_emul.so" ] && [ ! -L "$PKGLIBDIR/ddb_emul.so" ] ||
		die "private installation: $PKGLIBDIR/ddb_emul.so missing"
	BUILD_DESC="built from the working tree by this script (make, PGXS default flags: $(
		"$PG_CONFIG" --cflags | grep -o -- '-O[0-9s]' | head -n 1)) into a private installation"
fi
PGBENCH="$SYS_BINDIR/pgbench"
[ -x "$PGBENCH" ] || die "pgbench not found in $SYS_BINDIR"

# CPU accounting: the server (postmaster and every process it forks) and
# pgbench each run in their own cgroup (v1 cpuacct), so the CPU time each
# side costs per operation is measured exactly, whatever else the machine is
# doing at the time.  Without a writable cpuacct hierarchy the CPU columns
# are left out.
if [ -w /sys/fs/cgroup/cpuacct ] && mkdir "/sys/fs/cgroup/cpuacct/ddb_emul_bench.$$" 2>/dev/null; then
	CG="/sys/fs/cgroup/cpuacct/ddb_emul_bench.$$"
	mkdir "$CG/server" "$CG/client"
else
	warn "no writable cgroup v1 cpuacct hierarchy: CPU time per operation not measured"
fi
# in_cgroup NAME CMD...: run CMD in cgroup NAME (its children stay there).
in_cgroup() {
	local name="$1"
	shift
	if [ -n "$CG" ]; then
		(echo "$BASHPID" >"$CG/$name/cgroup.procs" && "$@")
	else
		"$@"
	fi
}
cpu_ns() { if [ -n "$CG" ]; then cat "$CG/$1/cpuacct.usage"; else echo 0; fi; }
# busy_ticks: CPU time of the whole machine in USER_HZ ticks (all CPUs)
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

PORT="$(free_port)"
SOCK="$W/sock"
mkdir -p "$SOCK" "$W/data" "$W/logs" "$W/scripts"
chown postgres: "$SOCK" "$W/data" "$W/logs"
chmod 700 "$W/data"
log "cluster: initdb in $W/data, port $PORT"
as_postgres / "$BINDIR/initdb" -D "$W/data" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
	--auth-local=trust --auth-host=reject >/dev/null

# Settings: what the README requires for ddb_emul, plus a CPU-bound set-up.
# The whole data set fits in shared_buffers; durability is off (fsync,
# synchronous_commit, full_page_writes) so that disk flushes, which cost both
# sides the same, do not hide the CPU cost being compared; no checkpoint
# during a run; no autovacuum (the script vacuums before every write run, so
# a vacuum never lands in the middle of one side's run).
# The streams section needs ddb_emul and test_decoding as output plugins:
# on builds that only accept those listed in output_plugin_libraries, the
# setting (default 'pgoutput, test_decoding') with ddb_emul added.  The
# background worker wakes once a minute (its pump would otherwise add WAL
# and work during the streams measurements; nothing else here needs it).
PLUGIN_LINE="$(plugin_setting_line "$BINDIR" || true)"
SETTINGS="listen_addresses = ''
port = $PORT
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'ddb_emul'
wal_level = logical
max_replication_slots = 20
max_wal_senders = 10
max_worker_processes = 32
shared_buffers = 512MB
work_mem = 16MB
maintenance_work_mem = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 8GB
checkpoint_timeout = 1h
jit = off
autovacuum = off
logging_collector = off
log_min_messages = warning
ddb_emul.worker_naptime = 60000${PLUGIN_LINE:+
$PLUGIN_LINE}"
printf '\n# bench/run.sh\n%s\n' "$SETTINGS" >>"$W/data/postgresql.conf"

in_cgroup server as_postgres / "$BINDIR/pg_ctl" -D "$W/data" -l "$W/logs/server.log" -w -t 120 start >/dev/null ||
	{ tail -n 30 "$W/logs/server.log"; die "the server did not start"; }
SERVER_UP=1

psql_db() {
	as_postgres / "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d bench "$@"
}
as_postgres / "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d postgres \
	-c "CREATE DATABASE bench"
psql_db -c "CREATE EXTENSION ddb_emul"
pgversion="$(psql_db -At -c "SELECT version()")"
extversion="$(psql_db -At -c "SELECT extversion FROM pg_extension WHERE extname = 'ddb_emul'")"

# ---------------------------------------------------------------------------
# data

# The item of key (p, s) as SQL text expressions: p, s, n and r are SQL
# expressions (pgbench variables in the workloads).  About 200 bytes in
# DynamoDB's item size.  The size is the same for every item: r has 8
# digits and n 6, ending in 01 (DynamoDB's size of a number depends on its
# significant digits; n = ...01 keeps them through the < 99 increments of
# n the UpdateItem workload makes per item).
#
# item_json P S N R [PREFIX [SUFFIX]] prints one concat() call building the
# JSON text of that item, with PREFIX and SUFFIX (JSON text) around it: one
# concat() per document, so building a large request costs linear time, as
# an application's serialiser would (a chain of || would copy the growing
# string once per piece).
item_json() {
	local p="$1" s="$2" n="$3" r="$4" pre="${5:-}" suf="${6:-}"
	printf '%s' "concat('$pre{\"pk\":{\"S\":\"', $p::text, '\"},\"sk\":{\"S\":\"', $s::text, '\"},\"name\":{\"S\":\"Customer ', $p::text, '-', $s::text, '\"},\"email\":{\"S\":\"customer', $p::text, '.', $s::text, '@example.com\"},\"address\":{\"S\":\"1600 Pennsylvania Avenue NW\"},\"status\":{\"S\":\"active\"},\"tags\":{\"SS\":[\"blue\",\"green\",\"red\"]},\"flag\":{\"BOOL\": true},\"created\":{\"N\":\"1700000000\"},\"n\":{\"N\":\"', $n::text, '\"},\"v\":{\"S\":\"payload-', $r::text, '-abcdefghijklmnopqrstuvwxyz\"}}$suf')"
}

log "data: CreateTable bench, $((PARTITIONS * SORTKEYS)) items through ddb.put_item"
psql_db -c "SELECT ddb.create_table('{\"TableName\": \"bench\",
  \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": \"S\"},
                           {\"AttributeName\": \"sk\", \"AttributeType\": \"S\"}],
  \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"},
                {\"AttributeName\": \"sk\", \"KeyType\": \"RANGE\"}],
  \"BillingMode\": \"PAY_PER_REQUEST\"}')" >/dev/null
t0=$(date +%s)
psql_db -c "SELECT count(ddb.put_item($(item_json p s '(100001 + 100 * ((p * 7 + s) % 9000))' '(10000000 + p)' '{"TableName":"bench","Item":' '}')::jsonb))
  FROM generate_series($PK0, $((PK0 + PARTITIONS - 1))) p, generate_series($SK0, $((SK0 + SORTKEYS - 1))) s" >/dev/null
LOAD_SECONDS=$(($(date +%s) - t0))
EXAMPLE_ITEM="$(psql_db -At -c "SELECT jsonb_pretty(item) FROM ddb_data.bench WHERE pk = '$PK0' AND sk = '$SK0'")"
psql_db -c "VACUUM (ANALYZE) ddb_data.bench" -c "CHECKPOINT"
read -r NITEMS ITEM_SIZE ITEM_SIZE_MIN ITEM_SIZE_MAX JSONB_BYTES TABLE_MB < <(psql_db -At -F ' ' -c "
  SELECT count(*), round(avg(size)), min(size), max(size), round(avg(pg_column_size(item))),
         round(pg_total_relation_size('ddb_data.bench') / 1048576.0)
    FROM ddb_data.bench")
[ "$NITEMS" = $((PARTITIONS * SORTKEYS)) ] || die "loaded $NITEMS items, expected $((PARTITIONS * SORTKEYS))"
[ "$ITEM_SIZE_MIN" = "$ITEM_SIZE_MAX" ] || die "item sizes vary ($ITEM_SIZE_MIN..$ITEM_SIZE_MAX)"
SIZE="$ITEM_SIZE"
log "data: $NITEMS items of $SIZE bytes (DynamoDB size; jsonb $JSONB_BYTES bytes), table+index $TABLE_MB MB, loaded in ${LOAD_SECONDS}s"

# Table "gsi" for Query on a global secondary index: key pk, sk (S) as
# "bench", GSI "by-g" with partition key g (S) and sort key r (S),
# projection ALL.  GSI_PARTITIONS x 25 items; g = "5000" + p % GSI_GROUPS,
# so each index partition holds 25 * GSI_PARTITIONS / GSI_GROUPS items, r a
# 5-digit string spread over 10000..18999.  A second table, so that the
# other workloads' writes do not maintain a GSI (and stay comparable with
# earlier runs).
GSI_PARTITIONS=1000
GSI_GROUPS=500
log "data: CreateTable gsi (GSI by-g), $((GSI_PARTITIONS * SORTKEYS)) items through ddb.put_item"
psql_db -c "SELECT ddb.create_table('{\"TableName\": \"gsi\",
  \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": \"S\"},
                           {\"AttributeName\": \"sk\", \"AttributeType\": \"S\"},
                           {\"AttributeName\": \"g\", \"AttributeType\": \"S\"},
                           {\"AttributeName\": \"r\", \"AttributeType\": \"S\"}],
  \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"},
                {\"AttributeName\": \"sk\", \"KeyType\": \"RANGE\"}],
  \"GlobalSecondaryIndexes\": [{\"IndexName\": \"by-g\",
     \"KeySchema\": [{\"AttributeName\": \"g\", \"KeyType\": \"HASH\"},
                   {\"AttributeName\": \"r\", \"KeyType\": \"RANGE\"}],
     \"Projection\": {\"ProjectionType\": \"ALL\"}}],
  \"BillingMode\": \"PAY_PER_REQUEST\"}')" >/dev/null
psql_db -c "SELECT count(ddb.put_item(jsonb_build_object('TableName', 'gsi', 'Item', jsonb_build_object(
    'pk', jsonb_build_object('S', p::text), 'sk', jsonb_build_object('S', s::text),
    'g', jsonb_build_object('S', (5000 + p % $GSI_GROUPS)::text),
    'r', jsonb_build_object('S', (10000 + (p * 31 + s * 7) % 9000)::text),
    'name', jsonb_build_object('S', 'Customer ' || p || '-' || s),
    'email', jsonb_build_object('S', 'customer' || p || '.' || s || '@example.com'),
    'status', jsonb_build_object('S', 'active'),
    'n', jsonb_build_object('N', (100001 + 100 * ((p * 7 + s) % 9000))::text),
    'v', jsonb_build_object('S', 'payload-' || (10000000 + p) || '-abcdefghijklmnopqrstuvwxyz')))))
  FROM generate_series($PK0, $((PK0 + GSI_PARTITIONS - 1))) p, generate_series($SK0, $((SK0 + SORTKEYS - 1))) s" >/dev/null
psql_db -c "VACUUM (ANALYZE) ddb_data.gsi" -c "CHECKPOINT"
GSI_INDEXDEF="$(psql_db -At -c "SELECT indexdef FROM pg_indexes WHERE schemaname = 'ddb_data' AND tablename = 'gsi' AND indexname <> 'gsi_pkey' ORDER BY indexname")"

# ---------------------------------------------------------------------------
# workloads
#
# Every transaction draws its key(s) uniformly over the loaded items.  Keys
# are strings of digits, so a pgbench integer variable is both the text of
# the key in the request JSON and, passed as a bytea parameter, its physical
# encoding (ddb.encode_key of {"S": "1000042"} is the bytes of "1000042"):
# the hand-written SQL gets the key bytes as an application computing them
# itself would send them.  Everything else is built the same way on both
# sides from the same variables: the JSON text of items is assembled by
# string concatenation and cast to jsonb inside the statement on both sides.

PMAX=$((PK0 + PARTITIONS - 1))
SMAX=$((SK0 + SORTKEYS - 1))
OPS=(get put update query gsi batch)
declare -A TITLE=() TARGET=()
TITLE[get]="GetItem"
TITLE[put]="PutItem"
TITLE[update]="UpdateItem with condition"
TITLE[query]="Query, 10 items"
TITLE[gsi]="Query on a GSI, 10 items"
TITLE[batch]="BatchWriteItem, 25 puts"
TARGET[get]=1.3
TARGET[put]=1.3
TARGET[update]=1.3
TARGET[query]=1.5
TARGET[gsi]=1.5
TARGET[batch]=1.5

S="$W/scripts"
keyvars() {
	printf '\\set p random(%d, %d)\n\\set s random(%d, %d)\n' "$PK0" "$PMAX" "$SK0" "$SMAX"
}

# GetItem
{
	keyvars
	echo "SELECT ddb.get_item(concat('{\"TableName\":\"bench\",\"Key\":{\"pk\":{\"S\":\"', :p::text, '\"},\"sk\":{\"S\":\"', :s::text, '\"}}}')::jsonb);"
} >"$S/get_ddb.sql"
{
	keyvars
	echo "SELECT item FROM ddb_data.bench WHERE pk = :p AND sk = :s;"
} >"$S/get_sql.sql"
# GetItem, hand SQL computing the key bytes with ddb.encode_key (informational)
{
	keyvars
	echo "SELECT item FROM ddb_data.bench WHERE pk = ddb.encode_key(concat('{\"S\":\"', :p::text, '\"}')::jsonb) AND sk = ddb.encode_key(concat('{\"S\":\"', :s::text, '\"}')::jsonb);"
} >"$S/get_enc.sql"

# PutItem (overwrites an existing item with new values)
{
	keyvars
	echo '\set n 100 * random(1000, 9999) + 1'
	echo '\set r random(10000000, 99999999)'
	echo "SELECT ddb.put_item($(item_json :p :s :n :r '{"TableName":"bench","Item":' '}')::jsonb);"
} >"$S/put_ddb.sql"
{
	keyvars
	echo '\set n 100 * random(1000, 9999) + 1'
	echo '\set r random(10000000, 99999999)'
	echo "INSERT INTO ddb_data.bench AS t (pk, sk, item, size) VALUES (:p, :s, $(item_json :p :s :n :r)::jsonb, $SIZE) ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item, size = EXCLUDED.size;"
} >"$S/put_sql.sql"

# UpdateItem: SET v = :v, n = n + :one if attribute_exists(pk).  The hand
# SQL makes the same change; it keeps the size column as it is, which is
# right here: v keeps its length, and n's size does not change (see
# item_json).
{
	keyvars
	echo '\set r random(10000000, 99999999)'
	echo "SELECT ddb.update_item(concat('{\"TableName\":\"bench\",\"Key\":{\"pk\":{\"S\":\"', :p::text, '\"},\"sk\":{\"S\":\"', :s::text, '\"}},\"UpdateExpression\":\"SET v = \\u003av, n = n + \\u003aone\",\"ConditionExpression\":\"attribute_exists(pk)\",\"ExpressionAttributeValues\":{\"\\u003av\":{\"S\":\"payload-', :r::text, '-abcdefghijklmnopqrstuvwxyz\"},\"\\u003aone\":{\"N\":\"1\"}}}')::jsonb);"
} >"$S/update_ddb.sql"
{
	keyvars
	echo '\set r random(10000000, 99999999)'
	echo "UPDATE ddb_data.bench SET item = item || jsonb_build_object('v', jsonb_build_object('S', concat('payload-', :r::text, '-abcdefghijklmnopqrstuvwxyz')), 'n', jsonb_build_object('N', ((item->'n'->>'N')::numeric + 1)::text)) WHERE pk = :p AND sk = :s AND item ? 'pk';"
} >"$S/update_sql.sql"

# Query: 10 consecutive sort keys of one partition
{
	printf '\\set p random(%d, %d)\n\\set s random(%d, %d)\n' "$PK0" "$PMAX" "$SK0" $((SMAX - 9))
	echo "SELECT ddb.query(concat('{\"TableName\":\"bench\",\"KeyConditionExpression\":\"pk = \\u003ap AND sk >= \\u003as\",\"ExpressionAttributeValues\":{\"\\u003ap\":{\"S\":\"', :p::text, '\"},\"\\u003as\":{\"S\":\"', :s::text, '\"}},\"Limit\": 10}')::jsonb);"
} >"$S/query_ddb.sql"
{
	printf '\\set p random(%d, %d)\n\\set s random(%d, %d)\n' "$PK0" "$PMAX" "$SK0" $((SMAX - 9))
	echo "SELECT item FROM ddb_data.bench WHERE pk = :p AND sk >= :s ORDER BY sk LIMIT 10;"
} >"$S/query_sql.sql"

# Query on the GSI: 10 items of one index partition (g) from a random r on.
# The hand SQL repeats the index's expressions, so it reads the same
# PostgreSQL index (its partial-index predicate follows from the strict
# comparisons); see the EXPLAIN in the report.
GSI_WHERE="ddb.index_key(item, 'g', 'S') = :g AND ddb.index_key(item, 'r', 'S') >= :r"
{
	printf '\\set g random(5000, %d)\n\\set r random(10000, 12000)\n' $((5000 + GSI_GROUPS - 1))
	echo "SELECT ddb.query(concat('{\"TableName\":\"gsi\",\"IndexName\":\"by-g\",\"KeyConditionExpression\":\"g = \\u003ag AND r >= \\u003ar\",\"ExpressionAttributeValues\":{\"\\u003ag\":{\"S\":\"', :g::text, '\"},\"\\u003ar\":{\"S\":\"', :r::text, '\"}},\"Limit\": 10}')::jsonb);"
} >"$S/gsi_ddb.sql"
{
	printf '\\set g random(5000, %d)\n\\set r random(10000, 12000)\n' $((5000 + GSI_GROUPS - 1))
	echo "SELECT item FROM ddb_data.gsi WHERE $GSI_WHERE ORDER BY ddb.index_key(item, 'r', 'S'), pk, sk LIMIT 10;"
} >"$S/gsi_sql.sql"

# BatchWriteItem: 25 puts to 25 different partitions spread over the table
# (partition keys b, b + P/25, b + 2P/25, ... in ascending order, so two
# concurrent batches never lock rows in opposite orders), random sort keys.
# batch_script SIDE COUNT: the script with the first COUNT of the 25 entries
# (COUNT < 25 only to show it in the report).
batch_script() {
	local side="$1" count="$2" i
	printf '\\set b random(0, %d)\n' $((PARTITIONS / SORTKEYS - 1))
	for ((i = 0; i < count; i++)); do
		printf '\\set p%d %d + :b\n\\set s%d random(%d, %d)\n' "$i" $((PK0 + i * PARTITIONS / 25)) "$i" "$SK0" "$SMAX"
	done
	echo '\set n 100 * random(1000, 9999) + 1'
	echo '\set r random(10000000, 99999999)'
	if [ "$side" = ddb ]; then
		# one concat() of the 25 entries' concat()s and the commas between
		printf '%s' "SELECT ddb.batch_write_item(concat('{\"RequestItems\":{\"bench\":['"
		for ((i = 0; i < count; i++)); do
			[ "$i" -eq 0 ] || printf ", ','"
			printf ', %s' "$(item_json ":p$i" ":s$i" :n :r '{"PutRequest":{"Item":' '}}')"
		done
		echo ", ']}}')::jsonb);"
	else
		printf '%s' "INSERT INTO ddb_data.bench AS t (pk, sk, item, size) VALUES "
		for ((i = 0; i < count; i++)); do
			[ "$i" -eq 0 ] || printf ', '
			printf '(:p%d, :s%d, %s::jsonb, %s)' "$i" "$i" "$(item_json ":p$i" ":s$i" :n :r)" "$SIZE"
		done
		echo " ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item, size = EXCLUDED.size;"
	fi
}
batch_script ddb 25 >"$S/batch_ddb.sql"
batch_script sql 25 >"$S/batch_sql.sql"
chmod 644 "$S"/*.sql
# pgbench turns every ":name" of a script into a parameter, even inside
# string literals: the JSON above spells the colons of DynamoDB's
# placeholders as \u003a and puts a space after other colons.  Make sure no
# other ":name" is left.
for f in "$S"/*.sql; do
	stray="$(grep -v '^\\set' "$f" | grep -oE '(^|[^:]):[A-Za-z0-9_]+' |
		grep -vE ':(p|s|n|r|g|p[0-9]+|s[0-9]+)$' | grep -vE '^:?:(jsonb|text|numeric|bytea)$' || true)"
	[ -z "$stray" ] || die "$(basename "$f"): pgbench would take these for variables: $stray"
done

# ---------------------------------------------------------------------------
# checks: the hand SQL does the same work as the API call

# is_implemented FUNCTION REQUEST: whether ddb.FUNCTION answers (rather than
# raising "not implemented yet").
declare -A IMPLEMENTED=() NOTE=()
probe() {
	local op="$1" sql="$2" out
	if out="$(psql_db -At -c "BEGIN" -c "$sql" -c "ROLLBACK" 2>&1)"; then
		IMPLEMENTED[$op]=1
	elif grep -q "not implemented" <<<"$out"; then
		IMPLEMENTED[$op]=0
		NOTE[$op]="not implemented ($(grep -m1 -o 'ERROR: .*' <<<"$out"))"
	else
		IMPLEMENTED[$op]=0
		NOTE[$op]="fails: $(grep -m1 -o 'ERROR: .*' <<<"$out" || echo "$out" | head -n 1)"
	fi
}
probe get "SELECT ddb.get_item('{\"TableName\":\"bench\",\"Key\":{\"pk\":{\"S\":\"$PK0\"},\"sk\":{\"S\":\"$SK0\"}}}')"
probe put "SELECT ddb.put_item('{\"TableName\":\"bench\",\"Item\":{\"pk\":{\"S\":\"$PK0\"},\"sk\":{\"S\":\"$SK0\"}}}')"
probe update "SELECT ddb.update_item('{\"TableName\":\"bench\",\"Key\":{\"pk\":{\"S\":\"$PK0\"},\"sk\":{\"S\":\"$SK0\"}},\"UpdateExpression\":\"SET x = :x\",\"ExpressionAttributeValues\":{\":x\":{\"N\":\"1\"}}}')"
probe query "SELECT ddb.query('{\"TableName\":\"bench\",\"KeyConditionExpression\":\"pk = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"$PK0\"}},\"Limit\":10}')"
probe gsi "SELECT ddb.query('{\"TableName\":\"gsi\",\"IndexName\":\"by-g\",\"KeyConditionExpression\":\"g = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"5000\"}},\"Limit\":10}')"
probe batch "SELECT ddb.batch_write_item('{\"RequestItems\":{\"bench\":[{\"PutRequest\":{\"Item\":{\"pk\":{\"S\":\"$PK0\"},\"sk\":{\"S\":\"$SK0\"}}}}]}}')"

# check NAME RESULT: record a check in the report
declare -a CHECKS=()
check() {
	local name="$1" ok="$2"
	CHECKS+=("| $name | $ok |")
	[ "$ok" = yes ] || warn "check failed: $name ($ok)"
}

# literal_sql SCRIPT: the statement of a workload script with each pgbench
# variable replaced by a fixed literal ('...', typed by its context exactly
# as pgbench's parameter is): p, s, n, r; batch: p0..p24, s0..s24.
literal_sql() {
	local args=() i
	args+=(-e "s/:p([0-9]+)/'__P\\1__'/g" -e "s/:s([0-9]+)/'__S\\1__'/g")
	args+=(-e "s/:p\\b/'$((PK0 + 7))'/g" -e "s/:s\\b/'$((SK0 + 3))'/g")
	args+=(-e "s/:n\\b/'123457'/g" -e "s/:r\\b/'87654321'/g")
	for ((i = 0; i < 25; i++)); do
		args+=(-e "s/__P${i}__/$((PK0 + 5 + i * PARTITIONS / 25))/g" -e "s/__S${i}__/$((SK0 + (i * 7) % SORTKEYS))/g")
	done
	grep -v '^\\set' "$S/$1" | sed -E "${args[@]}"
}

# written_rows SCRIPT: run the statement in a rolled-back transaction and
# print the count and an md5 of the rows it wrote (pk, sk, item, size).
written_rows() {
	psql_db -At -c "BEGIN" -c "$(literal_sql "$1")" -c "
	  SELECT count(*) || ' ' || md5(string_agg(pk::text || ' ' || sk::text || ' ' || item::text || ' ' || size, ',' ORDER BY pk, sk))
	    FROM ddb_data.bench
	   WHERE xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text" -c "ROLLBACK" |
		grep -v -E '^(BEGIN|ROLLBACK|INSERT|UPDATE|\{.*\})$' | tail -n 1
}
compare_writes() {
	local op="$1" what="$2" n="$3" a b
	a="$(written_rows "${op}_ddb.sql")"
	b="$(written_rows "${op}_sql.sql")"
	if [ "$a" = "$b" ] && [ "${a%% *}" = "$n" ]; then
		check "$what" yes
	else
		check "$what" "no (ddb_emul: $a; hand SQL: $b)"
	fi
}

log "checks: hand SQL against the API"
[ "${IMPLEMENTED[put]}" != 1 ] ||
	compare_writes put "PutItem and the INSERT ... ON CONFLICT write identical rows (item and size)" 1
[ "${IMPLEMENTED[update]}" != 1 ] ||
	compare_writes update "UpdateItem and the UPDATE write identical rows (item and size)" 1
[ "${IMPLEMENTED[batch]}" != 1 ] ||
	compare_writes batch "BatchWriteItem and the multi-row INSERT write identical rows (25 items and sizes)" 25
if [ "${IMPLEMENTED[get]}" = 1 ]; then
	r="$(psql_db -At -c "SELECT ($(literal_sql get_ddb.sql | sed 's/;$//')) -> 'Item' = ($(literal_sql get_sql.sql | sed 's/;$//'))")"
	check "GetItem returns the item the SELECT returns" "$([ "$r" = t ] && echo yes || echo "no ($r)")"
fi
if [ "${IMPLEMENTED[query]}" = 1 ]; then
	r="$(psql_db -At -c "SELECT ($(literal_sql query_ddb.sql | sed 's/;$//')) -> 'Items' = (SELECT jsonb_agg(item) FROM ($(literal_sql query_sql.sql | sed 's/;$//')) x)")"
	check "Query returns the 10 items the SELECT returns, in the same order" "$([ "$r" = t ] && echo yes || echo "no ($r)")"
fi

if [ "${IMPLEMENTED[gsi]}" = 1 ]; then
	gsi_lit() { grep -v '^\\set' "$S/$1" | sed -e "s/:g\\b/'5007'/g" -e "s/:r\\b/'10500'/g" -e 's/;$//'; }
	r="$(psql_db -At -c "SELECT ($(gsi_lit gsi_ddb.sql)) -> 'Items' = (SELECT jsonb_agg(item) FROM ($(gsi_lit gsi_sql.sql)) x)
	                       AND jsonb_array_length(($(gsi_lit gsi_ddb.sql)) -> 'Items') = 10")"
	check "Query on the GSI returns the 10 items the SELECT returns, in the same order" "$([ "$r" = t ] && echo yes || echo "no ($r)")"
	# the plan of the hand SELECT as pgbench runs it (prepared, generic plan)
	GSI_EXPLAIN="$(psql_db -At -c "SET plan_cache_mode = force_generic_plan" \
		-c "PREPARE q(bytea, bytea) AS $(grep -v '^\\set' "$S/gsi_sql.sql" | sed -e 's/:g\b/$1/' -e 's/:r\b/$2/' -e 's/;$//')" \
		-c "EXPLAIN (COSTS OFF) EXECUTE q('5007', '10500')" 2>&1 || true)"
	if grep -q 'Index Scan using "gsi|by-g"\|Index Scan using gsi' <<<"$GSI_EXPLAIN" && ! grep -q 'Sort' <<<"$GSI_EXPLAIN"; then
		check "the hand SELECT on the GSI is an index scan of the GSI's index, without a sort" yes
	else
		check "the hand SELECT on the GSI is an index scan of the GSI's index, without a sort" "no: $(tr '\n' ' ' <<<"$GSI_EXPLAIN")"
	fi
fi

# ---------------------------------------------------------------------------
# runs

declare -A TXNS=() SECS=() LAT=() TPS=() ERR=() SRV=() CLI=() CPUSRV=() CPUCLI=() RUNS=() RTPS=() RCPU=()
declare -A RTX=() RSEC=() RSRV=() RCLI=() ROTH=() USED=() QUIETN=()
HZ="$(getconf CLK_TCK)"
QUIET=0.3                        # "quiet": other processes use < 0.3 CPUs
QUIET_WAITED=0

# other_load SECONDS: CPUs used by processes outside our two cgroups over
# the next SECONDS seconds
other_load() {
	local b0 b1 s0 s1 c0 c1
	s0="$(cpu_ns server)"; c0="$(cpu_ns client)"; b0="$(busy_ticks)"
	sleep "$1"
	s1="$(cpu_ns server)"; c1="$(cpu_ns client)"; b1="$(busy_ticks)"
	awk -v b="$((b1 - b0))" -v hz="$HZ" -v o="$((s1 - s0 + c1 - c0))" -v t="$1" \
		'BEGIN { x = (b / hz - o / 1e9) / t; printf "%.2f", x < 0 ? 0 : x }'
}
# wait_quiet: wait (at most 5 s per run and BENCH_QUIET_BUDGET seconds in
# all, default 20) until other processes leave the CPUs alone; one check
# a second
wait_quiet() {
	local waited=0 budget="${BENCH_QUIET_BUDGET:-20}"
	[ -n "$CG" ] || return 0
	while [ "$waited" -lt 5 ] && [ "$QUIET_WAITED" -lt "$budget" ]; do
		if awk -v o="$(other_load 0.5)" -v q="$QUIET" 'BEGIN { exit !(o < q) }'; then
			return 0
		fi
		sleep 0.5
		waited=$((waited + 1)); QUIET_WAITED=$((QUIET_WAITED + 1))
	done
}

# bench_run OP SIDE N: one pgbench run; records its transactions, time, CPU
# time and the other processes' load.
bench_run() {
	local op="$1" side="$2" n="$3" logf tps txns failed s0 s1 c0 c1 b0 b1 t0 t1 other k="$1.$2.$3"
	logf="$W/logs/${op}_${side}_$n.log"
	# every run starts from a vacuumed table: no side prunes the other's dead rows
	psql_db -c "VACUUM ddb_data.bench" >/dev/null
	wait_quiet
	s0="$(cpu_ns server)"; c0="$(cpu_ns client)"; b0="$(busy_ticks)"; t0="$(date +%s.%N)"
	if ! in_cgroup client as_postgres / "$PGBENCH" -n -h "$SOCK" -p "$PORT" -U postgres -M prepared \
		-c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_PER_RUN" -f "$S/${op}_${side}.sql" bench >"$logf" 2>&1; then
		ERR[$op.$side]="pgbench failed: $(grep -m1 -E 'ERROR|aborted|error' "$logf" || tail -n 1 "$logf")"
		warn "${ERR[$op.$side]}"
		return 0
	fi
	s1="$(cpu_ns server)"; c1="$(cpu_ns client)"; b1="$(busy_ticks)"; t1="$(date +%s.%N)"
	txns="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$logf")"
	failed="$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$logf")"
	tps="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$logf")"
	[ -n "$txns" ] && [ -n "$tps" ] || { ERR[$op.$side]="cannot read $logf"; return 0; }
	if [ -n "$failed" ] && [ "$failed" != 0 ]; then
		ERR[$op.$side]="$failed failed transactions"
	fi
	RTX[$k]="$txns"
	# time = transactions / tps (without connection time)
	RSEC[$k]="$(awk -v t="$txns" -v r="$tps" 'BEGIN { printf "%.6f", t / r }')"
	RSRV[$k]=$((s1 - s0))
	RCLI[$k]=$((c1 - c0))
	RTPS[$k]="$tps"
	RCPU[$k]="$(awk -v s="$((s1 - s0 + c1 - c0))" -v t="$txns" 'BEGIN { print s / t }')"
	# CPU used by everything else on the machine during the run, in CPUs
	other="$(awk -v b="$((b1 - b0))" -v hz="$HZ" -v s="$((s1 - s0))" -v c="$((c1 - c0))" -v t0="$t0" -v t1="$t1" \
		'BEGIN { o = (b / hz - (s + c) / 1e9) / (t1 - t0); printf "%.2f", o < 0 ? 0 : o }')"
	ROTH[$k]="$other"
	RUNS[$op]+="| $op | $n | $side | $(printf '%.0f' "$tps") | $(awk -v s="$((s1 - s0))" -v t="$txns" 'BEGIN { printf "%.1f", s / t / 1000 }') | $(awk -v c="$((c1 - c0))" -v t="$txns" 'BEGIN { printf "%.1f", c / t / 1000 }') | $other |"$'\n'
	printf '    %-7s %-4s run %d: %8.0f tps  server %6.1f us/op  other load %s CPUs\n' "$op" "$side" "$n" "$tps" \
		"$(awk -v s="$((s1 - s0))" -v t="$txns" 'BEGIN { print s / t / 1000 }')" "$other"
}

# is_quiet KEY...: whether every run KEY had less than QUIET other load
is_quiet() {
	local k
	for k in "$@"; do
		[ -n "${ROTH[$k]:-}" ] && awk -v o="${ROTH[$k]}" -v q="$QUIET" 'BEGIN { exit !(o < q) }' || return 1
	done
}

CMD_PREFIX="pgbench -n -h \$SOCK -p \$PORT -U postgres -M prepared -c $CLIENTS -j $CLIENTS -T $SECONDS_PER_RUN"
declare -a RUN_OPS=()
for op in "${OPS[@]}"; do
	if [ -n "$ONLY" ] && ! [[ $op =~ $ONLY ]]; then
		continue
	fi
	RUN_OPS+=("$op")
done

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "runs: ${#RUN_OPS[@]} operations x 2 sides x $REPS runs x ${SECONDS_PER_RUN}s, $CLIENTS clients"
for op in "${RUN_OPS[@]}"; do
	if [ "${IMPLEMENTED[$op]}" != 1 ]; then
		log "  $op: ${NOTE[$op]} -- skipped"
		continue
	fi
	for ((n = 1; n <= REPS; n++)); do
		sides=(ddb sql)
		# the informational encode_key variant: first round only
		[ "$op" != get ] || [ "$n" -ne 1 ] || sides+=(enc)
		for side in "${sides[@]}"; do
			bench_run "$op" "$side" "$n"
		done
	done
done

# Results per side, over the rounds used: the quiet rounds (both sides'
# runs with other load < QUIET) when there are any, else all rounds.
for op in "${RUN_OPS[@]}"; do
	rounds=()
	for ((n = 1; n <= REPS; n++)); do
		[ -n "${RTX[$op.ddb.$n]:-}" ] && [ -n "${RTX[$op.sql.$n]:-}" ] || continue
		if is_quiet "$op.ddb.$n" "$op.sql.$n"; then rounds+=("$n"); fi
	done
	QUIETN[$op]=${#rounds[@]}
	if [ ${#rounds[@]} -eq 0 ]; then
		for ((n = 1; n <= REPS; n++)); do rounds+=("$n"); done
	fi
	USED[$op]="${rounds[*]}"
	for side in ddb sql enc; do
		# enc (informational) runs in the first round only: take it as it is
		[ "$side" != enc ] || rounds=(1)
		for n in "${rounds[@]}"; do
			k="$op.$side.$n"
			[ -n "${RTX[$k]:-}" ] || continue
			TXNS[$op.$side]=$(( ${TXNS[$op.$side]:-0} + RTX[$k] ))
			SECS[$op.$side]="$(awk -v a="${SECS[$op.$side]:-0}" -v b="${RSEC[$k]}" 'BEGIN { printf "%.6f", a + b }')"
			SRV[$op.$side]=$(( ${SRV[$op.$side]:-0} + RSRV[$k] ))
			CLI[$op.$side]=$(( ${CLI[$op.$side]:-0} + RCLI[$k] ))
		done
	done
done
for key in "${!TXNS[@]}"; do
	TPS[$key]="$(awk -v t="${TXNS[$key]}" -v s="${SECS[$key]}" 'BEGIN { printf "%.0f", t / s }')"
	# mean latency of a transaction with CLIENTS clients: clients * time / transactions
	LAT[$key]="$(awk -v t="${TXNS[$key]}" -v s="${SECS[$key]}" -v c="$CLIENTS" 'BEGIN { printf "%.3f", 1000 * c * s / t }')"
	# CPU time per operation in microseconds: server, client (pgbench)
	CPUSRV[$key]="$(awk -v t="${TXNS[$key]}" -v n="${SRV[$key]}" 'BEGIN { printf "%.1f", n / t / 1000 }')"
	CPUCLI[$key]="$(awk -v t="${TXNS[$key]}" -v n="${CLI[$key]}" 'BEGIN { printf "%.1f", n / t / 1000 }')"
done

ratio() {
	local op="$1" side="${2:-sql}"
	[ -n "${TPS[$op.ddb]:-}" ] && [ -n "${TPS[$op.$side]:-}" ] || return 1
	awk -v d="${TPS[$op.ddb]}" -v h="${TPS[$op.$side]}" 'BEGIN { printf "%.2f", h / d }'
}
# spread OP ARRAY: "min–max" of the per-round ratios (rounds n where both
# sides ran): hand / ddb_emul of RTPS, ddb_emul / hand of RCPU.
spread() {
	local op="$1" arr="$2" n lo="" hi="" r
	for n in ${USED[$op]:-}; do
		if [ "$arr" = RTPS ]; then
			[ -n "${RTPS[$op.ddb.$n]:-}" ] && [ -n "${RTPS[$op.sql.$n]:-}" ] || continue
			r="$(awk -v d="${RTPS[$op.ddb.$n]}" -v h="${RTPS[$op.sql.$n]}" 'BEGIN { printf "%.2f", h / d }')"
		else
			[ -n "${RCPU[$op.ddb.$n]:-}" ] && [ -n "${RCPU[$op.sql.$n]:-}" ] || continue
			r="$(awk -v d="${RCPU[$op.ddb.$n]}" -v h="${RCPU[$op.sql.$n]}" 'BEGIN { printf "%.2f", d / h }')"
		fi
		if [ -z "$lo" ] || awk -v a="$r" -v b="$lo" 'BEGIN { exit !(a < b) }'; then lo="$r"; fi
		if [ -z "$hi" ] || awk -v a="$r" -v b="$hi" 'BEGIN { exit !(a > b) }'; then hi="$r"; fi
	done
	[ -n "$lo" ] || return 1
	printf '%s–%s' "$lo" "$hi"
}
# cpu_ratio OP WHAT: ddb_emul's CPU time per operation over the hand SQL's;
# WHAT = server or total (server + pgbench)
cpu_ratio() {
	local op="$1" what="$2" side="${3:-sql}"
	[ -n "$CG" ] && [ -n "${TXNS[$op.ddb]:-}" ] && [ -n "${TXNS[$op.$side]:-}" ] || return 1
	if [ "$what" = server ]; then
		awk -v a="${CPUSRV[$op.ddb]}" -v b="${CPUSRV[$op.$side]}" 'BEGIN { printf "%.2f", a / b }'
	else
		awk -v a="${CPUSRV[$op.ddb]}" -v b="${CPUSRV[$op.$side]}" -v c="${CPUCLI[$op.ddb]}" -v d="${CPUCLI[$op.$side]}" \
			'BEGIN { printf "%.2f", (a + c) / (b + d) }'
	fi
}
# group N: 1234567 -> 1,234,567
group() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }

# ---------------------------------------------------------------------------
# profiles of the ddb_emul side of missed targets

declare -A PROF=()
# perf_summary DATA: one line per named function of the samples in DATA:
# "name inclusive self object", counts of samples (a function is counted
# once per sample however deep it recurs); plus a line "@total N".
perf_summary() {
	perf script -i "$1" -F ip,sym,dso 2>/dev/null | awk '
		BEGIN { RS = ""; FS = "\n" }
		{
			total++
			delete seen
			for (i = 1; i <= NF; i++) {
				n = split($i, f, " ")
				if (n < 3) continue
				sym = f[2]; obj = f[n]
				gsub(/[()]/, "", obj); sub(/.*\//, "", obj)
				if (sym == "[unknown]") continue
				if (i == 1) self[sym]++
				if (!(sym in seen)) { seen[sym] = 1; incl[sym]++; dso[sym] = obj }
			}
		}
		END {
			print "@total", total
			for (s in incl) print s, incl[s], (s in self ? self[s] : 0), dso[s]
		}'
}

# profile_side OP SIDE: perf record the backends of a pgbench run of the
# workload; writes $W/logs/perf_OP_SIDE.{data,sum,tps}
profile_side() {
	local op="$1" side="$2" base="$W/logs/perf_${1}_$2" pids bench_pid
	psql_db -c "VACUUM ddb_data.bench" >/dev/null
	in_cgroup client as_postgres / "$PGBENCH" -n -h "$SOCK" -p "$PORT" -U postgres -M prepared \
		-c "$CLIENTS" -j "$CLIENTS" -T $((PROFILE_SECONDS + 2)) -f "$S/${op}_${side}.sql" bench \
		>"$base.log" 2>&1 &
	bench_pid=$!
	sleep 1
	pids="$(psql_db -At -c "SELECT string_agg(pid::text, ',') FROM pg_stat_activity
	                         WHERE application_name = 'pgbench' AND pid <> pg_backend_pid()")"
	if [ -n "$pids" ]; then
		perf record -q -F "$PERF_FREQ" -g -p "$pids" -o "$base.data" -- sleep "$PROFILE_SECONDS" >/dev/null 2>&1 || true
	fi
	wait "$bench_pid" || true
	[ -s "$base.data" ] || return 1
	perf_summary "$base.data" >"$base.sum"
	sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$base.log" >"$base.tps"
	[ -s "$base.tps" ]
}

# profile_op OP: profile both sides; PROF[OP] gets a markdown table of the
# functions taking the most time per operation on the ddb_emul side, with
# the same functions' time per operation on the hand SQL side.
PERF_FREQ=1999
profile_op() {
	local op="$1"
	local a="$W/logs/perf_${op}_ddb" b="$W/logs/perf_${op}_sql"
	log "  profiling $op (${PROFILE_SECONDS}s per side)"
	profile_side "$op" ddb && profile_side "$op" sql || return 0
	# µs per operation of a sample count: count / freq / (tps * seconds)
	PROF[$op]="$(awk -v fa="$(cat "$a.tps")" -v fb="$(cat "$b.tps")" -v hz="$PERF_FREQ" -v secs="$PROFILE_SECONDS" '
		function us(c, tps) { return c * 1e6 / hz / (tps * secs) }
		FNR == 1 { side++ }
		$1 == "@total" { tot[side] = $2; next }
		side == 1 { ia[$1] = $2; sa[$1] = $3; obj[$1] = $4 }
		side == 2 { ib[$1] = $2; if (!($1 in obj)) obj[$1] = $4 }
		END {
			printf "Backend CPU per operation while profiled: ddb_emul %.1f µs, hand SQL %.1f µs.\n\n", us(tot[1], fa), us(tot[2], fb)
			print "| function | object | ddb_emul µs/op (inclusive) | hand SQL µs/op (inclusive) | ddb_emul self |"
			print "|---|---|---|---|---|"
			n = 0
			for (s in ia) if (ia[s] >= tot[1] * 0.01) keys[n++] = s
			# sort by ddb_emul inclusive time, descending (insertion sort)
			for (i = 1; i < n; i++) { k = keys[i]; for (j = i - 1; j >= 0 && ia[keys[j]] < ia[k]; j--) keys[j + 1] = keys[j]; keys[j + 1] = k }
			shown = 0
			for (i = 0; i < n && shown < 45; i++) {
				s = keys[i]
				if (s ~ /^(main|__libc_start_call_main|PostmasterMain|entry_SYSCALL_64_after_hwframe)$/) continue
				o = obj[s]; if (o == "[kernel.kallsyms]") o = "kernel"
				printf "| `%s` | %s | %.1f | %s | %.1f |\n", s, o, us(ia[s], fa), (s in ib) ? sprintf("%.1f", us(ib[s], fb)) : "—", us(sa[s], fa)
				shown++
			}
		}' "$a.sum" "$b.sum")"
}

if [ "$PROFILE" != 0 ] && command -v perf >/dev/null 2>&1; then
	for op in "${RUN_OPS[@]}"; do
		r="$(cpu_ratio "$op" total || ratio "$op")" || continue
		if [ "$PROFILE" = all ] || awk -v r="$r" -v t="${TARGET[$op]}" 'BEGIN { exit !(r > t) }'; then
			profile_op "$op"
		fi
	done
fi

# ---------------------------------------------------------------------------
# streams: the output plugin's decoding against test_decoding on the same
# WAL, the pump, and GetRecords
#
# Two slots (ddb_emul, test_decoding) are created, then STREAM_RECORDS
# items are written through ddb.put_item into a table with a NEW_IMAGE
# stream, STREAM_PER_TXN per transaction.  Each slot then decodes exactly the
# same WAL (pg_logical_slot_peek_changes up to the LSN after the writes,
# which does not advance the slot) STREAM_REPS times, alternating; the
# median time counts.  Then ddb.stream_pump() moves the records into
# ddb.stream_records (timed), and a reader fetches them all through
# GetShardIterator (TRIM_HORIZON) and GetRecords pages of 1000 (timed).

STREAM_RECORDS="${BENCH_STREAM_RECORDS:-100000}"
STREAM_PER_TXN=100
STREAM_REPS="${BENCH_STREAM_REPS:-5}"
declare -A ST=()
declare -a ST_RUNS=()
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

streams_phase() {
	local i out slot ms n t_ddb="" t_td=""
	log "streams: $STREAM_RECORDS PutItems into a table with a stream, decoded by ddb_emul and test_decoding"
	psql_db -c "SELECT ddb.create_table('{\"TableName\": \"streamed\", \"BillingMode\": \"PAY_PER_REQUEST\",
	  \"StreamSpecification\": {\"StreamEnabled\": true, \"StreamViewType\": \"NEW_IMAGE\"},
	  \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": \"S\"}, {\"AttributeName\": \"sk\", \"AttributeType\": \"S\"}],
	  \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}, {\"AttributeName\": \"sk\", \"KeyType\": \"RANGE\"}]}') IS NOT NULL" >/dev/null || {
		ST[error]="CreateTable with a stream failed"; return 0; }
	if ! out="$(psql_db -At -c "SELECT pg_create_logical_replication_slot('bench_ddb_emul', 'ddb_emul')" \
		-c "SELECT pg_create_logical_replication_slot('bench_test_decoding', 'test_decoding')" 2>&1)"; then
		ST[error]="creating the slots failed: $(grep -m1 ERROR <<<"$out")"
		warn "${ST[error]}"
		return 0
	fi
	psql_db <<SQL >/dev/null
CREATE PROCEDURE bench_stream_write(total integer, per_txn integer) LANGUAGE plpgsql AS \$\$
DECLARE
  i integer := 0;
BEGIN
  WHILE i < total LOOP
    PERFORM ddb.put_item(concat('{"TableName":"streamed","Item":', $(item_json "(1000000 + j / 25)" "(100 + j % 25)" "(100001 + 100 * (j % 9000))" "(10000000 + j)"), '}')::jsonb)
      FROM generate_series(i, least(i + per_txn, total) - 1) j;
    i := i + per_txn;
    COMMIT;
  END LOOP;
END \$\$;
CREATE FUNCTION bench_peek(slot text, upto pg_lsn) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE
  t timestamptz := clock_timestamp();
  n bigint;
BEGIN
  SELECT count(*) INTO n FROM pg_logical_slot_peek_changes(slot, upto, NULL);
  RETURN round(1000 * extract(epoch FROM clock_timestamp() - t), 1) || ' ' || n;
END \$\$;
CREATE FUNCTION bench_pump() RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE
  t timestamptz := clock_timestamp();
  n bigint;
BEGIN
  n := ddb.stream_pump();
  RETURN round(1000 * extract(epoch FROM clock_timestamp() - t), 1) || ' ' || n;
END \$\$;
CREATE FUNCTION bench_get_records(arn text) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE
  t timestamptz := clock_timestamp();
  shard text;
  it text;
  r jsonb;
  n bigint := 0;
  pages integer := 0;
BEGIN
  shard := ddb.describe_stream(jsonb_build_object('StreamArn', arn)) -> 'StreamDescription' -> 'Shards' -> 0 ->> 'ShardId';
  it := ddb.get_shard_iterator(jsonb_build_object('StreamArn', arn, 'ShardId', shard,
          'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator';
  LOOP
    r := ddb.get_records(jsonb_build_object('ShardIterator', it, 'Limit', 1000));
    pages := pages + 1;
    n := n + jsonb_array_length(r -> 'Records');
    EXIT WHEN jsonb_array_length(r -> 'Records') = 0 OR r -> 'NextShardIterator' IS NULL;
    it := r ->> 'NextShardIterator';
  END LOOP;
  RETURN round(1000 * extract(epoch FROM clock_timestamp() - t), 1) || ' ' || n || ' ' || pages;
END \$\$;
SQL
	local t0
	t0=$(date +%s.%N)
	psql_db -c "CALL bench_stream_write($STREAM_RECORDS, $STREAM_PER_TXN)" >/dev/null
	ST[write_s]="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
	ST[upto]="$(psql_db -At -c "SELECT pg_current_wal_insert_lsn()")"
	ST[wal_mb]="$(psql_db -At -c "SELECT round((pg_current_wal_insert_lsn() - confirmed_flush_lsn) / 1048576.0, 1) FROM pg_replication_slots WHERE slot_name = 'bench_ddb_emul'")"
	# the pump, right after the writes (the worker wakes once a minute)
	out="$(psql_db -At -c "SELECT bench_pump()")"
	ST[pump_ms]="${out% *}"; ST[pump_n]="${out#* }"
	ST[stored]="$(psql_db -At -c "SELECT count(*) FROM ddb.stream_records")"
	log "  writes ${ST[write_s]} s, WAL ${ST[wal_mb]} MB; pump: ${ST[pump_n]} records in ${ST[pump_ms]} ms (${ST[stored]} stored)"
	for ((i = 1; i <= STREAM_REPS; i++)); do
		for slot in bench_ddb_emul bench_test_decoding; do
			wait_quiet
			read -r ms n < <(psql_db -At -c "SELECT bench_peek('$slot', '${ST[upto]}')")
			ST_RUNS+=("| $i | \`${slot#bench_}\` | $ms | $n |")
			printf '    %-14s run %d: %9.1f ms, %d rows\n' "${slot#bench_}" "$i" "$ms" "$n"
			if [ "$slot" = bench_ddb_emul ]; then t_ddb+=" $ms"; ST[rows_ddb]="$n"; else t_td+=" $ms"; ST[rows_td]="$n"; fi
		done
	done
	ST[ms_ddb]="$(median <<<"$t_ddb")"
	ST[ms_td]="$(median <<<"$t_td")"
	ST[ratio]="$(awk -v a="${ST[ms_ddb]}" -v b="${ST[ms_td]}" 'BEGIN { printf "%.2f", a / b }')"
	# where the time goes: perf, one peek per plugin, every server process
	if command -v perf >/dev/null 2>&1; then
		for slot in bench_ddb_emul bench_test_decoding; do
			perf record -q -F 1999 -g -a -o "$W/logs/perf_peek_$slot.data" -- \
				"$BINDIR/psql" -X -q -At -h "$SOCK" -p "$PORT" -U postgres -d bench \
				-c "SELECT bench_peek('$slot', '${ST[upto]}')" >/dev/null 2>&1 || true
			ST[perf_$slot]="$(perf report -i "$W/logs/perf_peek_$slot.data" --comm postgres --no-children -g none \
				--sort dso,sym --stdio --percent-limit 1.5 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 25 |
				awk '{ pct = $1; dso = $2; $1 = ""; $2 = ""; $3 = ""; sub(/^ +/, ""); printf "| %s | %s | `%s` |\n", pct, dso, $0 }')"
		done
	fi
	local arn
	arn="$(psql_db -At -c "SELECT ddb.describe_table('{\"TableName\": \"streamed\"}') -> 'Table' ->> 'LatestStreamArn'")"
	if out="$(psql_db -At -c "SELECT bench_get_records('$arn')" 2>&1)"; then
		read -r ST[gr_ms] ST[gr_n] ST[gr_pages] <<<"$out"
		log "  GetRecords: ${ST[gr_n]} records in ${ST[gr_pages]} calls, ${ST[gr_ms]} ms"
	else
		ST[gr_error]="$(grep -m1 ERROR <<<"$out" || echo "$out" | head -n 1)"
		warn "GetRecords: ${ST[gr_error]}"
	fi
	psql_db -c "SELECT pg_drop_replication_slot('bench_ddb_emul'), pg_drop_replication_slot('bench_test_decoding')" >/dev/null
}

if [ -z "$ONLY" ] || [[ streams =~ $ONLY ]]; then
	streams_phase
fi

# ---------------------------------------------------------------------------
# instructions: a deterministic measure (callgrind)
#
# CPU time on a machine others use too varies with their load (caches, a
# shared physical core).  Instruction counts do not: the server is
# restarted under valgrind --tool=callgrind, and each workload runs on one
# connection twice, I_LO and I_HI transactions (different random seeds); the
# backend's instruction count difference over I_HI - I_LO is the user-space
# instructions per operation, start-up and warm-up excluded.

declare -A IR=() CGPROF=()
I_LO=50
I_HI=250
B_LO=5                           # BatchWriteItem: 25 writes per transaction
B_HI=25

# cg_run OP SIDE N SEED: run N transactions on one connection; prints the
# path of the backend's callgrind file once the backend has exited.
cg_run() {
	local op="$1" side="$2" n="$3" seed="$4" pid f i
	as_postgres / "$PGBENCH" -n -h "$SOCK" -p "$PORT" -U postgres -M prepared -c 1 -j 1 -t "$n" \
		--random-seed="$seed" -f "$S/${op}_${side}.sql" bench >"$W/logs/cg_${op}_${side}_$n.log" 2>&1 || return 1
	pid="$(sed -n 's/^\([0-9]*\) LOG:  connection authorized: .*application_name=pgbench.*/\1/p' "$W/logs/valgrind.log" | tail -n 1)"
	f="$W/cg/cg.$pid"
	for ((i = 0; i < 600; i++)); do
		if [ -n "$pid" ] && grep -q '^totals:' "$f" 2>/dev/null; then
			echo "$f"
			return 0
		fi
		sleep 0.1
	done
	return 1
}
cg_vacuum() {
	case "$1" in get|query|gsi) return 0 ;; esac
	psql_db -c "VACUUM ddb_data.bench" >/dev/null
}
cg_total() { sed -n 's/^summary: \([0-9]*\).*/\1/p' "$1"; }
# cg_functions FILE: "function inclusive-Ir object" per function
cg_functions() {
	callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$1" 2>/dev/null | awk '
		/^ *[0-9,]+ \([ 0-9.]+%\)  / {
			ir = $1; gsub(/,/, "", ir)
			line = $0; sub(/^ *[0-9,]+ \([ 0-9.]+%\)  /, "", line)
			obj = line; sub(/.* \[/, "", obj); sub(/\]$/, "", obj); sub(/.*\//, "", obj)
			sub(/ \[[^]]*\]$/, "", line)
			fn = line; sub(/.*:/, "", fn)
			if (fn ~ /^0x/ || fn == "" || fn ~ /^\(below main\)$/) next
			if (!(fn in seen)) { seen[fn] = 1; print fn, ir, obj }
		}'
}

instructions_phase() {
	local op side lo hi f1 f2 t1 t2
	log "instructions: restarting the server under callgrind"
	psql_db -c "VACUUM ddb_data.bench" >/dev/null
	as_postgres / "$BINDIR/pg_ctl" -D "$W/data" -m fast -w stop >/dev/null
	SERVER_UP=0
	mkdir -p "$W/cg"
	chown postgres: "$W/cg"
	as_postgres / valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$W/cg/cg.%p" \
		"$BINDIR/postgres" -D "$W/data" -c log_connections=on -c "log_line_prefix=%p " \
		>"$W/logs/valgrind.log" 2>&1 &
	SERVER_UP=1
	for ((i = 0; i < 240; i++)); do
		"$BINDIR/pg_isready" -q -h "$SOCK" -p "$PORT" && break
		sleep 0.5
	done
	"$BINDIR/pg_isready" -q -h "$SOCK" -p "$PORT" || { warn "the server did not start under valgrind"; return 0; }
	for op in "${RUN_OPS[@]}"; do
		[ "${IMPLEMENTED[$op]}" = 1 ] || continue
		if [ "$op" = batch ]; then lo=$B_LO; hi=$B_HI; else lo=$I_LO; hi=$I_HI; fi
		for side in ddb sql; do
			# after writes, VACUUM: each run starts without dead rows
			f1="$(cg_run "$op" "$side" "$lo" 1)" && cg_vacuum "$op" &&
				f2="$(cg_run "$op" "$side" "$hi" 2)" && cg_vacuum "$op" || {
				warn "callgrind run of $op/$side failed"
				continue
			}
			t1="$(cg_total "$f1")"
			t2="$(cg_total "$f2")"
			IR[$op.$side]=$(( (t2 - t1) / (hi - lo) ))
			cg_functions "$f1" >"$f1.fn"
			cg_functions "$f2" >"$f2.fn"
			# per-operation inclusive instructions of each function
			awk -v d="$((hi - lo))" 'FNR == 1 { k++ } k == 1 { a[$1] = $2; next } { print $1, ($2 - a[$1]) / d, $3 }' \
				"$f1.fn" "$f2.fn" >"$W/cg/${op}_${side}.perop"
			printf '    %-7s %-4s %10d instructions/op\n' "$op" "$side" "${IR[$op.$side]}"
		done
		if [ -f "$W/cg/${op}_ddb.perop" ] && [ -f "$W/cg/${op}_sql.perop" ]; then
			CGPROF[$op]="$(awk -v total="${IR[$op.ddb]}" '
				FNR == 1 { k++ }
				k == 1 { a[$1] = $2; obj[$1] = $3; next }
				{ b[$1] = $2 }
				END {
					print "| function | object | ddb_emul instructions/op | hand SQL instructions/op |"
					print "|---|---|---|---|"
					n = 0
					for (s in a) if (a[s] >= total * 0.02) keys[n++] = s
					for (i = 1; i < n; i++) { k = keys[i]; for (j = i - 1; j >= 0 && a[keys[j]] < a[k]; j--) keys[j + 1] = keys[j]; keys[j + 1] = k }
					shown = 0
					for (i = 0; i < n && shown < 40; i++) {
						s = keys[i]
						if (s ~ /^(main|__libc_start_main.*|__libc_start_call_main|PostmasterMain|ExecutorRun|ExecInterpExprStillValid)$/) continue
						printf "| `%s` | %s | %.0f | %s |\n", s, obj[s], a[s], (s in b) ? sprintf("%.0f", b[s]) : "—"
						shown++
					}
				}' "$W/cg/${op}_ddb.perop" "$W/cg/${op}_sql.perop")"
		fi
	done
	as_postgres / "$BINDIR/pg_ctl" -D "$W/data" -m fast -w -t 120 stop >/dev/null || true
	SERVER_UP=0
}

if [ "${BENCH_INSTRUCTIONS:-1}" = 1 ] && command -v valgrind >/dev/null 2>&1 && command -v callgrind_annotate >/dev/null 2>&1; then
	instructions_phase
fi

# ---------------------------------------------------------------------------
# report

commit="$(git -c safe.directory="$DDB_ROOT" -C "$DDB_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
dirty="$(git -c safe.directory="$DDB_ROOT" -C "$DDB_ROOT" status --porcelain 2>/dev/null | grep -vc '^?? bench/' || true)"
cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
mem="$(free -g | awk '/^Mem:/ { print $2 " GB" }')"

previous_analysis=""
if [ -f "$OUT" ] && grep -q '<!-- BEGIN ANALYSIS' "$OUT"; then
	previous_analysis="$(sed -n '/<!-- BEGIN ANALYSIS/,/<!-- END ANALYSIS -->/p' "$OUT")"
fi

fmt_side() {
	local key="$1"
	if [ -n "${ERR[$key]:-}" ] && [ -z "${TPS[$key]:-}" ]; then
		printf 'error'
	elif [ -n "${TPS[$key]:-}" ]; then
		printf '%s tps, %s ms' "${TPS[$key]}" "${LAT[$key]}"
	else
		printf '—'
	fi
}

{
	echo "# ddb_emul benchmarks"
	echo
	echo "Written by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Each operation runs"
	echo "through the ddb_emul API and as hand-written SQL doing the same work on the"
	echo "same physical table (\`ddb_data.bench\`), in the same cluster, on the same data:"
	echo "$REPS rounds of one ${SECONDS_PER_RUN} s \`pgbench -M prepared -c $CLIENTS -j $CLIENTS\` run per side,"
	echo "back to back, each run started when other processes left the CPUs alone"
	echo "(waiting up to 5 s per run, ${BENCH_QUIET_BUDGET:-20} s in all). Results use the **quiet rounds**,"
	echo "those where other processes took < $QUIET CPUs during both runs, when there are"
	echo "any, else all rounds (column \"rounds\"). Three ratios, each ddb_emul's cost per"
	echo "operation over the hand SQL's (1.00 = no overhead):"
	echo
	echo "- **pgbench**: hand SQL tps / ddb_emul tps, over the rounds used (in brackets the"
	echo "  lowest and highest round). This is the end-to-end ratio the targets are"
	echo "  about, but on a machine other processes use it swings with their load (the"
	echo "  \"other load\" column of the runs below)."
	echo "- **CPU time**: CPU time per operation of the server (all its processes, in"
	echo "  their own cgroup) plus pgbench's, ddb_emul over hand SQL. Other processes"
	echo "  cannot steal it, and on an idle saturated machine throughput is its inverse,"
	echo "  so it estimates the idle-machine pgbench ratio; **the verdict uses it**"
	echo "  (the pgbench ratio when CPU time is not measured). It still moves with other"
	echo "  load (shared caches and cores; the hand SQL's short transactions suffer"
	echo "  most, which pulls ratios towards 1 on a busy machine), hence the quiet"
	echo "  rounds, and \"borderline\" when the rounds' CPU ratios fall on both sides of"
	echo "  the target."
	echo "- **instructions**: user-space instructions per operation of the server"
	echo "  backend, counted by callgrind (deterministic, reproducible to about 1 %:"
	echo "  the number to track optimisations with). It leaves out the kernel and"
	echo "  pgbench work both sides share, so it estimates the end-to-end ratio from"
	echo "  above, though not by much: ddb_emul's longer code path also runs at fewer"
	echo "  instructions per cycle."
	echo
	echo "| operation | ddb_emul | hand SQL | ratio: pgbench | ratio: CPU time | ratio: instructions | target | verdict | rounds |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for op in "${OPS[@]}"; do
		if [ -n "$ONLY" ] && ! [[ $op =~ $ONLY ]]; then
			continue
		fi
		if [ "${IMPLEMENTED[$op]}" != 1 ]; then
			echo "| ${TITLE[$op]} | ${NOTE[$op]} | — | — | — | — | ≤ ${TARGET[$op]}× | not measured | — |"
			continue
		fi
		r="$(ratio "$op" || echo "")"
		sp="$(spread "$op" RTPS || true)"
		rp="—"
		[ -z "$r" ] || rp="$r×"
		[ -z "$sp" ] || [ "$REPS" -lt 2 ] || rp="$rp ($sp)"
		rc="—"; ct=""
		if ct="$(cpu_ratio "$op" total)"; then
			rc="$ct×"
			sc="$(spread "$op" RCPU || true)"
			[ -z "$sc" ] || [ "$REPS" -lt 2 ] || rc="$rc ($sc)"
		else
			ct=""
		fi
		ri="—"
		if [ -n "${IR[$op.ddb]:-}" ] && [ -n "${IR[$op.sql]:-}" ]; then
			ri="$(awk -v a="${IR[$op.ddb]}" -v b="${IR[$op.sql]}" 'BEGIN { printf "%.2f×", a / b }')"
		fi
		basis="${ct:-$r}"
		verdict="—"
		if [ -n "$basis" ]; then
			if awk -v r="$basis" -v t="${TARGET[$op]}" 'BEGIN { exit !(r <= t) }'; then verdict="met"; else verdict="**missed**"; fi
			if [ -n "$ct" ] && [ -n "${sc:-}" ] && [ "$REPS" -ge 2 ] &&
				awk -v lo="${sc%%–*}" -v hi="${sc##*–}" -v t="${TARGET[$op]}" 'BEGIN { exit !(lo <= t && hi > t) }'; then
				verdict="$verdict (borderline)"
			fi
			# the deterministic measure, when it disagrees
			if [ "$ri" != "—" ]; then
				if awk -v r="${ri%×}" -v t="${TARGET[$op]}" 'BEGIN { exit !(r <= t) }'; then
					[ "${verdict%% *}" = met ] || verdict="$verdict; met by instructions"
				else
					[ "${verdict%% *}" != met ] || verdict="$verdict; **missed by instructions**"
				fi
			fi
		fi
		if [ "${QUIETN[$op]:-0}" -gt 0 ]; then
			used="${QUIETN[$op]} of $REPS quiet"
		else
			used="all $REPS, none quiet"
		fi
		echo "| ${TITLE[$op]} | $(fmt_side "$op.ddb") | $(fmt_side "$op.sql") | $rp | **$rc** | $ri | ≤ ${TARGET[$op]}× | $verdict | $used |"
	done
	echo
	echo "Cost per operation (ddb_emul / hand SQL):"
	echo
	echo "| operation | server CPU µs | pgbench CPU µs | server instructions |"
	echo "|---|---|---|---|"
	for op in "${RUN_OPS[@]}"; do
		[ "${IMPLEMENTED[$op]}" = 1 ] || continue
		a="—"; b="—"; c="—"
		if [ -n "$CG" ] && [ -n "${CPUSRV[$op.ddb]:-}" ] && [ -n "${CPUSRV[$op.sql]:-}" ]; then
			a="${CPUSRV[$op.ddb]} / ${CPUSRV[$op.sql]} ($(cpu_ratio "$op" server)×)"
			b="${CPUCLI[$op.ddb]} / ${CPUCLI[$op.sql]}"
		fi
		if [ -n "${IR[$op.ddb]:-}" ] && [ -n "${IR[$op.sql]:-}" ]; then
			c="$(group "${IR[$op.ddb]}") / $(group "${IR[$op.sql]}")"
		fi
		echo "| ${TITLE[$op]} | $a | $b | $c |"
	done
	if [ -n "${TPS[get.enc]:-}" ]; then
		echo
		echo "Informational: GetItem's hand SQL computing the key bytes on the server with"
		echo "\`ddb.encode_key()\` (as in the README's example) instead of receiving them:"
		if r="$(cpu_ratio get total enc)"; then
			echo "$(fmt_side get.enc), server CPU ${CPUSRV[get.enc]} µs/op; ddb_emul / that: CPU time $r×, pgbench $(ratio get enc)×."
		else
			echo "$(fmt_side get.enc); ddb_emul / that = $(ratio get enc)×."
		fi
	fi
	errs=""
	for key in "${!ERR[@]}"; do
		errs+="- \`$key\`: ${ERR[$key]}"$'\n'
	done
	if [ -n "$errs" ]; then
		echo
		echo "Errors during the runs:"
		echo
		printf '%s' "$errs"
	fi
	echo
	echo "<details><summary>Every run (in the order run)</summary>"
	echo
	echo "| operation | run | side | tps | server CPU µs/op | pgbench CPU µs/op | other load (CPUs) |"
	echo "|---|---|---|---|---|---|---|"
	for op in "${RUN_OPS[@]}"; do
		printf '%s' "${RUNS[$op]:-}"
	done
	echo
	echo "\`sql\` is the hand SQL, \`enc\` GetItem's hand SQL with \`ddb.encode_key()\`. Other"
	echo "load: the machine's busy CPU time during the run minus the server's and"
	echo "pgbench's, over the run's duration."
	echo
	echo "</details>"
	echo
	if [ -z "$ONLY" ] || [[ streams =~ $ONLY ]]; then
		echo "## Streams: decoding, pump, GetRecords"
		echo
		if [ -n "${ST[error]:-}" ]; then
			echo "Not measured: ${ST[error]}."
		else
			echo "$STREAM_RECORDS PutItems (new items of $SIZE bytes, $STREAM_PER_TXN per transaction, ${ST[write_s]} s)"
			echo "into table \`streamed\` (NEW_IMAGE stream), after creating two logical slots, one"
			echo "with the \`ddb_emul\` plugin and one with contrib's \`test_decoding\` (default options);"
			echo "${ST[wal_mb]} MB of WAL. Each slot then decodes the same WAL up to the LSN after the"
			echo "writes, \`SELECT count(*) FROM pg_logical_slot_peek_changes(slot, '${ST[upto]}', NULL)\`"
			echo "(server-side time, \`clock_timestamp()\` around it; peek does not advance the"
			echo "slot), $STREAM_REPS times each, alternating; the median counts."
			echo
			echo "| | median time | rows | records/s | ratio ddb_emul / test_decoding | target | verdict |"
			echo "|---|---|---|---|---|---|---|"
			v="**missed**"
			awk -v r="${ST[ratio]}" 'BEGIN { exit !(r <= 2) }' && v=met
			echo "| \`ddb_emul\` | ${ST[ms_ddb]} ms | ${ST[rows_ddb]} | $(awk -v n="$STREAM_RECORDS" -v t="${ST[ms_ddb]}" 'BEGIN { printf "%.0f", n * 1000 / t }') | **${ST[ratio]}×** | ≤ 2× | $v |"
			echo "| \`test_decoding\` | ${ST[ms_td]} ms | ${ST[rows_td]} | $(awk -v n="$STREAM_RECORDS" -v t="${ST[ms_td]}" 'BEGIN { printf "%.0f", n * 1000 / t }') | | | |"
			echo
			echo "(test_decoding's rows include a BEGIN and a COMMIT row per transaction; records/s"
			echo "counts the $STREAM_RECORDS changes for both.)"
			echo
			echo "| step | records | time | records/s |"
			echo "|---|---|---|---|"
			echo "| \`ddb.stream_pump()\` right after the writes (decode + insert into \`ddb.stream_records\`) | ${ST[pump_n]} (${ST[stored]} stored) | ${ST[pump_ms]} ms | $(awk -v n="${ST[pump_n]}" -v t="${ST[pump_ms]}" 'BEGIN { printf "%.0f", (t > 0 ? n * 1000 / t : 0) }') |"
			if [ -n "${ST[gr_ms]:-}" ]; then
				echo "| GetShardIterator (TRIM_HORIZON) + GetRecords, Limit 1000, to the end | ${ST[gr_n]} in ${ST[gr_pages]} calls | ${ST[gr_ms]} ms | $(awk -v n="${ST[gr_n]}" -v t="${ST[gr_ms]}" 'BEGIN { printf "%.0f", n * 1000 / t }') |"
			else
				echo "| GetRecords | failed: ${ST[gr_error]:-not run} | | |"
			fi
			echo
			echo "<details><summary>Every decoding run</summary>"
			echo
			echo "| run | plugin | ms | rows |"
			echo "|---|---|---|---|"
			printf '%s\n' "${ST_RUNS[@]}"
			echo
			echo "</details>"
			for slot in bench_ddb_emul bench_test_decoding; do
				[ -n "${ST[perf_$slot]:-}" ] || continue
				echo
				echo "<details><summary>perf: one peek of \`${slot#bench_}\`, server processes, self time ≥ 1.5 %</summary>"
				echo
				echo "\`perf record -F 1999 -g -a\` around one \`bench_peek('$slot', ...)\`; \`perf report --comm postgres --no-children --sort dso,sym\`."
				echo
				echo "| self | object | function |"
				echo "|---|---|---|"
				echo "${ST[perf_$slot]}"
				echo
				echo "</details>"
			done
		fi
		echo
	fi
	echo "## Machine and build"
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| CPUs (nproc) | $(nproc) ($cpu) |"
	echo "| memory | $mem |"
	echo "| kernel | $(uname -r) |"
	echo "| load average | $LOAD_BEFORE before the runs, $(cut -d' ' -f1-3 /proc/loadavg) after |"
	echo "| PostgreSQL | $pgversion |"
	echo "| pgbench | $("$PGBENCH" --version) |"
	echo "| ddb_emul | $extversion, $BUILD_DESC |"
	echo "| commit | \`$commit\`$([ "$dirty" -gt 0 ] && echo " + $dirty uncommitted changed/new files outside bench/ (included in the build)") |"
	echo
	echo "Server: a throw-away cluster started by the script (initdb, Unix socket only),"
	echo "with these settings appended to \`postgresql.conf\` (the README's ddb_emul"
	echo "settings plus a CPU-bound set-up: the data fits in \`shared_buffers\`; durability"
	echo "off, because disk flushes cost both sides the same and would only hide the"
	echo "difference being measured):"
	echo
	echo '```ini'
	grep -v -E '^(port|unix_socket_directories) ' <<<"$SETTINGS"
	echo '```'
	echo
	echo "## Data"
	echo
	echo "DynamoDB table \`bench\`: partition key \`pk\` (S), sort key \`sk\` (S);"
	echo "$PARTITIONS partitions \`\"$PK0\"\` … \`\"$PMAX\"\` × $SORTKEYS sort keys \`\"$SK0\"\` … \`\"$SMAX\"\`"
	echo "= $NITEMS items, loaded through \`ddb.put_item\` in ${LOAD_SECONDS} s, then \`VACUUM ANALYZE\`."
	echo "Every item has DynamoDB size $SIZE bytes (jsonb $JSONB_BYTES bytes on disk), table and"
	echo "index $TABLE_MB MB. An item:"
	echo
	echo '```json'
	echo "$EXAMPLE_ITEM"
	echo '```'
	echo
	echo "Table \`gsi\` (Query on a GSI): keys as \`bench\`, $GSI_PARTITIONS partitions × $SORTKEYS sort keys"
	echo "= $((GSI_PARTITIONS * SORTKEYS)) items loaded through \`ddb.put_item\`, with attributes \`g\` = \`\"5000\"\` +"
	echo "pk mod $GSI_GROUPS ($GSI_GROUPS index partitions of $((GSI_PARTITIONS * SORTKEYS / GSI_GROUPS)) items) and \`r\`, a 5-digit string;"
	echo "GSI \`by-g\` (hash \`g\`, range \`r\`, projection ALL) is this PostgreSQL index:"
	echo
	echo '```sql'
	echo "$GSI_INDEXDEF"
	echo '```'
	echo
	echo "## Fairness"
	echo
	echo "- **Keys.** Keys are digit strings, so one pgbench integer variable is both"
	echo "  the key's text in the request JSON and, sent as a \`bytea\` parameter, its"
	echo "  physical encoding (\`ddb.encode_key('{\"S\": \"1000042\"}')\` is the bytes of"
	echo "  \`1000042\`). The hand SQL thus receives the key bytes precomputed, as an"
	echo "  application encoding keys itself would send them: the strictest baseline."
	echo "  (The informational line under the table shows GetItem's hand SQL calling"
	echo "  \`ddb.encode_key()\` instead.)"
	echo "- **Request and item text.** Both sides build their JSON text (ddb_emul: the"
	echo "  request; hand SQL: the item) by string concatenation from the same pgbench"
	echo "  variables inside the statement and cast it to \`jsonb\`; parsing that JSON is"
	echo "  work both sides do. ddb_emul additionally validates and canonicalises the"
	echo "  item and computes its size; the hand SQL writes the size as a constant (all"
	echo "  items have the same size, as an application could compute it)."
	echo "- **Same rows.** Before the runs the script checks that each hand-written write"
	echo "  leaves exactly the rows the API call leaves and each read returns the same"
	echo "  items (same random draws on both sides, in rolled-back transactions):"
	echo
	echo "  | check | passed |"
	echo "  |---|---|"
	for c in "${CHECKS[@]}"; do
		echo "  $c"
	done
	echo
	echo "- **UpdateItem.** The hand UPDATE does the change in one statement with the"
	echo "  condition in its WHERE clause (\`item ? 'pk'\` is \`attribute_exists(pk)\`) and"
	echo "  keeps \`size\`, which is right here: \`v\` keeps its length and \`n\` (6 digits"
	echo "  ending in 01) keeps its DynamoDB size through the few increments per item"
	echo "  a run makes (the check above compares sizes too). ddb_emul reads the item"
	echo "  FOR UPDATE, evaluates the condition and update expressions, recomputes the"
	echo "  size and writes the item back."
	echo "- **Query.** The hand SELECT returns 10 rows; ddb_emul returns one JSON"
	echo "  document with the 10 items (and Count, ScannedCount, LastEvaluatedKey)."
	echo "- **Query on a GSI.** The hand SELECT repeats the index's expressions"
	echo "  (\`ddb.index_key(item, 'g', 'S') = \$1 AND ddb.index_key(item, 'r', 'S') >= \$2\`,"
	echo "  ordered by the index's columns after \`g\`), so it reads the same index; its"
	echo "  generic plan (what \`pgbench -M prepared\` runs):"
	echo
	echo '  ```'
	sed 's/^/  /' <<<"${GSI_EXPLAIN:-}"
	echo '  ```'
	echo
	echo "- **BatchWriteItem.** 25 puts to 25 different partitions spread over the"
	echo "  table; the hand SQL is one multi-row \`INSERT ... ON CONFLICT DO UPDATE\`."
	echo "- Every run starts after a \`VACUUM\` of the table (autovacuum is off), so"
	echo "  neither side prunes dead rows the other left, and no vacuum runs during a"
	echo "  measurement."
	echo "- The ddb_emul side's request text is assembled inside the statement by"
	echo "  \`concat()\` (pgbench has no string variables); an application would send the"
	echo "  JSON as a parameter. For GetItem, whose hand SQL builds nothing, that costs"
	echo "  ddb_emul about 4,000 instructions per operation (\`text_concat\` in the"
	echo "  instruction tables), ~3 %."
	echo
	echo "## Commands"
	echo
	echo "Scripts are in the scratch directory \`\$W/scripts\` (written by \`run.sh\`,"
	echo "reproduced below); \`\$SOCK\`/\`\$PORT\` are the throw-away cluster's. Each run,"
	echo "ddb_emul and hand SQL alternating, $REPS times per side:"
	echo
	echo '```sh'
	for op in "${RUN_OPS[@]}"; do
		[ "${IMPLEMENTED[$op]}" = 1 ] || continue
		echo "$CMD_PREFIX -f \$W/scripts/${op}_ddb.sql bench"
		echo "$CMD_PREFIX -f \$W/scripts/${op}_sql.sql bench"
		[ "$op" != get ] || echo "$CMD_PREFIX -f \$W/scripts/get_enc.sql bench   # first round only"
	done
	echo '```'
	if [ ${#IR[@]} -gt 0 ]; then
		echo
		echo "Instructions: the server restarted as"
		echo "\`valgrind --tool=callgrind --trace-children=yes postgres -D \$W/data -c log_connections=on\`,"
		echo "then per workload and side (N = $I_LO, then $I_HI; $B_LO, then $B_HI for BatchWriteItem;"
		echo "the backend's callgrind total, found by its pid in the log, after each):"
		echo
		echo '```sh'
		echo "pgbench -n -h \$SOCK -p \$PORT -U postgres -M prepared -c 1 -j 1 -t N --random-seed=1|2 -f \$W/scripts/OP_SIDE.sql bench"
		echo '```'
	fi
	echo
	for op in "${OPS[@]}"; do
		echo "<details><summary>${TITLE[$op]}: <code>${op}_ddb.sql</code>, <code>${op}_sql.sql</code></summary>"
		echo
		for side in ddb sql enc; do
			[ -f "$S/${op}_${side}.sql" ] || continue
			echo '```sql'
			echo "-- ${op}_${side}.sql"
			if [ "$op" = batch ]; then
				echo "-- shown with 2 of its 25 entries: p2..p24 and s2..s24 are drawn and used likewise"
				batch_script "$side" 2
			else
				cat "$S/${op}_${side}.sql"
			fi
			echo '```'
		done
		echo
		echo "</details>"
		echo
	done
	echo "## Profiles"
	echo
	if [ ${#PROF[@]} -eq 0 ]; then
		echo "No profile in this run (every measured target met, perf missing, or BENCH_PROFILE=0)."
	else
		echo "For each missed target, \`perf record -F $PERF_FREQ -g -p <the pgbench backends>\` for"
		echo "${PROFILE_SECONDS} s of each side's workload (PostgreSQL and ddb_emul are built with frame"
		echo "pointers, so call chains are complete; Debian's postgres binary has no symbols"
		echo "for its static functions, which are left out). Time per operation = samples /"
		echo "frequency / (tps × seconds); inclusive = the function and everything it calls."
		echo "Functions of ddb_emul.so are those with object \`ddb_emul.so\`. Functions"
		echo "taking ≥ 1 % of the ddb_emul side's samples, most expensive first:"
		for op in "${RUN_OPS[@]}"; do
			[ -n "${PROF[$op]:-}" ] || continue
			echo
			echo "### ${TITLE[$op]}"
			echo
			echo "${PROF[$op]}"
		done
	fi
	echo
	if [ ${#CGPROF[@]} -gt 0 ]; then
		echo "## Instructions per function"
		echo
		echo "From the callgrind runs (\`valgrind --tool=callgrind --trace-children=yes\` on"
		echo "the postmaster, one pgbench connection running $I_LO and then $I_HI transactions"
		echo "($B_LO and $B_HI for BatchWriteItem); the difference over the extra transactions):"
		echo "inclusive user-space instructions per operation of the functions with ≥ 2 % of"
		echo "the ddb_emul side's, and the same functions on the hand SQL side. Static"
		echo "functions of Debian's postgres binary have no symbols and are left out."
		for op in "${RUN_OPS[@]}"; do
			[ -n "${CGPROF[$op]:-}" ] || continue
			echo
			echo "<details><summary>${TITLE[$op]}: $(group "${IR[$op.ddb]}") / $(group "${IR[$op.sql]}") instructions per operation</summary>"
			echo
			echo "${CGPROF[$op]}"
			echo
			echo "</details>"
		done
		echo
	fi
	if [ -n "$previous_analysis" ]; then
		echo "$previous_analysis"
	else
		echo "<!-- BEGIN ANALYSIS (kept by run.sh across runs; edit by hand) -->"
		echo "## Analysis"
		echo
		echo "(none yet)"
		echo "<!-- END ANALYSIS -->"
	fi
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT"
sed -n '/^| operation/,/^$/p' "$OUT"
