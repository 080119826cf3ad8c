#!/usr/bin/env bash
# The PostgreSQL rows of the throughput harness on a disk whose flush costs
# DCMS_FLUSH_DELAY_US (default 3000 us), the cost issue 4's targets assume.
# This machine's disk flushes in about 90 us (pg_test_fsync), which makes
# the raw one-commit-per-credit floor CPU-bound instead of flush-bound; see
# benches/README.md, "A flush of 2-4 ms".
#
#   bash benches/slow_flush/postgres.sh          # as root, from the checkout
#   DCMS_FLUSH_DELAY_US=2000 DCMS_BENCH_MODES=raw,one,pipelined bash benches/slow_flush/postgres.sh
#
# It builds slow_flush.c (gcc) into ~/.cache/dcms, creates a throwaway
# PostgreSQL 15 cluster under /tmp on 127.0.0.1:5433 with the durability
# settings of scripts/services/postgres.sh, starts it with the library
# preloaded, runs `cargo bench --bench sql_throughput` against it (other
# DCMS_BENCH_* knobs pass through; DCMS_BENCH_BIN=path runs a harness binary
# built earlier instead) and removes the cluster again. The shared test
# cluster on 5432 is not touched.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/services/common.sh"
require_root

PG_BIN="/usr/lib/postgresql/${PG_VERSION:-15}/bin"
PORT="${DCMS_SLOW_FLUSH_PORT:-5433}"
DELAY="${DCMS_FLUSH_DELAY_US:-3000}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

[ -x "$PG_BIN/initdb" ] || die "no $PG_BIN/initdb: run scripts/services/postgres.sh first"
command -v gcc >/dev/null || die "gcc is needed to build the slow-flush library"
port_open 127.0.0.1 "$PORT" && die "127.0.0.1:$PORT is taken"

# The library, keyed by its source, readable by the postgres user.
key=$(sha256sum "$HERE/slow_flush.c" | cut -c1-16)
lib="$DCMS_CACHE/slow_flush/slow_flush-$key.so"
if [ ! -f "$lib" ]; then
  mkdir -p "$(dirname "$lib")"
  gcc -O2 -shared -fPIC -o "$lib.tmp" "$HERE/slow_flush.c" -ldl
  mv "$lib.tmp" "$lib"
fi
chmod 755 "$DCMS_CACHE" "$(dirname "$lib")" "$lib" 2>/dev/null || true
# ~/.cache is under root's home; the postgres user needs to reach the file.
shared_lib=$(mktemp /tmp/dcms-slow-flush-XXXXXX.so)
cp "$lib" "$shared_lib"
chmod 755 "$shared_lib"

data=$(mktemp -d /tmp/dcms-slow-flush-pg-XXXXXX)
chown postgres:postgres "$data"
as_pg() { runuser -u postgres -- "$@"; }
stop() {
  if [ -f "$data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$data" "$shared_lib"
}
trap stop EXIT

as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust >/dev/null
cat >>"$data/postgresql.conf" <<EOF
# written by benches/slow_flush/postgres.sh
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$data'
fsync = on
synchronous_commit = on
full_page_writes = on
wal_sync_method = fdatasync
max_connections = 200
EOF
log "starting a throwaway cluster on 127.0.0.1:$PORT, each flush +${DELAY} us"
as_pg env LD_PRELOAD="$shared_lib" DCMS_FLUSH_DELAY_US="$DELAY" \
  "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w start >/dev/null
as_pg "$PG_BIN/psql" -X -q -h "$data" -p "$PORT" -d postgres \
  -c "CREATE ROLE dcms LOGIN CREATEDB PASSWORD 'dcms'" \
  -c "CREATE DATABASE dcms_bench OWNER dcms"

cd "$ROOT"
export DCMS_BENCH_ENGINES=postgres
export DCMS_BENCH_POSTGRES_URL="postgres://dcms:dcms@127.0.0.1:$PORT/dcms_bench"
if [ -n "${DCMS_BENCH_BIN:-}" ]; then
  # A harness binary built earlier (to compare two commits on one cluster).
  "$DCMS_BENCH_BIN" --bench
else
  cargo bench -p dcms-store --features all-databases --bench sql_throughput
fi
