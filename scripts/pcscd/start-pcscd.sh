#!/usr/bin/env bash
# start-pcscd.sh - start a private pcscd (no systemd) whose only reader is the vsmartcard
# vpcd virtual reader, wait until it is ready, and record its pid so that stop-pcscd.sh
# stops exactly this process.
#
# Used by the integration tests (test/integration/global-setup.ts) and by hand:
#   sudo bash scripts/pcscd/start-pcscd.sh        # prints KEY=VALUE lines
#   set -a; . "$PCSC_LAB_DIR/env"; set +a
#   ...                                           # a virtual card connects to $VPCD_HOST:$VPCD_PORT
#   sudo bash scripts/pcscd/stop-pcscd.sh
#
# Needs root: pcscd 1.9.x hard-codes /run/pcscd/pcscd.comm and /run/pcscd/pcscd.pid, so there is
# one pcscd per machine. Debian packages: pcscd, vsmartcard-vpcd (scripts/pcscd/install-deps.sh).
# Optional: iproute2 for the quick-ACK route (see below).
#
# Environment (all optional):
#   PCSC_LAB_DIR            state dir: pid, log, env file, private reader.conf.d
#                           (default ${TMPDIR:-/tmp}/mynacard-pcscd)
#   VPCD_PORT               vpcd TCP port of slot 0 (slot 1 = port + 1), default 35963
#   PCSC_LAB_QUICKACK       auto (default) | 1 (required) | 0 (off)
#   PCSC_LAB_QUICKACK_ADDR  loopback address given the quick-ACK route, default 127.0.0.2
#   PCSC_LAB_PCSCD_ARGS     extra pcscd arguments, e.g. "-a" (log every APDU with its timing)
#   PCSC_LAB_START_TIMEOUT  seconds to wait for readiness, default 10
#
# On success prints KEY=VALUE lines (also written to $PCSC_LAB_DIR/env, shell-sourceable):
#   PCSCD_PID PCSCD_LOG VPCD_HOST VPCD_PORT VPCD_READER PCSC_LAB_DIR PCSC_LAB_QUICKACK_ACTIVE PCSC_LAB_START_MS
# Exit codes: 0 ready; 1 pcscd failed to start; 3 another pcscd or the vpcd port is in use;
#             4 a prerequisite is missing (package, root, CAP_NET_ADMIN with PCSC_LAB_QUICKACK=1).
set -euo pipefail

readonly PCSCD_BIN=/usr/sbin/pcscd
readonly VPCD_LIB=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
readonly RUN_DIR=/run/pcscd # compiled into Debian's pcscd (ipcdir)

STATE_DIR="${PCSC_LAB_DIR:-${TMPDIR:-/tmp}/mynacard-pcscd}"
PORT="${VPCD_PORT:-35963}"
QUICKACK="${PCSC_LAB_QUICKACK:-auto}"
QA_ADDR="${PCSC_LAB_QUICKACK_ADDR:-127.0.0.2}"
TIMEOUT_S="${PCSC_LAB_START_TIMEOUT:-10}"
read -r -a EXTRA_ARGS <<< "${PCSC_LAB_PCSCD_ARGS:-}"

die() { local rc=$1; shift; echo "start-pcscd: $*" >&2; exit "$rc"; }
now_ms() { date +%s%3N; }
readonly T_START=$(now_ms)

[[ $PORT =~ ^[0-9]+$ ]] && (( PORT > 0 && PORT < 65535 )) || die 4 "VPCD_PORT must be a TCP port number below 65535"
[[ -x $PCSCD_BIN ]] || die 4 "$PCSCD_BIN missing (bash scripts/pcscd/install-deps.sh)"
[[ -e $VPCD_LIB ]] || die 4 "$VPCD_LIB missing (bash scripts/pcscd/install-deps.sh)"
[[ $(id -u) -eq 0 ]] || die 4 "must run as root: pcscd creates $RUN_DIR/pcscd.comm (fixed path)"

mkdir -p "$STATE_DIR/reader.conf.d"
STATE_DIR="$(cd "$STATE_DIR" && pwd -P)"
readonly CONF_DIR="$STATE_DIR/reader.conf.d"
readonly PID_FILE="$STATE_DIR/pcscd.pid"
readonly LOG_FILE="$STATE_DIR/pcscd.log"
readonly ENV_FILE="$STATE_DIR/env"
readonly QA_MARK="$STATE_DIR/quickack-route-added"

# shellcheck source=scripts/pcscd/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- never fight with a pcscd we did not start -------------------------------------------
old=$(read_pid "$PID_FILE")
if [[ -n $old ]] && pid_is_live "$old" && is_ours "$old"; then
  die 3 "a pcscd started from $STATE_DIR (pid $old) is still running; run stop-pcscd.sh first"
fi
other=$(read_pid "$RUN_DIR/pcscd.pid")
if [[ -n $other ]] && pid_is_live "$other"; then
  die 3 "another pcscd (pid $other) is running; not touching it (on a systemd host: systemctl stop pcscd.socket pcscd.service)"
fi
for p in "$PORT" $((PORT + 1)); do
  port_listening "$p" && die 3 "TCP port $p is already in use (another vpcd?)"
done

