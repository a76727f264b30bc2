#!/usr/bin/env bash
#
# scripts/start.sh -- install, build and run ddb_emul on this machine.
#
#     sudo bash scripts/start.sh
#
# As root on Debian 12: installs the Debian packages (scripts/lib.sh), builds
# the extension from a clean copy of the checkout and installs it, creates on
# the first run a dedicated PostgreSQL 15 cluster owned by the postgres user
# (it does not use or touch Debian's "main" cluster), (re)starts it so the
# freshly installed library is loaded, creates database "ddb" with the
# extension, updates the extension, and prints how to connect.
# Running it again keeps the cluster and its data.  Stop it with
# scripts/stop.sh.
#
# Environment:
#   PGPORT          port (default 5433)
#   DDB_EMUL_DATA   data directory (default /var/lib/ddb_emul/data)
#   DDB_EMUL_LISTEN listen_addresses (default 127.0.0.1)
#   DDB_EMUL_DB     database to create the extension in (default ddb)
#   DDB_EMUL_RECREATE=1  DROP EXTENSION ddb_emul CASCADE, then create it again
#                   (loses every ddb_emul table and item in that database;
#                   for picking up a changed script of an unchanged version)
#   plus PG_CONFIG, DDB_EMUL_SKIP_PACKAGES, DDB_EMUL_EXTRA_PACKAGES
#   (scripts/lib.sh).
#
# Authentication (set once, at initdb; pg_hba.conf is yours after that):
# TCP connections from 127.0.0.1 are trusted -- any local OS user may connect
# as any database user, including the superuser postgres, without a
# password.  That is meant for a development machine; see the README before
# exposing the port.  Unix-socket connections use peer authentication
# (sudo -u postgres psql -p 5433 ddb).
#
# The server settings ddb_emul needs live in $DDB_EMUL_DATA/ddb_emul.conf,
# rewritten on every run and included at the end of postgresql.conf; change
# settings with ALTER SYSTEM (postgresql.auto.conf wins over both).
#

set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT="${PGPORT:-5433}"
DATA="${DDB_EMUL_DATA:-/var/lib/ddb_emul/data}"
LISTEN="${DDB_EMUL_LISTEN:-127.0.0.1}"
DB="${DDB_EMUL_DB:-ddb}"
SOCKDIR=/var/run/postgresql
LOGDIR="$DATA/log"

