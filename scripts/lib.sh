# scripts/lib.sh -- shared by scripts/start.sh, scripts/stop.sh and
# scripts/test.sh.  Sourced, not run.
#
# What lives here: the Debian package list and its installer, the PostgreSQL
# paths (pinned to major version 15), the "build a clean copy and install it"
# step, and the helpers to run commands as the postgres OS user.
#
# Environment read here:
#   PG_CONFIG               pg_config to build against
#                           (default /usr/lib/postgresql/15/bin/pg_config, not
#                           the /usr/bin wrapper, which picks the newest major)
#   DDB_EMUL_SKIP_PACKAGES  1 = do not touch apt at all
#   DDB_EMUL_EXTRA_PACKAGES extra Debian packages to install (space separated)
#   DDB_EMUL_SYSTEM_INSTALL 0 = build only, skip "make install" into the
#                           system (test.sh tests a private installation
#                           anyway; start.sh needs the system install)

# Repository root: the parent of the directory holding this file.
DDB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PG_MAJOR=15
PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}"

# Everything the build, the server and every test step need.  Add to this
# list (not to the individual scripts) when a test needs a new package.
DDB_PACKAGES=(
	postgresql-$PG_MAJOR            # server (also creates the postgres user)
	postgresql-client-$PG_MAJOR     # psql, pg_recvlogical
	postgresql-server-dev-$PG_MAJOR # PGXS, pg_regress, pg_isolation_regress
	build-essential                 # gcc, make
	postgresql-$PG_MAJOR-pgtap      # the pgtap extension
	libtap-parser-sourcehandler-pgtap-perl # pg_prove
	libipc-run-perl                 # PostgreSQL::Test::* TAP modules (test/extra)
	perl
	clang-14                        # libFuzzer target of the expression parser (test/extra)
	libclang-rt-14-dev              # its sanitizer and fuzzer runtimes
	valgrind                        # memory checks of the expression code (test/extra/valgrind_expr.sh)
)

log()  { printf '%s\n' "==> $*"; }
warn() { printf '%s\n' "WARNING: $*" >&2; }
die()  { printf '%s\n' "ERROR: $*" >&2; exit 1; }

# require_root: these scripts install packages and switch to the postgres
# user, so they run as root (sudo bash scripts/...).
require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		die "run this as root, e.g.: sudo bash $0"
	fi
}

# install_packages: install the missing Debian packages of DDB_PACKAGES (and
# DDB_EMUL_EXTRA_PACKAGES).  apt is not touched when all are installed, so a
# prepared machine needs no network.  Returns non-zero on failure.
install_packages() {
	local pkgs=("${DDB_PACKAGES[@]}") missing=() p status
	if [ -n "${DDB_EMUL_EXTRA_PACKAGES:-}" ]; then
		# shellcheck disable=SC2206
		pkgs+=($DDB_EMUL_EXTRA_PACKAGES)
	fi
	if [ "${DDB_EMUL_SKIP_PACKAGES:-0}" = 1 ]; then
		log "packages: skipped (DDB_EMUL_SKIP_PACKAGES=1)"
		return 0
	fi
	for p in "${pkgs[@]}"; do
		status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
		[ "$status" = "install ok installed" ] || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		log "packages: all ${#pkgs[@]} already installed"
		return 0
	fi
	log "packages: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=300 update -q &&
		apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends \
			"${missing[@]}" </dev/null
}

# pg_paths: set BINDIR, PKGLIBDIR, PGXS_DIR (lib/pgxs), PG_REGRESS, PG_ISOLATION_REGRESS
# from $PG_CONFIG.  Call after install_packages.
pg_paths() {
	[ -x "$PG_CONFIG" ] || die "pg_config not found at $PG_CONFIG (is postgresql-server-dev-$PG_MAJOR installed?)"
	BINDIR="$("$PG_CONFIG" --bindir)"
	PKGLIBDIR="$("$PG_CONFIG" --pkglibdir)"
	# --pgxs is <PGXS_DIR>/src/makefiles/pgxs.mk
	PGXS_DIR="$(cd "$(dirname "$("$PG_CONFIG" --pgxs)")/../.." && pwd)"
	PG_REGRESS="$PGXS_DIR/src/test/regress/pg_regress"
	PG_ISOLATION_REGRESS="$PGXS_DIR/src/test/isolation/pg_isolation_regress"
	export PG_CONFIG BINDIR PKGLIBDIR
}

