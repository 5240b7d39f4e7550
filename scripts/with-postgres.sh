#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb in a temporary folder, a free port,
# trust auth on loopback only, and the cluster removed when the command ends.
# The command sees DST_TEST_POSTGRES_URL. Exit code 86 means PostgreSQL's binaries were not found.
set -euo pipefail

pg_bin=""
for candidate in ${PG_BIN:-} /usr/lib/postgresql/*/bin; do
  if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then pg_bin="$candidate"; fi
done
if [ -z "$pg_bin" ] && command -v initdb >/dev/null 2>&1; then pg_bin="$(dirname "$(command -v initdb)")"; fi
if [ -z "$pg_bin" ]; then
  echo "************************************************************************" >&2
  echo "* PostgreSQL binaries (initdb, pg_ctl) not found: NOT testing on PostgreSQL." >&2
  echo "* Install them (Debian: apt-get install postgresql) to run the full suite." >&2
  echo "************************************************************************" >&2
  exit 86
fi

workdir="$(mktemp -d /tmp/dst-pg.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
as_owner=()
if [ "$(id -u)" = "0" ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres system user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$workdir"
  as_owner=(runuser -u postgres --)
fi

cleanup() {
  "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

"${as_owner[@]}" "$pg_bin/initdb" -D "$workdir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
# Tests need no durability; DST_PG_DURABLE=1 keeps PostgreSQL's defaults (every commit flushes the
# write-ahead log to disk), as production runs, for benchmarks that weigh commits.
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [ "${DST_PG_DURABLE:-}" = "1" ]; then durability=""; fi
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $port -k $workdir $durability -c max_connections=200" \
  start >/dev/null
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port (throwaway cluster in $workdir)"

export DST_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
"$@"
