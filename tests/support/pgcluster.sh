#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster in a directory of its own, reachable only via its Unix socket.
#   pgcluster.sh start DIR   -> initdb (once) and start; prints the libpq DSN on stdout
#   pgcluster.sh stop DIR    -> fast shutdown (the data stays until DIR is removed)
#   pgcluster.sh destroy DIR -> stop and remove DIR
# When run as root, the server runs as the `postgres` user, as PostgreSQL requires.
set -euo pipefail

cmd=${1:?usage: pgcluster.sh start|stop|destroy DIR}
dir=${2:?usage: pgcluster.sh start|stop|destroy DIR}
bindir=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
[[ -x "$bindir/initdb" ]] || { echo "pgcluster: PostgreSQL 15 not installed (deploy/install-deps.sh)" >&2; exit 1; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir"
    chmod 700 "$dir"
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c port=5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "host=$dir port=5432 user=postgres dbname=postgres"
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    fi
    ;;
  destroy)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "pgcluster: unknown command '$cmd'" >&2; exit 2 ;;
esac
