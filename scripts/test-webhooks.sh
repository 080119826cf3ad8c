#!/usr/bin/env bash
# Standard Webhooks receivers (issue 16), run by scripts/test.sh after the
# Rust tests: DCMS's webhook notifier posts real signed notifications
# (dcms-aws/examples/webhook_send.rs) to receivers written with the
# published verifier libraries, each in its own runner:
#   - Python: `standardwebhooks` from PyPI, under pytest (tests/webhooks/python);
#   - Node:   `standardwebhooks` from npm, under node --test (tests/webhooks/node).
# Each checks that DCMS's notifications are accepted, and that a replay older
# than the tolerance, a tampered body, a rewritten timestamp and another
# secret are refused. The receivers listen on 127.0.0.1 on a free port and
# stop with their test.
#
# On a fresh machine it installs what is missing: Python 3.9+ with venv and
# Node 18+ with npm (Debian packages), then the pinned libraries from PyPI and
# npm into $DCMS_CACHE, keyed by the pin files, so a second run reuses them.
#
# Environment: DCMS_PYTHON (default python3), CARGO_TARGET_DIR.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DCMS_SCRIPT_NAME=test-webhooks
# shellcheck source=services/common.sh
. "$ROOT/scripts/services/common.sh"

PY_DIR="$ROOT/tests/webhooks/python"
NODE_DIR="$ROOT/tests/webhooks/node"
PYTHON="${DCMS_PYTHON:-python3}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"

# First 16 hex digits of the SHA-256 of the given files: the cache key.
key_of() { cat "$@" | sha256sum | cut -c1-16; }

build_sender() {
  log "building the webhook sender (dcms-aws example webhook_send)"
  cargo build --quiet -p dcms-aws --example webhook_send >&2
  export DCMS_WEBHOOK_SENDER="$TARGET/debug/examples/webhook_send"
  [ -x "$DCMS_WEBHOOK_SENDER" ] || die "no sender at $DCMS_WEBHOOK_SENDER"
}

python_venv() {
  if ! "$PYTHON" -c 'import sys, venv; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
    log "$PYTHON is missing or older than 3.9, or has no venv; installing Debian's"
    apt_install python3 python3-venv
    PYTHON=/usr/bin/python3
  fi
  local version key
  version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  key=$(printf '%s\n' "$version" | cat - "$PY_DIR/requirements.txt" | sha256sum | cut -c1-16)
  VENV="$DCMS_CACHE/venv-webhooks-py$version-$key"
  if [ -x "$VENV/bin/python" ] && [ -e "$VENV/.complete" ]; then
    log "reusing $VENV"
    return 0
  fi
  log "creating $VENV (standardwebhooks and pytest, pinned in requirements.txt)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || { apt_install python3-venv; "$PYTHON" -m venv "$VENV"; }
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$PY_DIR/requirements.txt" >&2
  : >"$VENV/.complete"
}

node_modules() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 18 ] || ! command -v npm >/dev/null 2>&1; then
    log "Node 18+ with npm not found; installing Debian's nodejs and npm"
    apt_install nodejs npm
  fi
  local cache
  cache="$DCMS_CACHE/node-webhooks-$(key_of "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json")"
  if [ ! -e "$cache/.complete" ]; then
    log "installing the npm packages pinned in package-lock.json into $cache"
    rm -rf "$cache" && mkdir -p "$cache"
    cp "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json" "$cache/"
    (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error >&2)
    : >"$cache/.complete"
  else
    log "reusing $cache"
  fi
  # The tests import "standardwebhooks" the way a vendor's code would; the
  # link (git-ignored) points the folder at the cached packages.
  ln -sfn "$cache/node_modules" "$NODE_DIR/node_modules"
}

main() {
  build_sender
  python_venv
  node_modules
  local rc=0
  log "pytest: the Python receiver (standardwebhooks from PyPI)"
  (cd "$PY_DIR" && "$VENV/bin/python" -m pytest -v -ra -p no:cacheprovider .) || rc=1
  log "node --test: the Node receiver (standardwebhooks from npm)"
  (cd "$NODE_DIR" && node --test) || rc=1
  return "$rc"
}

main "$@"
