#!/usr/bin/env bash
# MinIO S3 server for the S3 store tests: 127.0.0.1:9000 (console :9001),
# bucket dcms-test, with a static KMS key so SSE-S3 and SSE-KMS both work.
#
# MinIO is built from source through the Go module proxy (the only way to get
# it here) and the binary is cached under $DCMS_CACHE/minio-<version>/.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/common.sh"

# The only version of github.com/minio/minio the Go proxy serves here (a
# pseudo-version of the 2026-02-12 commit; RELEASE.* tags are refused);
# its go.mod needs Go >= 1.24 and has no replace directives.
MINIO_VERSION="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
MINIO_GO_MIN_MINOR=24
# Toolchain fetched from the Go proxy (golang.org/toolchain module) when no
# suitable `go` is installed.
GO_BOOTSTRAP_VERSION="${GO_BOOTSTRAP_VERSION:-1.24.8}"

MINIO_HOST=127.0.0.1
MINIO_PORT=9000
MINIO_CONSOLE_PORT=9001
MINIO_ENDPOINT="http://$MINIO_HOST:$MINIO_PORT"
MINIO_REGION=us-east-1
export MINIO_ROOT_USER=dcmsminio
export MINIO_ROOT_PASSWORD=dcmsminio-secret
# Fixed test-only key (32 random bytes, base64): objects stay readable across
# restarts. Never use this anywhere real.
KMS_KEY_ID=dcms-test-key
export MINIO_KMS_SECRET_KEY="$KMS_KEY_ID:2hgS4EhWJ6pTXd+df10BszlpYvKQCxHkHeOmutr+aNc="
BUCKET=dcms-test

MINIO_DIR="$DCMS_CACHE/minio-$MINIO_VERSION"
MINIO_BIN="$MINIO_DIR/minio"
DATA_DIR="${MINIO_DATA_DIR:-$DCMS_CACHE/minio-data}"
RUN_DIR="$DCMS_CACHE/run"
PID_FILE="$RUN_DIR/minio.pid"
LOG_FILE="$RUN_DIR/minio.log"

# --- Go toolchain -----------------------------------------------------------

go_minor() { # prints the minor version of the given go binary (go1.26.8 -> 26)
  "$1" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p'
}

find_go() {
  local g m
  for g in "$(command -v go || true)" /usr/local/go/bin/go \
           "$DCMS_CACHE/go-$GO_BOOTSTRAP_VERSION/go/bin/go"; do
    [ -n "$g" ] && [ -x "$g" ] || continue
    m=$(go_minor "$g")
    if [ -n "$m" ] && [ "$m" -ge "$MINIO_GO_MIN_MINOR" ]; then echo "$g"; return 0; fi
  done
  return 1
}

# Debian bookworm's golang-go is 1.19, too old for MinIO: take the official
# toolchain zip that the Go proxy serves as module golang.org/toolchain.
bootstrap_go() {
  local arch dest zip
  case "$(uname -m)" in
    x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) die "unsupported arch $(uname -m)" ;;
  esac
  apt_install ca-certificates curl unzip
  dest="$DCMS_CACHE/go-$GO_BOOTSTRAP_VERSION"
  zip="$DCMS_CACHE/go-$GO_BOOTSTRAP_VERSION.zip"
  log "no Go >= 1.$MINIO_GO_MIN_MINOR found; fetching go$GO_BOOTSTRAP_VERSION from the Go module proxy"
  curl -fsSL --retry 3 -o "$zip" \
    "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go$GO_BOOTSTRAP_VERSION.linux-$arch.zip"
  rm -rf "$dest" "$dest.tmp" && mkdir -p "$dest"   # clear leftovers of a failed run
  unzip -q "$zip" -d "$dest.tmp"
  # the zip holds golang.org/toolchain@v0.0.1-go<ver>.linux-<arch>/{bin,pkg,src,...}
  mv "$dest.tmp"/golang.org/toolchain@*/ "$dest/go"
  rm -rf "$dest.tmp" "$zip"
}

# --- build --------------------------------------------------------------------

build_minio() {
  local go tmp t0 modjson moddir
  go=$(find_go) || { bootstrap_go; go=$(find_go) || die "could not get a Go toolchain"; }
  log "building MinIO $MINIO_VERSION with $("$go" env GOVERSION) (cold build takes a while)"
  mkdir -p "$MINIO_DIR"
  tmp=$(mktemp -d "$MINIO_DIR/build.XXXXXX")
  t0=$SECONDS
  # Static binary, no VCS stamping (there is no .git in the module zip).
  export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -buildvcs=false" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  if ! GOBIN="$tmp" "$go" install -trimpath -ldflags "-s -w" \
        "github.com/minio/minio@$MINIO_VERSION" >&2; then
    # `go install pkg@version` refuses modules whose go.mod has replace
    # directives; then build inside the downloaded module folder instead.
    log "go install failed; building inside the module folder"
    modjson=$("$go" mod download -json "github.com/minio/minio@$MINIO_VERSION")
    moddir=$(printf '%s\n' "$modjson" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -d "$moddir" ] || die "go mod download gave no module folder"
    (cd "$moddir" && "$go" build -trimpath -ldflags "-s -w" -o "$tmp/minio" .) >&2
  fi
  [ -x "$tmp/minio" ] || die "MinIO build produced no binary"
  mv "$tmp/minio" "$MINIO_BIN"
  rmdir "$tmp"
  log "MinIO built in $((SECONDS - t0))s -> $MINIO_BIN"
}

# --- signed S3 requests --------------------------------------------------------

