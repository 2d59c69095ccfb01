# shellcheck shell=bash
# MariaDB of the test bed: one mariadbd per database host, started directly (no mysqld_safe, so a
# killed server stays dead) inside the host's namespace, with everything under $DIR/<host>/.

my_cnf() { echo "$(host_dir "$1")/my.cnf"; }
my_socket() { echo "$(host_dir "$1")/mysqld.sock"; }
my_pidfile() { echo "$(host_dir "$1")/mariadbd.pid"; }

# Root over the unix socket (auth by socket: we run as root). The statement goes through stdin so
# nothing, passwords included, ever shows up in a process list.
root_sql() {
  local h=$1
  shift
  printf '%s\n' "$*" | mariadb --no-defaults -S "$(my_socket "$h")" -u root -N -B
}

# Like root_sql, with column names (for SHOW SLAVE STATUS).
root_sql_named() {
  local h=$1
  shift
  printf '%s\n' "$*" | mariadb --no-defaults -S "$(my_socket "$h")" -u root -B
}

# Value of column $2 in the first row of a `mariadb -B` result with a header line.
column() {
  awk -F'\t' -v want="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) c = i; next }
                           NR == 2 && c { print $c }'
}

mysql_write_config() {
  local h=$1 is_master=$2 semi=$3 d n
  d=$(host_dir "$h")
  n=${h#db}
  mkdir -p "$d"/{data,binlog,relay,tmp,remote}
  cat >"$d/my.cnf" <<EOF
# mariadbd of test-bed host $h ($(host_ip "$h"), namespace $(host_ns "$h"))
[mysqld]
user=mysql
datadir=$d/data
tmpdir=$d/tmp
socket=$d/mysqld.sock
pid_file=$d/mariadbd.pid
log_error=$TB_DIR/logs/$h-mariadbd.err
port=3306
# Not the host address: a VIP added later must be reachable too.
bind_address=0.0.0.0
skip_name_resolve=ON
server_id=$n
report_host=$(host_ip "$h")
report_port=3306
log_bin=$d/binlog/mariadb-bin
log_bin_index=$d/binlog/mariadb-bin.index
relay_log=$d/relay/relay-bin
relay_log_index=$d/relay/relay-bin.index
log_slave_updates=ON
relay_log_purge=OFF
binlog_format=ROW
gtid_strict_mode=ON
read_only=$([[ $is_master == 1 ]] && echo OFF || echo ON)
# Master side is switched on at runtime, on the master only (enabled on a replica, its SQL thread
# would stall for the timeout on the first transaction it applies with log_slave_updates).
rpl_semi_sync_slave_enabled=$([[ $semi == 1 ]] && echo ON || echo OFF)
rpl_semi_sync_master_wait_point=AFTER_SYNC
rpl_semi_sync_master_timeout=3000
character_set_server=utf8mb4
collation_server=utf8mb4_general_ci
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
performance_schema=OFF
max_connections=64
EOF
  touch "$TB_DIR/logs/$h-mariadbd.err"
  chown mysql:mysql "$TB_DIR/logs/$h-mariadbd.err"
  chown -R mysql:mysql "$d"/{data,binlog,relay,tmp}
  chown mysql:mysql "$d"
  chmod 755 "$d"
}

mysql_install_db_start() {  # background job; the caller waits
  local h=$1
  mariadb-install-db --defaults-file="$(my_cnf "$h")" --user=mysql --skip-test-db \
    --auth-root-authentication-method=socket >"$TB_DIR/logs/$h-install-db.log" 2>&1
}

mysqld_start() {
  local h=$1
  # setsid: own session, so nothing that kills the caller's process group takes the server along.
  # 8>&- 9>&-: the server must not inherit (and hold forever) cluster.sh's lease and lock.
  ip netns exec "$(host_ns "$h")" setsid /usr/sbin/mariadbd --defaults-file="$(my_cnf "$h")" \
    </dev/null >>"$TB_DIR/logs/$h-mariadbd.out" 2>&1 8>&- 9>&- &
  disown
}

mysqld_pid() {
  live_pid_from_file "$(my_pidfile "$1")" mariadbd "$(my_cnf "$1")"
}

# Polls until the server answers on its socket; fails early if it died.
mysqld_wait_ready() {
  local h=$1 deadline=$(($(date +%s) + 60)) since_dead=0
  until root_sql "$h" 'SELECT 1' >/dev/null 2>&1; do
    if (($(date +%s) >= deadline)); then
      tail -n 20 "$TB_DIR/logs/$h-mariadbd.err" >&2 || true
      die "mariadbd on $h not ready after 60 s"
    fi
    if [[ -z $(pids_by_marker mariadbd "$(my_cnf "$h")") ]]; then
      # Give the process a moment to appear before declaring it dead.
      if ((++since_dead > 20)); then
        tail -n 20 "$TB_DIR/logs/$h-mariadbd.err" >&2 || true
        die "mariadbd on $h exited during start-up (see $TB_DIR/logs/$h-mariadbd.err)"
      fi
    fi
    sleep 0.05
  done
}

# SIGCONT first: a stopped process cannot act on SIGKILL until it is continued on some kernels,
# and a stopped server must not survive teardown.
kill_and_wait() {
  local what=$1 pid
  shift
  for pid in "$@"; do
    kill -CONT "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  done
  for pid in "$@"; do
    wait_pid_dead "$pid" 10 || die "$what (pid $pid) still alive 10 s after SIGKILL"
  done
}

mysql_create_accounts() {
  local m=$1
  root_sql "$m" "
CREATE DATABASE test;
CREATE USER '$TB_ADMIN_USER'@'%' IDENTIFIED BY $(sql_quote "$TB_ADMIN_PASSWORD");
GRANT ALL PRIVILEGES ON *.* TO '$TB_ADMIN_USER'@'%' WITH GRANT OPTION;
CREATE USER '$TB_REPL_USER'@'%' IDENTIFIED BY $(sql_quote "$TB_REPL_PASSWORD");
GRANT REPLICATION SLAVE ON *.* TO '$TB_REPL_USER'@'%';
CREATE USER '$TB_APP_USER'@'%' IDENTIFIED BY $(sql_quote "$TB_APP_PASSWORD");
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP ON test.* TO '$TB_APP_USER'@'%';"
}

# $1 replica, $2 master, $3 mode, $4/$5 master binlog file/position (pos mode).
mysql_change_master() {
  local r=$1 m=$2 mode=$3 file=$4 pos=$5 where
  if [[ $mode == gtid ]]; then
    where="MASTER_USE_GTID=slave_pos"
  else
    where="MASTER_LOG_FILE=$(sql_quote "$file"), MASTER_LOG_POS=$pos, MASTER_USE_GTID=no"
  fi
  root_sql "$r" "
CHANGE MASTER TO MASTER_HOST='$(host_ip "$m")', MASTER_PORT=3306,
  MASTER_USER='$TB_REPL_USER', MASTER_PASSWORD=$(sql_quote "$TB_REPL_PASSWORD"),
  MASTER_CONNECT_RETRY=1, $where;
START SLAVE;"
}

mysql_enable_semi_sync_master() {
  root_sql "$1" "SET GLOBAL rpl_semi_sync_master_wait_point=AFTER_SYNC;
SET GLOBAL rpl_semi_sync_master_timeout=3000;
SET GLOBAL rpl_semi_sync_master_enabled=ON;"
}

# Polls until the master has $2 semi-sync replicas connected (or the deadline passes).
mysql_wait_semi_sync_clients() {
  local m=$1 want=$2 deadline=$(($(date +%s) + 20)) got
  while :; do
    got=$(root_sql "$m" "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'" | cut -f2)
    [[ $got == "$want" ]] && return 0
    (($(date +%s) < deadline)) ||
      die "master $m has $got semi-sync replicas after 20 s (want $want)"
    sleep 0.05
  done
}

# Polls until replica $1 replicates (IO and SQL thread Yes) and has applied everything master $2
# has binlogged. Both modes log GTIDs, so gtid_slave_pos vs gtid_binlog_pos works for both.
mysql_wait_caught_up() {
  local r=$1 m=$2 deadline=$(($(date +%s) + 30)) status io sqlt target have err
  while :; do
    status=$(root_sql_named "$r" 'SHOW SLAVE STATUS')
    io=$(column Slave_IO_Running <<<"$status")
    sqlt=$(column Slave_SQL_Running <<<"$status")
    target=$(root_sql "$m" 'SELECT @@gtid_binlog_pos')
    have=$(root_sql "$r" 'SELECT @@gtid_slave_pos')
    [[ $io == Yes && $sqlt == Yes && $have == "$target" ]] && return 0
    if (($(date +%s) >= deadline)); then
      err="$(column Last_IO_Error <<<"$status") $(column Last_SQL_Error <<<"$status")"
      die "replica $r not caught up after 30 s: IO=$io SQL=$sqlt applied='$have'" \
        "master='$target' errors: $err"
    fi
    sleep 0.05
  done
}

mysql_status() {
  local h pid st ro dumps
  for h in $HOSTS; do
    pid=$(mysqld_pid "$h")
    if [[ -z $pid ]]; then
      printf '  %-4s mariadbd not running\n' "$h"
      continue
    fi
    st=$(pid_state "$pid")
    if [[ $st == T ]]; then
      printf '  %-4s mariadbd pid %s stopped (SIGSTOP)\n' "$h" "$pid"
      continue
    fi
    # timeout: a server that hangs in some other way must not hang `status` too.
    read -r ro dumps < <(timeout 3 mariadb --no-defaults -S "$(my_socket "$h")" -u root -N -B \
      -e "SELECT IF(@@read_only, 'read_only', 'writable'),
          (SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump')" \
      2>/dev/null || echo '? ?')
    printf '  %-4s mariadbd pid %s state %s: %s, %s binlog dump thread(s)\n' \
      "$h" "$pid" "$st" "${ro:-?}" "${dumps:-?}"
  done
}
