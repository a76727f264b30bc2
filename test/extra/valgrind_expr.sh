#!/usr/bin/env bash
#
# test/extra/valgrind_expr.sh -- the expression regress files under
# valgrind (memcheck).
#
# Starts a throw-away cluster whose postmaster (and so every backend it
# forks) runs under valgrind, runs sql/expr_*.sql and
# sql/item_expressions.sql against it with pg_regress --use-existing, stops
# it and reads valgrind's per-process logs.  Fails when valgrind reports any
# error that test/valgrind.supp does not suppress (errors with a ddb_emul
# frame are listed first), when a process was not shut down cleanly, or
# when the regress output differs from expected/ (the run must behave as
# it does without valgrind).
#
# What memcheck sees here: PostgreSQL's Debian build has no USE_VALGRIND,
# so memory contexts are not instrumented: reads of never-written palloc
# memory, invalid reads/writes outside malloc'd blocks (chunks over 8 kB
# have their own), uninitialised bytes reaching a system call or a
# conditional jump, and invalid free()s are reported; use after pfree and
# overruns inside one context block are not.  Leak checking is off: a
# backend exits without freeing its memory, so it would report only noise.
#
# Runs from scripts/test.sh's extra step (as root, with DDB_EMUL_BUILD,
# DDB_EMUL_WORK, BINDIR, PG_REGRESS set; the server runs as postgres), or by
# hand with those variables set.  DDB_EMUL_VALGRIND_TESTS="a b" runs other
# regress files instead.  Takes 30-60 s on 2 cores: about 25 s for the five
# files under valgrind (under 1 s without), 5-10 s to start and stop.
#
set -euo pipefail

: "${DDB_EMUL_BUILD:?not set (run from scripts/test.sh)}"
: "${DDB_EMUL_WORK:?not set (run from scripts/test.sh)}"
: "${BINDIR:?not set (run from scripts/test.sh)}"
: "${PG_REGRESS:?not set (run from scripts/test.sh)}"

build=$DDB_EMUL_BUILD
work=$DDB_EMUL_WORK
supp=$build/test/valgrind.supp
data=$work/data
sock=$work/sock
vglogs=$work/valgrind
port=5432					# Unix socket in our own directory: no clash
db=valgrind_regression
t_start=$(date +%s)

# run as the postgres OS user, in $work
as_pg() {
	(cd "$work" && runuser -u postgres -- "$@")
}

# elapsed: seconds since the start
elapsed() {
	echo $(($(date +%s) - t_start))
}

command -v valgrind >/dev/null 2>&1 ||
	{ echo "valgrind_expr: valgrind is not installed (Debian package valgrind)"; exit 1; }
[ -r "$supp" ] || { echo "valgrind_expr: $supp is missing"; exit 1; }

if [ -n "${DDB_EMUL_VALGRIND_TESTS:-}" ]; then
	read -r -a tests <<<"$DDB_EMUL_VALGRIND_TESTS"
else
	tests=()
	for f in "$build"/sql/expr_*.sql "$build"/sql/item_expressions.sql; do
		[ -e "$f" ] && tests+=("$(basename "$f" .sql)")
	done
fi
[ ${#tests[@]} -gt 0 ] || { echo "valgrind_expr: no expression regress files found"; exit 1; }

# ---------------------------------------------------------------------------
# the cluster

as_pg mkdir -p "$sock" "$vglogs"
as_pg "$BINDIR/initdb" -D "$data" -U postgres --auth=trust --no-locale \
	--encoding=UTF8 --no-sync >"$work/initdb.log" 2>&1 ||
	{ echo "valgrind_expr: initdb failed"; tail -n 30 "$work/initdb.log"; exit 1; }

# The test settings, minus what only costs time under valgrind: the
# library is loaded by the first call instead of preloaded (no background
# worker), no autovacuum, JIT or parallel workers.
as_pg tee -a "$data/postgresql.conf" >/dev/null <<EOF

# added by test/extra/valgrind_expr.sh
include '$build/test/ddb_emul.conf'
shared_preload_libraries = ''
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
autovacuum = off
jit = off
max_parallel_workers_per_gather = 0
huge_pages = off
checkpoint_timeout = '1h'
EOF

# pg_ctl starts this wrapper in place of postgres, so it waits for the
# server and stops it as usual; valgrind keeps the postmaster's pid.
as_pg tee "$work/postgres-valgrind" >/dev/null <<EOF
#!/bin/sh
exec valgrind --tool=memcheck --trace-children=yes --track-origins=yes \\
	--read-var-info=no --num-callers=40 --error-limit=no --leak-check=no \\
	--gen-suppressions=all --suppressions='$supp' \\
	--log-file='$vglogs/%p.log' '$BINDIR/postgres' "\$@"
EOF
as_pg chmod +x "$work/postgres-valgrind"

stop_server() {
	if [ -f "$data/postmaster.pid" ]; then
		as_pg "$BINDIR/pg_ctl" -D "$data" -m fast -w -t 180 stop >/dev/null 2>&1 ||
			as_pg "$BINDIR/pg_ctl" -D "$data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
	fi
}
trap stop_server EXIT
trap 'exit 1' INT TERM

if ! as_pg "$BINDIR/pg_ctl" -D "$data" -p "$work/postgres-valgrind" \
	-l "$work/server.log" -w -t 300 start >/dev/null 2>&1; then
	echo "valgrind_expr: the server did not start under valgrind"
	tail -n 30 "$work/server.log" 2>/dev/null || true
	exit 1
fi
echo "valgrind_expr: server running under valgrind ($(elapsed)s)"

# the database pg_regress would create (its settings included)
as_pg "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -d postgres <<EOF
CREATE DATABASE $db TEMPLATE template0;
ALTER DATABASE $db SET lc_messages TO 'C';
ALTER DATABASE $db SET lc_monetary TO 'C';
ALTER DATABASE $db SET lc_numeric TO 'C';
ALTER DATABASE $db SET lc_time TO 'C';
ALTER DATABASE $db SET bytea_output TO 'hex';
ALTER DATABASE $db SET timezone_abbreviations TO 'Default';
EOF

# ---------------------------------------------------------------------------
# the tests

echo "valgrind_expr: running ${tests[*]}"
regress_rc=0
as_pg "$PG_REGRESS" --use-existing --host="$sock" --port="$port" \
	--bindir="$BINDIR" --inputdir="$build" --outputdir="$work/regress" \
	--dbname="$db" "${tests[@]}" >"$work/regress.log" 2>&1 || regress_rc=$?
grep -E '^(test )?[[:space:]]*[^[:space:]]+[[:space:]]+\.\.\. ' "$work/regress.log" || true
echo "valgrind_expr: tests done ($(elapsed)s)"

# The postmaster removes its pid file before valgrind writes the
# postmaster's summary: wait for the process itself.
pm_pid=$(head -n 1 "$data/postmaster.pid")
stop_server
trap - EXIT
if [ -f "$data/postmaster.pid" ]; then
	echo "valgrind_expr: the server did not stop"
	exit 1
fi
for _ in $(seq 1 300); do
	kill -0 "$pm_pid" 2>/dev/null || break
	sleep 0.2
done
echo "valgrind_expr: server stopped ($(elapsed)s)"

# ---------------------------------------------------------------------------
# valgrind's verdict

# A stack frame in ddb_emul: "(file.c:123)" for one of src/*.c, or
# "(in .../ddb_emul.so)" where there is no line information.
ddb_frame="^==[0-9]+==  +(at|by) 0x[0-9A-F]+: .*\\(($(cd "$build/src" && ls -- *.c |
	sed 's/\./\\./' | paste -sd '|')):[0-9]+\\)|ddb_emul\\.so\\)"

