#pragma once

// The result of masterha_check_repl's logic: the topology it derived and one Check per finding.
// Plain data, produced by run_replication_checks() (replication_checks.h) and printed by
// render_text()/render_json() (render.h). Check names are stable identifiers (JSON consumers and
// docs/checks.md key on them); messages are one line and name the server they concern.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace mha::checks {

// kOk also carries informational findings ("read_only=1 on db2"). kWarning never makes the report
// fail; kError does. Mapping rule: what MHA 0.58 aborts on is an error, what it only logs is a
// warning (docs/checks.md justifies the checks MHA does not have).
enum class Severity { kOk, kWarning, kError };

const char* severity_name(Severity s);  // "ok", "warning", "error"

struct Check {
  std::string name;  // stable id, e.g. "replication_running"
  Severity severity = Severity::kOk;
  std::string message;  // one line; names the server ("db2(10.77.0.12:3306)") when there is one
  std::string server;   // display name of the server concerned, empty for cluster-wide checks
};

// Replication mode the failover would run in, derived from the replicas (see docs/checks.md).
enum class ReplicationMode { kUnknown, kFilePosition, kMariadbGtid, kMysqlGtid };

const char* replication_mode_name(ReplicationMode m);  // "unknown", "file_position", ...

struct TopologyServer {
  std::size_t index = 0;  // into ClusterSnapshot::servers
  std::string display;    // "hostname(ip:port)", as MHA prints servers
  std::string hostname;
  std::string ip;
  int port = 0;
  // Empty for a healthy server; otherwise "dead", "failed" (SQL thread stopped with an error),
  // "unmanaged" (multi-tier replica left alone by failover).
  std::string note;
  // For unmanaged servers: the index of the server they replicate from.
  std::optional<std::size_t> parent;
};

struct Topology {
  std::optional<TopologyServer> master;   // absent when no single master could be determined
  std::vector<TopologyServer> replicas;   // direct replicas of the master (incl. dead/failed ones)
  std::vector<TopologyServer> unmanaged;  // deeper replicas, only with multi_tier_slave=1
  ReplicationMode mode = ReplicationMode::kUnknown;
};

struct CheckReport {
  Topology topology;
  std::vector<Check> checks;  // in the order they ran

  // True when no check has Severity::kError.
  bool ok() const;
  // Checks with the given name (tests and callers picking one result out).
  std::vector<Check> named(const std::string& name) const;
  // Checks that are not kOk.
  std::vector<Check> problems() const;
};

}  // namespace mha::checks
