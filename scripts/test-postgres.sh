#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the tests, from Debian's `postgresql` package.
# Usage: scripts/test-postgres.sh start|stop|restart|url DIR PORT
#   start  initialises DIR once (as the `postgres` user when run as root), starts the server on
#          127.0.0.1:PORT with a password-protected role `tictactoe`, and waits (at most 30 s)
#          until it accepts connections; prints the URL.
#   stop   stops it (fast shutdown; waits at most 30 s).
#   url    prints postgres://tictactoe:PASSWORD@127.0.0.1:PORT/tictactoe?sslmode=disable
# The password is fixed and public: the server listens on loopback only and lives for one test run.
# TLS_DIR=DIR (optional) holding server.crt and server.key: the server also accepts TLS with them.
set -euo pipefail

cmd=${1:?usage: $0 start|stop|restart|url DIR PORT}
dir=${2:?usage: $0 start|stop|restart|url DIR PORT}
port=${3:?usage: $0 start|stop|restart|url DIR PORT}
dir=$(realpath -m "$dir")
password="tictactoe-test-secret"
url="postgres://tictactoe:${password}@127.0.0.1:${port}/tictactoe?sslmode=disable"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "error: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_owner "$bin/initdb" -D "$dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log" >&2; exit 1; }
  fi
  tls=""
  if [ -n "${TLS_DIR:-}" ]; then
    install -m 0600 "$TLS_DIR/server.crt" "$TLS_DIR/server.key" "$dir/"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/server.crt" "$dir/server.key"
    tls="-c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
  fi
  if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    # Another server on the port (a test run of another checkout, say) would make pg_ctl fail
    # with only "could not start server".
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "error: 127.0.0.1:$port is already in use, so the test PostgreSQL for $dir cannot start there: stop what listens on it, or pass another port (make test-unit TEST_PG_PORT=…)" >&2
      exit 1
    fi
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off $tls" start >/dev/null \
      || { tail -5 "$dir/server.log" >&2; exit 1; }
  fi
  psql=(as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1)
  if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'tictactoe'")" ]; then
    "${psql[@]}" -c "CREATE ROLE tictactoe LOGIN PASSWORD '$password'" >/dev/null
  fi
  # `tictactoe` for the tests; `tictactoe_sweep` for the one test that empties its database.
  for database in tictactoe tictactoe_sweep; do
    if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
      "${psql[@]}" -c "CREATE DATABASE $database OWNER tictactoe" >/dev/null
    fi
  done
  echo "$url"
}

stop() {
  [ -f "$dir/postmaster.pid" ] || return 0
  as_owner "$bin/pg_ctl" -D "$dir" -m fast -w -t 30 stop >/dev/null
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  url) echo "$url" ;;
  *) echo "usage: $0 start|stop|restart|url DIR PORT" >&2; exit 2 ;;
esac