require_root
unset_pg_env
umask 022
case "$PORT" in ''|*[!0-9]*) die "PGPORT must be a number, not '$PORT'" ;; esac
case "$DATA" in /*) ;; *) die "DDB_EMUL_DATA must be an absolute path" ;; esac

install_packages || die "package installation failed"
pg_paths

# --- build and install ----------------------------------------------------
BUILD="$(mktemp -d /tmp/ddb_emul_build.XXXXXX)"
trap 'rm -rf "$BUILD"' EXIT
log "build: copying $DDB_ROOT and running make && make install"
copy_tree "$DDB_ROOT" "$BUILD/src"
DDB_EMUL_SYSTEM_INSTALL=1 build_install "$BUILD/src" "$BUILD/build.log" || die "build failed"
log "installed ddb_emul into $PKGLIBDIR"

# --- the cluster ------------------------------------------------------------
# The socket directory lives on a tmpfs on systemd machines: recreate it.
install -d -o postgres -g postgres -m 2775 "$SOCKDIR"

pg() { as_postgres / "$@"; }

if [ -f "$DATA/PG_VERSION" ]; then
	[ "$(cat "$DATA/PG_VERSION")" = "$PG_MAJOR" ] ||
		die "$DATA holds a PostgreSQL $(cat "$DATA/PG_VERSION") cluster, not $PG_MAJOR"
	log "cluster: reusing $DATA"
else
	if [ -d "$DATA" ] && [ -n "$(ls -A "$DATA")" ]; then
		die "$DATA exists, is not empty and is not a PostgreSQL cluster"
	fi
	# directories made below are 755; the existing ones must let postgres in
	p="$DATA"
	while [ ! -e "$p" ]; do p="$(dirname "$p")"; done
	runuser -u postgres -- test -x "$p" ||
		die "the postgres user cannot reach $p; choose another DDB_EMUL_DATA"
	log "cluster: creating $DATA"
	mkdir -p "$DATA"
	chown postgres: "$DATA"
	chmod 700 "$DATA"
	pg "$BINDIR/initdb" -D "$DATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
		--auth-local=peer --auth-host=trust >/dev/null
	{
		echo ""
		echo "# ddb_emul: settings managed by scripts/start.sh"
		echo "include_if_exists = 'ddb_emul.conf'"
	} >>"$DATA/postgresql.conf"
fi
grep -q "^include_if_exists = 'ddb_emul.conf'" "$DATA/postgresql.conf" ||
	die "$DATA/postgresql.conf does not include ddb_emul.conf"

# Rewritten every run, so a newer start.sh brings its settings along.
cat >"$DATA/ddb_emul.conf" <<EOF
# Written by scripts/start.sh on every run: edits here are lost.  Override
# with ALTER SYSTEM (postgresql.auto.conf is read after this file).
listen_addresses = '$LISTEN'
port = $PORT
unix_socket_directories = '$SOCKDIR'

# ddb_emul: streams (logical decoding) and the background worker
wal_level = logical
shared_preload_libraries = 'ddb_emul'
max_replication_slots = 20
max_wal_senders = 10
# ddb_emul launcher + one worker per database using it, logical
# replication and parallel query share these
max_worker_processes = 32

# logs in $LOGDIR, one file per weekday, kept a week
logging_collector = on
log_directory = 'log'
log_filename = 'postgresql-%a.log'
log_truncate_on_rotation = on
log_rotation_age = 1d
log_rotation_size = 0
log_line_prefix = '%m [%p] %q%u@%d '
EOF
# The streams output plugin must be allowed where the server restricts plugins.
plugin_setting_line "$(dirname "$PG_CONFIG")" >>"$DATA/ddb_emul.conf"
chown postgres: "$DATA/ddb_emul.conf"
chmod 600 "$DATA/ddb_emul.conf"
install -d -o postgres -g postgres -m 700 "$LOGDIR"

# --- (re)start ----------------------------------------------------------------
if pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
	log "server: restarting (to load the new library)"
	action=restart
else
	log "server: starting"
	action=start
fi
if ! pg "$BINDIR/pg_ctl" -D "$DATA" -l "$LOGDIR/startup.log" -m fast -w -t 120 "$action" >/dev/null; then
	echo "---- $LOGDIR/startup.log ----"
	tail -n 30 "$LOGDIR/startup.log" 2>/dev/null || true
	latest="$(ls -t "$LOGDIR"/postgresql-*.log 2>/dev/null | head -n 1 || true)"
	if [ -n "$latest" ]; then
		echo "---- $latest ----"
		tail -n 30 "$latest"
	fi
	die "the server did not start (is port $PORT taken?  ss -ltnp | grep $PORT)"
fi

psql_pg() {
	pg "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKDIR" -p "$PORT" -U postgres "$@"
}
if [ "$(psql_pg -d postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
	log "database: creating $DB"
	psql_pg -d postgres -c "CREATE DATABASE \"$DB\""
fi
if [ "${DDB_EMUL_RECREATE:-0}" = 1 ]; then
	log "extension: DDB_EMUL_RECREATE=1, dropping ddb_emul and everything that depends on it in $DB"
	psql_pg -d "$DB" -c "SET client_min_messages = warning" \
		-c "DROP EXTENSION IF EXISTS ddb_emul CASCADE"
fi
psql_pg -d "$DB" -c "SET client_min_messages = warning" \
	-c "CREATE EXTENSION IF NOT EXISTS ddb_emul" \
	-c "ALTER EXTENSION ddb_emul UPDATE"
version="$(psql_pg -d "$DB" -At -c "SELECT extversion FROM pg_extension WHERE extname = 'ddb_emul'")"

# While a version is in development its script changes under the same
# version number, and ALTER EXTENSION UPDATE has nothing to do: notice it by
# the script's checksum, recorded whenever the extension is created anew.
sharedir="$("$PG_CONFIG" --sharedir)"
sum="$(cat "$sharedir/extension/ddb_emul.control" "$sharedir/extension/ddb_emul--$version.sql" | md5sum | cut -d' ' -f1)"
stamp="$DATA/ddb_emul.$DB.script"
if [ "${DDB_EMUL_RECREATE:-0}" = 1 ] || [ ! -f "$stamp" ] || [ "$version" != "$(cut -d' ' -f1 "$stamp")" ]; then
	echo "$version $sum" >"$stamp"
elif [ "$(cut -d' ' -f2 "$stamp")" != "$sum" ]; then
	warn "the SQL script of ddb_emul $version changed since the extension was created in database $DB;
         its SQL objects are the old ones.  Either ship an upgrade script with a new version,
         or recreate them (this DROPS every ddb_emul table and item in $DB):
             DDB_EMUL_RECREATE=1 bash scripts/start.sh"
fi

host="$LISTEN"
case "$host" in '*'|0.0.0.0|'') host=127.0.0.1 ;; *,*) host="${host%%,*}" ;; esac
cat <<EOF

ddb_emul $version is running (PostgreSQL $PG_MAJOR, data $DATA, port $PORT).
Logs: $LOGDIR/   Stop (as root): bash scripts/stop.sh
Authentication: trust for TCP from 127.0.0.1 (no password), peer on the socket.
Connect with:

    psql -h $host -p $PORT -U postgres $DB

EOF
