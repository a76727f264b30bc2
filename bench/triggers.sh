#!/usr/bin/env bash
#
# bench/triggers.sh -- delivery rate of stream-triggered functions
# (event source mappings), in records per second.
#
#     sudo bash bench/triggers.sh
#
# What it does, as root:
#   1. builds the extension from a clean copy of the checkout and installs it
#      into a private copy of the PostgreSQL installation under a scratch
#      directory (the system installation and the dev server are not
#      touched);
#   2. starts a throw-away cluster there as the postgres user (Unix socket
#      only) with test/ddb_emul.conf (so ddb_emul is preloaded and the
#      background worker runs) and ddb_emul.worker_naptime = 10 ms (so the
#      worker notices a newly enabled mapping at once);
#   3. creates DynamoDB table "Bench" with a NEW_IMAGE stream and writes
#      BENCH_RECORDS items through ddb.put_item (BENCH_ITEMS_PER_TXN per
#      transaction), then pumps the stream into ddb.stream_records (timed)
#      and runs VACUUM ANALYZE;
#   4. for each batch size of BENCH_BATCH_SIZES, with a trivial function
#      that inserts one row with the number of records of its batch (all
#      worker runs first, then the synchronous ones):
#        sync    ddb.deliver_stream_batches_now(pump => false): every batch
#                in one transaction (the synchronous entry point), worker
#                paused;
#        worker  the background worker: one transaction per batch, timed
#                from enabling the mapping until records_delivered reaches
#                BENCH_RECORDS (polled every 10 ms);
#      and checks that each function saw exactly BENCH_RECORDS records;
#   5. prints a table, stops the cluster and removes the scratch directory
#      (BENCH_KEEP=1 keeps it).
#
# Environment:
#   BENCH_RECORDS      records to deliver (default 100000)
#   BENCH_BATCH_SIZES  batch sizes (default "100 1000")
#   BENCH_ITEMS_PER_TXN  items written per transaction (default 100).  The
#                      pump re-decodes the last transaction with stream
#                      records every time it runs (it advances the slot only
#                      up to the last stored change), and the worker pumps
#                      every iteration: with large write transactions the
#                      worker's delivery rate drops accordingly.
#   BENCH_FSYNC        fsync setting of the cluster (default off, as in
#                      test/ddb_emul.conf: commits cost no disk flush)
#   BENCH_TIMEOUT      seconds to wait for the worker per run (default 600)
#   BENCH_KEEP=1       keep the scratch directory
#   PG_CONFIG, DDB_EMUL_SKIP_PACKAGES (scripts/lib.sh)

set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

RECORDS="${BENCH_RECORDS:-100000}"
SIZES="${BENCH_BATCH_SIZES:-100 1000}"
PER_TXN="${BENCH_ITEMS_PER_TXN:-100}"
FSYNC="${BENCH_FSYNC:-off}"
TIMEOUT="${BENCH_TIMEOUT:-600}"

require_root
unset_pg_env
umask 022
install_packages || die "apt-get failed"
pg_paths

W="$(mktemp -d /tmp/ddb_bench_triggers.XXXXXX)"
B="$W/build"
DATA="$W/data"
SOCK="$W/sock"
PORT="$(free_port)"

