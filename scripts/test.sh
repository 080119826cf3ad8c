#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh machine
# (skipping what is already there), starts the test servers on 127.0.0.1,
# checks formatting, lints and docs, and runs every test: Rust (all stores,
# against real PostgreSQL, MariaDB and S3), then each binding in its own
# language's runner. Ends with one "N passed, N failed" line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export DCMS_CACHE="${DCMS_CACHE:-$HOME/.cache/dcms}"
# A test that needs a server fails (never skips) when it is not reachable.
export DCMS_REQUIRE_SERVERS=1
export CARGO_TERM_COLOR=never
# A test run builds each crate once: incremental caches would only take disk
# (several GB over the ways the tree is built).
export CARGO_INCREMENTAL=0
LOG_DIR="$DCMS_CACHE/test-logs"
mkdir -p "$LOG_DIR"
rm -f "$LOG_DIR"/*.log
: >"$LOG_DIR/results"

step() { printf '\n==> %s\n' "$*"; }

# Records a runner's output for the closing count while showing it.
run_logged() {
  local name=$1
  shift
  set +o pipefail
  "$@" 2>&1 | tee "$LOG_DIR/$name.log"
  local rc=${PIPESTATUS[0]}
  set -o pipefail
  echo "$name $rc" >>"$LOG_DIR/results"
}

step "Debian packages the tests use (poppler-utils: pdftotext reads statements back)"
(
  DCMS_SCRIPT_NAME=test
  # shellcheck disable=SC1091
  . scripts/services/common.sh
  apt_install poppler-utils fonts-wqy-microhei
)

step "test servers (PostgreSQL, MariaDB, MinIO, moto)"
bash scripts/services/all.sh "$DCMS_CACHE/services.env"
# shellcheck disable=SC1091
. "$DCMS_CACHE/services.env"

# Each check is recorded and the run goes on, so one report shows everything;
# any failed step fails the run at the end.
step "cargo fmt --check"
run_logged fmt cargo fmt --all -- --check

step "cargo clippy (all targets, all features) -D warnings"
run_logged clippy cargo clippy --all-targets --all-features -- -D warnings

step "cargo doc (no warnings)"
run_logged doc env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --all-features -q

step "cargo test (all crates, all stores)"
run_logged cargo cargo test --all-features
# The runners below skip what this step already ran (test-server.sh's
# back-end tests are cargo tests of dcms-server).
export DCMS_CARGO_TESTS_RAN=1

for extra in scripts/test-*.sh; do
  [ -e "$extra" ] || continue
  name=$(basename "$extra" .sh)
  step "$name"
  run_logged "$name" bash "$extra"
done

step "summary"
passed=0
failed=0
for f in "$LOG_DIR"/*.log; do
  # cargo: "test result: ok. 16 passed; 0 failed; ..."
  while read -r p q; do
    passed=$((passed + p))
    failed=$((failed + q))
  done < <(sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$f")
  # pytest: "== 12 passed, 1 failed in 3.2s ==" / node --test: "# pass 5" "# fail 0"
  p=$(sed -n 's/^=* \(.*\) in [0-9.]*s.*$/\1/p' "$f" | tail -1 | grep -o '[0-9]* passed' | grep -o '[0-9]*' || true)
  q=$(sed -n 's/^=* \(.*\) in [0-9.]*s.*$/\1/p' "$f" | tail -1 | grep -o '[0-9]* failed' | grep -o '[0-9]*' || true)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${q:-0}))
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$f" | tail -1)
  q=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$f" | tail -1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${q:-0}))
done
echo "$passed passed, $failed failed"
# Any runner that exited non-zero fails the run, whatever it counted.
if awk '$2 != 0 { bad = 1 } END { exit !bad }' "$LOG_DIR/results"; then
  echo "failing runners:" && awk '$2 != 0' "$LOG_DIR/results"
  exit 1
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
