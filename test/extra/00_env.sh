#!/usr/bin/env bash
# test/extra/00_env.sh -- checks the contract scripts/test.sh gives extra
# test scripts: the variables are set, the build is there, and the
# throw-away cluster answers with ddb_emul preloaded.
set -euo pipefail

for v in DDB_EMUL_SRC DDB_EMUL_BUILD DDB_EMUL_WORK DDB_EMUL_TEST_CONF \
	PG_CONFIG BINDIR PKGLIBDIR PGXS_DIR PG_REGRESS PGHOST PGPORT PGUSER PGDATABASE; do
	[ -n "${!v:-}" ] || { echo "$v is not set"; exit 1; }
done
[ -f "$DDB_EMUL_BUILD/ddb_emul.so" ] || { echo "no ddb_emul.so in $DDB_EMUL_BUILD"; exit 1; }
[ -f "$PKGLIBDIR/ddb_emul.so" ] || { echo "ddb_emul.so not installed in $PKGLIBDIR"; exit 1; }
[ "$(stat -c %U "$DDB_EMUL_WORK")" = postgres ] || { echo "$DDB_EMUL_WORK is not owned by postgres"; exit 1; }
[ "$(command -v initdb)" = "$BINDIR/initdb" ] || { echo "$BINDIR is not first in PATH"; exit 1; }

preload="$(psql -X -At -c "SHOW shared_preload_libraries")"
[ "$preload" = ddb_emul ] || { echo "shared_preload_libraries is '$preload'"; exit 1; }
echo "ok: environment, build and cluster on port $PGPORT"
