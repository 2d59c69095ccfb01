#!/usr/bin/env bash
# Regenerates the captured binlog and relay-log fixtures in this directory from throw-away MariaDB
# servers. Run ONCE by hand (as root, MariaDB 10.11 installed); the unit tests read the committed
# files and never run this. See README.md for what each file holds.
#
#   crc32/  master (server_id 1, binlog_checksum=CRC32) binlogs, its replica's (server_id 2)
#           relay logs, the replica's SHOW SLAVE STATUS, and mariadb-binlog event lists.
#   none/   a lone server (server_id 3, binlog_checksum=NONE) binlogs and event lists.
#   mixed/  as crc32/ with a checksum-NONE master (server_id 4) and a CRC32 replica (server_id 5)
#           whose IO thread is restarted once while its SQL thread is stopped; no large row.
#
# Usage: capture.sh [crc32|none|mixed]...   (all three when none is named)
#
# Servers run as user mysql in a mktemp directory; the CRC32 master listens on 127.0.0.1 only
# (replication needs TCP), everything else is socket only. A trap stops the servers and removes the
# temp directory whatever happens.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "capture.sh: run as root (mariadbd runs as user mysql)" >&2; exit 2; }
for tool in mariadbd mariadb-install-db mariadb mariadb-admin mariadb-binlog ss; do
  command -v "$tool" >/dev/null || { echo "capture.sh: $tool not found" >&2; exit 2; }
done

tmp=$(mktemp -d /tmp/mha-binlog-capture.XXXXXX)
chmod 755 "$tmp"
servers=()

stop_server() {  # $1 = server dir; clean shutdown first so the binlog gets its STOP event
  local dir=$1 pid
  [ -S "$dir/sock" ] && mariadb-admin --no-defaults --socket="$dir/sock" --connect-timeout=5 \
    shutdown >/dev/null 2>&1 || true
  [ -f "$dir/pid" ] || return 0
  pid=$(cat "$dir/pid")
  for _ in $(seq 100); do
    [ -d "/proc/$pid" ] && [ "$(cat /proc/$pid/comm 2>/dev/null)" = mariadbd ] || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
  for dir in "${servers[@]}"; do stop_server "$dir"; done
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {  # a loopback TCP port nobody listens on
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return 0; }
  done
  echo "capture.sh: no free port found" >&2
  return 1
}

# start_server <name> <server_id> <checksum> <port or ''> [extra mariadbd options...]
start_server() {
  local name=$1 id=$2 checksum=$3 port=$4
  shift 4
  local dir=$tmp/$name
  mkdir -p "$dir/data" "$dir/log" "$dir/tmp"
  chown -R mysql:mysql "$dir"
  mariadb-install-db --no-defaults --user=mysql --datadir="$dir/data" --skip-test-db \
    --auth-root-authentication-method=socket >"$dir/install.log" 2>&1
  local net=(--skip-networking)
  [ -n "$port" ] && net=(--bind-address=127.0.0.1 --port="$port")
  servers+=("$dir")
  setsid mariadbd --no-defaults --user=mysql --datadir="$dir/data" --tmpdir="$dir/tmp" \
    --socket="$dir/sock" --pid-file="$dir/pid" --log-error="$dir/error.log" "${net[@]}" \
    --server-id="$id" --binlog-checksum="$checksum" --binlog-format=ROW \
    --max-binlog-size=4096 --innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
    --performance-schema=OFF "$@" </dev/null >/dev/null 2>&1 &
  for _ in $(seq 300); do
    mariadb-admin --no-defaults --socket="$dir/sock" --connect-timeout=1 ping >/dev/null 2>&1 &&
      return 0
    sleep 0.1
  done
  echo "capture.sh: $name did not start; see below" >&2
  cat "$dir/error.log" >&2
  return 1
}

sql() {  # sql <name>: statements on stdin, tab-separated rows on stdout
  mariadb --no-defaults --socket="$tmp/$1/sock" --batch --skip-column-names --connect-timeout=5
}

