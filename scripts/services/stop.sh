#!/usr/bin/env bash
# Stop the test services started by the scripts in this folder:
#   scripts/services/stop.sh [postgres|mariadb|minio|moto]...   (default: all)
# Only processes named in our own PID files are signalled; PostgreSQL is
# stopped through pg_ctlcluster. Data is kept.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

RUN_DIR="$DCMS_CACHE/run"

stop_pidfile() { # stop_pidfile NAME FILE
  local name=$1 file=$2 pid i
  if ! pid=$(pid_from_file "$file"); then
    log "$name: not running (no live PID in $file)"
    rm -f "$file"
    return 0
  fi
  log "$name: stopping pid $pid"
  kill -TERM "$pid"
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: pid $pid still alive after 20s, sending KILL"
    kill -KILL "$pid"
  fi
  rm -f "$file"
}

stop_postgres() {
  local v=${PG_VERSION:-15}
  if command -v pg_ctlcluster >/dev/null && pg_ctlcluster "$v" main status >/dev/null 2>&1; then
    log "postgres: stopping cluster $v/main"
    pg_ctlcluster --skip-systemctl-redirect "$v" main stop
  else
    log "postgres: not running"
  fi
}

services=("$@")
[ "${#services[@]}" -gt 0 ] || services=(moto minio mariadb postgres)
for s in "${services[@]}"; do
  case "$s" in
    postgres) stop_postgres ;;
    mariadb) stop_pidfile mariadb "$RUN_DIR/mariadb.pid" ;;
    minio) stop_pidfile minio "$RUN_DIR/minio.pid" ;;
    moto) stop_pidfile moto "$RUN_DIR/moto.pid" ;;
    *) die "unknown service $s" ;;
  esac
done
