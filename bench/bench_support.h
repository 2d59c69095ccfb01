#pragma once

// What both benchmarks (failover_bench, diff_apply_bench) do the same way on the test bed: the
// manager configuration they run with, masterha_check_status, keeping a round's files before the
// next round's `up` deletes them, and min/median/max over rounds.

#include "mha/common/result.h"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "support/cluster.h"

namespace mha::bench {

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

}  // namespace mha::bench
