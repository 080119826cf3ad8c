#!/usr/bin/env bash
# The server tests beyond `cargo test` (issue 13), run by scripts/test.sh:
#   1. the README's server quickstart, run as written (its curl block);
#   2. schemathesis (PyPI, pinned, in a venv under $DCMS_CACHE) against the
#      running server with a valid token per role and a bounded number of
#      examples per operation: no 5xx, every response matches its schema;
#   3. the customer portal in headless Debian chromium driven by
#      playwright-core (npm ci with the committed lock file); screenshots go
#      to $DCMS_TEST_OUTPUT (default $DCMS_CACHE/test-output/server);
#   4. the real server on the back ends flags select (MariaDB, S3 on MinIO,
#      the SNS and webhook notifiers): the `backends` and MariaDB tests of
#      `cargo test -p dcms-server`, on the services of
#      $DCMS_CACHE/services.env (scripts/services/all.sh) when the
#      DCMS_TEST_* variables are not already set. scripts/test.sh runs them
#      in its cargo step and sets DCMS_CARGO_TESTS_RAN, which skips them
#      here; run on its own, this script is whole.
# On a fresh Debian machine it installs what it needs (curl, python3-venv,
# nodejs/npm, chromium) and skips what is there. Prints node's TAP counts
# and one pytest-style summary line of steps 1-2 for scripts/test.sh.
#
# Environment: DCMS_ST_EXAMPLES (examples per operation, default 25),
# DCMS_TEST_OUTPUT, CARGO_TARGET_DIR.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DCMS_SCRIPT_NAME=test-server
# shellcheck source=services/common.sh
. "$ROOT/scripts/services/common.sh"

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES="${DCMS_ST_EXAMPLES:-25}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/debug/dcms-server"
OUT="${DCMS_TEST_OUTPUT:-$DCMS_CACHE/test-output}/server"
VENV="$DCMS_CACHE/venv-schemathesis"
WORK="$(mktemp -d)"
SERVER_PID=""
passed=0
failed=0
t0=$SECONDS

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

check() { # name, command...: runs a check and counts it
  local name=$1
  shift
  if "$@"; then
    log "PASS $name"
    passed=$((passed + 1))
  else
    log "FAIL $name"
    failed=$((failed + 1))
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

command -v curl >/dev/null 2>&1 || apt_install curl
command -v python3 >/dev/null 2>&1 || apt_install python3
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
command -v npm >/dev/null 2>&1 || apt_install nodejs npm
command -v chromium >/dev/null 2>&1 || apt_install chromium

log "building dcms-server"
cargo build -q -p dcms-server

# 1. The README quickstart, as written, on a free port and a scratch data folder.
quickstart() {
  local port dir block
  port=$(free_port)
  dir="$WORK/quickstart"
  mkdir -p "$dir"
  block=$(awk '/<!-- server-quickstart/{f=1; next} f && /^```sh/{g=1; next} g && /^```/{exit} g' README.md)
  [ -n "$block" ] || { log "no server-quickstart block in README.md"; return 1; }
  printf '%s\n' "$block" | sed "s/127\.0\.0\.1:8080/127.0.0.1:$port/g" >"$dir/quickstart.sh"
  (
    cd "$ROOT"
    export DCMS_DATA_DIR="$dir/data" DCMS_LISTEN="127.0.0.1:$port"
    timeout 600 bash -e "$dir/quickstart.sh" >"$dir/out.txt" 2>"$dir/err.txt"
  ) || { log "quickstart failed:"; tail -20 "$dir/err.txt" >&2; return 1; }
  cat "$dir/out.txt"
  echo
  grep -q '"points":37' "$dir/out.txt" && grep -q '"available":37' "$dir/out.txt"
}
check "README server quickstart" quickstart

# A server for schemathesis and the portal, with demo identities.
DATA="$WORK/data"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
DCMS_DATA_DIR="$DATA" "$BIN" dev-keys >"$WORK/tokens.env" 2>/dev/null
set -a
# shellcheck disable=SC1091
. "$WORK/tokens.env"
set +a
DCMS_DATA_DIR="$DATA" DCMS_LISTEN="127.0.0.1:$PORT" "$BIN" >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 60); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 1; done
curl -sf "$BASE/readyz" >/dev/null || die "the server did not start: $(tail -5 "$WORK/server.log")"

# 2. schemathesis, one run per role, path parameters pinned to the caller's own.
if [ ! -x "$VENV/bin/schemathesis" ] || [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  log "venv $VENV with schemathesis $SCHEMATHESIS_VERSION"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
fi
cat >"$WORK/schemathesis.toml" <<TOML
[parameters]
"path.account" = "$DCMS_ALICE_ACCOUNT"
"path.vendor" = "corner-shop"
TOML
fuzz() { # tag, token (run in $WORK: schemathesis keeps a cache in the working folder)
  (cd "$WORK" && "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run "$BASE/openapi.json" \
    --include-tag "$1" -H "Authorization: Bearer $2" \
    --max-examples "$EXAMPLES" --phases examples,fuzzing --workers 1 \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance \
    --generation-deterministic --warnings off)
}
check "schemathesis: health" fuzz health none
check "schemathesis: customer" fuzz customer "$DCMS_CUSTOMER_TOKEN"
check "schemathesis: vendor" fuzz vendor "$DCMS_VENDOR_TOKEN"
check "schemathesis: admin" fuzz admin "$DCMS_ADMIN_TOKEN"

# 3. The portal in headless chromium.
(cd examples/server/portal-tests && npm ci --no-audit --no-fund --silent)
portal_rc=0
(
  cd examples/server/portal-tests
  DCMS_PORTAL_BASE="$BASE" DCMS_TEST_OUTPUT="$OUT" node --test --test-reporter=tap portal.test.mjs
) || portal_rc=$?
log "portal screenshots in $OUT"

# 4. The non-default back ends, each test skipped without its service
#    (failed instead when DCMS_REQUIRE_SERVERS=1, as scripts/test.sh sets).
backends() {
  if [ -z "${DCMS_TEST_MYSQL_URL:-}" ] && [ -f "$DCMS_CACHE/services.env" ]; then
    # shellcheck disable=SC1091
    . "$DCMS_CACHE/services.env"
  fi
  cargo test -q -p dcms-server --test server -- backends:: every_route_on_mariadb \
    >"$WORK/backends.out" 2>&1 || { tail -40 "$WORK/backends.out" >&2; return 1; }
  # Indented: scripts/test.sh counts "test result:" lines from its cargo step.
  grep -E '^test result|SKIPPED' "$WORK/backends.out" | sed 's/^/  /' >&2
}
if [ -n "${DCMS_CARGO_TESTS_RAN:-}" ]; then
  # scripts/test.sh's cargo step ran these already (with --all-features, so
  # running them here would also rebuild the server with other features).
  log "server on MariaDB, S3, SNS and webhook: run by scripts/test.sh's cargo step"
else
  check "server on MariaDB, S3, SNS and webhook" backends
fi

echo "==== $passed passed, $failed failed in $((SECONDS - t0)).0s ===="
[ "$failed" -eq 0 ] && [ "$portal_rc" -eq 0 ]
