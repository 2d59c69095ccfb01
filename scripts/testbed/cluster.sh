#!/usr/bin/env bash
# The real-cluster test bed: MariaDB 10.11 + sshd hosts in network namespaces on a private bridge.
# See docs/testing.md for addresses, users, files and faults.
#
#   cluster.sh up [--hosts N] [--mode gtid|pos] [--no-semi-sync]
#   cluster.sh down
#   cluster.sh status
#   cluster.sh kill9|stop|cont|restart <dbN>      mariadbd: SIGKILL, SIGSTOP, SIGCONT, start again
#   cluster.sh linkdown|linkup <host>             the host's bridge port (host: mgr or dbN)
#   cluster.sh cut|heal <host> <host>             drop traffic between two hosts only
#   cluster.sh heal-all                           undo every cut, link and stop
#   cluster.sh sshd-stop <dbN>                    stop the host's sshd (and its sessions)
#   cluster.sh sshd-start <dbN> [--no-node-path]  (re)start it; --no-node-path: sessions' PATH
#                                                 without MHA_NODE_BINDIR (node helper "missing")
#   cluster.sh sql <dbN> [statement]              root over the unix socket (stdin if no statement)
#   cluster.sh exec <host> <command...>           run a command inside the host's namespace
#
# Environment: MHA_TESTBED_DIR (state dir, default /tmp/mha-testbed), MHA_TESTBED_SUBNET (first
# three octets, default 10.77.0), MHA_TESTBED_LEASE_WAIT (seconds to wait for a test bed another
# process holds, default 900), MHA_TESTBED_LEASE_HELD=1 (the caller holds the lease),
# MHA_NODE_BINDIR (up: directory put first on the PATH of SSH sessions, so they find
# masterha_node). Needs root.
set -euo pipefail

TB_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib
# shellcheck source=lib/common.sh
source "$TB_LIB/common.sh"
# shellcheck source=lib/net.sh
source "$TB_LIB/net.sh"
# shellcheck source=lib/ssh.sh
source "$TB_LIB/ssh.sh"
# shellcheck source=lib/mysql.sh
source "$TB_LIB/mysql.sh"
# shellcheck source=lib/files.sh
source "$TB_LIB/files.sh"

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

# Namespace, bridge and route names are machine-wide, so there is one test bed per machine, and
# several people's test runs take turns through a lease: an flock on $TB_LEASE that the C++
# fixture holds from up() to down() (it sets MHA_TESTBED_LEASE_HELD=1 for its own calls). A
# command from anyone else that would change the test bed waits until the lease is free.
# Independently, lock 9 serialises the commands themselves.
# `take_lock nowait` (down) does not wait: a test bed leased by someone else is theirs, and the
# leftovers `down` is meant for (a crashed test run) were already cleared by their `up`.
take_lock() {
  if [[ ${MHA_TESTBED_LEASE_HELD:-0} != 1 ]]; then
    exec 8>>"$TB_LEASE"
    if ! flock -n 8; then
      local holder
      holder=$(head -c 200 "$TB_LEASE" | tr '\n' ' ')
      if [[ ${1:-} == nowait ]]; then
        say "the test bed is leased by another process (${holder:-unknown}); leaving it alone"
        exit 0
      fi
      say "waiting up to $TB_LEASE_WAIT s for the test bed; leased by: ${holder:-unknown}"
      flock -w "$TB_LEASE_WAIT" 8 || die "the test bed is leased by another process ($TB_LEASE)"
    fi
  fi
  exec 9>"$TB_LOCK"
  flock -w 300 9 || die "another cluster.sh holds $TB_LOCK for more than 300 s"
}

