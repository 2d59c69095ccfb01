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

if [ "$keep" -eq 1 ]; then
  say "cluster left running; enter the manager host with: ip netns exec $MGR_NS bash"
  echo "tear it down with: $tb down"
else
  say "tearing the cluster down"
fi
