#!/usr/bin/env bash
# The README's demo command. Installs what is needed, builds, brings up a sandbox cluster (three
# MariaDB 10.11 hosts with their own sshd, each in a network namespace, plus a manager host), and
# runs masterha's tools against it from the manager host.
#
#   sudo scripts/demo.sh [--mode gtid|pos] [--keep]
#
# --keep leaves the cluster running afterwards (tear it down with: scripts/testbed/cluster.sh down).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=gtid
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --mode) mode=${2:?--mode needs gtid or pos}; shift ;;
    --mode=*) mode=${1#--mode=} ;;
    --keep) keep=1 ;;
    *) echo "demo.sh: unknown option '$1' (use --mode gtid|pos, --keep)" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: needs root (network namespaces); run with sudo" >&2; exit 2; }

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

bash scripts/install-deps.sh
say "building masterha"
# Its own build tree: the test tree (build/) keeps its tests configured.
cmake -S . -B build-demo -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMHA_BUILD_TESTS=OFF >/dev/null
if ! cmake --build build-demo -j"$(nproc)" >build-demo/build.log 2>&1; then
  tail -30 build-demo/build.log
  echo "demo.sh: build failed (full log: build-demo/build.log)" >&2
  exit 1
fi

tb=scripts/testbed/cluster.sh
if [ "$keep" -eq 0 ]; then
  trap '$tb down >/dev/null 2>&1 || true' EXIT
fi
say "bringing up the sandbox cluster (3 hosts, $mode replication)"
# The hosts share this filesystem: putting build-demo/bin on their SSH PATH "installs" the node
# helper on each of them.
export MHA_NODE_BINDIR=$root/build-demo/bin
$tb up --hosts 3 --mode "$mode"
# shellcheck disable=SC1091
source "${MHA_TESTBED_DIR:-/tmp/mha-testbed}/cluster.env"
conf=$APP_CONF
mgr() { ip netns exec "$MGR_NS" "$@"; }

say "the configuration the tools use ($conf)"
grep -v -i password "$conf"

say "replication as the servers report it"
for h in $HOSTS; do
  $tb sql "$h" "SELECT @@hostname, @@server_id, @@read_only, @@gtid_current_pos" | sed "s/^/$h: /"
done

say "masterha_check_ssh --conf=$conf   (run on the manager host)"
mgr "$root/build-demo/bin/masterha_check_ssh" --conf="$conf" || echo "(exit $?)"

say "masterha_check_repl --conf=$conf"
mgr "$root/build-demo/bin/masterha_check_repl" --conf="$conf" || echo "(exit $?)"

say "a write through the VIP ($VIP) as the application user, read back on every replica"
app_cnf=$(umask 077; mktemp /tmp/mha-demo-client.XXXXXX)
printf '[client]\nuser=%s\npassword="%s"\n' "$APP_USER" "$APP_PASSWORD" >"$app_cnf"
# The password stays in a 0600 file, never in argv.
mgr mariadb --defaults-extra-file="$app_cnf" -h "$VIP" test \
  -e "CREATE TABLE IF NOT EXISTS demo (id INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(64));
      INSERT INTO demo (note) VALUES ('written through the VIP at $(date +%T)');"
rm -f "$app_cnf"
for h in $HOSTS; do
  $tb sql "$h" "SELECT COUNT(*) FROM test.demo" | sed "s/^/$h rows: /"
done

say "masterha_manager: monitoring, then a failover"
# The test bed's configuration plus the sample VIP and shutdown scripts.
demo_conf=${MHA_TESTBED_DIR:-/tmp/mha-testbed}/demo.cnf
demo_work=${MHA_TESTBED_DIR:-/tmp/mha-testbed}/demo-work
mkdir -p "$demo_work"
rm -f "$demo_work"/demo.*
sed -e "s|^manager_workdir=.*|manager_workdir=$demo_work|" \
    -e "s|^manager_log=.*|manager_log=$demo_work/manager.log|" \
    -e "/^ping_interval=/a master_ip_failover_script=MHA_VIP=$VIP/24 $root/scripts/master_ip_failover\nshutdown_script=$root/scripts/master_shutdown" \
    "$conf" >"$demo_conf"
