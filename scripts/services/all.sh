#!/usr/bin/env bash
# Install, start and prepare every test service, then write an env file:
#   scripts/services/all.sh [ENV_FILE]     (default $DCMS_CACHE/services.env)
#   . "$ENV_FILE"   # exports DCMS_TEST_* for the test suite
# Exits non-zero as soon as one service cannot be brought up.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/common.sh"

ENV_FILE="${1:-$DCMS_CACHE/services.env}"

# One `apt-get update` for the whole run (see apt_install in common.sh).
RUN_TMP=$(mktemp -d)
trap 'rm -rf "$RUN_TMP"' EXIT
export DCMS_APT_STAMP="$RUN_TMP/apt-updated"

# Each script prints KEY=VALUE lines on stdout (logs go to stderr).
# Sequential on purpose: apt/dpkg take a lock, and the MinIO build wants both cores.
OUT="$RUN_TMP/out"
: >"$OUT"
t_all=$SECONDS
for svc in postgres mariadb minio moto; do
  t0=$SECONDS
  if ! bash "$HERE/$svc.sh" >>"$OUT"; then
    die "$svc failed to start (see the log above); no env file written"
  fi
  log "$svc ready in $((SECONDS - t0))s"
done

val() { # value of KEY from the scripts' output
  sed -n "s/^$1=//p" "$OUT" | tail -1 | grep . || die "no $1 in the service output"
}

mkdir -p "$(dirname "$ENV_FILE")"
{
  echo "# written by scripts/services/all.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for key in DCMS_TEST_POSTGRES_URL DCMS_BENCH_POSTGRES_URL \
             DCMS_TEST_MYSQL_URL DCMS_BENCH_MYSQL_URL \
             DCMS_TEST_S3_ENDPOINT DCMS_TEST_S3_BUCKET DCMS_TEST_S3_ACCESS_KEY \
             DCMS_TEST_S3_SECRET_KEY DCMS_TEST_S3_REGION DCMS_TEST_KMS_KEY_ID \
             DCMS_TEST_SNS_ENDPOINT; do
    v=$(val "$key")   # a plain assignment, so a missing key stops the script
    printf "export %s='%s'\n" "$key" "$v"
  done
} >"$ENV_FILE.tmp"
mv "$ENV_FILE.tmp" "$ENV_FILE"

log "all services ready in $((SECONDS - t_all))s; env file: $ENV_FILE"
cat "$ENV_FILE"
