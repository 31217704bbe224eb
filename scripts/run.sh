#!/usr/bin/env bash
# `make run`: serves the game with the release binary on CONFIG (else the built-in defaults).
# A config whose state.backend is postgres and that names no database (state.url or state.host in
# the file, DATABASE_URL or PGHOST in the environment) gets a throwaway PostgreSQL on 127.0.0.1
# (scripts/test-postgres.sh, its data under build/run-postgres), passed the way a Fargate task gets
# its database: PGHOST, PGPORT, PGDATABASE, PGUSER and PGPASSWORD. It is stopped when the server
# stops; its games are kept for the next run.
# Usage: scripts/run.sh BINARY [CONFIG]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$1"; config="${2:-}"
args=(serve)
[ -n "$config" ] && args+=(--config "$config")
port="${PORT:-$([ -n "$config" ] && "$bin" variant get "$config" server.port || echo 5000)}"

if [ -n "$config" ] && [ "$("$bin" variant get "$config" state.backend)" = postgres ] \
  && [ -z "${DATABASE_URL:-}${PGHOST:-}" ] && [ -z "$("$bin" variant get "$config" state.host)" ]; then
  scripts/ensure-deps.sh postgres
  dir=build/run-postgres; pg_port="${RUN_PG_PORT:-55433}"
  url="$(scripts/test-postgres.sh start "$dir" "$pg_port")"
  trap 'scripts/test-postgres.sh stop "$dir" "$pg_port"' EXIT
  # The URL's parts, as separate variables (the URL is postgres://USER:PASSWORD@HOST:PORT/DB?…).
  rest="${url#postgres://}"
  export PGUSER="${rest%%:*}"; rest="${rest#*:}"
  export PGPASSWORD="${rest%%@*}"; rest="${rest#*@}"
  export PGHOST="${rest%%:*}"; rest="${rest#*:}"
  export PGPORT="${rest%%/*}"; rest="${rest#*/}"
  export PGDATABASE="${rest%%\?*}" PGSSLMODE=disable
  echo "$config names no database: serving it with a throwaway PostgreSQL on $PGHOST:$PGPORT (data in $dir; stopped with the server), given as PGHOST, PGPORT, PGDATABASE, PGUSER and PGPASSWORD"
fi
echo "open http://localhost:$port; Ctrl-C stops"
# In the background, so that a SIGTERM or Ctrl-C reaching this script is passed on and the
# database above is stopped after the server has stopped.
"$bin" "${args[@]}" &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true' TERM INT
status=0
while kill -0 "$server" 2>/dev/null; do wait "$server" || status=$?; done
exit "$status"
