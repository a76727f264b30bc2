#!/usr/bin/env bash
#
# test/fuzz/build.sh [OUTDIR]
#	Build the libFuzzer target for the expression engine (fuzz_expr) with
#	AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer.  Needs
#	clang (Debian: clang-14, libclang-rt-14-dev) and the PostgreSQL server
#	headers (postgresql-server-dev-15).  OUTDIR defaults to test/fuzz/build.
#
#	The engine (src/expr_*.c except the jsonb/SQL glue) and src/values.c are
#	compiled as they are; test/fuzz/pg_shim.c stands in for the backend.
#
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$here/../../src
out=${1:-$here/build}
PG_CONFIG=${PG_CONFIG:-pg_config}
if [ -z "${CC:-}" ]; then
	if command -v clang-14 >/dev/null; then CC=clang-14
	elif command -v clang >/dev/null; then CC=clang
	else
		echo "build.sh: clang not found (install clang-14 and libclang-rt-14-dev)" >&2
		exit 1
	fi
fi
inc=$("$PG_CONFIG" --includedir-server)
# A private test installation's pg_config may name headers it did not copy.
if [ ! -f "$inc/postgres.h" ]; then
	inc=$(/usr/lib/postgresql/15/bin/pg_config --includedir-server)
fi

mkdir -p "$out"
cflags=(-g -O1 -fno-omit-frame-pointer -Wall -Wno-unused-parameter
	-Wno-ignored-attributes -Wno-unknown-warning-option
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
	-fno-sanitize=alignment
	-I"$src" -I"$inc")

objs=()
for f in values errors expr_lex expr_parse expr_bind expr_cache expr_eval \
		 expr_update expr_keycond expr_reserved; do
	"$CC" "${cflags[@]}" -fsanitize=fuzzer-no-link -c "$src/$f.c" -o "$out/$f.o"
	objs+=("$out/$f.o")
done
"$CC" "${cflags[@]}" -fsanitize=fuzzer-no-link -c "$here/pg_shim.c" -o "$out/pg_shim.o"
"$CC" "${cflags[@]}" -fsanitize=fuzzer-no-link -c "$here/fuzz_expr.c" -o "$out/fuzz_expr.o"
"$CC" "${cflags[@]}" -fsanitize=fuzzer "${objs[@]}" "$out/pg_shim.o" \
	"$out/fuzz_expr.o" -o "$out/fuzz_expr"
echo "built $out/fuzz_expr"
