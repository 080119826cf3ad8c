#!/usr/bin/env bash
# Python binding tests (issue 6), run by scripts/test.sh after the Rust tests.
#
# On a fresh machine (skipping what is already there): makes sure a Python
# 3.9+ can create virtual environments (Debian splits `venv` into the
# python3-venv package), creates a fresh venv under $DCMS_CACHE, installs
# the pinned tools, builds the `dcms` abi3 wheel with `maturin build`
# (dev profile), installs it, runs pytest (every operation and exception on the
# in-memory, SQLite and PostgreSQL stores), mypy on the examples and tests,
# and stubtest (the .pyi stubs against the built module).
# Exits non-zero when any step fails.
#
# Environment: DCMS_PYTHON (the interpreter; default python3),
# DCMS_TEST_POSTGRES_URL / DCMS_TEST_MYSQL_URL (server tests; missing ->
# skipped, or failed when DCMS_REQUIRE_SERVERS=1), CARGO_TARGET_DIR.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DCMS_SCRIPT_NAME=test-python
# shellcheck source=services/common.sh
. "$ROOT/scripts/services/common.sh"

MATURIN_VERSION=1.16.0
PYTEST_VERSION=9.2.0
MYPY_VERSION=2.4.1
PANDAS_VERSION=3.1.1

PYTHON="${DCMS_PYTHON:-python3}"
VENV="$DCMS_CACHE/venv-python-tests"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
WHEELS="$TARGET/python-wheels"

# True when $1 is a Python 3.9+ that can create a venv with pip.
can_venv() {
  local probe ok=1
  command -v "$1" >/dev/null 2>&1 || return 1
  "$1" -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null || return 1
  probe=$(mktemp -d)
  "$1" -m venv "$probe/venv" >/dev/null 2>&1 && ok=0
  rm -rf "$probe"
  return "$ok"
}

ensure_python() {
  if can_venv "$PYTHON"; then return 0; fi
  log "$PYTHON cannot create a virtualenv; installing Debian's python3 and python3-venv"
  apt_install python3 python3-venv
  PYTHON=/usr/bin/python3
  can_venv "$PYTHON" || die "$PYTHON cannot create a virtualenv even with python3-venv"
}

fresh_venv() {
  log "fresh venv $VENV ($("$PYTHON" --version 2>&1))"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  local t0=$SECONDS
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    "maturin==$MATURIN_VERSION" "pytest==$PYTEST_VERSION" "mypy==$MYPY_VERSION" >&2
  # pandas only feeds the DataFrame test, which is skipped without it
  # (pandas 3 needs Python 3.11+).
  if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check "pandas==$PANDAS_VERSION" >&2; then
    log "pandas $PANDAS_VERSION did not install: the DataFrame test will be skipped"
  fi
  log "installed the test tools in $((SECONDS - t0))s"
}

build_wheel() {
  # The tests check behaviour, not speed: a dev-profile build reuses the
  # dependencies `cargo test` just compiled (benches/python builds --release).
  log "maturin build (dev profile) -> $WHEELS"
  rm -rf "$WHEELS"
  local t0=$SECONDS
  "$VENV/bin/maturin" build --quiet \
    --manifest-path bindings/python/Cargo.toml \
    --interpreter "$VENV/bin/python" --out "$WHEELS" >&2
  log "built $(cd "$WHEELS" && ls dcms-*.whl) in $((SECONDS - t0))s"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps "$WHEELS"/dcms-*.whl >&2
}

main() {
  ensure_python
  fresh_venv
  build_wheel
  local rc=0
  log "pytest"
  # Not from inside the source tree: the tests must import the installed wheel.
  "$VENV/bin/python" -m pytest bindings/python/tests -v -ra -p no:cacheprovider || rc=1
  log "mypy --strict on the examples (checks the stubs), mypy on the tests"
  "$VENV/bin/mypy" --cache-dir "$DCMS_CACHE/mypy-cache" --strict examples/python || rc=1
  "$VENV/bin/mypy" --cache-dir "$DCMS_CACHE/mypy-cache" bindings/python/tests || rc=1
  log "stubtest: the stubs against the built module"
  "$VENV/bin/python" -m mypy.stubtest dcms._dcms \
    --allowlist bindings/python/stubtest-allowlist.txt || rc=1
  return "$rc"
}

main "$@"
