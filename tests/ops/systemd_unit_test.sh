#!/usr/bin/env bash
# ops.systemd_unit: conf/systemd/masterha-manager@.service passes `systemd-analyze verify` and
# keeps the settings docs/operations.md promises.
#
#   systemd_unit_test.sh <built masterha_manager>
#
# verify needs ExecStart's binary to exist, so a scratch copy of the unit points at the built one;
# it also looks up Documentation=man:... pages, found through MANPATH in the build's man pages.
# The unit is checked as the instance masterha-manager@app1.service. verify exits 0 even for an
# unknown key or an unparsable value (it only prints a warning), so any output fails the test; a
# deliberately broken copy shows that warnings do appear here. This works without systemd as
# PID 1 (a container): verify loads unit files itself.
set -euo pipefail
manager=$1
unit=$MHA_SOURCE_DIR/conf/systemd/masterha-manager@.service

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
command -v systemd-analyze >/dev/null ||
  fail "systemd-analyze not found (scripts/install-deps.sh installs the systemd package)"
[ -x "$manager" ] || fail "$manager is not built"

# The contract other parts rely on: the package installs /usr/bin/masterha_manager, the manager
# sends READY/STATUS/WATCHDOG, logrotate reloads through SIGHUP, a failover exit never restarts.
for line in \
  'Type=notify' \
  'NotifyAccess=main' \
  'ExecStart=/usr/bin/masterha_manager --conf=/etc/masterha/%i.cnf' \
  'ExecReload=/bin/kill -HUP $MAINPID' \
  'WatchdogSec=30' \
  'Restart=on-abnormal' \
  'LogsDirectory=masterha' \
  'StateDirectory=masterha' \
  'PrivateTmp=yes' \
  'ProtectHome=read-only' \
  'NoNewPrivileges=yes'; do
  grep -qxF -- "$line" "$unit" || fail "$unit lacks the line: $line"
done
grep -qE '^ProtectSystem=(full|strict)$' "$unit" || fail "$unit lacks ProtectSystem=full|strict"
if grep -qE '^Restart=(on-failure|always)' "$unit"; then
  fail "$unit restarts after exit codes: a failover exit (0/10/1) would start another manager"
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

verify() {  # verify <unit file>: prints what systemd-analyze said, fails if it exited non-zero
  local dir=$1 name=$2
  (cd "$dir" && MANPATH=$MHA_MAN_DIR systemd-analyze verify "./$name" 2>&1)
}

mkdir "$scratch/good" "$scratch/bad"
sed "s#^ExecStart=/usr/bin/masterha_manager #ExecStart=$manager #" "$unit" \
  >"$scratch/good/masterha-manager@.service"
ln -s masterha-manager@.service "$scratch/good/masterha-manager@app1.service"
out=$(verify "$scratch/good" masterha-manager@app1.service) ||
  fail "systemd-analyze verify failed: $out"
[ -z "$out" ] || fail "systemd-analyze verify warned: $out"
echo "systemd-analyze verify: masterha-manager@app1.service clean"

# Control: a misspelt key must be reported in this environment, or the check above proves nothing.
sed 's/^PrivateTmp=yes$/PrivateTmp=yes\nPrivateTemp=yes/' "$scratch/good/masterha-manager@.service" \
  >"$scratch/bad/masterha-manager@.service"
ln -s masterha-manager@.service "$scratch/bad/masterha-manager@app1.service"
out=$(verify "$scratch/bad" masterha-manager@app1.service) || true
grep -q "PrivateTemp" <<<"$out" ||
  fail "systemd-analyze verify did not report a misspelt key (got: ${out:-nothing})"
echo "control: a misspelt key is reported"
