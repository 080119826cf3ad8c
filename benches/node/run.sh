#!/usr/bin/env bash
# Builds the dcms addon and the native loop (both --release), then runs
# benches/node/credit_rate.mjs, or with --interleave first
# benches/node/interleave.mjs (creditChangeColumns and the native loop
# alternated, CPU time per sale). Figures go in benches/README.md.
#   bash benches/node/run.sh [credit_rate.mjs options]
#   bash benches/node/run.sh --interleave [interleave.mjs options]
# Needs the npm packages scripts/test-node.sh installs (it links them into
# bindings/node/node_modules); run that once first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
DCMS_SCRIPT_NAME=bench-node
# shellcheck source=../../scripts/services/common.sh
. "$ROOT/scripts/services/common.sh"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TARGET_DIR="$TARGET"
PKG="$ROOT/bindings/node"
[ -x "$PKG/node_modules/.bin/napi" ] || die "no @napi-rs/cli in $PKG/node_modules: run scripts/test-node.sh first"
log "building the addon and the native loop (--release)"
(cd "$PKG" && CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" node_modules/.bin/napi build --platform --release \
  --js native.cjs --dts index.d.ts >&2)
cargo build --release -q -p dcms-node --example node_native_credit_rate
# The bench imports 'dcms' as an application would.
mkdir -p "$ROOT/benches/node/node_modules"
ln -sfn ../../../bindings/node "$ROOT/benches/node/node_modules/dcms"
SCRIPT=credit_rate.mjs
if [ "${1:-}" = --interleave ]; then
  SCRIPT=interleave.mjs
  shift
fi
log "load before: $(uptime)"
node "$ROOT/benches/node/$SCRIPT" --native "$TARGET/release/examples/node_native_credit_rate" "$@"
log "load after: $(uptime)"
