#!/usr/bin/env bash
# ops.logrotate: conf/logrotate.d/masterha parses without errors (logrotate -d), and, with its
# paths moved into a scratch directory, a forced rotation moves /var/log/masterha/<app>/*.log,
# creates the new file with mode 0640 and runs the postrotate script once for all files.
# The real postrotate (systemctl kill ... 'masterha-manager@*.service') is replaced by a marker:
# on a machine with systemd it would signal real managers.
set -euo pipefail
snippet=$MHA_SOURCE_DIR/conf/logrotate.d/masterha

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
command -v logrotate >/dev/null ||
  fail "logrotate not found (scripts/install-deps.sh installs it)"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# logrotate -d exits 0 even for unknown directives; it reports them as "error:" lines.
errors() { logrotate -d -s "$scratch/state.d" "$1" 2>&1 | grep -E '^error:' || true; }
out=$(errors "$snippet")
[ -z "$out" ] || fail "logrotate -d reported: $out"
sed 's/^\( *\)notifempty$/\1notifempti/' "$snippet" >"$scratch/bad.conf"
[ -n "$(errors "$scratch/bad.conf")" ] || fail "control: logrotate -d did not report a misspelt directive"
echo "logrotate -d: clean (and a misspelt directive is reported)"

logdir=$scratch/log/masterha
mkdir -p "$logdir/app1" "$logdir/app2"
printf 'line app1\n' >"$logdir/app1/manager.log"
printf 'line app2\n' >"$logdir/app2/manager.log"
printf 'status\n' >"$logdir/app1/app1.master_status.health"  # not a log: must stay
# Paths into the scratch directory; the postrotate body becomes a marker (one line per run).
sed -e "s#/var/log/masterha/#$logdir/#g" \
  -e "/^ *postrotate$/,/^ *endscript$/{/postrotate\|endscript/!d}" \
  -e "s#^\( *\)postrotate\$#&\n\1    echo ran >>$scratch/postrotate.ran#" \
  "$snippet" >"$scratch/rotate.conf"
grep -q "postrotate.ran" "$scratch/rotate.conf" || fail "could not rewrite postrotate"
logrotate -f -s "$scratch/state" "$scratch/rotate.conf" || fail "logrotate -f failed"

for app in app1 app2; do
  [ "$(cat "$logdir/$app/manager.log.1")" = "line $app" ] || fail "$app/manager.log.1 is not the old log"
  [ -f "$logdir/$app/manager.log" ] || fail "$app/manager.log was not created"
  [ ! -s "$logdir/$app/manager.log" ] || fail "$app/manager.log is not new"
  mode=$(stat -c %a "$logdir/$app/manager.log")
  [ "$mode" = 640 ] || fail "$app/manager.log created with mode $mode, expected 640"
done
[ -f "$logdir/app1/app1.master_status.health" ] || fail "the status file was rotated"
[ ! -e "$logdir/app1/app1.master_status.health.1" ] || fail "the status file was rotated"
[ "$(wc -l <"$scratch/postrotate.ran")" = 1 ] ||
  fail "postrotate ran $(wc -l <"$scratch/postrotate.ran") times, expected once (sharedscripts)"
echo "forced rotation: logs moved, new files 0640, status file untouched, postrotate once"
