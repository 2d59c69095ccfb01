# shellcheck shell=bash
# Shared settings and helpers of the test bed (sourced by cluster.sh).
#
# Every name the test bed creates derives from these variables, so teardown can find everything
# again from the state directory alone.

TB_SUBNET=${MHA_TESTBED_SUBNET:-10.77.0}
TB_DIR=${MHA_TESTBED_DIR:-/tmp/mha-testbed}
TB_BRIDGE=mha-br0
TB_NFT_TABLE=mha_testbed
TB_MAX_HOSTS=8
TB_LEASE=/run/mha-testbed.lease  # machine-wide, like the namespace names (see take_lock)
TB_LOCK=/run/mha-testbed.lock
TB_LEASE_WAIT=${MHA_TESTBED_LEASE_WAIT:-900}

# Passwords: the admin one carries shell and SQL metacharacters on purpose, so that any quoting bug
# in the code under test (or here) shows up as a failed login rather than going unnoticed.
TB_ADMIN_USER=mha
TB_ADMIN_PASSWORD=$'Adm1n\'"$!#;pw'
TB_REPL_USER=repl
TB_REPL_PASSWORD='R3pl\pw&1'
TB_APP_USER=app
TB_APP_PASSWORD='app-pw_1'

# bash 5.2 would otherwise treat '&' in ${var//pattern/replacement} as "the match".
shopt -u patsub_replacement 2>/dev/null || true

TB_STEP="start"
TB_T0=$(date +%s%N)

say() { printf 'testbed: %s\n' "$*" >&2; }

# Names the step for progress output and for the failure message of `up`.
step() {
  TB_STEP=$*
  local ms=$((($(date +%s%N) - TB_T0) / 1000000))
  printf 'testbed: [%d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*" >&2
}

die() {
  printf 'testbed: error: %s\n' "$*" >&2
  exit 1
}

elapsed_s() {
  local ms=$((($(date +%s%N) - TB_T0) / 1000000))
  printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# --- addressing --------------------------------------------------------------------------------

tb_check_subnet() {
  [[ $TB_SUBNET =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] ||
    die "MHA_TESTBED_SUBNET must be three octets like 10.77.0 (got '$TB_SUBNET')"
}

host_ip() {
  case $1 in
    mgr) echo "$TB_SUBNET.10" ;;
    db*) echo "$TB_SUBNET.$((10 + ${1#db}))" ;;
  esac
}
host_ns() { echo "mha-$1"; }
host_port() { echo "mha-$1-p"; }  # bridge-side end of the host's veth (root namespace)
host_dir() { echo "$TB_DIR/$1"; }
vip() { echo "$TB_SUBNET.100"; }

# --- state of a running test bed ---------------------------------------------------------------

# Loads cluster.env of the running test bed (HOSTS, SUBNET, ...) or fails with a clear message.
load_state() {
  [[ -f $TB_DIR/cluster.env ]] || die "the test bed is not up (no $TB_DIR/cluster.env)"
  # shellcheck disable=SC1091
  source "$TB_DIR/cluster.env"
  TB_SUBNET=$SUBNET
}

# Fails unless $1 is a host of the running test bed; $2 = "db" to require a database host.
require_host() {
  local name=$1 kind=${2:-any} h
  [[ $name == mgr && $kind != db ]] && return 0
  for h in $HOSTS; do
    [[ $h == "$name" ]] && return 0
  done
  if [[ $name == mgr ]]; then
    die "'mgr' runs no mariadbd; use one of: $HOSTS"
  fi
  die "unknown host '$name' (hosts: mgr $HOSTS)"
}

# --- processes ---------------------------------------------------------------------------------

# The PID of a live (not zombie) process named $2 whose command line mentions $3, read from pid
# file $1; prints nothing if there is none. PID 1 reaps orphans lazily, so a killed server can
# linger as a zombie: that counts as dead. Checking comm and cmdline guards against a reused PID.
live_pid_from_file() {
  local file=$1 comm=$2 marker=$3 pid
  [[ -r $file ]] || return 0
  pid=$(tr -dc '0-9' <"$file" 2>/dev/null || true)
  [[ -n $pid ]] || return 0
  if pid_is_ours "$pid" "$comm" "$marker"; then echo "$pid"; fi
}

pid_is_ours() {
  local pid=$1 comm=$2 marker=$3 c state cmd
  { read -r c <"/proc/$pid/comm"; } 2>/dev/null || return 1
  [[ $c == "$comm" ]] || return 1
  state=$(pid_state "$pid")
  [[ -n $state && $state != Z ]] || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"$marker"* ]]
}

# One-letter process state (R, S, T, Z, ...); empty if the process is gone.
pid_state() {
  local k v _
  { while read -r k v _; do
    if [[ $k == State: ]]; then
      echo "$v"
      return 0
    fi
  done <"/proc/$1/status"; } 2>/dev/null || true
}

# True once PID $1 has fully exited: gone, or a zombie with no thread left. The thread-group
# leader of a multi-threaded server (mariadbd) turns Z as soon as its own thread exits, while
# other threads are still tearing down and its listening socket still accepts connections.
pid_dead() {
  local st tasks
  st=$(pid_state "$1")
  [[ -z $st ]] && return 0
  [[ $st == Z ]] || return 1
  tasks=(/proc/"$1"/task/*)
  ((${#tasks[@]} <= 1))
}

# Polls until PID $1 has fully exited (see pid_dead); fails after $2 seconds.
wait_pid_dead() {
  local pid=$1 deadline=$(($(date +%s) + $2))
  until pid_dead "$pid"; do
    (($(date +%s) < deadline)) || return 1
    sleep 0.02
  done
}

# Every live process (not zombie) named $1 whose command line mentions $2.
pids_by_marker() {
  local comm=$1 marker=$2 d pid
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    if pid_is_ours "$pid" "$comm" "$marker"; then echo "$pid"; fi
  done
}

# Children, grandchildren, ... of the given PIDs (e.g. the session processes of an sshd).
descendants() {
  local -A parent_of=() wanted=()
  local d pid k v _ changed=1
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    { while read -r k v _; do
      if [[ $k == PPid: ]]; then
        parent_of[$pid]=$v
        break
      fi
    done <"$d/status"; } 2>/dev/null || true
  done
  for pid in "$@"; do wanted[$pid]=1; done
  while ((changed)); do
    changed=0
    for pid in "${!parent_of[@]}"; do
      if [[ -z ${wanted[$pid]:-} && -n ${wanted[${parent_of[$pid]}]:-} ]]; then
        wanted[$pid]=1
        changed=1
        echo "$pid"
      fi
    done
  done
}

# --- quoting -----------------------------------------------------------------------------------

# A single-quoted SQL string literal (backslash and quote escaped).
sql_quote() {
  local s=${1//\\/\\\\}
  s=${s//\'/\'\'}
  printf "'%s'" "$s"
}

# A shell word safe to source: bare if harmless, else single-quoted.
sh_quote() {
  if [[ $1 =~ ^[A-Za-z0-9_./:@%+,=-]+$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}

# A double-quoted value for a MariaDB option file ([client] password="..."): quotes keep '#' from
# starting a comment; backslash and double quote are escaped.
cnf_quote() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}
