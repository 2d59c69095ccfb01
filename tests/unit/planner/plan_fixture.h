#pragma once

// PlanFixture: a cluster whose master just died, to change one fact at a time before deciding.
//
//   dead master db1 (10.77.0.11:3306, server_id 1); replicas db2 (10.77.0.12, id 2) and db3
//   (10.77.0.13, id 3), MariaDB 10.11.19, Using_Gtid=Slave_Pos, everything received and applied
//   at 0-1-100 / mysql-bin.000003:1234, IO threads "Connecting" (lost the master), log-bin and
//   log_slave_updates on, semi-sync replicas. Policy: evidence confirms db1 dead, SSH to it
//   unreachable, both hooks configured, no markers. decide() runs at kNow.
//
// Flavours: mariadb_gtid() (default), mariadb_file_position() (Using_Gtid=No), mysql8() (gtid_mode
// ON, Auto_Position=1, source UUID kUuid1).

#include "mha/planner/decision.h"
#include "mha/planner/render.h"
#include "mha/topology/cluster_snapshot.h"

#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace mha::planner::testing {

inline constexpr const char* kUuid1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
inline constexpr const char* kUuid3 = "5b2c4f10-0a1d-11ef-8b6e-0242ac110003";

// 2024-05-01T12:00:00Z
inline const TimePoint kNow = TimePoint(std::chrono::seconds(1714564800));

inline topology::GtidPosition mariadb_pos(std::string_view text) {
  auto p = topology::GtidPosition::parse(text);
  if (!p) throw std::invalid_argument(p.error().message);
  return *p;
}

inline topology::GtidSet mysql_set(std::string_view text) {
  auto s = topology::GtidSet::parse(text);
  if (!s) throw std::invalid_argument(s.error().message);
  return *s;
}

// The outcome's alternative, or an exception (reported by gtest) naming what was decided instead.
// References, not pointers: -Wnull-dereference cannot see through ASSERT_NE(ptr, nullptr).
inline const FailoverPlan& plan_of(const Decision& d) {
  if (!std::holds_alternative<FailoverPlan>(d.outcome)) {
    throw std::runtime_error("expected a plan, got " + d.record.rule);
  }
  return std::get<FailoverPlan>(d.outcome);
}
inline const Refuse& refusal_of(const Decision& d) {
  if (!std::holds_alternative<Refuse>(d.outcome)) {
    throw std::runtime_error("expected a refusal, got " + d.record.rule);
  }
  return std::get<Refuse>(d.outcome);
}

// On a temporary Decision, a copy (so `const FailoverPlan& p = plan_of(f.decide());` is safe).
inline FailoverPlan plan_of(Decision&& d) { return plan_of(static_cast<const Decision&>(d)); }
inline Refuse refusal_of(Decision&& d) { return refusal_of(static_cast<const Decision&>(d)); }

inline std::string uuid1(std::string_view ranges) {
  return std::string(kUuid1) + ":" + std::string(ranges);
}

class PlanFixture {
 public:
  enum class Flavour { kMariadbGtid, kMariadbFilePosition, kMysql8 };

  static PlanFixture mariadb_gtid() { return PlanFixture(Flavour::kMariadbGtid); }
  static PlanFixture mariadb_file_position() { return PlanFixture(Flavour::kMariadbFilePosition); }
  static PlanFixture mysql8() { return PlanFixture(Flavour::kMysql8); }

  explicit PlanFixture(Flavour flavour = Flavour::kMariadbGtid) : flavour_(flavour) {
    snap_.taken_at = kNow - std::chrono::seconds(2);
    add_server("db1", "10.77.0.11", 1, "");
    add_server("db2", "10.77.0.12", 2, "db1");
    add_server("db3", "10.77.0.13", 3, "db1");
    server("db1").sql = topology::SqlReach::kDead;
    server("db1").sql_error = make_error(ErrorCode::kConnect, "Can't connect", 2003);
    policy_.evidence.dead_master_host = "db1";
    policy_.evidence.dead_master_port = 3306;
    policy_.evidence.master_dead = true;
    policy_.evidence.ssh_reachable = false;
    policy_.evidence.summary = "3 pings failed; 2/2 replicas lost the master";
    policy_.master_ip_failover_script = "/usr/local/bin/master_ip_failover";
    policy_.shutdown_script = "/usr/local/bin/power_manager";
    policy_.servers.resize(3);
  }

