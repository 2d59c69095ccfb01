// replication_filters, binlog_filters: MHA's validate_repl_filter (with check_repl_filter=1).
// Filters are compared as sets: MySQL prints them in configuration order, which is noise.

#include <algorithm>

#include "checks_internal.h"

namespace mha::checks::internal {
namespace {

std::string normalise(const std::string& list) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t\n"));
    item.erase(item.find_last_not_of(" \t\n") + 1);
    if (!item.empty()) items.push_back(item);
    start = comma + 1;
  }
  std::sort(items.begin(), items.end());
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

struct NamedFilter {
  const char* column;
  std::string value;
};

std::vector<NamedFilter> replicate_filters(const topology::ReplicationFilters& f) {
  return {{"Replicate_Do_DB", normalise(f.do_db)},
          {"Replicate_Ignore_DB", normalise(f.ignore_db)},
          {"Replicate_Do_Table", normalise(f.do_table)},
          {"Replicate_Ignore_Table", normalise(f.ignore_table)},
          {"Replicate_Wild_Do_Table", normalise(f.wild_do_table)},
          {"Replicate_Wild_Ignore_Table", normalise(f.wild_ignore_table)}};
}

std::vector<NamedFilter> binlog_filters(const topology::MasterStatus& m) {
  return {{"Binlog_Do_DB", normalise(m.binlog_do_db)},
          {"Binlog_Ignore_DB", normalise(m.binlog_ignore_db)}};
}

// "Replicate_Do_DB='a' (db2 has 'b')" for every differing column; empty when equal.
std::string differences(const std::vector<NamedFilter>& here, const std::vector<NamedFilter>& ref,
                        const std::string& ref_name) {
  std::string out;
  for (std::size_t k = 0; k < here.size(); ++k) {
    if (here[k].value == ref[k].value) continue;
    if (!out.empty()) out += ", ";
    out += std::string(here[k].column) + "='" + here[k].value + "' (" + ref_name + " has '" +
           ref[k].value + "')";
  }
  return out;
}

void check_replicate_filters(Context& ctx, std::string& common_do, std::string& common_ignore) {
  std::vector<std::size_t> replicas = ctx.alive_replicas();
  if (replicas.empty()) return;
  const std::size_t ref = replicas.front();
  const std::vector<NamedFilter> ref_f = replicate_filters(ctx.at(ref).replica->filters);
  common_do = ref_f[0].value;
  common_ignore = ref_f[1].value;
  bool same = true;
  for (std::size_t i : replicas) {
    std::string diff =
        differences(replicate_filters(ctx.at(i).replica->filters), ref_f, ctx.name(ref));
    if (diff.empty()) continue;
    same = false;
    ctx.add("replication_filters", Severity::kError,
            "Replication filtering check failed on " + ctx.name(i) + ": " + diff +
                ". All replicas must have the same replication filtering rules.",
            i);
  }
  if (same) {
    ctx.add("replication_filters", Severity::kOk,
            "All replicas have the same replication filtering rules.");
  }
}

void check_binlog_filters(Context& ctx, const std::string& repl_do,
                          const std::string& repl_ignore) {
  std::vector<std::size_t> servers;
  const topology::ServerObservation& m = ctx.at(*ctx.master);
  if (m.alive() && m.master_status) servers.push_back(*ctx.master);
  for (std::size_t i : ctx.alive_replicas()) {
    const topology::ServerObservation& s = ctx.at(i);
    if (s.log_bin == true && s.master_status) servers.push_back(i);
  }
  if (servers.empty()) return;
  const std::size_t ref = servers.front();
  const std::vector<NamedFilter> ref_f = binlog_filters(*ctx.at(ref).master_status);
  bool same = true;
  for (std::size_t i : servers) {
    std::string diff = differences(binlog_filters(*ctx.at(i).master_status), ref_f, ctx.name(ref));
    if (diff.empty()) continue;
    same = false;
    ctx.add("binlog_filters", Severity::kError,
            "Binlog filtering check failed on " + ctx.name(i) + ": " + diff +
                ". All log-bin enabled servers must have the same binlog-do-db and "
                "binlog-ignore-db.",
            i);
  }
  if (!same) return;
  // A database filtered on one side only would appear or vanish after a failover.
  const std::string& binlog_do = ref_f[0].value;
  const std::string& binlog_ignore = ref_f[1].value;
  if (!binlog_do.empty() && !repl_do.empty() && binlog_do != repl_do) {
    ctx.add("binlog_filters", Severity::kError,
            "binlog_do_db on the master (" + binlog_do +
                ") must be the same as replicate_do_db on the replicas (" + repl_do + ").");
    return;
  }
  if (!binlog_ignore.empty() && !repl_ignore.empty() && binlog_ignore != repl_ignore) {
    ctx.add("binlog_filters", Severity::kError,
            "binlog_ignore_db on the master (" + binlog_ignore +
                ") must be the same as replicate_ignore_db on the replicas (" + repl_ignore + ").");
    return;
  }
  ctx.add("binlog_filters", Severity::kOk,
          "All log-bin enabled servers have the same binlog filtering rules.");
}

}  // namespace

void check_filters(Context& ctx) {
  if (!ctx.master) return;
  if (!ctx.config.app.check_repl_filter) {
    ctx.add("replication_filters", Severity::kOk, "check_repl_filter=0: filters not compared.");
    return;
  }
  std::string repl_do;
  std::string repl_ignore;
  check_replicate_filters(ctx, repl_do, repl_ignore);
  check_binlog_filters(ctx, repl_do, repl_ignore);
}

}  // namespace mha::checks::internal
