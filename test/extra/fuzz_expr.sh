#!/usr/bin/env bash
#
# test/extra/fuzz_expr.sh -- build the expression engine's libFuzzer target
# (test/fuzz) and run it for FUZZ_SECONDS seconds (default 60), starting
# from the seed corpus test/fuzz/corpus.  Fails on any crash, timeout,
# AddressSanitizer / LeakSanitizer / UndefinedBehaviorSanitizer report, or
# an input item modified by the engine.
#
# Needs clang with the fuzzer runtime (Debian: clang-14, libclang-rt-14-dev)
# and the PostgreSQL server headers.  Runs from scripts/test.sh (extra step)
# or by hand: bash test/extra/fuzz_expr.sh
#
set -euo pipefail

root=${DDB_EMUL_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
if [ -n "${DDB_EMUL_WORK:-}" ]; then
	work=$DDB_EMUL_WORK
	own_work=0
else
	work=$(mktemp -d /tmp/fuzz_expr.XXXXXX)
	own_work=1
fi
seconds=${FUZZ_SECONDS:-60}

if ! command -v clang-14 >/dev/null 2>&1 && ! command -v clang >/dev/null 2>&1; then
	echo "fuzz_expr: clang is not installed (Debian packages clang-14 libclang-rt-14-dev)" >&2
	exit 1
fi

bash "$root/test/fuzz/build.sh" "$work/build"
mkdir -p "$work/corpus"
cp "$root"/test/fuzz/corpus/* "$work/corpus/"

rc=0
"$work/build/fuzz_expr" -max_total_time="$seconds" -timeout=10 -max_len=6000 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/" \
	"$work/corpus" >"$work/fuzz.log" 2>&1 || rc=$?

grep -E "^stat::|Done [0-9]+ runs" "$work/fuzz.log" || true
if [ "$rc" -ne 0 ] ||
	grep -qE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|deadly signal|modified its input" \
		"$work/fuzz.log"; then
	echo "fuzz_expr: FAILED (exit status $rc)"
	grep -E -A40 "ERROR: |runtime error:|modified its input" "$work/fuzz.log" | head -n 80
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
		[ -e "$f" ] || continue
		echo "--- reproducer $f (base64):"
		base64 "$f"
	done
	exit 1
fi
echo "fuzz_expr: ok (${seconds}s)"
if [ "$own_work" = 1 ]; then
	rm -rf "$work"
fi
