#!/usr/bin/env bash
# A throw-away local Redis server for the tests of shared rate limits, and for trials.
#
#   bash scripts/redis.sh start   # install if missing, start on a free port in build/redis
#   bash scripts/redis.sh url     # prints the CRM_REDIS_URL of the running server
#   bash scripts/redis.sh stop    # stops it and deletes build/redis (safe to run any time)
#
# Installs the Debian package `redis-server` (as root or through sudo) only when no
# redis-server binary is found. The server listens on 127.0.0.1 only, keeps nothing on
# disk and runs as the invoking user. REDISDIR moves its folder (default: build/redis).
set -euo pipefail
cd "$(dirname "$0")/.."
REDISDIR=${REDISDIR:-$PWD/build/redis}

install_if_missing() {
  if command -v redis-server >/dev/null 2>&1; then
    return 0
  fi
  echo "Installing the Debian package redis-server"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  command -v redis-server >/dev/null 2>&1 || { echo "redis-server was not installed" >&2; exit 1; }
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

running() {
  [ -f "$REDISDIR/port" ] && redis-cli -p "$(cat "$REDISDIR/port")" ping >/dev/null 2>&1
}

start() {
  install_if_missing
  if running; then
    return 0
  fi
  rm -rf "$REDISDIR"
  mkdir -p "$REDISDIR"
  local port
  port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$REDISDIR" --pidfile "$REDISDIR/redis.pid" --logfile "$REDISDIR/redis.log" \
    --daemonize yes
  echo "$port" > "$REDISDIR/port"
  for _ in $(seq 1 100); do
    if running; then
      return 0
    fi
    sleep 0.05
  done
  echo "redis-server did not start; see $REDISDIR/redis.log" >&2
  exit 1
}

url() {
  running || { echo "no Redis server is running (bash scripts/redis.sh start)" >&2; exit 1; }
  echo "redis://127.0.0.1:$(cat "$REDISDIR/port")/0"
}

stop() {
  if running; then
    redis-cli -p "$(cat "$REDISDIR/port")" shutdown nosave >/dev/null 2>&1 || true
  elif [ -f "$REDISDIR/redis.pid" ]; then
    kill "$(cat "$REDISDIR/redis.pid")" 2>/dev/null || true
  fi
  rm -rf "$REDISDIR"
}

case "${1:-}" in
  start) start ;;
  url) url ;;
  stop) stop ;;
  *) echo "usage: $0 start|url|stop" >&2; exit 2 ;;
esac