# wait_sql <name> <query> <expected> : poll until the query returns the expected value (30 s)
slave_status() {  # slave_status <name>: SHOW SLAVE STATUS as "Field: value" lines
  mariadb --no-defaults --socket="$tmp/$1/sock" --connect-timeout=5 -e 'SHOW SLAVE STATUS\G' |
    sed -n 's/^ *\([A-Za-z_]*\): /\1: /p'
}

wait_sql() {
  for _ in $(seq 300); do
    [ "$(echo "$2" | sql "$1")" = "$3" ] && return 0
    sleep 0.1
  done
  echo "capture.sh: timed out waiting on $1 for: $2 = $3" >&2
  return 1
}

# Transactions of different shapes. Row format, with annotate events (the 10.11 default).
schema_and_first_rows() {
  cat <<'SQL'
CREATE DATABASE fx;
CREATE TABLE fx.k (id INT PRIMARY KEY, v VARCHAR(64)) ENGINE=InnoDB;
CREATE TABLE fx.big (id INT PRIMARY KEY, b LONGBLOB) ENGINE=InnoDB;
CREATE TABLE fx.ar (id INT PRIMARY KEY, v INT) ENGINE=MyISAM;
INSERT INTO fx.k VALUES (1, 'single row');
BEGIN;
INSERT INTO fx.k VALUES (2, 'multi a');
INSERT INTO fx.k VALUES (3, 'multi b');
UPDATE fx.k SET v = 'multi a updated' WHERE id = 2;
DELETE FROM fx.k WHERE id = 3;
COMMIT;
SQL
}

more_rows() {  # $1 = yes to include the ~100 KB row
  cat <<'SQL'
SET SESSION binlog_format = 'STATEMENT';
INSERT INTO fx.k VALUES (10, 'statement format');
SET SESSION binlog_format = 'ROW';
INSERT INTO fx.ar VALUES (1, 1);
SQL
  [ "$1" = yes ] && echo "INSERT INTO fx.big VALUES (1, REPEAT('x', 100000));"
  cat <<'SQL'
SET SESSION gtid_domain_id = 1;
INSERT INTO fx.k VALUES (20, 'domain one');
SET SESSION gtid_domain_id = 0;
FLUSH BINARY LOGS;
INSERT INTO fx.k VALUES (30, 'after flush a');
INSERT INTO fx.k VALUES (31, 'after flush b');
BEGIN;
INSERT INTO fx.k VALUES (32, 'after flush c');
UPDATE fx.k SET v = 'after flush c updated' WHERE id = 32;
COMMIT;
SQL
}

event_list() {  # the header lines of mariadb-binlog's decoding: offset, server id, end_log_pos, type
  mariadb-binlog --no-defaults --base64-output=never -v "$1" | grep -E '^(# at [0-9]+|#[0-9]{6} )'
}

copy_logs() {  # copy_logs <src dir> <glob> <dest dir>
  local f
  for f in "$1"/$2; do
    cp "$f" "$3/"
    event_list "$f" >"$3/$(basename "$f").events.txt"
  done
}