mgr "$root/build-demo/bin/masterha_manager" --conf="$demo_conf" >"$demo_work/manager.out" 2>&1 &
manager_pid=$!
for _ in $(seq 1 100); do
  mgr "$root/build-demo/bin/masterha_check_status" --conf="$demo_conf" >/dev/null 2>&1 && break
  sleep 0.2
done
mgr "$root/build-demo/bin/masterha_check_status" --conf="$demo_conf" || true

say "a writer through the VIP records every acknowledged insert"
app_cnf=$(umask 077; mktemp /tmp/mha-demo-client.XXXXXX)
printf '[client]\nuser=%s\npassword="%s"\nconnect_timeout=1\n' "$APP_USER" "$APP_PASSWORD" >"$app_cnf"
acked=$(mktemp /tmp/mha-demo-acked.XXXXXX)
stop_writer=$(mktemp -u /tmp/mha-demo-stop.XXXXXX)
(
  i=0
  while [ ! -e "$stop_writer" ]; do
    i=$((i + 1))
    if mgr mariadb --defaults-extra-file="$app_cnf" -h "$VIP" test \
      -e "INSERT INTO demo (id, note) VALUES ($((1000 + i)), 'writer')" 2>/dev/null; then
      echo $((1000 + i)) >>"$acked"
    fi
    sleep 0.02
  done
) &
writer_pid=$!
sleep 2
echo "acknowledged so far: $(wc -l <"$acked")"

say "kill -9 the master's mysqld (db1); the manager detects it and fails over"
fault_at=$(date +%s.%N)
$tb kill9 db1
wait "$manager_pid" && rc=0 || rc=$?
done_at=$(date +%s.%N)
echo "masterha_manager exited $rc, $(echo "$done_at - $fault_at" | bc 2>/dev/null || echo '?') s after the kill"
grep -E 'is dead:|Decision:|step [0-9]+ \(|Failover phases|succeeded|failed' "$demo_work/manager.log" |
  cut -c1-220 || true
sleep 2
touch "$stop_writer"
wait "$writer_pid" || true
rm -f "$app_cnf" "$stop_writer"

say "after the failover"
mgr "$root/build-demo/bin/masterha_check_status" --conf="$demo_conf" || true
for h in db2 db3; do
  $tb sql "$h" "SELECT @@read_only AS read_only, (SELECT COUNT(*) FROM test.demo WHERE id > 1000) AS writer_rows" |
    sed "s/^/$h: read_only, writer rows: /"
done
$tb sql db3 "SHOW SLAVE STATUS" | awk -F'\t' 'NR==1{for(i=1;i<=NF;i++) c[$i]=i} NR==2{print "db3 replicates from " $c["Master_Host"] ", IO " $c["Slave_IO_Running"] ", SQL " $c["Slave_SQL_Running"]}' || true
n_acked=$(wc -l <"$acked")
missing=0
for h in db2 db3; do
  have=$($tb sql "$h" "SELECT id FROM test.demo WHERE id > 1000" | sort)
  m=$(comm -23 <(sort "$acked") <(echo "$have") | grep -c . || true)
  echo "$h: $n_acked acknowledged writes, $m missing"
  missing=$((missing + m))
done
rm -f "$acked"
echo "the report: $demo_work/demo.failover.report.json"

if [ "$keep" -eq 1 ]; then
  say "cluster left running; enter the manager host with: ip netns exec $MGR_NS bash"
  echo "tear it down with: $tb down"
else
  say "tearing the cluster down"
fi
[ "$rc" -eq 0 ] && [ "$missing" -eq 0 ]
