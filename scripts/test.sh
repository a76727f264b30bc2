#!/usr/bin/env bash
#
# scripts/test.sh -- the whole test suite (the README's test command, and
# what .ci/run calls).  Run as root:
#
#     sudo bash scripts/test.sh              # every step
#     sudo bash scripts/test.sh regress      # only some steps, any of:
#                                            #   regress pgtap isolation extra
#
# 1. installs the Debian packages it needs (scripts/lib.sh), copies the
#    checkout to a scratch directory, builds and installs the extension there
#    as root; the checkout itself is only read, and may be unreadable for the
#    postgres user (e.g. under /root);
# 2. then, as the postgres user, each against its own throw-away cluster
#    configured with test/ddb_emul.conf:
#      regress    pg_regress --temp-instance over sql/*.sql (expected/*.out)
#                 -- one test per file
#      pgtap      pg_prove over test/pgtap/*.sql, each file in a fresh
#                 database that already has pgtap and ddb_emul installed
#                 -- one test per pgTAP assertion (a missing plan line or
#                 assertions short of the plan count as failures)
#      isolation  pg_isolation_regress --temp-instance over test/specs/*.spec
#                 (test/expected/*.out) -- one test per spec
#      extra      every executable test/extra/*.sh, run as root -- one test per
#                 script, passing when it exits 0 (see "extra" below for its
#                 environment)
# 3. prints a summary; the last line of output is always "N passed, N failed",
#    and the exit status is non-zero when anything (the build included)
#    failed.
#
# Environment:
#   DDB_EMUL_TEST_DIR      scratch directory, new or empty, reachable by the
#                          postgres user (default: a new /tmp/ddb_emul_test.*);
#                          removed after a fully passing run
#   DDB_EMUL_KEEP=1        keep the scratch directory even when all passed
#   DDB_EMUL_ONLY=REGEX    run only tests whose name (file name without
#                          extension) matches REGEX (grep -E)
#   DDB_EMUL_VERBOSE=1     show the output of passing pgTAP files and extras
#   DDB_EMUL_REGRESS_TIMEOUT, DDB_EMUL_ISOLATION_TIMEOUT   seconds for the
#                          whole step (default 300 each)
#   DDB_EMUL_PGTAP_TIMEOUT seconds per pgTAP file (default 120)
#   DDB_EMUL_EXTRA_TIMEOUT seconds per extra script (default 300)
#   plus PG_CONFIG, DDB_EMUL_SKIP_PACKAGES, DDB_EMUL_EXTRA_PACKAGES
#   (scripts/lib.sh).
#
# Extra scripts (test/extra/*.sh) run as root with their working directory in
# the built copy and these variables set:
#   DDB_EMUL_SRC        the checkout (read it, do not write to it)
#   DDB_EMUL_BUILD      the built copy (owned by postgres; ddb_emul.so,
#                       src/*.o, test/... are here)
#   DDB_EMUL_WORK       an empty scratch directory owned by postgres, for
#                       this script only
#   DDB_EMUL_TEST_CONF  test/ddb_emul.conf in the built copy
#   PG_CONFIG, BINDIR (server binaries, also first in PATH), PKGLIBDIR,
#   PGXS_DIR (lib/pgxs; TAP modules in $PGXS_DIR/src/test/perl), PG_REGRESS
#   PGHOST, PGPORT, PGUSER=postgres, PGDATABASE=postgres
#                       a running throw-away cluster with test/ddb_emul.conf
#                       and trust authentication (create your own database;
#                       it is restarted before each script if a previous one
#                       stopped it; if it cannot start, the script runs
#                       anyway, without these four)
#   CI                  passed through
# Anything that starts a server must do so as postgres, e.g.
#   runuser -u postgres -- "$BINDIR/initdb" -D "$DDB_EMUL_WORK/data"
# and TAP tests (PostgreSQL::Test::Cluster) the same way, e.g.
#   cd "$DDB_EMUL_WORK" && runuser -u postgres -- env TESTDIR="$DDB_EMUL_WORK" \
#     prove -I "$PGXS_DIR/src/test/perl" "$DDB_EMUL_BUILD"/test/t/*.pl
#