require_root() {
  [[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, mariadbd, sshd)"
}

# --- teardown ----------------------------------------------------------------------------------

# Works from any partial state and never fails because something is already gone.
teardown() {
  local env=$TB_DIR/cluster.env saved
  if [[ -f $env ]]; then
    saved=$(sed -n 's/^SUBNET=//p' "$env" | tr -d "'")
    [[ -n $saved ]] && TB_SUBNET=$saved
  fi

  # Our servers are found by pid file and by their config path on the command line (a server
  # whose pid file was never written still counts). Never by name alone: every namespace shares
  # the PID space, so that would hit other people's servers too.
  local pids=() pid f
  for f in "$TB_DIR"/db*/mariadbd.pid "$TB_DIR"/db*/sshd.pid; do
    [[ -f $f ]] || continue
    pid=$(live_pid_from_file "$f" "$(basename "$f" .pid)" "$TB_DIR/")
    [[ -n $pid ]] && pids+=("$pid")
  done
  while read -r pid; do [[ -n $pid ]] && pids+=("$pid"); done < <(
    pids_by_marker mariadbd "$TB_DIR/"
    pids_by_marker sshd "$TB_DIR/"
  )
  if ((${#pids[@]})); then
    # Session processes of our sshds (a manager's open SSH sessions) go too.
    while read -r pid; do [[ -n $pid ]] && pids+=("$pid"); done < <(descendants "${pids[@]}")
    mapfile -t pids < <(printf '%s\n' "${pids[@]}" | sort -un)
    kill_and_wait "test-bed process" "${pids[@]}"
  fi

  net_down

  # Keep the logs for post-mortem; everything else (datadirs, keys) goes.
  if [[ -d $TB_DIR ]]; then
    find "$TB_DIR" -mindepth 1 -maxdepth 1 ! -name logs ! -name logs.prev -exec rm -rf {} +
  fi
}

cmd_down() {
  require_root
  take_lock nowait
  step "down: stopping servers, removing namespaces, bridge, nft table and route"
  teardown
  local left
  left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^mha-(mgr|db[0-9]+)$' || true)
  [[ -z $left ]] || die "namespaces left after teardown: $left"
  step "down: done (logs kept in $TB_DIR/logs)"
}

# --- up ----------------------------------------------------------------------------------------

on_up_exit() {
  local rc=$?
  trap - EXIT
  if ((rc != 0)); then
    printf 'testbed: up FAILED at step "%s" (exit %d); tearing down\n' "$TB_STEP" "$rc" >&2
    (teardown) >&2 || true
    exit "$rc"
  fi
}

cmd_up() {
  local n=3 mode=gtid semi=1
  while (($#)); do
    case $1 in
      --hosts)
        [[ $# -ge 2 ]] || die "--hosts needs a number"
        n=$2
        shift 2
        ;;
      --mode)
        [[ $# -ge 2 ]] || die "--mode needs gtid or pos"
        mode=$2
        shift 2
        ;;
      --no-semi-sync)
        semi=0
        shift
        ;;
      *) die "up: unknown option '$1' (use --hosts N, --mode gtid|pos, --no-semi-sync)" ;;
    esac
  done
  if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1 || n > TB_MAX_HOSTS)); then
    die "--hosts must be 1..$TB_MAX_HOSTS (got '$n')"
  fi
  [[ $mode == gtid || $mode == pos ]] || die "--mode must be gtid or pos (got '$mode')"
  tb_check_subnet
  require_root
  local bin
  for bin in ip nft mariadbd mariadb mariadb-install-db sshd ssh-keygen setsid flock; do
    command -v "$bin" >/dev/null || [[ -x /usr/sbin/$bin ]] || die "missing program: $bin"
  done
  id mysql >/dev/null 2>&1 || die "no 'mysql' user (install mariadb-server)"
  take_lock

  step "tearing down leftovers"
  teardown
  trap on_up_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  local hosts=() i h pids=() master=db1
  for ((i = 1; i <= n; i++)); do hosts+=("db$i"); done
  step "state dir $TB_DIR"
  mkdir -p "$TB_DIR"
  chmod 755 "$TB_DIR"
  if [[ -d $TB_DIR/logs ]]; then
    rm -rf "$TB_DIR/logs.prev"
    mv "$TB_DIR/logs" "$TB_DIR/logs.prev"
  fi
  mkdir -p "$TB_DIR/logs"
  chmod 755 "$TB_DIR/logs"
  # Written first: teardown and the fault commands find everything from it.
  write_cluster_env "$mode" "$semi" "${hosts[@]}"

  step "network: bridge $TB_BRIDGE, namespaces mha-mgr ${hosts[*]/#/mha-}, unreachable route"
  net_up "${hosts[@]}"

  step "mariadb: config + install-db on ${#hosts[@]} hosts (parallel)"
  for h in "${hosts[@]}"; do
    mysql_write_config "$h" "$([[ $h == "$master" ]] && echo 1 || echo 0)" "$semi"
  done
  for h in "${hosts[@]}"; do
    mysql_install_db_start "$h" &
    pids+=($!)
  done

  step "ssh: manager key, host keys, known_hosts, sshd configs"
  ssh_keys "${hosts[@]}"
  for h in "${hosts[@]}"; do sshd_write_config "$h"; done

  step "mariadb: waiting for install-db"
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || die "mariadb-install-db failed on ${hosts[$i]}" \
      "(see $TB_DIR/logs/${hosts[$i]}-install-db.log)"
  done

  step "starting mariadbd and sshd in each namespace"
  for h in "${hosts[@]}"; do
    mysqld_start "$h"
    sshd_start "$h"
  done
  for h in "${hosts[@]}"; do
    mysqld_wait_ready "$h"
    sshd_wait "$h"
  done

  step "master $master: database test, accounts $TB_ADMIN_USER/$TB_REPL_USER/$TB_APP_USER"
  local status file pos
  status=$(root_sql "$master" 'SHOW MASTER STATUS')
  file=$(cut -f1 <<<"$status")
  pos=$(cut -f2 <<<"$status")
  [[ -n $file && -n $pos ]] || die "master $master has no binary log (SHOW MASTER STATUS empty)"
  mysql_create_accounts "$master"
  if ((semi)); then mysql_enable_semi_sync_master "$master"; fi

  step "replication ($mode mode) from $master"
  for h in "${hosts[@]}"; do
    [[ $h == "$master" ]] || mysql_change_master "$h" "$master" "$mode" "$file" "$pos"
  done

  step "VIP $(vip) on $master"
  net_add_vip "$master"

  if ((semi)); then
    step "waiting for $((n - 1)) semi-sync replica(s) on $master"
    mysql_wait_semi_sync_clients "$master" $((n - 1))
  fi
  step "waiting for replicas to run and catch up"
  for h in "${hosts[@]}"; do
    [[ $h == "$master" ]] || mysql_wait_caught_up "$h" "$master"
  done

  step "writing app1.cnf and client option files"
  write_client_cnf "$TB_DIR/mgr/admin.my.cnf" "$TB_ADMIN_USER" "$TB_ADMIN_PASSWORD"
  write_client_cnf "$TB_DIR/mgr/repl.my.cnf" "$TB_REPL_USER" "$TB_REPL_PASSWORD"
  write_client_cnf "$TB_DIR/mgr/app.my.cnf" "$TB_APP_USER" "$TB_APP_PASSWORD"
  write_app_conf "${hosts[@]}"
  touch "$TB_DIR/up.done"

  trap - EXIT INT TERM
  step "up: ${#hosts[@]} db hosts + mgr, $mode mode, semi-sync $((semi)) in $(elapsed_s) s"
}

# --- faults ------------------------------------------------------------------------------------

require_running_mysqld() {
  local pid
  pid=$(mysqld_pid "$1")
  [[ -n $pid ]] || die "mariadbd on $1 is not running"
  echo "$pid"
}

cmd_fault() {
  local what=$1 pid
  shift
  require_root
  load_state
  take_lock
  case $what in
    kill9 | stop | cont | restart)
      [[ $# -eq 1 ]] || die "usage: cluster.sh $what <dbN>"
      require_host "$1" db
      ;;
    linkdown | linkup)
      [[ $# -eq 1 ]] || die "usage: cluster.sh $what <host>"
      require_host "$1"
      ;;
    cut | heal)
      [[ $# -eq 2 ]] || die "usage: cluster.sh $what <host> <host>"
      require_host "$1"
      require_host "$2"
      [[ $1 != "$2" ]] || die "$what needs two different hosts"
      ;;
    heal-all) [[ $# -eq 0 ]] || die "usage: cluster.sh heal-all" ;;
    sshd-stop)
      [[ $# -eq 1 ]] || die "usage: cluster.sh sshd-stop <dbN>"
      require_host "$1" db
      ;;
    sshd-start)
      [[ $# -eq 1 || ($# -eq 2 && $2 == --no-node-path) ]] ||
        die "usage: cluster.sh sshd-start <dbN> [--no-node-path]"
      require_host "$1" db
      ;;
  esac
  case $what in
    kill9)
      pid=$(require_running_mysqld "$1")
      kill -KILL "$pid"
      wait_pid_dead "$pid" 10 || die "mariadbd on $1 (pid $pid) survived SIGKILL for 10 s"
      say "kill9 $1: mariadbd pid $pid killed"
      ;;
    stop)
      pid=$(require_running_mysqld "$1")
      kill -STOP "$pid"
      local deadline=$(($(date +%s) + 5))
      until [[ $(pid_state "$pid") == T ]]; do
        (($(date +%s) < deadline)) || die "mariadbd on $1 (pid $pid) not stopped after 5 s"
        sleep 0.02
      done
      say "stop $1: mariadbd pid $pid stopped (SIGSTOP)"
      ;;
    cont)
      pid=$(require_running_mysqld "$1")
      kill -CONT "$pid"
      say "cont $1: mariadbd pid $pid continued"
      ;;
    restart)
      pid=$(mysqld_pid "$1")
      if [[ -n $pid ]]; then kill_and_wait "mariadbd on $1" "$pid"; fi
      mysqld_start "$1"
      mysqld_wait_ready "$1"
      say "restart $1: mariadbd pid $(mysqld_pid "$1") ready"
      ;;
    linkdown)
      net_link "$1" down
      say "linkdown $1: bridge port $(host_port "$1") down"
      ;;
    linkup)
      net_link "$1" up
      say "linkup $1: bridge port $(host_port "$1") up"
      ;;
    cut)
      net_cut "$1" "$2"
      say "cut $1 $2: bridge drops traffic between them"
      ;;
    heal)
      net_heal "$1" "$2"
      say "heal $1 $2: traffic between them restored"
      ;;
    heal-all)
      net_heal_all
      local h
      for h in $HOSTS; do
        pid=$(mysqld_pid "$h")
        if [[ -n $pid ]]; then kill -CONT "$pid"; fi
      done
      say "heal-all: no cuts, every link up, every running mariadbd continued"
      ;;
    sshd-stop)
      sshd_stop "$1"
      say "sshd-stop $1: sshd stopped"
      ;;
    sshd-start)
      sshd_stop "$1"
      if [[ ${2:-} == --no-node-path ]]; then
        sshd_start "$1" -o "SetEnv=$TB_SSH_SESSION_ENV PATH=$TB_SSH_STD_PATH"
      else
        sshd_start "$1"
      fi
      sshd_wait "$1"
      say "sshd-start $1: sshd running${2:+ ($2)}"
      ;;
  esac
}

