#!/usr/bin/env bash
# Node binding tests (issue 15), run by scripts/test.sh after the Rust tests.
#
# On a fresh machine (skipping what is already there): checks for Node 20+
# with npm (installs Debian's nodejs and npm when missing), installs the
# npm packages pinned in bindings/node/package-lock.json with `npm ci`
# into a cache under the Cargo target dir (keyed by the lock file and the
# Node major version, so a second run reuses it), builds the addon with
# @napi-rs/cli (dev profile; Cargo's own cache under the target dir makes a
# rebuild incremental), then runs:
#   - node --test: every operation and error code on the in-memory, SQLite,
#     PostgreSQL and MySQL/MariaDB stores, 200 concurrent transfers,
#     statements, journal rows, the examples and the shared vectors
#     (tests/vectors);
#   - tsc --noEmit over examples/node (the TypeScript examples against the
#     generated index.d.ts).
# Exits non-zero when any step fails.
#
# Environment: DCMS_TEST_POSTGRES_URL and DCMS_TEST_MYSQL_URL (missing ->
# that server's tests are skipped, or failed when DCMS_REQUIRE_SERVERS=1),
# CARGO_TARGET_DIR.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DCMS_SCRIPT_NAME=test-node
# shellcheck source=services/common.sh
. "$ROOT/scripts/services/common.sh"

PKG="$ROOT/bindings/node"
EXAMPLES="$ROOT/examples/node"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TARGET_DIR="$TARGET"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if [ "$(node_major)" -lt 20 ] || ! command -v npm >/dev/null 2>&1; then
    log "Node 20+ with npm not found; installing Debian's nodejs and npm"
    apt_install nodejs npm
  fi
  [ "$(node_major)" -ge 20 ] || die "the dcms package needs Node 20 or later; found $(node --version 2>&1)"
  log "node $(node --version), npm $(npm --version)"
}

# node_modules from the lock file, cached under the target dir and linked
# into bindings/node (the link is git-ignored).
node_modules() {
  local key cache
  key=$(cat "$PKG/package.json" "$PKG/package-lock.json" <(node_major) | sha256sum | cut -c1-16)
  cache="$TARGET/node/modules-$key"
  if [ ! -e "$cache/.complete" ]; then
    log "npm ci (pinned in bindings/node/package-lock.json) into $cache"
    rm -rf "$cache" && mkdir -p "$cache"
    cp "$PKG/package.json" "$PKG/package-lock.json" "$cache/"
    (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error --cache "$TARGET/node/npm-cache" >&2)
    : >"$cache/.complete"
  else
    log "reusing $cache"
  fi
  if [ -d "$PKG/node_modules" ] && [ ! -L "$PKG/node_modules" ]; then
    rm -rf "$PKG/node_modules"
  fi
  ln -sfn "$cache/node_modules" "$PKG/node_modules"
  # The examples import 'dcms' as an application would.
  mkdir -p "$EXAMPLES/node_modules"
  ln -sfn ../../../bindings/node "$EXAMPLES/node_modules/dcms"
}

build_addon() {
  log "napi build (dev profile): the addon, native.cjs and index.d.ts"
  local t0=$SECONDS
  (cd "$PKG" && CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" node_modules/.bin/napi build --platform \
    --js native.cjs --dts index.d.ts >&2)
  log "built $(cd "$PKG" && ls dcms.*.node) in $((SECONDS - t0))s"
}

main() {
  ensure_node
  node_modules
  build_addon
  local rc=0
  log "node --test"
  (cd "$PKG" && node --test --test-reporter=tap test/) || rc=1
  log "tsc --noEmit over examples/node (TypeScript $("$PKG/node_modules/.bin/tsc" --version))"
  "$PKG/node_modules/.bin/tsc" -p "$EXAMPLES/tsconfig.json" || rc=1
  return "$rc"
}

main "$@"
