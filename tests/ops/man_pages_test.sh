#!/usr/bin/env bash
# ops.man_pages: every installed program has a man page in docs/man (built, gzipped, under
# MHA_MAN_DIR), each renders without groff warnings, and for the manager tools the options a page
# documents are exactly the options the program's --help lists (both directions), so the pages
# cannot silently drift from the parsers.
set -euo pipefail
fail() {
  echo "FAIL: $*" >&2
  failed=1
}
failed=0
export MANWIDTH=100 LC_ALL=C.UTF-8

manager_tools=(masterha_manager masterha_check_ssh masterha_check_repl masterha_check_status
  masterha_stop masterha_master_switch masterha_secondary_check masterha_conf_host)
node_names=(masterha_node save_binary_logs apply_diff_relay_logs purge_relay_logs)

for page in "$MHA_SOURCE_DIR"/docs/man/*.1; do
  warnings=$(man --warnings=all -l "$page" 2>&1 >/dev/null || echo "man exited non-zero")
  [ -z "$warnings" ] || fail "$(basename "$page"): $warnings"
done

for name in "${manager_tools[@]}" "${node_names[@]}"; do
  [ -x "$MHA_BIN_DIR/$name" ] || fail "$MHA_BIN_DIR/$name is not built"
  # man -w through MANPATH: what `man <name>` would find once installed.
  MANPATH=$MHA_MAN_DIR man -w "$name" >/dev/null 2>&1 || fail "no man page for $name in $MHA_MAN_DIR"
done

# Long options as written in a --help option column: "--a,--b ARG" -> --a --b (and -s, -h).
help_options() {
  "$MHA_BIN_DIR/$1" --help | sed -n 's/^  \(-[^ ]*\).*/\1/p' | tr ',' '\n' | sed 's/=.*//' | sort -u
}
# Options a page mentions: \- unescaped, then every -x / --name token.
page_options() {
  sed 's/\\-/-/g' "$MHA_SOURCE_DIR/docs/man/$1.1" |
    grep -oE '(^|[^A-Za-z0-9_-])--?[a-z][a-z0-9_-]*' | sed 's/^[^-]*//' | sort -u
}
for tool in "${manager_tools[@]}"; do
  missing=$(comm -23 <(help_options "$tool") <(page_options "$tool") | tr '\n' ' ')
  extra=$(comm -13 <(help_options "$tool") <(page_options "$tool") | tr '\n' ' ')
  [ -z "$missing" ] || fail "$tool.1 does not document: $missing"
  [ -z "$extra" ] || fail "$tool.1 documents options $tool does not have: $extra"
done

[ "$failed" -eq 0 ] || exit 1
echo "man pages: ${#manager_tools[@]} manager tools and ${#node_names[@]} node names, options match --help"
