#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the receiver's tests and benchmarks.
#   postgres.sh start DIR   initdb in DIR, start on a free loopback port,
#                           print the postgres:// URL on standard output
#   postgres.sh stop DIR    stop it and remove DIR
#   postgres.sh crash DIR   stop it as a crash would (immediate: no checkpoint,
#                           sessions cut), keeping DIR
#   postgres.sh restart DIR start it again on the same port (crash recovery)
# PostgreSQL refuses to run as root: as root, the cluster runs as the
# `postgres` user (runuser). The server binaries are Debian's (postgresql).
set -euo pipefail
command=${1:?usage: postgres.sh start|stop|crash|restart DIR}
dir=${2:?usage: postgres.sh start|stop|crash|restart DIR}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "postgres.sh: no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      chown postgres: "$dir"
      runuser -u postgres -- test -x "$dir" \
        || { echo "postgres.sh: the postgres user cannot reach $dir (a parent directory is private)" >&2; exit 1; }
    fi
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-instructions >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync and synchronous_commit stay on: the tests check durability.
    echo "$port" > "$dir/port"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  crash)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  restart)
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: postgres.sh start|stop|crash|restart DIR" >&2; exit 2 ;;
esac