cleanup() {
	if [ -f "$DATA/postmaster.pid" ]; then
		as_postgres "$W" "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		log "scratch directory kept: $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT

log "build: $DDB_ROOT into $W"
copy_tree "$DDB_ROOT" "$B"
DDB_EMUL_SYSTEM_INSTALL=0 build_install "$B" "$W/build.log" || die "build failed"

# A private installation: server binaries copied, the rest symlinked to the
# system's, this build installed into it (as scripts/test.sh does).
inst="$W/inst"
sysshare="$("$PG_CONFIG" --sharedir)"
mkdir -p "$inst$(dirname "$BINDIR")" "$inst$(dirname "$PKGLIBDIR")" "$inst$(dirname "$sysshare")"
cp -a "$BINDIR" "$inst$BINDIR"
cp -as "$PKGLIBDIR" "$inst$(dirname "$PKGLIBDIR")/"
cp -as "$sysshare" "$inst$(dirname "$sysshare")/"
(cd "$inst" && find . -type l -path '*ddb_emul*' -delete)
(cd "$B" && make -s install DESTDIR="$inst" PG_CONFIG="$PG_CONFIG") >>"$W/build.log" 2>&1 ||
	die "private installation failed (see $W/build.log)"
PG_CONFIG="$inst$BINDIR/pg_config"
BINDIR="$("$PG_CONFIG" --bindir)"

mkdir -p "$SOCK"
chown -R postgres: "$W"
as_postgres "$W" "$BINDIR/initdb" -D "$DATA" -A trust -U postgres >/dev/null
{
	cat "$B/test/ddb_emul.conf"
	plugin_setting_line "$BINDIR" || true
	echo "fsync = $FSYNC"
	echo "ddb_emul.worker_naptime = 10"
	echo "listen_addresses = ''"
	echo "unix_socket_directories = '$SOCK'"
	echo "port = $PORT"
} >>"$DATA/postgresql.conf"
as_postgres "$W" "$BINDIR/pg_ctl" -D "$DATA" -l "$W/server.log" -w start >/dev/null

psql_bench() {
	as_postgres "$W" "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d bench "$@"
}
now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

as_postgres "$W" "$BINDIR/createdb" -h "$SOCK" -p "$PORT" -U postgres bench
psql_bench -c "CREATE EXTENSION ddb_emul"
psql_bench -c "SELECT ddb.create_table('{\"TableName\": \"Bench\", \"BillingMode\": \"PAY_PER_REQUEST\",
  \"StreamSpecification\": {\"StreamEnabled\": true, \"StreamViewType\": \"NEW_IMAGE\"},
  \"AttributeDefinitions\": [{\"AttributeName\": \"pk\", \"AttributeType\": \"S\"}],
  \"KeySchema\": [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}]}') IS NOT NULL" >/dev/null
psql_bench <<'SQL'
CREATE TABLE bench_batches (name text NOT NULL, n integer NOT NULL);
SQL

log "writing $RECORDS items, $PER_TXN per transaction"
t0=$(now)
psql_bench <<SQL >/dev/null
CREATE PROCEDURE bench_write(total integer, per_txn integer) LANGUAGE plpgsql AS \$\$
DECLARE
  i integer := 0;
BEGIN
  WHILE i < total LOOP
    PERFORM ddb.put_item(jsonb_build_object('TableName', 'Bench', 'Item',
      jsonb_build_object('pk', jsonb_build_object('S', 'item-' || j),
                         'payload', jsonb_build_object('S', repeat('x', 64)),
                         'n', jsonb_build_object('N', j::text))))
      FROM generate_series(i + 1, least(i + per_txn, total)) j;
    i := i + per_txn;
    COMMIT;
  END LOOP;
END \$\$;
CALL bench_write($RECORDS, $PER_TXN);
SQL
t1=$(now)
write_secs=$(secs "$t0" "$t1")
# The worker pumps too; pump until everything is stored.
t0=$(now)
for try in $(seq 1 100); do
	psql_bench -c "SELECT ddb.stream_pump()" >/dev/null
	stored=$(psql_bench -c "SELECT count(*) FROM ddb.stream_records")
	[ "$stored" -ge "$RECORDS" ] && break
	sleep 0.1
done
t1=$(now)
pump_secs=$(secs "$t0" "$t1")
[ "$stored" -eq "$RECORDS" ] || die "ddb.stream_records holds $stored records, expected $RECORDS"
# Autovacuum would otherwise vacuum and analyze the new records during a run.
psql_bench -c "VACUUM ANALYZE" >/dev/null
worker_state=$(psql_bench -c "SELECT state FROM ddb.worker_status()" 2>/dev/null || echo "unknown")

RESULTS=()
# Every worker run first: a synchronous run writes one large transaction,
# which the worker's pump decodes again at every iteration afterwards (see
# BENCH_ITEMS_PER_TXN).
for path in worker sync; do
	for size in $SIZES; do
		fn="bench_${path}_${size}"
		psql_bench <<SQL
CREATE FUNCTION $fn(payload jsonb) RETURNS void LANGUAGE sql AS \$\$
  INSERT INTO bench_batches VALUES ('$fn', jsonb_array_length(payload -> 'Records'))
\$\$;
SQL
		uuid=$(psql_bench -c "SELECT ddb.create_event_source_mapping('Bench', '$fn(jsonb)', 'TRIM_HORIZON',
		  batch_size => $size, enabled => false)" 2>/dev/null)
		if [ "$path" = sync ]; then
			log "sync delivery, batch size $size"
			out=$(psql_bench <<SQL
SELECT ddb.pause_background_delivery();
SELECT (ddb.update_event_source_mapping('$uuid', enabled => true)).enabled;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT ddb.deliver_stream_batches_now(pump => false) AS batches \gset
SELECT extract(epoch FROM clock_timestamp()) - :t0, :batches;
SQL
)
			elapsed=$(echo "$out" | tail -n 1 | cut -d'|' -f1)
			batches=$(echo "$out" | tail -n 1 | cut -d'|' -f2)
		else
			if [ "$worker_state" != running ]; then
				RESULTS+=("$(printf '%-7s %6s %10s %9s %12s  %s' "$path" "$size" "-" "-" "-" "worker not running ($worker_state)")")
				continue
			fi
			log "worker delivery, batch size $size"
			t0=$(now)
			psql_bench -c "SELECT (ddb.update_event_source_mapping('$uuid', enabled => true)).enabled" >/dev/null
			deadline=$(( $(date +%s) + TIMEOUT ))
			while :; do
				got=$(psql_bench -c "SELECT records_delivered FROM ddb.event_source_mappings WHERE uuid = '$uuid'")
				t1=$(now)
				[ "$got" -ge "$RECORDS" ] && break
				[ "$(date +%s)" -lt "$deadline" ] || die "worker delivered $got of $RECORDS records in ${TIMEOUT}s"
				sleep 0.01
			done
			elapsed=$(secs "$t0" "$t1")
			batches=$(psql_bench -c "SELECT batches_delivered FROM ddb.event_source_mappings WHERE uuid = '$uuid'")
		fi
		counted=$(psql_bench -c "SELECT coalesce(sum(n), 0) FROM bench_batches WHERE name = '$fn'")
		check=ok
		[ "$counted" -eq "$RECORDS" ] || check="$counted records seen, expected $RECORDS"
		RESULTS+=("$(printf '%-7s %6s %10s %9.3f %12s  %s' "$path" "$size" "$batches" "$elapsed" \
			"$(rate "$RECORDS" "$elapsed")" "$check")")
		psql_bench -c "SELECT ddb.update_event_source_mapping('$uuid', enabled => false)" >/dev/null
	done
done

echo
echo "ddb_emul stream-triggered functions: delivery of $RECORDS records (NEW_IMAGE, ~150-byte items)"
echo "function: one INSERT per batch (its number of records); fsync = $FSYNC; $(nproc) CPUs; PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}')"
echo "writing the items ($PER_TXN per transaction): ${write_secs}s ($(rate "$RECORDS" "$write_secs") items/s); final pump: ${pump_secs}s"
echo
printf '%-7s %6s %10s %9s %12s  %s\n' path batch batches seconds records/s check
for r in "${RESULTS[@]}"; do
	echo "$r"
done