set -uo pipefail			# no -e: failures are counted, not fatal

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

exec </dev/null				# CI has no stdin; nothing here may wait on one
exec 2>&1					# one ordered stream: the count line stays last

REGRESS_TIMEOUT="${DDB_EMUL_REGRESS_TIMEOUT:-300}"
ISOLATION_TIMEOUT="${DDB_EMUL_ISOLATION_TIMEOUT:-300}"
PGTAP_TIMEOUT="${DDB_EMUL_PGTAP_TIMEOUT:-120}"
EXTRA_TIMEOUT="${DDB_EMUL_EXTRA_TIMEOUT:-300}"

PASSED=0
FAILED=0
SUMMARY=()
T_START=$(date +%s)
W=""						# scratch directory
B=""						# built copy of the checkout, $W/build
CL_DATA="" CL_SOCK="" CL_PORT="" CL_LOG="" CL_BROKEN=""	# pgTAP / extra cluster

# ---------------------------------------------------------------------------
# bookkeeping

# record STEP PASSED FAILED SECONDS [NOTE]: add a step's counts to the totals.
record() {
	local step="$1" p="$2" f="$3" secs="$4" note="${5:-}"
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	SUMMARY+=("$(printf '  %-10s %3d passed, %3d failed  (%ss)%s' \
		"$step" "$p" "$f" "$secs" "${note:+  $note}")")
}

# no_tests STEP WHAT GLOB: say loudly that a step had nothing to run.
no_tests() {
	log "$1: no $2 tests ($3)"
	SUMMARY+=("$(printf '  %-10s no %s tests (%s)' "$1" "$2" "$3")")
}

# select_tests: read names on stdin, print those DDB_EMUL_ONLY lets through.
select_tests() {
	if [ -n "${DDB_EMUL_ONLY:-}" ]; then
		grep -E -- "$DDB_EMUL_ONLY" || true
	else
		cat
	fi
}

# show FILE N HOW: print head/tail of FILE (if it exists) between markers.
show() {
	local f="$1" n="$2" how="$3"
	[ -s "$f" ] || return 0
	echo "---- $how -n $n $f ----"
	"$how" -n "$n" "$f"
	echo "---- end of $f ----"
}

# stop_server DATADIR: stop a server of ours, if one runs there.
stop_server() {
	local d="$1"
	[ -n "$d" ] && [ -f "$d/postmaster.pid" ] || return 0
	as_postgres "$W" "$BINDIR/pg_ctl" -D "$d" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
}

# cleanup: stop every server this run may have left behind (also after a
# step's timeout killed pg_regress, which leaves its temp instance running).
cleanup() {
	[ -n "$W" ] && [ -d "$W" ] || return 0
	stop_server "$CL_DATA"
	stop_server "$W/regress/tmp_check/data"
	stop_server "$W/isolation/tmp_check/data"
}

# finish: clean up, print the summary, end with the count line, exit.
finish() {
	local rc=0 now
	trap - INT TERM
	cleanup
	now=$(date +%s)
	[ "$FAILED" -eq 0 ] || rc=1
	if [ -n "$W" ] && [ -d "$W" ]; then
		if [ "$rc" -eq 0 ] && [ "${DDB_EMUL_KEEP:-0}" != 1 ]; then
			rm -rf "$W"
		else
			log "scratch directory kept: $W"
		fi
	fi
	echo
	log "summary"
	printf '%s\n' "${SUMMARY[@]}"
	printf '  %-10s %ss\n' "total" "$((now - T_START))"
	echo "$PASSED passed, $FAILED failed"
	exit "$rc"
}

on_signal() {
	warn "interrupted"
	FAILED=$((FAILED + 1))
	SUMMARY+=("  interrupted")
	finish
}

# ---------------------------------------------------------------------------
# the pgTAP / extra cluster

