#!/usr/bin/env bash
#
# scripts/stop.sh -- stop the cluster that scripts/start.sh runs.
#
#     sudo bash scripts/stop.sh
#
# Fast shutdown (open sessions are disconnected, transactions rolled back);
# the data stays.  Honours DDB_EMUL_DATA like start.sh.  Start again with
# scripts/start.sh.
#

set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATA="${DDB_EMUL_DATA:-/var/lib/ddb_emul/data}"

require_root
unset_pg_env
BINDIR="${BINDIR:-/usr/lib/postgresql/$PG_MAJOR/bin}"
[ -x "$BINDIR/pg_ctl" ] || die "$BINDIR/pg_ctl not found (PostgreSQL $PG_MAJOR is not installed)"
[ -f "$DATA/PG_VERSION" ] || die "no cluster at $DATA (set DDB_EMUL_DATA?)"

if as_postgres / "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
	as_postgres / "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 120 stop >/dev/null
	log "stopped the ddb_emul cluster at $DATA"
else
	log "the ddb_emul cluster at $DATA is not running"
fi
