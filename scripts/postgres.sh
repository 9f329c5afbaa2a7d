#!/usr/bin/env bash
# A throw-away local PostgreSQL server for benchmarks and trials.
#
#   bash scripts/postgres.sh start   # install if missing, initdb into build/pg, start, createdb
#   bash scripts/postgres.sh url     # prints the DATABASE_URL of the running server
#   bash scripts/postgres.sh stop    # stops it and deletes build/pg (safe to run any time)
#
# Installs the Debian package `postgresql` (as root or through sudo) only when no
# PostgreSQL server binaries are found. The server listens on 127.0.0.1 on a free port,
# trusts local connections (it holds nothing but test data) and runs as the invoking
# user, or as `postgres` when invoked as root (PostgreSQL refuses to run as root).
# PGDIR moves the data directory (default: build/pg).
set -euo pipefail
cd "$(dirname "$0")/.."
PGDIR=${PGDIR:-$PWD/build/pg}
DATA=$PGDIR/data
DB_NAME=crm
DB_USER=crm

find_bindir() {
  local candidate
  for candidate in "$(command -v pg_config >/dev/null 2>&1 && pg_config --bindir || true)" \
                   $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) \
                   "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")"; do
    if [ -n "$candidate" ] && [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/initdb" ] \
       && [ -x "$candidate/postgres" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

install_if_missing() {
  if find_bindir >/dev/null; then
    return 0
  fi
  echo "Installing the Debian package postgresql"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  find_bindir >/dev/null || { echo "postgresql installed, but pg_ctl was not found" >&2; exit 1; }
}

# Runs a server binary as the user that owns the data directory.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  install_if_missing
  local bin port
  bin=$(find_bindir)
  if [ -f "$DATA/postmaster.pid" ]; then
    echo "A server is already running from $DATA; stopping it first."
    stop
  fi
  rm -rf "$PGDIR"
  mkdir -p "$PGDIR"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$PGDIR"
    if ! runuser -u postgres -- test -w "$PGDIR"; then
      echo "user postgres cannot write to $PGDIR; set PGDIR to a folder it can reach" >&2
      exit 1
    fi
  fi
  as_owner "$bin/initdb" -D "$DATA" -U "$DB_USER" --auth=trust --encoding=UTF8 \
    --no-locale >"$PGDIR/initdb.log"
  port=$(free_port)
  cat >>"$DATA/postgresql.conf" <<EOF
# scripts/postgres.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PGDIR'
max_connections = 200
EOF
  as_owner "$bin/pg_ctl" -D "$DATA" -l "$PGDIR/server.log" -w -t 60 start >/dev/null
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB_NAME"
  echo "postgresql+psycopg://$DB_USER@127.0.0.1:$port/$DB_NAME" >"$PGDIR/url"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') is running:" \
       "DATABASE_URL=$(cat "$PGDIR/url")"
}

stop() {
  if [ -f "$DATA/postmaster.pid" ]; then
    local bin
    bin=$(find_bindir)
    as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null || true
  fi
  rm -rf "$PGDIR"
}

url() {
  if [ ! -f "$PGDIR/url" ]; then
    echo "no server: run 'bash scripts/postgres.sh start' first" >&2
    exit 1
  fi
  cat "$PGDIR/url"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