# error_reports KIND LOG...: print the error reports of the logs (each with
# the suppression valgrind generated for it) that have a ddb_emul frame
# (KIND ddb) or not (KIND other), at most 2, 45 lines each.
error_reports() {
	local kind="$1"
	shift
	awk -v kind="$kind" -v re="$ddb_frame" '
		function flush() {
			if (rec ~ / (at|by) 0x/ && nshown < 2) {
				n = split(rec, lines, "\n")
				has = 0
				for (i = 1; i <= n; i++)
					if (lines[i] ~ re) has = 1
				if ((kind == "ddb") == has) {
					nshown++
					print "---- " FILENAME
					for (i = 1; i <= n && i <= 45; i++)
						print lines[i]
				}
			}
			rec = ""
		}
		FNR == 1 { flush() }
		/^==[0-9]+== *$/ { next }
		/^==[0-9]+== [^ ]/ { flush() }
		{ rec = rec $0 "\n" }
		END { flush() }' "$@"
}

failed=0
nlogs=0
errors=0
unfinished=()
erroneous=()
for log in "$vglogs"/*.log; do
	[ -e "$log" ] || continue
	nlogs=$((nlogs + 1))
	n=$(sed -n 's/.*ERROR SUMMARY: \([0-9][0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
	if [ -z "$n" ]; then
		unfinished+=("$log")
	elif [ "$n" -gt 0 ]; then
		errors=$((errors + n))
		erroneous+=("$log")
	fi
done

if [ "$nlogs" -eq 0 ]; then
	echo "valgrind_expr: valgrind wrote no logs in $vglogs"
	failed=1
fi
if [ ${#unfinished[@]} -gt 0 ]; then
	# a process valgrind did not see to its end (SIGKILL, crash restart)
	echo "valgrind_expr: ${#unfinished[@]} process(es) ended without valgrind's error summary:"
	for log in "${unfinished[@]}"; do
		echo "---- $log"
		tail -n 20 "$log"
	done
	failed=1
fi
if [ "$errors" -gt 0 ]; then
	with_ddb=$(grep -lE "$ddb_frame" "${erroneous[@]}" | wc -l)
	echo "valgrind_expr: $errors unsuppressed valgrind error(s) in ${#erroneous[@]} process(es), $with_ddb of them with ddb_emul frames"
	echo "== reports with a ddb_emul frame (first 2):"
	error_reports ddb "${erroneous[@]}"
	echo "== reports without a ddb_emul frame (first 2; if PostgreSQL's own, suppress them in test/valgrind.supp):"
	error_reports other "${erroneous[@]}"
	failed=1
fi
if grep -E 'terminated by signal|was terminated by exception|server process .* exited with exit code [^01]' \
	"$work/server.log"; then
	echo "valgrind_expr: a server process crashed (see above)"
	failed=1
fi
if [ "$regress_rc" -ne 0 ]; then
	echo "valgrind_expr: the regress output differs under valgrind (pg_regress exit $regress_rc)"
	[ -s "$work/regress/regression.diffs" ] && head -n 60 "$work/regress/regression.diffs"
	failed=1
fi

if [ "$failed" -ne 0 ]; then
	echo "valgrind_expr: FAILED ($(elapsed)s; $errors valgrind error(s); logs in $vglogs)"
	exit 1
fi
echo "valgrind_expr: ok, no valgrind errors in $nlogs processes, ${#tests[@]} regress files ($(elapsed)s)"