# cluster_start: initdb (first time) and start the throw-away cluster used by
# the pgtap and extra steps, on a free port.  Returns non-zero on failure.
cluster_start() {
	local attempt
	[ -z "$CL_BROKEN" ] || return 1	# failed before, said so then
	if [ -z "$CL_DATA" ]; then
		CL_DATA="$W/cluster/data"
		CL_SOCK="$W/cluster/sock"
		CL_LOG="$W/cluster/server.log"
		as_postgres "$W" mkdir -p "$CL_SOCK"
		if ! as_postgres "$W" "$BINDIR/initdb" -D "$CL_DATA" -U postgres \
			--auth=trust --no-locale --encoding=UTF8 --no-sync \
			>"$W/cluster/initdb.log" 2>&1; then
			show "$W/cluster/initdb.log" 50 tail
			CL_BROKEN=1
			return 1
		fi
		{
			echo
			echo "# added by scripts/test.sh"
			echo "include '$B/test/ddb_emul.conf'"
			echo "listen_addresses = '127.0.0.1'"
			echo "unix_socket_directories = '$CL_SOCK'"
		} >>"$CL_DATA/postgresql.conf"
	fi
	as_postgres "$W" "$BINDIR/pg_ctl" -D "$CL_DATA" status >/dev/null 2>&1 && return 0
	for attempt in 1 2 3 4 5; do
		CL_PORT="$(free_port)" || return 1
		if as_postgres "$W" "$BINDIR/pg_ctl" -D "$CL_DATA" -l "$CL_LOG" \
			-o "-p $CL_PORT" -w -t 60 start >/dev/null 2>&1; then
			log "test cluster running: port $CL_PORT, socket $CL_SOCK"
			return 0
		fi
		# somebody took the port between free_port and the bind: try another
		tail -n 5 "$CL_LOG" 2>/dev/null | grep -q 'could not \(bind\|create listen\)' || break
	done
	echo "test cluster failed to start"
	show "$CL_LOG" 50 tail
	CL_BROKEN=1
	return 1
}

# cl_psql DB SQL: run SQL on the throw-away cluster, quietly, stop on error.
cl_psql() {
	as_postgres "$W" "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
		-h "$CL_SOCK" -p "$CL_PORT" -U postgres -d "$1" -c "$2"
}

# ---------------------------------------------------------------------------
# steps

# count_pg_regress OUTFILE: print "PASSED" = result lines saying ok.
count_pg_regress() {
	grep -cE '^(test )?[[:space:]]*[^[:space:]]+[[:space:]]+\.\.\. ok([[:space:]]|$)' "$1" || true
}

# run_pg_regress_step STEP PROGRAM TIMEOUT INPUTDIR DBNAME WHAT TESTS...:
# the regress and isolation steps: one pg_regress-style run with a temp
# instance; a test that did not report ok (crash, timeout, ...) is a failure.
run_pg_regress_step() {
	local step="$1" prog="$2" tmo="$3" inputdir="$4" dbname="$5" what="$6"
	shift 6
	local out="$W/$step" t0=$(date +%s) rc p f n=$# t rel
	log "$step: $n $what test(s)"
	# pg_regress stops the whole run at a test without expected output; give
	# such a test an empty one (in the copy) so it fails alone, showing all
	# its output as the diff
	rel="${inputdir#"$B"}"
	rel="${rel#/}"
	for t in "$@"; do
		if [ ! -e "$inputdir/expected/$t.out" ]; then
			echo "$step: $t has no expected output yet: review $out/results/$t.out and save it as ${rel:+$rel/}expected/$t.out"
			mkdir -p "$inputdir/expected"
			: >"$inputdir/expected/$t.out"
		fi
	done
	as_postgres "$W" mkdir -p "$out"
	as_postgres "$W" timeout -k 10 "$tmo" "$prog" \
		--temp-instance="$out/tmp_check" \
		--temp-config="$B/test/ddb_emul.conf" \
		--inputdir="$inputdir" --outputdir="$out" \
		--bindir="$BINDIR" --dbname="$dbname" \
		--no-locale --encoding=UTF8 \
		"$@" 2>&1 | tee "$out/run.log"
	rc=${PIPESTATUS[0]}
	p=$(count_pg_regress "$out/run.log")
	f=$((n - p))
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "$step: timed out after ${tmo}s"
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1					# every test ok, yet the program failed
	fi
	if [ "$f" -ne 0 ]; then
		show "$out/regression.diffs" 200 head
		if [ -s "$out/log/postmaster.log" ]; then
			show "$out/log/postmaster.log" 50 tail
		else
			show "$out/log/initdb.log" 30 tail
		fi
	fi
	record "$step" "$p" "$f" "$(($(date +%s) - t0))"
}

