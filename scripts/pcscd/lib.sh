# lib.sh - helpers shared by start-pcscd.sh and stop-pcscd.sh (sourced, not run).
# The caller sets CONF_DIR (its private reader.conf.d) before using is_ours.

# Zombie-aware liveness: a pcscd re-parented to a PID 1 that does not reap stays in state Z.
pid_is_live() {
  local st
  [[ -r /proc/$1/stat ]] || return 1
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

# The digits of a pid file, or nothing.
read_pid() { if [[ -f $1 ]]; then tr -dc '0-9' < "$1" || true; fi; }

# Is pid $1 still pcscd started with our private config dir? (pids get reused)
is_ours() {
  local -a argv=()
  local a
  [[ -r /proc/$1/cmdline ]] || return 1
  mapfile -d '' -t argv < "/proc/$1/cmdline" 2>/dev/null || return 1
  (( ${#argv[@]} > 0 )) || return 1
  [[ ${argv[0]##*/} == pcscd ]] || return 1
  for a in "${argv[@]}"; do [[ $a == "$CONF_DIR" ]] && return 0; done
  return 1
}

# Is TCP port $1 in LISTEN state (0A in /proc/net/tcp{,6}; the local port is the hex after ':')?
port_listening() {
  local hexport
  hexport=$(printf '%04X' "$1")
  grep -qE "^ *[0-9]+: [0-9A-F]+:$hexport [0-9A-F]+:0000 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
