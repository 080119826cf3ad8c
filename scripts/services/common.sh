# shellcheck shell=bash
# Shared helpers for the test-service scripts in this folder.
# Sourced, not executed:  . "$(dirname "${BASH_SOURCE[0]}")/common.sh"
#
# Conventions:
#   * everything binds to 127.0.0.1 only;
#   * state lives under $DCMS_CACHE (default ~/.cache/dcms), outside the checkout;
#   * processes are only ever stopped through PID files these scripts wrote.

set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export DCMS_CACHE="${DCMS_CACHE:-$HOME/.cache/dcms}"
mkdir -p "$DCMS_CACHE"

DCMS_SCRIPT_NAME="${DCMS_SCRIPT_NAME:-$(basename "${0:-services}" .sh)}"

log() { printf '[%s %s] %s\n' "$(date +%H:%M:%S)" "$DCMS_SCRIPT_NAME" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Run a command as root (CI runs as root; sudo is only a convenience locally).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "need root for: $*"
  fi
}

require_root() {
  [ "$(id -u)" -eq 0 ] || die "run this as root (it manages a system service)"
}

# True when something accepts TCP connections on host:port (bash /dev/tcp,
# so no netcat is needed on a fresh machine).
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# wait_for_port HOST PORT TIMEOUT_SECONDS [PID]
# Waits until the port accepts connections. If PID is given and that process
# dies meanwhile, give up at once instead of waiting for the timeout.
wait_for_port() {
  local host=$1 port=$2 timeout=${3:-30} pid=${4:-} i=0
  while ! port_open "$host" "$port"; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      log "process $pid exited before $host:$port opened"
      return 1
    fi
    i=$((i + 1))
    if [ "$i" -gt $((timeout * 5)) ]; then
      log "timed out after ${timeout}s waiting for $host:$port"
      return 1
    fi
    sleep 0.2
  done
}

# PID from a pid file, printed only if that process is still alive.
pid_from_file() {
  local f=$1 pid
  [ -r "$f" ] || return 1
  pid=$(tr -dc '0-9' <"$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

pkg_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

# apt_install PKG... — installs only the packages that are missing.
# `apt-get update` runs at most once per run: all.sh exports DCMS_APT_STAMP
# (a file in a per-run temp dir) so the scripts it starts share one update;
# a script run on its own remembers it in a shell variable.
_dcms_apt_updated=0
apt_install() {
  local missing=() p
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "apt-get not found; install manually: ${missing[*]}"
  if [ "$_dcms_apt_updated" = 0 ] && [ ! -e "${DCMS_APT_STAMP:-/nonexistent}" ]; then
    log "apt-get update"
    as_root apt-get update -qq >&2 || die "apt-get update failed"
    _dcms_apt_updated=1
    [ -n "${DCMS_APT_STAMP:-}" ] && : >"$DCMS_APT_STAMP"
  fi
  log "apt-get install ${missing[*]}"
  # dpkg is chatty: keep its output in a file and show it only on failure.
  local t0=$SECONDS aptlog
  aptlog=$(mktemp)
  if ! as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${missing[@]}" >"$aptlog" 2>&1; then
    tail -40 "$aptlog" >&2
    rm -f "$aptlog"
    die "apt-get install ${missing[*]} failed"
  fi
  rm -f "$aptlog"
  log "installed ${missing[*]} in $((SECONDS - t0))s"
}
