# test/lib/cluster.sh -- sourced by test/extra scripts that run their own
# throw-away cluster as the postgres user.  The caller sets BINDIR, WORK,
# DATA, LOG and TIME_LIMIT (seconds) before sourcing; it gets as_pg, fail,
# check_time, wait_for, pg_start, and a trap that stops the cluster on exit.

DEADLINE=$((SECONDS + TIME_LIMIT))

# as_pg COMMAND...: run as postgres from the scratch directory
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
	if [ -f "$LOG" ]; then
		echo "---- tail of $LOG ----"
		tail -n 40 "$LOG"
	fi
	exit 1
}

check_time() {
	[ "$SECONDS" -lt "$DEADLINE" ] || fail "out of time ($TIME_LIMIT s)"
}

# wait_for SECONDS COMMAND...: poll COMMAND until it succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		check_time
		sleep 0.2
	done
}

pg_start() {
	as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 start >/dev/null
}
