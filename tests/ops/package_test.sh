#!/usr/bin/env bash
# package.deb: builds the Debian packages with cpack from this build tree (into a scratch
# directory, so the tree's own cpack output is untouched), then checks each package's control
# fields and file list, extracts both into a scratch root, runs tools from there and verifies the
# packaged systemd unit against the packaged binary. The scratch directory is removed at exit.
set -euo pipefail
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
for tool in cpack dpkg-deb dpkg-shlibdeps readelf systemd-analyze; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/install-deps.sh installs it)"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
arch=$(dpkg --print-architecture)
version=$MHA_VERSION-1

# -B: packages and CPack's staging tree (_CPack_Packages) go to the scratch directory.
# cpack first builds the tree (its "preinstall" target), so a compile error shows up here too.
if ! (cd "$MHA_BUILD_DIR" && cpack -G DEB -B "$scratch/out") >"$scratch/cpack.log" 2>&1; then
  preinstall=$(find "$scratch/out" -name PreinstallOutput.log | head -1)
  [ -z "$preinstall" ] || grep -E -m 20 -B 2 -A 8 'error|Error' "$preinstall" >&2 || true
  fail "cpack failed: $(tail -20 "$scratch/cpack.log")"
fi
manager_deb=$scratch/out/masterha-manager_${version}_${arch}.deb
node_deb=$scratch/out/masterha-node_${version}_${arch}.deb
[ -f "$manager_deb" ] || fail "no $(basename "$manager_deb"); cpack made: $(ls "$scratch/out")"
[ -f "$node_deb" ] || fail "no $(basename "$node_deb"); cpack made: $(ls "$scratch/out")"

field() { dpkg-deb -f "$1" "$2"; }
expect_field() {  # expect_field <deb> <field> <exact value>
  [ "$(field "$1" "$2")" = "$3" ] || fail "$(basename "$1"): $2 is '$(field "$1" "$2")', expected '$3'"
}
expect_depends() {  # expect_depends <deb> <package>: <package> is one of the Depends alternatives
  grep -qxF "$2" <(field "$1" Depends | tr ',|' '\n\n' | sed 's/^ *//; s/ .*//') ||
    fail "$(basename "$1"): Depends lacks $2: $(field "$1" Depends)"
}
# File lists are read once into files: `dpkg-deb -c x | grep -q` would kill dpkg-deb with SIGPIPE,
# which pipefail turns into a failure.
listing() { echo "$scratch/$(basename "$1").list"; }
for deb in "$manager_deb" "$node_deb"; do
  dpkg-deb -c "$deb" >"$(listing "$deb")"
done
files() { awk '{print $6}' "$(listing "$1")" | sed 's#/$##'; }
expect_file() {  # expect_file <deb> <path>
  grep -qxF "./${2#/}" <(files "$1") || fail "$(basename "$1") lacks $2"
}
expect_no_file() {
  ! grep -qxF "./${2#/}" <(files "$1") || fail "$(basename "$1") should not contain $2"
}

# --- masterha-manager ---
expect_field "$manager_deb" Package masterha-manager
expect_field "$manager_deb" Version "$version"
expect_field "$manager_deb" Architecture "$arch"
expect_field "$manager_deb" Conflicts mha4mysql-manager
for dep in libmariadb3 libssh2-1 libspdlog1.10-fmt9 libfmt9 libc6 openssh-client procps; do
  expect_depends "$manager_deb" "$dep"
done
for tool in masterha_manager masterha_check_ssh masterha_check_repl masterha_check_status \
  masterha_stop masterha_master_switch masterha_secondary_check masterha_conf_host; do
  expect_file "$manager_deb" "/usr/bin/$tool"
  expect_file "$manager_deb" "/usr/share/man/man1/$tool.1.gz"
done
for f in /lib/systemd/system/masterha-manager@.service /etc/logrotate.d/masterha /etc/masterha \
  /usr/share/masterha/conf/app1.cnf /usr/share/masterha/conf/masterha_default.cnf \
  /usr/share/masterha/scripts/master_ip_failover /usr/share/doc/masterha-manager/operations.md; do
  expect_file "$manager_deb" "$f"
