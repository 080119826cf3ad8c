#!/usr/bin/env bash
# Change credits over HTTP with wrk (issue 13), beside the same store's rate
# called in-process and a bare axum handler, in one run:
#   0. what a token check costs, with and without the cache;
#   1. the bare handler (examples/server/examples/noop.rs);
#   2. dcms-server on SQLite (a fresh data folder), then the in-process rate
#      on a fresh SQLite file;
#   3. dcms-server on PostgreSQL with group commit (a fresh database on
#      $DCMS_BENCH_POSTGRES_URL's server), then in-process on another.
# Each wrk run: 2 threads (one till of each demo vendor, USD and JPY),
# $DCMS_WRK_CONNECTIONS connections (64), $DCMS_WRK_SECONDS seconds (20),
# valid vendor tokens, a fresh Idempotency-Key per request, credits spread
# over $DCMS_WRK_ACCOUNTS customer accounts (1000; 1 puts every credit on
# one customer). Figures go in benches/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SECS="${DCMS_WRK_SECONDS:-20}"
CONN="${DCMS_WRK_CONNECTIONS:-64}"
ACCOUNTS="${DCMS_WRK_ACCOUNTS:-1000}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="$(mktemp -d)"
PIDS=()
DBS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for db in "${DBS[@]}"; do psql -q "$DCMS_BENCH_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

cargo build -q --release -p dcms-server --bin dcms-server --example noop --example inproc --example verify_cost
BIN="$TARGET/release/dcms-server"

echo "== token check"
"$TARGET/release/examples/verify_cost"

wait_ready() { for _ in $(seq 60); do curl -sf "$1" >/dev/null && return 0; sleep 0.5; done; return 1; }

echo "== bare axum handler"
"$TARGET/release/examples/noop" 127.0.0.1:18090 >/dev/null &
PIDS+=($!)
sleep 1
wrk -t2 -c"$CONN" -d"${SECS}s" -s benches/wrk/noop.lua http://127.0.0.1:18090 | tail -1

# server_run NAME DB_URL INPROC_URL
server_run() {
  local name=$1 url=$2 inproc_url=$3 data="$WORK/$1"
  echo "== dcms-server on $name"
  DCMS_DATA_DIR="$data" DCMS_DATABASE_URL="$url" "$BIN" dev-keys >"$WORK/$name.env" 2>/dev/null
  set -a
  # shellcheck disable=SC1090
  . "$WORK/$name.env"
  set +a
  DCMS_DATA_DIR="$data" DCMS_DATABASE_URL="$url" DCMS_LISTEN=127.0.0.1:18091 RUST_LOG=warn "$BIN" >/dev/null 2>"$WORK/$name.log" &
  local pid=$!
  PIDS+=("$pid")
  wait_ready http://127.0.0.1:18091/readyz
  # The customers the tills credit, opened through the admin API.
  export DCMS_WRK_ACCOUNTS_FILE="$WORK/$name.accounts"
  : >"$DCMS_WRK_ACCOUNTS_FILE"
  for i in $(seq "$ACCOUNTS"); do
    curl -sf -X POST http://127.0.0.1:18091/v1/admin/accounts \
      -H "Authorization: Bearer $DCMS_ADMIN_TOKEN" -H "Idempotency-Key: wrk-account-$i" \
      -H 'Content-Type: application/json' -d '{}' | jq -r .id >>"$DCMS_WRK_ACCOUNTS_FILE"
  done
  wrk -t2 -c"$CONN" -d"${SECS}s" -s benches/wrk/credit.lua http://127.0.0.1:18091 | tail -1
  kill "$pid"
  wait "$pid" || true
  echo "== in-process on $name"
  "$TARGET/release/examples/inproc" "$inproc_url" "$SECS" "$CONN" "$ACCOUNTS"
}

server_run sqlite "sqlite://$WORK/server.db?mode=rwc" "sqlite://$WORK/inproc.db?mode=rwc"

if [ -n "${DCMS_BENCH_POSTGRES_URL:-}" ]; then
  base="${DCMS_BENCH_POSTGRES_URL%/*}"
  for db in dcms_wrk_server_$$ dcms_wrk_inproc_$$; do
    psql -q "$DCMS_BENCH_POSTGRES_URL" -c "CREATE DATABASE $db TEMPLATE template0" >/dev/null
    DBS+=("$db")
  done
  server_run postgres "$base/dcms_wrk_server_$$" "$base/dcms_wrk_inproc_$$"
else
  echo "== PostgreSQL skipped: DCMS_BENCH_POSTGRES_URL is not set"
fi
