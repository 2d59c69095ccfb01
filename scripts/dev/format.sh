#!/usr/bin/env bash
# clang-format (Debian 12's 14) over every C++ file git knows about.
#   scripts/dev/format.sh          rewrite files in place
#   scripts/dev/format.sh --check  list unformatted files and exit 1 if there are any
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.cc' '*.h')
[ ${#files[@]} -gt 0 ] || exit 0
if [ "${1:-}" = "--check" ]; then
  bad=0
  for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || { echo "not clang-formatted: $f"; bad=1; }
  done
  [ $bad -eq 0 ] && echo "format: ${#files[@]} files clean"
  exit $bad
fi
clang-format -i "${files[@]}"