done
for f in /usr/bin/masterha_node /usr/bin/save_binary_logs /usr/share/man/man1/masterha_node.1.gz; do
  expect_no_file "$manager_deb" "$f"
done
grep -q '^-rwxr-xr-x .* ./usr/share/masterha/scripts/master_ip_failover$' "$(listing "$manager_deb")" ||
  fail "master_ip_failover is not executable in the package"
# Only files under /usr, /etc and /lib: nothing leaked from the build tree's absolute paths.
bad=$(files "$manager_deb" | grep -vE '^\.(/usr|/etc|/lib)?(/|$)' || true)
[ -z "$bad" ] || fail "unexpected paths in masterha-manager: $bad"
[ "$(dpkg-deb -I "$manager_deb" conffiles)" = /etc/logrotate.d/masterha ] ||
  fail "conffiles is '$(dpkg-deb -I "$manager_deb" conffiles)'"
for script in postinst prerm postrm; do
  dpkg-deb -I "$manager_deb" "$script" | sh -n || fail "$script is not valid sh"
done

# --- masterha-node ---
expect_field "$node_deb" Package masterha-node
expect_field "$node_deb" Version "$version"
expect_field "$node_deb" Architecture "$arch"
expect_field "$node_deb" Conflicts mha4mysql-node
for dep in mariadb-client libc6; do
  expect_depends "$node_deb" "$dep"
done
for f in /usr/bin/masterha_node /usr/share/man/man1/masterha_node.1.gz \
  /usr/share/doc/masterha-node/node.md; do
  expect_file "$node_deb" "$f"
done
for tool in save_binary_logs apply_diff_relay_logs purge_relay_logs; do
  grep -qF "./usr/bin/$tool -> masterha_node" "$(listing "$node_deb")" ||
    fail "masterha-node: /usr/bin/$tool is not a link to masterha_node"
  grep -qF "./usr/share/man/man1/$tool.1.gz -> masterha_node.1.gz" "$(listing "$node_deb")" ||
    fail "masterha-node: no man page link for $tool"
done
for f in /usr/bin/masterha_manager /lib/systemd/system/masterha-manager@.service; do
  expect_no_file "$node_deb" "$f"
done
echo "control fields and file lists: as expected"

# --- extracted into a scratch root ---
root=$scratch/root
dpkg-deb -x "$manager_deb" "$root"
dpkg-deb -x "$node_deb" "$root"
out=$("$root/usr/bin/masterha_check_status" --version)
[ "$out" = "masterha_check_status version $MHA_VERSION." ] || fail "masterha_check_status --version: $out"
out=$("$root/usr/bin/save_binary_logs" --version)
[ "$out" = "save_binary_logs version $MHA_VERSION." ] || fail "save_binary_logs --version: $out"
"$root/usr/bin/masterha_manager" --help >/dev/null || fail "masterha_manager --help failed"
for bin in "$root"/usr/bin/*; do
  [ -L "$bin" ] && continue
  ! grep -q '\.debug_info' <(readelf -S "$bin") || fail "$(basename "$bin") is not stripped"
done
# The packaged unit names the packaged binary, and verifies with it. (verify --root would need a
# whole system in the root: sysinit.target, /bin/kill.)
unit=$root/lib/systemd/system/masterha-manager@.service
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
[ -x "$root$exec_start" ] || fail "the unit's ExecStart $exec_start is not in the package"
mkdir "$scratch/unit"
sed "s#^ExecStart=$exec_start #ExecStart=$root$exec_start #" "$unit" \
  >"$scratch/unit/masterha-manager@.service"
ln -s masterha-manager@.service "$scratch/unit/masterha-manager@app1.service"
out=$(cd "$scratch/unit" && MANPATH=$root/usr/share/man \
  systemd-analyze verify ./masterha-manager@app1.service 2>&1) ||
  fail "systemd-analyze verify of the packaged unit: $out"
[ -z "$out" ] || fail "systemd-analyze verify of the packaged unit warned: $out"
echo "extracted packages: tools run, binaries stripped, unit verifies against the packaged binary"