# copy_tree SRC DEST: copy the checkout to DEST without .git and without
# build products, so the build never reuses stale objects (PGXS here has no
# header dependency tracking) and the checkout itself is never written to.
# In a git checkout that is every file git does not ignore (committed or
# not); otherwise the .gitignore patterns below.
copy_tree() {
	local src="$1" dest="$2"
	mkdir -p "$dest"
	if git -c safe.directory="$src" -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$src" &&
			git -c safe.directory="$src" ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do
				[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
			done | tar --null -T - -cf -) | tar -C "$dest" -xf -
	else
		tar -C "$src" -cf - \
			--exclude=./.git \
			--exclude='*.o' --exclude='*.so' --exclude='*.bc' \
			--exclude=./results --exclude=./output_iso --exclude=./tmp_check \
			--exclude=./log --exclude='./regression.*' \
			--exclude='./ddb_emul--*.sql' \
			--exclude=./test/fuzz/build \
			. | tar -C "$dest" -xf -
	fi
}

# check_symbols SO: fail, naming them, when SO needs functions that neither
# the postgres executable nor SO's own libraries define -- a missing
# #include (implicit declaration) or a function not written yet.  Without
# this the build "succeeds" and every server start fails with "undefined
# symbol".
check_symbols() {
	local so="$1" postgres missing
	postgres="$("$PG_CONFIG" --bindir)/postgres"
	missing="$(comm -23 \
		<(nm -D --undefined-only "$so" | awk '$1 == "U" { sub(/@.*/, "", $2); print $2 }' | sort -u) \
		<({ nm -D --defined-only "$postgres"
			ldd "$so" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' |
				while read -r lib; do nm -D --defined-only "$lib"; done
		  } | awk '{ sub(/@.*/, "", $3); print $3 }' | sort -u))"
	if [ -n "$missing" ]; then
		echo "$(basename "$so") uses symbols that nothing defines (missing #include, or not written yet?):"
		echo "$missing" | sed 's/^/    /'
		return 1
	fi
}

# build_install DIR LOGFILE: build the extension in DIR (a clean copy made by
# copy_tree) and install it into the server's directories.  Compiler
# diagnostics go to LOGFILE (make -s: no command lines) and are printed: the
# errors and the end of the log on failure, a count and the first 40 lines
# on success.  Returns non-zero on failure.
build_install() {
	local dir="$1" logf="$2" jobs n
	jobs="$(nproc 2>/dev/null || echo 2)"
	if (cd "$dir" && make -s -j"$jobs" PG_CONFIG="$PG_CONFIG" &&
		check_symbols "$dir/ddb_emul.so" &&
		if [ "${DDB_EMUL_SYSTEM_INSTALL:-1}" != 0 ]; then
			make -s install PG_CONFIG="$PG_CONFIG"
		fi) >"$logf" 2>&1; then
		n="$(grep -c 'warning:' "$logf" || true)"
		if [ "$n" -gt 0 ]; then
			echo "---- build: $n compiler warning(s), first 40 lines of $logf ----"
			head -n 40 "$logf"
			echo "---- end of build warnings ----"
		fi
		return 0
	fi
	echo "---- build failed: errors in $logf ----"
	grep -E -A5 'error:|Error [0-9]|nothing defines' "$logf" | head -n 80
	echo "---- build failed: last 30 lines of $logf ----"
	tail -n 30 "$logf"
	echo "---- end of build output ----"
	return 1
}

# as_postgres DIR CMD...: run CMD as the postgres OS user with DIR as working
# directory (the checkout may be unreadable for postgres).  The environment
# is kept, except HOME/USER/LOGNAME/SHELL.
as_postgres() {
	local dir="$1"
	shift
	(cd "$dir" && runuser -u postgres -- "$@")
}

# free_port: print a TCP port on 127.0.0.1 that is free right now.
free_port() {
	perl -MIO::Socket::INET -e \
		'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, ReuseAddr => 1) or die $!; print $s->sockport, "\n";'
}

# unset_pg_env: forget libpq settings inherited from the caller, so every
# connection below goes exactly where the script says.
unset_pg_env() {
	unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGSERVICE \
		PGSERVICEFILE PGOPTIONS PGSSLMODE PGDATA PGPASSFILE PGAPPNAME || true
}

# plugin_setting_line BINDIR: on PostgreSQL builds that only accept output
# plugins listed in output_plugin_libraries (a setting some distributions
# patch in), print the line that adds ddb_emul to its default; print
# nothing where the setting does not exist (there every plugin is allowed).
plugin_setting_line() {
	local def
	def=$("$1/postgres" --describe-config 2>/dev/null |
		awk -F'\t' '$1 == "output_plugin_libraries" { print $5; exit }')
	[ -n "$def" ] || { "$1/postgres" --describe-config 2>/dev/null |
		grep -q '^output_plugin_libraries' || return 0; }
	echo "output_plugin_libraries = '${def:+$def, }ddb_emul'"
}
