#!/usr/bin/env bash
# moto server (AWS mock, from PyPI) for the SNS notifier tests: 127.0.0.1:5000.
# State is in memory only; restarting it forgets topics.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
MOTO_HOST=127.0.0.1
MOTO_PORT=5000
MOTO_ENDPOINT="http://$MOTO_HOST:$MOTO_PORT"

VENV="$DCMS_CACHE/venv-moto"
RUN_DIR="$DCMS_CACHE/run"
PID_FILE="$RUN_DIR/moto.pid"
LOG_FILE="$RUN_DIR/moto.log"

# Debian's python3 by default (a fresh machine has nothing else); Debian splits
# the venv module (and ensurepip) into python3-venv.
PYTHON="${DCMS_PYTHON:-/usr/bin/python3}"

ensure_venv() {
  if [ "$PYTHON" = /usr/bin/python3 ]; then apt_install python3 python3-venv; fi
  "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || die "$PYTHON cannot create virtualenvs"
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
    log "creating venv $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  # Skip pip (and the network) when the pinned version is already there.
  if [ "$("$VENV/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null)" != "$MOTO_VERSION" ]; then
    log "pip install moto[server]==$MOTO_VERSION"
    local t0=$SECONDS
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
    log "installed moto $MOTO_VERSION in $((SECONDS - t0))s"
  fi
}

moto_ready() { # a moto server answers on the port (its own API endpoint)
  curl -sf --max-time 5 "$MOTO_ENDPOINT/moto-api/data.json" -o /dev/null
}

start_moto() {
  local pid
  mkdir -p "$RUN_DIR"
  if pid=$(pid_from_file "$PID_FILE") && moto_ready; then
    log "moto already running (pid $pid), reusing it"
    return 0
  fi
  if port_open "$MOTO_HOST" "$MOTO_PORT"; then
    moto_ready || die "$MOTO_HOST:$MOTO_PORT is taken by something that is not moto"
    log "a moto server already listens on :$MOTO_PORT (not started by us), reusing it"
    return 0
  fi
  log "starting moto_server (log $LOG_FILE)"
  # setsid + nohup + no inherited stdio: outlives this script and the CI step.
  setsid nohup "$VENV/bin/moto_server" -H "$MOTO_HOST" -p "$MOTO_PORT" \
    >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  wait_for_port "$MOTO_HOST" "$MOTO_PORT" 60 "$pid" || { tail -20 "$LOG_FILE" >&2; die "moto did not start"; }
  local i
  for i in $(seq 1 30); do moto_ready && break; sleep 0.5; done
  moto_ready || { tail -20 "$LOG_FILE" >&2; die "moto is not ready"; }
  log "moto started, pid $pid"
}

# SNS smoke test with the boto3 that moto brought along.
check_sns() {
  "$VENV/bin/python" - "$MOTO_ENDPOINT" >&2 <<'PY'
import sys, boto3
sns = boto3.client("sns", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
arn = sns.create_topic(Name="dcms-selfcheck")["TopicArn"]
mid = sns.publish(TopicArn=arn, Message="hello", Subject="selfcheck",
                  MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})["MessageId"]
assert mid, "no MessageId"
assert arn in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
sns.delete_topic(TopicArn=arn)
print(f"SNS CreateTopic/Publish ok: {arn} message {mid}")
PY
}

main() {
  apt_install ca-certificates curl
  ensure_venv
  start_moto
  check_sns
  echo "DCMS_TEST_SNS_ENDPOINT=$MOTO_ENDPOINT"
}

main "$@"