# --- inspection --------------------------------------------------------------------------------

cmd_sql() {
  load_state
  [[ $# -ge 1 ]] || die "usage: cluster.sh sql <dbN> [statement]  (statement from stdin if omitted)"
  require_host "$1" db
  local h=$1
  shift
  if (($#)); then
    printf '%s\n' "$*" | mariadb --no-defaults -S "$(my_socket "$h")" -u root -N -B
  else
    mariadb --no-defaults -S "$(my_socket "$h")" -u root -N -B
  fi
}

cmd_exec() {
  load_state
  [[ $# -ge 2 ]] || die "usage: cluster.sh exec <host> <command...>"
  require_host "$1"
  local ns
  ns=$(host_ns "$1")
  shift
  exec ip netns exec "$ns" "$@"
}

cmd_status() {
  if [[ ! -f $TB_DIR/cluster.env ]]; then
    echo "test bed: down ($TB_DIR/cluster.env absent)"
    local left
    left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^mha-' || true)
    [[ -z $left ]] || echo "  leftover namespaces: $left"
    return 0
  fi
  load_state
  local up=complete
  [[ -f $TB_DIR/up.done ]] || up="INCOMPLETE (up failed or running)"
  # shellcheck disable=SC2153  # MODE, SEMI_SYNC, VIP come from cluster.env
  echo "test bed: $up; $MODE mode, semi-sync $SEMI_SYNC, VIP $VIP, state $TB_DIR"
  net_status
  mysql_status
  local h
  for h in $HOSTS; do
    if [[ -n $(live_pid_from_file "$(host_dir "$h")/sshd.pid" sshd "$TB_DIR/") ]]; then
      printf '  %-4s sshd running\n' "$h"
    else
      printf '  %-4s sshd not running\n' "$h"
    fi
  done
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1
  shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    kill9 | stop | cont | restart | linkdown | linkup | cut | heal | heal-all | sshd-stop | sshd-start)
      cmd_fault "$cmd" "$@"
      ;;
    sql) cmd_sql "$@" ;;
    exec) cmd_exec "$@" ;;
    -h | --help | help) usage ;;
    *) die "unknown command '$cmd' (see cluster.sh --help)" ;;
  esac
}

main "$@"
