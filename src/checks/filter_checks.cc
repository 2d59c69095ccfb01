// replication_filters, binlog_filters: MHA's validate_repl_filter (with check_repl_filter=1).
// Filters are compared as sets: MySQL prints them in configuration order, which is noise.

#include "mha/topology/filters.h"

#include "checks_internal.h"

namespace mha::checks::internal {
namespace {

void check_replicate_filters(Context& ctx, std::string& common_do, std::string& common_ignore) {
  std::vector<std::size_t> replicas = ctx.alive_replicas();
  if (replicas.empty()) return;
  const std::size_t ref = replicas.front();
  const topology::ReplicationFilters& ref_f = ctx.at(ref).replica->filters;
  common_do = topology::normalise_filter_list(ref_f.do_db);
  common_ignore = topology::normalise_filter_list(ref_f.ignore_db);
  bool same = true;
  for (std::size_t i : replicas) {
    std::string diff =
        topology::replicate_filter_differences(ctx.at(i).replica->filters, ref_f, ctx.name(ref));
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
  const topology::MasterStatus& ref_f = *ctx.at(ref).master_status;
  bool same = true;
  for (std::size_t i : servers) {
    std::string diff =
        topology::binlog_filter_differences(*ctx.at(i).master_status, ref_f, ctx.name(ref));
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
  const std::string binlog_do = topology::normalise_filter_list(ref_f.binlog_do_db);
  const std::string binlog_ignore = topology::normalise_filter_list(ref_f.binlog_ignore_db);
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
