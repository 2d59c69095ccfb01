#!/usr/bin/env bash
# The README's test command (and what CI runs): installs what is needed from Debian packages,
# builds with warnings as errors, runs the unit tests, the Debian package tests and the
# real-cluster integration tests, then builds again with AddressSanitizer +
# UndefinedBehaviorSanitizer and runs the unit tests there.
#
#   sudo scripts/test.sh [--unit-only] [--no-sanitizers]
#
# Integration tests need root (network namespaces, mariadbd, sshd). Whatever happens, the test
# cluster is torn down on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

unit_only=0
sanitizers=1
for arg in "$@"; do
  case "$arg" in
    --unit-only) unit_only=1 ;;
    --no-sanitizers) sanitizers=0 ;;
    *) echo "test.sh: unknown option '$arg' (use --unit-only, --no-sanitizers)" >&2; exit 2 ;;
  esac
done
if [ "$unit_only" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: integration tests need root (network namespaces); run with sudo or --unit-only" >&2
  exit 2
fi

bash scripts/install-deps.sh
trap 'scripts/testbed/cluster.sh down >/dev/null 2>&1 || true' EXIT

step() { printf '\n=== %s\n' "$*"; }

step "format check"
scripts/dev/format.sh --check

jobs=$(nproc)
step "build (warnings are errors)"
cmake -S . -B build -DMHA_WERROR=ON -DMHA_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

step "unit tests"
ctest --test-dir build -L unit --output-on-failure -j"$jobs"

step "package tests (cpack -G DEB, control fields, contents, extracted tools)"
ctest --test-dir build -L package --output-on-failure

if [ "$unit_only" -eq 0 ]; then
  step "integration tests (real MariaDB + sshd in network namespaces)"
  ctest --test-dir build -L integration --output-on-failure
  # Keeps the benchmark working (docs/benchmarks.md): one kill -9 round; fails only when the round
  # cannot run or an acknowledged commit is lost, never on timing.
  step "failover benchmark, smoke mode (1 round of kill -9, 1 online switchover)"
  build/bench/failover_bench --smoke
  # ~4 MB of relay-log diff applied by a failover and by mysqlbinlog | mysql; fails only when the
  # round cannot run or the two sides' data differ, never on timing.
  step "diff-apply benchmark, smoke mode (1 round, ~4 MB)"
  build/bench/diff_apply_bench --smoke
fi

if [ "$sanitizers" -eq 1 ]; then
  step "build with ASan + UBSan"
  cmake -S . -B build-asan -DMHA_WERROR=ON -DMHA_SANITIZE=address,undefined -DMHA_BUILD_TESTS=ON \
    -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build build-asan -j"$jobs"
  step "unit tests under ASan + UBSan"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan -L unit --output-on-failure -j"$jobs"
fi
