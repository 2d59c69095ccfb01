#include "mha/planner/steps.h"

#include <type_traits>

namespace mha::planner {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::string seconds(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }

std::string names(const std::vector<ServerRef>& servers) {
  std::string out;
  for (const ServerRef& s : servers) out += (out.empty() ? "" : ", ") + s.name;
  return out.empty() ? "(none)" : out;
}

std::string repoint_clause(RepointMethod m) {
  switch (m) {
    case RepointMethod::kMariadbSlavePos:
      return "MASTER_USE_GTID=slave_pos";
    case RepointMethod::kMysqlAutoPosition:
      return "MASTER_AUTO_POSITION=1";
    case RepointMethod::kFilePosition:
      return "the new master's recorded file:position";
  }
  return "";
}

}  // namespace

const char* fence_command_name(FenceCommand c) {
  return c == FenceCommand::kStopSsh ? "stopssh" : "stop";
}

const char* repoint_method_name(RepointMethod m) {
  switch (m) {
    case RepointMethod::kMariadbSlavePos:
      return "mariadb_slave_pos";
    case RepointMethod::kMysqlAutoPosition:
      return "mysql_auto_position";
    case RepointMethod::kFilePosition:
      return "file_position";
  }
  return "unknown";
}

const char* step_name(const PlanStep& step) {
  return std::visit(
      Overloaded{
          [](const StopReplicaIo&) { return "stop_replica_io"; },
          [](const FenceOldMaster&) { return "fence_old_master"; },
          [](const ConfirmReceived&) { return "confirm_received"; },
          [](const WaitRelayApplied&) { return "wait_relay_applied"; },
          [](const CatchUpFromLatest&) { return "catch_up_from_latest"; },
          [](const ApplyRelayDiff&) { return "apply_relay_diff"; },
          [](const ApplySavedBinlog&) { return "apply_saved_binlog"; },
          [](const RecordNewMasterPosition&) { return "record_new_master_position"; },
          [](const RepointReplica&) { return "repoint_replica"; },
          [](const PromoteNewMaster&) { return "promote_new_master"; },
          [](const RunFailoverScript&) { return "run_failover_script"; },
          [](const RunReportScript&) { return "run_report_script"; },
          [](const ResetNewMasterReplication&) { return "reset_new_master_replication"; },
      },
      step);
}

bool step_implemented(const PlanStep&) { return true; }

std::string describe_step(const PlanStep& step) {
  return std::visit(
      Overloaded{
          [](const StopReplicaIo& s) {
            std::string t = "Stop the IO thread on " + names(s.replicas);
            if (!s.may_fail.empty()) t += " (may fail: " + names(s.may_fail) + ")";
            return t + "; timeout " + seconds(s.timeout) + ".";
          },
          [](const FenceOldMaster& s) {
            const std::string cmd = fence_command_name(s.command);
            std::string t = "Fence " + s.master.name + ": ";
            t += s.ip_failover_script.empty() ? "no master_ip_failover_script"
                                              : s.ip_failover_script + " --command=" + cmd;
            t += "; ";
            t += s.shutdown_script.empty() ? "no shutdown_script"
                                           : s.shutdown_script + " --command=" + cmd;
            if (s.try_read_only) {
              t += "; if it answers SQL within " + seconds(s.sql_connect_timeout) +
                   ": read_only=1 and kill client sessions";
            }
            return t + "; script timeout " + seconds(s.script_timeout) + ".";
          },
          [](const ConfirmReceived& s) {
            std::string t = "Confirm what the replicas received:";
            for (const ConfirmReceived::Expected& e : s.expected) {
              t += " " + e.replica.name + " at " + e.received.to_string() + ";";
            }
            return t + " re-plan if it changed.";
          },
          [](const WaitRelayApplied& s) {
            std::string t = "Wait until " + s.replica.name + " has applied its relay log";
            if (s.stop_at) {
              t += " up to " + s.stop_at->to_string() +
                   " (it ends inside a transaction), then stop its SQL thread";
            }
            t += "; timeout " + seconds(s.timeout);
            if (s.may_fail) t += " (on failure it is left as it is and reported)";
            return t + ".";
          },
          [](const CatchUpFromLatest& s) {
            return "Catch up " + s.new_master.name + " from " + s.source.name +
                   " by GTID replication until it has " + s.target.to_string() +
                   " (the source's binlog GTID state at that time); timeout " + seconds(s.timeout) +
                   ".";
          },
          [](const ApplyRelayDiff& s) {
            if (s.check_only) {
              return "Check that the relay logs of " + s.source.name + " still hold " +
                     s.from.to_string() + " .. " + s.to.to_string() + " for " + s.target.name +
                     " (nothing changed; fails if they were purged).";
            }
            return "Apply relay-log events " + s.from.to_string() + " .. " + s.to.to_string() +
                   " from " + s.source.name + " on " + s.target.name + " (mysqlbinlog | mysql); " +
                   "timeout " + seconds(s.timeout) + ".";
          },
          [](const ApplySavedBinlog& s) {
            const std::string from = s.mode == ReplicationMode::kFilePosition
                                         ? s.from.to_string()
                                         : "the last GTID " + s.target.name + " has of its domain";
            return "Save the binlog events of " + s.dead_master.name + " after " + from +
                   " over SSH and apply them on " + s.target.name +
                   " (best effort: on failure the failover goes on); timeout " +
                   seconds(s.timeout) + ".";
          },
          [](const RecordNewMasterPosition& s) {
            return "Record SHOW MASTER STATUS of " + s.new_master.name +
                   ": the coordinates the replicas start from.";
          },
          [](const RepointReplica& s) {
            std::string t = "Re-point " + s.replica.name + " to " + s.new_master.name + " with " +
                            repoint_clause(s.method) +
                            " and wait until it has the new master's position; timeout " +
                            seconds(s.timeout);
            if (s.may_fail) t += " (on failure it is left as it is and reported)";
            return t + ".";
          },
          [](const PromoteNewMaster& s) {
            std::string t = "Promote " + s.new_master.name + ": STOP SLAVE";
            t += s.reset_slave_all ? ", RESET SLAVE ALL"
                 : s.reset_later
                     ? ", keep its replication settings (and relay logs) until the followers' "
                       "relay-log diffs are done"
                     : ", keep its replication settings";
            if (s.enable_semi_sync_master) t += ", enable semi-sync master";
            t += s.disable_read_only ? ", read_only=0" : ", keep read_only=1";
            return t + ".";
          },
          [](const RunFailoverScript& s) {
            return "Run " + s.script + " --command=start for new master " + s.new_master.name +
                   " (orig master " + s.orig_master.name + "); timeout " + seconds(s.timeout) + ".";
          },
          [](const RunReportScript& s) {
            return "Run " + s.script + " to report " + s.orig_master.name + " -> " +
                   s.new_master.name + " (new slaves: " + names(s.new_slaves) + "); timeout " +
                   seconds(s.timeout) + ".";
          },
          [](const ResetNewMasterReplication& s) {
            return "STOP SLAVE; RESET SLAVE ALL on " + s.new_master.name +
                   " now that no relay-log diff reads its relay logs (on failure: a warning).";
          },
      },
      step);
}

}  // namespace mha::planner