step_regress() {
	local tests
	mapfile -t tests < <(cd "$B" && for f in sql/*.sql; do
		[ -e "$f" ] && basename "$f" .sql; done | select_tests)
	if [ ${#tests[@]} -eq 0 ]; then
		no_tests regress pg_regress "sql/*.sql"
		return
	fi
	run_pg_regress_step regress "$PG_REGRESS" "$REGRESS_TIMEOUT" "$B" \
		contrib_regression pg_regress "${tests[@]}"
}

step_isolation() {
	local tests
	mapfile -t tests < <(cd "$B" && for f in test/specs/*.spec; do
		[ -e "$f" ] && basename "$f" .spec; done | select_tests)
	if [ ${#tests[@]} -eq 0 ]; then
		no_tests isolation isolation "test/specs/*.spec"
		return
	fi
	run_pg_regress_step isolation "$PG_ISOLATION_REGRESS" "$ISOLATION_TIMEOUT" \
		"$B/test" isolation_regression isolation "${tests[@]}"
}

# pgtap_counts OUTFILE: print "PASSED FAILED" for one pg_prove -v run.
# ok lines pass (SKIP included), not ok lines fail unless marked TODO, and
# assertions the plan announced but that never ran fail too.
pgtap_counts() {
	perl -ne '
		s/^\s+//;
		if (/^1\.\.(\d+)/) { $plan = $1; }
		elsif (/^ok \d+/) { $ok++; }
		elsif (/^not ok \d+.*#\s*TODO/i) { $ok++; }
		elsif (/^not ok \d+/) { $nok++; }
		END {
			$ok += 0; $nok += 0;
			$miss = defined $plan ? $plan - $ok - $nok : 1;
			$miss = 0 if $miss < 0;
			print $ok, " ", $nok + $miss, "\n";
		}' "$1"
}

step_pgtap() {
	local files name db out t0 rc p f_ fp=0 ff=0 nfiles=0
	t0=$(date +%s)
	mapfile -t files < <(cd "$B" && for f in test/pgtap/*.sql; do
		[ -e "$f" ] && basename "$f" .sql; done | select_tests)
	if [ ${#files[@]} -eq 0 ]; then
		no_tests pgtap pgTAP "test/pgtap/*.sql"
		return
	fi
	log "pgtap: ${#files[@]} pgTAP file(s), counting assertions"
	as_postgres "$W" mkdir -p "$W/pgtap"
	for name in "${files[@]}"; do
		nfiles=$((nfiles + 1))
		# (re)start it: a crash in the previous file must not fail the rest
		if ! cluster_start; then
			echo "FAIL $name: test cluster is not running"
			ff=$((ff + 1))
			continue
		fi
		db="tap_$(printf '%s' "$name" | tr -c 'A-Za-z0-9_' '_')"
		out="$W/pgtap/$name.out"
		if ! cl_psql postgres "CREATE DATABASE \"$db\"" >"$out" 2>&1 ||
			! cl_psql "$db" "CREATE EXTENSION pgtap; CREATE EXTENSION ddb_emul;" >>"$out" 2>&1; then
			echo "FAIL $name: could not prepare database $db"
			cat "$out"
			ff=$((ff + 1))
			continue
		fi
		as_postgres "$W" timeout -k 10 "$PGTAP_TIMEOUT" pg_prove -v --nocolor -b "$BINDIR/psql" \
			-h "$CL_SOCK" -p "$CL_PORT" -U postgres -d "$db" \
			"$B/test/pgtap/$name.sql" >>"$out" 2>&1
		rc=$?
		read -r p f_ < <(pgtap_counts "$out")
		if [ "$rc" -ne 0 ] && [ "$f_" -eq 0 ]; then
			f_=1			# e.g. an SQL error after the last assertion
		fi
		fp=$((fp + p))
		ff=$((ff + f_))
		if [ "$f_" -eq 0 ]; then
			echo "ok   $name ($p assertions)"
			[ "${DDB_EMUL_VERBOSE:-0}" = 1 ] && cat "$out"
		else
			[ "$rc" -eq 124 ] && echo "$name: timed out after ${PGTAP_TIMEOUT}s"
			echo "FAIL $name ($p passed, $f_ failed, pg_prove exit $rc)"
			show "$out" 200 head
		fi
		cl_psql postgres "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
	done
	if [ "$ff" -ne 0 ] && [ -z "$CL_BROKEN" ]; then
		show "$CL_LOG" 50 tail
	fi
	record pgtap "$fp" "$ff" "$(($(date +%s) - t0))" "($nfiles files; one test per assertion)"
}

step_extra() {
	local scripts s name t0 t1 rc p=0 f=0 out work skipped=0 envs
	t0=$(date +%s)
	mapfile -t scripts < <(cd "$B" && for s in test/extra/*.sh; do
		[ -e "$s" ] && basename "$s" .sh; done | select_tests)
	if [ ${#scripts[@]} -eq 0 ]; then
		no_tests extra extra "test/extra/*.sh"
		return
	fi
	log "extra: ${#scripts[@]} script(s)"
	as_postgres "$W" mkdir -p "$W/extra"
	for name in "${scripts[@]}"; do
		s="$B/test/extra/$name.sh"
		if [ ! -x "$s" ]; then
			warn "test/extra/$name.sh is not executable (chmod +x, and commit the mode): not run"
			skipped=$((skipped + 1))
			continue
		fi
		# the script still runs without the cluster (a fuzzer may not
		# need it); PGHOST and PGPORT are then empty
		cluster_start || true
		work="$W/extra/$name"
		out="$W/extra/$name.log"
		as_postgres "$W" mkdir -p "$work"
		t1=$(date +%s)
		envs=(DDB_EMUL_SRC="$DDB_ROOT" DDB_EMUL_BUILD="$B" DDB_EMUL_WORK="$work"
			DDB_EMUL_TEST_CONF="$B/test/ddb_emul.conf" PGXS_DIR="$PGXS_DIR"
			PG_REGRESS="$PG_REGRESS" PATH="$BINDIR:$PATH")
		if [ -z "$CL_BROKEN" ]; then
			envs+=(PGHOST="$CL_SOCK" PGPORT="$CL_PORT" PGUSER=postgres PGDATABASE=postgres)
		fi
		(cd "$B" && env "${envs[@]}" timeout -k 10 "$EXTRA_TIMEOUT" "$s") >"$out" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			p=$((p + 1))
			echo "ok   $name ($(($(date +%s) - t1))s)"
			[ "${DDB_EMUL_VERBOSE:-0}" = 1 ] && cat "$out"
		else
			f=$((f + 1))
			[ "$rc" -eq 124 ] && echo "$name: timed out after ${EXTRA_TIMEOUT}s"
			echo "FAIL $name (exit $rc, $(($(date +%s) - t1))s)"
			show "$out" 200 tail
		fi
	done
	if [ "$f" -ne 0 ] && [ -z "$CL_BROKEN" ]; then
		show "$CL_LOG" 50 tail
	fi
	record extra "$p" "$f" "$(($(date +%s) - t0))" \
		"$([ "$skipped" -eq 0 ] || echo "$skipped not executable, not run")"
}

# ---------------------------------------------------------------------------
# private installation

# private_install: make $W/inst a private PostgreSQL installation -- the
# server binaries copied (PostgreSQL finds its lib and share directories
# relative to the real path of its executable), everything else symlinked to
# the system's -- with this build installed into it, and point BINDIR,
# PG_CONFIG and PKGLIBDIR at it.  The tests run on it, so concurrent runs of
# different trees (or a later "make install") cannot swap the library under
# a running test.
private_install() {
	local inst="$W/inst" sysbin="$BINDIR" syslib="$PKGLIBDIR" sysshare
	sysshare="$("$PG_CONFIG" --sharedir)"
	mkdir -p "$inst$(dirname "$sysbin")" "$inst$(dirname "$syslib")" "$inst$(dirname "$sysshare")" &&
		cp -a "$sysbin" "$inst$sysbin" &&
		cp -as "$syslib" "$inst$(dirname "$syslib")/" &&
		cp -as "$sysshare" "$inst$(dirname "$sysshare")/" || return 1
	# never write through a symlink into the system installation (relative
	# paths: $W itself is named ddb_emul_test.*)
	(cd "$inst" && find . -type l -path '*ddb_emul*' -delete)
	(cd "$B" && make -s install DESTDIR="$inst" PG_CONFIG="$PG_CONFIG") >>"$W/build.log" 2>&1 || {
		tail -n 30 "$W/build.log"
		return 1
	}
	PG_CONFIG="$inst$sysbin/pg_config"
	BINDIR="$("$PG_CONFIG" --bindir)"
	PKGLIBDIR="$("$PG_CONFIG" --pkglibdir)"
	[ "$PKGLIBDIR" = "$inst$syslib" ] || {
		echo "private installation: pg_config reports $PKGLIBDIR, expected $inst$syslib"
		return 1
	}
	if [ ! -f "$PKGLIBDIR/ddb_emul.so" ] || [ -L "$PKGLIBDIR/ddb_emul.so" ]; then
		echo "private installation: $PKGLIBDIR/ddb_emul.so missing"
		return 1
	fi
	log "build: private installation in $inst"
}

# ---------------------------------------------------------------------------
# main

require_root
unset_pg_env
umask 022
trap on_signal INT TERM

STEPS=("$@")
if [ ${#STEPS[@]} -eq 0 ]; then
	STEPS=(regress pgtap isolation extra)
fi
for s in "${STEPS[@]}"; do
	case "$s" in
		regress|pgtap|isolation|extra) ;;
		*) die "unknown step '$s' (steps: regress pgtap isolation extra)" ;;
	esac
done

t0=$(date +%s)
if ! install_packages; then
	record packages 0 1 "$(($(date +%s) - t0))" "apt-get failed"
	finish
fi
pg_paths

if [ -n "${DDB_EMUL_TEST_DIR:-}" ]; then
	W="$DDB_EMUL_TEST_DIR"
	# it is deleted after a passing run: never take a directory with content
	if [ -e "$W" ] && [ -n "$(ls -A "$W" 2>/dev/null)" ]; then
		die "DDB_EMUL_TEST_DIR=$W is not empty"
	fi
	mkdir -p "$W"
else
	# /tmp, not $TMPDIR: the postgres user must be able to reach it
	W="$(mktemp -d /tmp/ddb_emul_test.XXXXXX)"
fi
B="$W/build"
log "scratch directory: $W"

t0=$(date +%s)
log "build: copying $DDB_ROOT and running make && make install"
copy_tree "$DDB_ROOT" "$B"
if ! build_install "$B" "$W/build.log"; then
	record build 0 1 "$(($(date +%s) - t0))" "see above"
	finish
fi
if ! private_install; then
	record build 0 1 "$(($(date +%s) - t0))" "private installation failed"
	finish
fi
SUMMARY+=("$(printf '  %-10s ok  (%ss)' build "$(($(date +%s) - t0))")")
# The streams output plugin must be allowed where the server restricts plugins.
plugin_setting_line "$BINDIR" >>"$B/test/ddb_emul.conf"
# $W/inst stays root's (read-only for postgres); everything else is postgres's
chown postgres: "$W"
chown -R postgres: "$B" "$W/build.log"

for s in "${STEPS[@]}"; do
	echo
	"step_$s"
done
finish
