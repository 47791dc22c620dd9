#!/usr/bin/env bash
# stop-pcscd.sh - stop exactly the pcscd that start-pcscd.sh started from the same PCSC_LAB_DIR:
# the pid from its pid file, and only if that process is still pcscd running with our private
# reader.conf.d. Removes the quick-ACK route only if start-pcscd.sh added it, and the env file.
# Idempotent: exits 0 when there is nothing to stop. Exit 1 only if pcscd had to be SIGKILLed.
set -euo pipefail

readonly RUN_DIR=/run/pcscd
STATE_DIR="${PCSC_LAB_DIR:-${TMPDIR:-/tmp}/mynacard-pcscd}"
[[ -d $STATE_DIR ]] || { echo "stop-pcscd: nothing to stop ($STATE_DIR does not exist)"; exit 0; }
STATE_DIR="$(cd "$STATE_DIR" && pwd -P)"
readonly CONF_DIR="$STATE_DIR/reader.conf.d"
readonly PID_FILE="$STATE_DIR/pcscd.pid"
readonly QA_MARK="$STATE_DIR/quickack-route-added"

# shellcheck source=scripts/pcscd/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rc=0
PID=$(read_pid "$PID_FILE")
if [[ -z $PID ]]; then
  echo "stop-pcscd: no pid recorded in $STATE_DIR; nothing to stop"
elif ! pid_is_live "$PID"; then
  echo "stop-pcscd: pcscd pid $PID already gone"
elif ! is_ours "$PID"; then
  echo "stop-pcscd: pid $PID is no longer our pcscd; not killing it" >&2
else
  kill -TERM "$PID" # pcscd removes /run/pcscd/* itself on SIGTERM
  for _ in $(seq 100); do pid_is_live "$PID" || break; sleep 0.05; done
  if pid_is_live "$PID"; then
    echo "stop-pcscd: pcscd pid $PID ignored SIGTERM for 5 s, sending SIGKILL" >&2
    kill -KILL "$PID" 2>/dev/null || true
    for _ in $(seq 20); do pid_is_live "$PID" || break; sleep 0.05; done
    rc=1
  fi
  echo "stop-pcscd: stopped pcscd pid $PID"
fi
# Stale run files are removed only when they name our pid and it is dead.
if [[ -n $PID ]] && ! pid_is_live "$PID" && [[ $(read_pid "$RUN_DIR/pcscd.pid") == "$PID" ]]; then
  rm -f "$RUN_DIR/pcscd.pid" "$RUN_DIR/pcscd.comm"
fi
# Keep the pid file only while our pcscd still runs (SIGKILL failed), so a retry can find it.
if [[ -z $PID ]] || ! pid_is_live "$PID" || ! is_ours "$PID"; then rm -f "$PID_FILE"; fi

if [[ -f $QA_MARK ]]; then
  addr=$(cat "$QA_MARK")
  ip route del local "$addr/32" dev lo table local 2> /dev/null \
    || echo "stop-pcscd: could not remove the quick-ACK route for $addr" >&2
  rm -f "$QA_MARK"
fi
rm -f "$STATE_DIR/env"
exit $rc
