#!/usr/bin/env bash
#
# test/extra/sweeps_no_worker.sh -- minute sweeps on a server without
# ddb_emul in shared_preload_libraries (a cluster of its own): creating or
# enabling a sweep warns that it will not run by itself, and
# ddb.run_sweeps_now() still runs the sweeps that are due.
#
# Runs from scripts/test.sh (extra step; see there for DDB_EMUL_WORK, BINDIR)
# as root; the cluster runs as postgres on a Unix socket in DDB_EMUL_WORK and
# is always stopped.  Bounded: about 5 s, at most 60 s.
#
set -uo pipefail

BINDIR=${BINDIR:-$(pg_config --bindir)}
WORK=${DDB_EMUL_WORK:?DDB_EMUL_WORK is not set}
DATA="$WORK/data"
SOCK="$WORK/sock"
LOG="$WORK/server.log"
PORT=5498					# only names the socket file in $SOCK

as_pg() {
	(cd "$WORK" && runuser -u postgres -- "$@")
}

cleanup() {
	if [ -f "$DATA/postmaster.pid" ]; then
		as_pg "$BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	[ -f "$LOG" ] && { echo "---- tail of $LOG ----"; tail -n 20 "$LOG"; }
	exit 1
}

# psql_out SQL: run SQL, stdout and stderr (notices, warnings) together.
psql_out() {
	as_pg "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d postgres \
		-c "$1" 2>&1
}

mkdir -p "$SOCK" && chown postgres "$SOCK" || fail "socket directory"
as_pg "$BINDIR/initdb" -D "$DATA" -U postgres -A trust --no-sync >/dev/null || fail "initdb"
as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 \
	-o "-c listen_addresses='' -c unix_socket_directories='$SOCK' -p $PORT -c fsync=off" \
	start >/dev/null || fail "the server did not start"

out="$(psql_out "SHOW shared_preload_libraries")"
[ -z "$out" ] || fail "shared_preload_libraries is '$out'"
psql_out "CREATE EXTENSION ddb_emul" >/dev/null || fail "CREATE EXTENSION"
psql_out "CREATE TABLE ticks (at timestamptz);
          CREATE FUNCTION tick(at timestamptz) RETURNS void LANGUAGE sql
            AS 'INSERT INTO ticks VALUES (at)'" >/dev/null || fail "test function"

out="$(psql_out "SELECT ddb.create_sweep('tick', 'rate(1 minute)', 'tick(timestamptz)',
                                         start_at => '2030-01-01 00:00+00')")" || fail "create_sweep: $out"
grep -q "WARNING:  ddb_emul's background worker is not running" <<<"$out" &&
	grep -q "DETAIL:  Sweeps run only when ddb_emul is in shared_preload_libraries." <<<"$out" &&
	grep -q "HINT:  Run the sweeps that are due with SELECT ddb.run_sweeps_now()." <<<"$out" ||
	fail "create_sweep did not warn that sweeps will not run:"$'\n'"$out"
echo "ok: create_sweep warns"

out="$(psql_out "SELECT ddb.alter_sweep('tick', enabled => false)")" || fail "alter_sweep: $out"
! grep -q WARNING <<<"$out" || fail "disabling a sweep warned: $out"
out="$(psql_out "SELECT ddb.alter_sweep('tick', enabled => true)")" || fail "alter_sweep: $out"
grep -q "WARNING:  ddb_emul's background worker is not running" <<<"$out" ||
	fail "enabling a sweep did not warn: $out"
echo "ok: alter_sweep warns when it enables, not when it disables"

out="$(psql_out "SELECT ddb.run_sweeps_now('2030-01-01 00:02:30+00')")"
[ "$out" = 3 ] || fail "run_sweeps_now ran '$out' sweeps, not 3"
out="$(psql_out "SELECT string_agg(to_char(at AT TIME ZONE 'UTC', 'HH24:MI'), ',' ORDER BY at) FROM ticks")"
[ "$out" = "00:00,00:01,00:02" ] || fail "ticks at '$out'"
echo "ok: run_sweeps_now runs the due sweeps without the worker"
exit 0