# --- private reader configuration: only the vpcd reader ----------------------------------
# DEVICENAME /dev/null:<port> = vpcd LISTENS on 0.0.0.0:<port> and <port+1> (its 2 slots) and
# the virtual card connects to it. The reverse mode (<host>:<port>) crashes Debian 12's vpcd.
rm -f "$CONF_DIR"/*
cat > "$CONF_DIR/vpcd" <<EOF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$PORT
LIBPATH      $VPCD_LIB
CHANNELID    $PORT
EOF

# --- quick-ACK loopback route --------------------------------------------------------------
# Debian 12's vpcd sends the 2-byte length and the APDU in two send()s without TCP_NODELAY, so
# each APDU waits ~40 ms for the card's delayed ACK. Node cannot set TCP_QUICKACK; a loopback
# route with the quickack attribute makes the kernel ACK at once. The card connects to QA_ADDR
# (vpcd listens on 0.0.0.0, so it is reachable there too). Only loopback is touched.
VPCD_HOST=127.0.0.1
QA_ACTIVE=0
rm -f "$QA_MARK"
if [[ $QUICKACK != 0 ]]; then
  if ! command -v ip > /dev/null 2>&1; then
    [[ $QUICKACK == 1 ]] && die 4 "PCSC_LAB_QUICKACK=1 but 'ip' (iproute2) is not installed"
    echo "start-pcscd: warning: no 'ip' command, APDUs will take ~40 ms each" >&2
  else
    routes=$(ip route show table local 2>/dev/null || true)
    if grep -Eq "^local $QA_ADDR dev lo .*quickack 1" <<< "$routes"; then
      VPCD_HOST=$QA_ADDR; QA_ACTIVE=1          # present already and not ours: leave it on stop
    elif ip route add local "$QA_ADDR/32" dev lo table local scope host src "$QA_ADDR" quickack 1 2>/dev/null; then
      VPCD_HOST=$QA_ADDR; QA_ACTIVE=1
      echo "$QA_ADDR" > "$QA_MARK"              # ours: stop-pcscd.sh removes it
    else
      [[ $QUICKACK == 1 ]] && die 4 "cannot add the quick-ACK route (needs CAP_NET_ADMIN)"
      echo "start-pcscd: warning: cannot add the quick-ACK route (no CAP_NET_ADMIN?), APDUs will take ~40 ms each" >&2
    fi
  fi
fi

# pcsc-lite >= 2.0.0 knows --disable-polkit (and >= 2.0.1 enables polkit by default, which can
# refuse non-root clients); Debian 12's 1.9.9 has neither.
pcscd_help=$("$PCSCD_BIN" --help 2>&1 || true)
[[ $pcscd_help == *--disable-polkit* ]] && EXTRA_ARGS=(--disable-polkit "${EXTRA_ARGS[@]}")

# --- start pcscd in the foreground mode, as our background child --------------------------
# -f: no fork, so $! is the daemon itself. Its output goes to a file, never to the caller's
# pipes (a caller waiting for EOF on our stdout would otherwise wait for pcscd to exit).
"$PCSCD_BIN" -f -c "$CONF_DIR" "${EXTRA_ARGS[@]}" > "$LOG_FILE" 2>&1 < /dev/null &
PID=$!
echo "$PID" > "$PID_FILE"

undo_start() { # only what this run created
  rm -f "$PID_FILE"
  if [[ -f $QA_MARK ]]; then
    ip route del local "$(cat "$QA_MARK")/32" dev lo table local 2>/dev/null || true
    rm -f "$QA_MARK"
  fi
}
kill_ours() {
  kill -TERM "$PID" 2>/dev/null || true
  for _ in $(seq 50); do pid_is_live "$PID" || return 0; sleep 0.1; done
  kill -KILL "$PID" 2>/dev/null || true
}

# --- readiness: pid file names our pid + socket exists + vpcd listens ----------------------
# Never probe the vpcd port by connecting to it: vpcd would take that for a card insertion.
deadline=$(( $(now_ms) + TIMEOUT_S * 1000 ))
while :; do
  if ! pid_is_live "$PID"; then
    wait "$PID" 2>/dev/null || true
    echo "start-pcscd: pcscd exited during startup; last log lines:" >&2
    tail -20 "$LOG_FILE" >&2 || true
    undo_start
    exit 1
  fi
  if [[ -S $RUN_DIR/pcscd.comm && $(read_pid "$RUN_DIR/pcscd.pid") == "$PID" ]] && port_listening "$PORT"; then
    break
  fi
  if (( $(now_ms) > deadline )); then
    echo "start-pcscd: pcscd pid $PID not ready after ${TIMEOUT_S}s, stopping it; last log lines:" >&2
    tail -20 "$LOG_FILE" >&2 || true
    kill_ours
    undo_start
    exit 1
  fi
  sleep 0.02
done

cat > "$ENV_FILE" <<EOF
PCSCD_PID=$PID
PCSCD_LOG=$LOG_FILE
VPCD_HOST=$VPCD_HOST
VPCD_PORT=$PORT
VPCD_READER="Virtual PCD 00 00"
PCSC_LAB_DIR=$STATE_DIR
PCSC_LAB_QUICKACK_ACTIVE=$QA_ACTIVE
PCSC_LAB_START_MS=$(( $(now_ms) - T_START ))
EOF
cat "$ENV_FILE"
