#pragma once

// What both benchmarks (failover_bench, diff_apply_bench) do the same way on the test bed: the
// manager configuration they run with, masterha_check_status, keeping a round's files before the
// next round's `up` deletes them, min/median/max over rounds, the JSON output's common parts and
// main()'s start.

#include "mha/common/result.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/cluster.h"

namespace mha::bench {

// Exit codes shared by the benchmarks (each adds its own "figures are bad" code, 1 or 4).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitCouldNotRun = 3;

struct BenchConf {
  std::string path;     // where the configuration is written
  std::string workdir;  // manager_workdir
  std::string log;      // manager_log
  std::string extra;    // lines added to [server default] (scripts), "" for none
  std::string without;  // a block left out ("server4"), "" for none
};

// The test bed's app1.cnf with `conf`'s changes, written to conf.path. kConfig when app1.cnf
// lacks a line or block the change needs.
Result<std::string> write_bench_conf(test::Cluster& cluster, const BenchConf& conf);

// masterha_check_status --conf=`conf` run in the manager namespace: its exit status.
int check_status(test::Cluster& cluster, const std::string& conf);

// Copies each existing `from` to `to` (missing ones are skipped), creating `to`'s directory.
void keep_files(const std::vector<std::pair<std::string, std::string>>& from_to);

// {"n", "min", "median", "max"} of `v`; null when empty.
nlohmann::json stats(std::vector<double> v);

// The machine the figures come from: {"cpus", "kernel", "loadavg_at_end"}.
nlohmann::json machine_facts();

// One round's JSON object: its figures plus "round", "completed" and, when set, "error".
nlohmann::json round_json(int round, bool completed, const std::string& error,
                          const nlohmann::json& figures);

// Writes `j` pretty-printed to `path`; one line on stderr naming `program` and `path` if it
// cannot.
void write_json_file(std::string_view program, const std::string& path, const nlohmann::json& j);

// main()'s shared part: refuses to run without root (the test bed needs network namespaces and
// mariadbd) with kExitUsage, initialises the client library, then returns `bench`'s exit code.
int bench_main(std::string_view program, const std::function<int()>& bench);

}  // namespace mha::bench