  // A further server; upstream "" = not a replica. Healthy and in sync like db2.
  PlanFixture& add_server(const std::string& name, const std::string& ip, uint32_t server_id,
                          const std::string& upstream) {
    topology::ServerObservation s;
    s.id.config_index = snap_.servers.size();
    s.id.block = "server" + std::to_string(snap_.servers.size() + 1);
    s.id.hostname = name;
    s.id.ip = ip;
    const bool mysql = flavour_ == Flavour::kMysql8;
    auto v = topology::parse_server_version(mysql ? "8.0.36" : "10.11.19-MariaDB-0+deb12u1-log");
    s.version = *v;
    s.server_id = server_id;
    s.read_only = !upstream.empty();
    s.log_bin = true;
    s.log_slave_updates = true;
    if (mysql) {
      s.mysql_gtid.gtid_mode = "ON";
      s.mysql_gtid.executed = mysql_set(uuid1("1-100"));
    } else {
      s.mariadb_gtid.current_pos = mariadb_pos("0-1-100");
      s.mariadb_gtid.binlog_pos = mariadb_pos("0-1-100");
      s.mariadb_gtid.slave_pos = mariadb_pos(upstream.empty() ? "" : "0-1-100");
    }
    if (!upstream.empty()) {
      const topology::ServerObservation& up = server(upstream);
      topology::ReplicaStatus r;
      r.master_host = up.id.ip;
      r.master_port = up.id.port;
      r.master_server_id = *up.server_id;
      r.io_running = topology::IoThreadState::kConnecting;
      r.sql_running = true;
      r.read_master = {"mysql-bin.000003", 1234};
      r.exec_master = {"mysql-bin.000003", 1234};
      if (flavour_ == Flavour::kMariadbGtid) {
        r.using_gtid = topology::UsingGtid::kSlavePos;
        r.gtid_io_pos = mariadb_pos("0-1-100");
      }
      if (mysql) {
        r.auto_position = true;
        r.retrieved_gtid_set = mysql_set(uuid1("1-100"));
        r.executed_gtid_set = mysql_set(uuid1("1-100"));
      }
      s.replica = r;
      s.semi_sync.slave_enabled = true;
    }
    snap_.servers.push_back(s);
    policy_.servers.resize(snap_.servers.size());
    return *this;
  }

  topology::ServerObservation& server(std::string_view name) {
    for (auto& s : snap_.servers) {
      if (s.id.hostname == name) return s;
    }
    throw std::invalid_argument("no server " + std::string(name));
  }
  topology::ReplicaStatus& replica(std::string_view name) { return *server(name).replica; }
  FailoverPolicy& policy() { return policy_; }
  const topology::ClusterSnapshot& snapshot() const { return snap_; }

  // --- facts ------------------------------------------------------------------------------
  PlanFixture& dead(std::string_view name) {
    server(name).sql = topology::SqlReach::kDead;
    server(name).sql_error = make_error(ErrorCode::kConnect, "Can't connect", 2003);
    return *this;
  }
  PlanFixture& candidate(std::string_view name) {
    server(name).id.candidate_master = true;
    return *this;
  }
  PlanFixture& no_master(std::string_view name) {
    server(name).id.no_master = true;
    return *this;
  }
  PlanFixture& ignore_fail(std::string_view name) {
    server(name).id.ignore_fail = true;
    return *this;
  }
  PlanFixture& relay_log_purge(std::string_view name, bool on) {
    server(name).relay_log_purge = on;
    return *this;
  }
  PlanFixture& sql_error(std::string_view name, int errno_value) {
    replica(name).sql_running = false;
    replica(name).last_sql_errno = errno_value;
    return *this;
  }
  // MariaDB GTID: what the IO thread received (Gtid_IO_Pos).
  PlanFixture& received_gtid(std::string_view name, std::string_view pos) {
    replica(name).gtid_io_pos = mariadb_pos(pos);
    return *this;
  }
  // MariaDB GTID: what the SQL thread applied (gtid_slave_pos = gtid_current_pos).
  PlanFixture& applied_gtid(std::string_view name, std::string_view pos) {
    server(name).mariadb_gtid.slave_pos = mariadb_pos(pos);
    server(name).mariadb_gtid.current_pos = mariadb_pos(pos);
    return *this;
  }
  // File/position: Master_Log_File:Read_Master_Log_Pos (and Exec when `applied_too`).
  PlanFixture& received_file(std::string_view name, const std::string& file, uint64_t pos,
                             bool applied_too = true) {
    replica(name).read_master = {file, pos};
    if (applied_too) replica(name).exec_master = {file, pos};
    return *this;
  }
  // MySQL: Retrieved_Gtid_Set and Executed_Gtid_Set (= @@gtid_executed).
  PlanFixture& mysql_gtids(std::string_view name, std::string_view retrieved,
                           std::string_view executed) {
    replica(name).retrieved_gtid_set = mysql_set(retrieved);
    replica(name).executed_gtid_set = mysql_set(executed);
    server(name).mysql_gtid.executed = mysql_set(executed);
    return *this;
  }

  Decision decide(TimePoint now = kNow) const { return decide_failover(snap_, policy_, now); }
  std::string text() const { return render_text(snap_, decide()); }

 private:
  Flavour flavour_;
  topology::ClusterSnapshot snap_;
  FailoverPolicy policy_;
};

}  // namespace mha::planner::testing