# replication_run <out dir> <master id> <master checksum> <replica id> <replica checksum>
#                 <large row yes/no> <IO reconnect yes/no>
# A master on loopback TCP and a socket-only replica. The replica's SQL thread is stopped after
# the first batch so the recorded status has an exec position behind the read position:
# find_relay_offset must map one to Relay_Log_File:Relay_Log_Pos.
replication_run() {
  local name=$1 mid=$2 mcrc=$3 rid=$4 rcrc=$5 big=$6 reconnect=$7
  local m=m$mid r=r$rid port pos io received out
  port=$(free_port)
  start_server "$m" "$mid" "$mcrc" "$port" --log-bin="$tmp/$m/log/master-bin"
  start_server "$r" "$rid" "$rcrc" "" --relay-log="$tmp/$r/log/relay-bin" --relay-log-purge=OFF \
    --max-relay-log-size=4096 --skip-slave-start
  # These two statements are the master's first transactions (GTIDs 0-<mid>-1 and -2); the
  # replica fetches from the start. The password only ever travels on stdin.
  sql "$m" <<'SQL'
CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'fixture-only-secret';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';
SQL
  sql "$r" <<SQL
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$port, MASTER_USER='repl',
  MASTER_PASSWORD='fixture-only-secret', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
START SLAVE;
SQL
  schema_and_first_rows | sql "$m"
  pos=$(echo "SELECT @@gtid_binlog_pos" | sql "$m")
  wait_sql "$r" "SELECT @@gtid_slave_pos" "$pos"
  echo "STOP SLAVE SQL_THREAD" | sql "$r"
  if [ "$reconnect" = yes ]; then
    # Restart the IO thread mid-binlog. In GTID mode with the SQL thread stopped, MariaDB then
    # purges the relay logs and fetches again from gtid_slave_pos (seen with 10.11.19).
    echo "STOP SLAVE IO_THREAD" | sql "$r"
    echo "INSERT INTO fx.k VALUES (40, 'while the IO thread was stopped')" | sql "$m"
    echo "START SLAVE IO_THREAD" | sql "$r"
  fi
  more_rows "$big" | sql "$m"
  pos=$(echo "SELECT @@gtid_binlog_pos" | sql "$m")
  # Only the IO thread runs now: poll SHOW SLAVE STATUS until it received everything.
  received=no
  for _ in $(seq 300); do
    io=$(slave_status "$r" | sed -n 's/^Gtid_IO_Pos: //p')
    # Gtid_IO_Pos lists domains in its own order: compare as sorted sets.
    [ "$(echo "$io" | tr , '\n' | sort | paste -sd,)" = \
      "$(echo "$pos" | tr , '\n' | sort | paste -sd,)" ] && { received=yes; break; }
    sleep 0.1
  done
  [ "$received" = yes ] || { echo "capture.sh: replica IO thread at $io, not $pos" >&2; exit 1; }
  out=$here/$name
  rm -rf "$out"
  mkdir -p "$out"
  slave_status "$r" | grep -E \
    '^(Master_Log_File|Read_Master_Log_Pos|Relay_Log_File|Relay_Log_Pos|Relay_Master_Log_File|Exec_Master_Log_Pos|Gtid_IO_Pos|Using_Gtid):' \
    >"$out/replica-status.txt"
  echo "SELECT 'Gtid_Slave_Pos:', @@gtid_slave_pos" | sql "$r" | tr '\t' ' ' >>"$out/replica-status.txt"
  echo "SELECT 'gtid_binlog_pos', @@gtid_binlog_pos" | sql "$m" | tr '\t' ' ' >"$out/master-status.txt"
  echo "SHOW MASTER STATUS" | sql "$m" | awk '{print "master_status " $1 " " $2}' \
    >>"$out/master-status.txt"
  echo "STOP SLAVE" | sql "$r"
  stop_server "$tmp/$r"
  stop_server "$tmp/$m"
  copy_logs "$tmp/$m/log" 'master-bin.[0-9]*' "$out"
  copy_logs "$tmp/$r/log" 'relay-bin.[0-9]*' "$out"
  chmod 644 "$out"/*
}

none_run() {  # checksum NONE, socket only, no replica
  local out=$here/none
  start_server n1 3 NONE "" --log-bin="$tmp/n1/log/nocrc-bin"
  { schema_and_first_rows; more_rows no; } | sql n1
  rm -rf "$out"
  mkdir -p "$out"
  echo "SELECT 'gtid_binlog_pos', @@gtid_binlog_pos" | sql n1 | tr '\t' ' ' >"$out/master-status.txt"
  stop_server "$tmp/n1"
  copy_logs "$tmp/n1/log" 'nocrc-bin.[0-9]*' "$out"
  chmod 644 "$out"/*
}

# Runs to capture: all by default, or the ones named on the command line.
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(crc32 none mixed)
for run in "${runs[@]}"; do
  case $run in
    crc32) replication_run crc32 1 CRC32 2 CRC32 yes no ;;
    # Different checksum settings on master and replica: which FDE governs which relay event.
    mixed) replication_run mixed 4 NONE 5 CRC32 no yes ;;
    none) none_run ;;
    *) echo "capture.sh: unknown run '$run' (crc32, none, mixed)" >&2; exit 2 ;;
  esac
  du -sh "$here/$run"
done
echo "capture.sh: done"
