#!/usr/bin/env bash
# Builds the dcms wheel and the native loop (both --release), then runs
# benches/python/credit_rate.py. Figures go in benches/README.md.
#   bash benches/python/run.sh [credit_rate.py options]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
DCMS_SCRIPT_NAME=bench-python
# shellcheck source=../../scripts/services/common.sh
. "$ROOT/scripts/services/common.sh"
PYTHON="${DCMS_PYTHON:-python3}"
VENV="$DCMS_CACHE/venv-python-bench"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
if [ ! -x "$VENV/bin/maturin" ]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check maturin==1.16.0 >&2
fi
log "building the wheel and the native loop"
rm -rf "$TARGET/python-bench-wheels"
"$VENV/bin/maturin" build --release --quiet --manifest-path bindings/python/Cargo.toml \
  --interpreter "$VENV/bin/python" --out "$TARGET/python-bench-wheels" >&2
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps \
  "$TARGET"/python-bench-wheels/dcms-*.whl >&2
cargo build --release -q -p dcms-python --example native_credit_rate
# From outside the source tree, so the installed wheel is what is measured.
cd "$DCMS_CACHE"
"$VENV/bin/python" "$ROOT/benches/python/credit_rate.py" \
  --native "$TARGET/release/examples/native_credit_rate" "$@"