# s3req.py (stdlib SigV4) rather than curl --aws-sigv4: bookworm's curl 7.88
# signs SSE-KMS headers in the wrong order (see s3req.py).
s3req() { # s3req METHOD PATH [-H 'k: v']... [-d DATA]; prints status+headers+body
  local method=$1 path=$2; shift 2
  AWS_ACCESS_KEY_ID=$MINIO_ROOT_USER AWS_SECRET_ACCESS_KEY=$MINIO_ROOT_PASSWORD \
    AWS_REGION=$MINIO_REGION /usr/bin/python3 "$HERE/s3req.py" "$method" "$MINIO_ENDPOINT$path" "$@"
}

minio_ready() { # our MinIO (right credentials) answers on the port
  curl -sf --max-time 5 "$MINIO_ENDPOINT/minio/health/ready" >/dev/null &&
    s3req GET / >/dev/null 2>&1
}

start_minio() {
  local pid
  mkdir -p "$RUN_DIR" "$DATA_DIR"
  if pid=$(pid_from_file "$PID_FILE") && minio_ready; then
    log "MinIO already running (pid $pid), reusing it"
    return 0
  fi
  if port_open "$MINIO_HOST" "$MINIO_PORT"; then
    # Something we did not start holds the port: reuse it only if it is a MinIO
    # that takes our credentials, never kill it.
    minio_ready || die "$MINIO_HOST:$MINIO_PORT is taken by something that is not our MinIO"
    log "a MinIO with our credentials already listens on :$MINIO_PORT (not started by us), reusing it"
    return 0
  fi
  log "starting MinIO (data $DATA_DIR, log $LOG_FILE)"
  # setsid + nohup: keep running after this script (and CI step shell) exits.
  MINIO_BROWSER=on MINIO_UPDATE=off \
    setsid nohup "$MINIO_BIN" server --quiet \
      --address "$MINIO_HOST:$MINIO_PORT" \
      --console-address "$MINIO_HOST:$MINIO_CONSOLE_PORT" \
      "$DATA_DIR" >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  wait_for_port "$MINIO_HOST" "$MINIO_PORT" 60 "$pid" || { tail -20 "$LOG_FILE" >&2; die "MinIO did not start"; }
  local i
  for i in $(seq 1 60); do minio_ready && break; sleep 0.5; done
  minio_ready || { tail -20 "$LOG_FILE" >&2; die "MinIO is not ready"; }
  log "MinIO started, pid $pid"
}

create_bucket() {
  local out
  if out=$(s3req PUT "/$BUCKET" 2>&1); then
    log "bucket $BUCKET created"
  elif printf '%s' "$out" | grep -q BucketAlreadyOwnedByYou; then
    log "bucket $BUCKET already exists"
  else
    die "could not create bucket $BUCKET: $out"
  fi
}

# Prove SSE works end to end: PUT with each SSE mode, HEAD must report it back.
check_sse() {
  local key="/$BUCKET/_dcms-selfcheck/sse" out  # fixed name: a failed run leaves no litter
  s3req PUT "$key-s3" -H 'x-amz-server-side-encryption: AES256' -d sse-s3 >/dev/null ||
    die "SSE-S3 PUT failed"
  out=$(s3req HEAD "$key-s3") || die "HEAD failed: $out"
  printf '%s\n' "$out" | grep -qi '^x-amz-server-side-encryption: AES256' ||
    die "SSE-S3 not reported on HEAD: $out"
  log "SSE-S3 HEAD: $(printf '%s\n' "$out" | grep -i '^x-amz-server-side' | tr -d '\r' | paste -sd' ')"

  out=$(s3req PUT "$key-kms" -H 'x-amz-server-side-encryption: aws:kms' \
          -H "x-amz-server-side-encryption-aws-kms-key-id: $KMS_KEY_ID" -d sse-kms) ||
    die "SSE-KMS PUT failed: $out"
  out=$(s3req HEAD "$key-kms") || die "HEAD failed: $out"
  printf '%s\n' "$out" | grep -qi '^x-amz-server-side-encryption: aws:kms' ||
    die "SSE-KMS not reported on HEAD: $out"
  printf '%s\n' "$out" | grep -qi "^x-amz-server-side-encryption-aws-kms-key-id: .*$KMS_KEY_ID" ||
    die "SSE-KMS key id not reported on HEAD: $out"
  log "SSE-KMS HEAD: $(printf '%s\n' "$out" | grep -i '^x-amz-server-side' | tr -d '\r' | paste -sd' ')"
  s3req GET "$key-kms" | tail -1 | grep -qx sse-kms || die "SSE-KMS object did not read back"

  s3req DELETE "$key-s3" >/dev/null
  s3req DELETE "$key-kms" >/dev/null
  log "SSE-S3 (AES256) and SSE-KMS ($KMS_KEY_ID) verified with PUT/HEAD/GET"
}

main() {
  # curl: health checks and the Go bootstrap; python3: s3req.py.
  apt_install ca-certificates curl python3
  if [ -x "$MINIO_BIN" ]; then
    log "using cached $MINIO_BIN"
  else
    build_minio
  fi
  start_minio
  create_bucket
  check_sse
  cat <<EOF
DCMS_TEST_S3_ENDPOINT=$MINIO_ENDPOINT
DCMS_TEST_S3_CONSOLE=http://$MINIO_HOST:$MINIO_CONSOLE_PORT
DCMS_TEST_S3_BUCKET=$BUCKET
DCMS_TEST_S3_ACCESS_KEY=$MINIO_ROOT_USER
DCMS_TEST_S3_SECRET_KEY=$MINIO_ROOT_PASSWORD
DCMS_TEST_S3_REGION=$MINIO_REGION
DCMS_TEST_KMS_KEY_ID=$KMS_KEY_ID
EOF
}

main "$@"
