#pragma once

// SnapshotBuilder: a healthy three-server cluster to break one fact at a time.
//
//   master db1 (10.77.0.11:3306), replicas db2 (10.77.0.12) and db3 (10.77.0.13), MariaDB
//   10.11.19 replicating with Using_Gtid=Slave_Pos at 0-1-100, read_only, log-bin, semi-sync
//   with two clients, slave_net_timeout=20 / heartbeat 10 s, SSH and node helper reachable,
//   both status scripts configured and exiting 0.
//
// Flavours: mariadb_gtid() (default), mariadb_file_position() (Using_Gtid=No), mysql8()
// (gtid_mode=ON, gtid_executed sets, super_read_only). Faults are fluent calls, anything else is
// reachable through server("db2"). build()/config()/options() hand out consistent values.

#include "mha/checks/replication_checks.h"
#include "mha/config/config.h"
#include "mha/topology/cluster_snapshot.h"

#include <stdexcept>
#include <string>
#include <string_view>

namespace mha::checks::testing {

inline constexpr const char* kUuid1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
inline constexpr const char* kUuid3 = "5b2c4f10-0a1d-11ef-8b6e-0242ac110003";

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

inline topology::ServerVersion version(std::string_view text) {
  auto v = topology::parse_server_version(text);
  if (!v) throw std::invalid_argument(v.error().message);
  return *v;
}

class SnapshotBuilder {
 public:
  enum class Flavour { kMariadbGtid, kMariadbFilePosition, kMysql8 };

  static SnapshotBuilder mariadb_gtid() { return SnapshotBuilder(Flavour::kMariadbGtid); }
  static SnapshotBuilder mariadb_file_position() {
    return SnapshotBuilder(Flavour::kMariadbFilePosition);
  }
  static SnapshotBuilder mysql8() { return SnapshotBuilder(Flavour::kMysql8); }

  explicit SnapshotBuilder(Flavour flavour = Flavour::kMariadbGtid) : flavour_(flavour) {
    config_.app_name = "app1";
    config_.conf_path = "/etc/mha/app1.cnf";
    config_.app.master_ip_failover_script = "/usr/local/bin/master_ip_failover";
    config_.app.shutdown_script = "/usr/local/bin/power_manager";
    options_.master_ip_failover_status = ScriptResult{0, ""};
    options_.shutdown_status = ScriptResult{0, ""};
    add_server("db1", "10.77.0.11", 1, "");
    add_server("db2", "10.77.0.12", 2, "db1");
    add_server("db3", "10.77.0.13", 3, "db1");
  }

  // A further server replicating from `upstream` ("" = not a replica), healthy like db2.
  SnapshotBuilder& add_server(const std::string& name, const std::string& ip, uint32_t server_id,
                              const std::string& upstream) {
    topology::ServerObservation s;
    s.id.config_index = snap_.servers.size();
    s.id.block = "server" + std::to_string(snap_.servers.size() + 1);
    s.id.hostname = name;
    s.id.ip = ip;
    s.id.port = 3306;
    const bool mysql = flavour_ == Flavour::kMysql8;
    s.version = version(mysql ? "8.0.36" : "10.11.19-MariaDB-0+deb12u1-log");
    s.server_id = server_id;
    s.read_only = !upstream.empty();
    if (mysql) s.super_read_only = !upstream.empty();
    s.log_bin = true;
    s.log_slave_updates = true;
    s.binlog_format = "ROW";
    s.relay_log_purge = false;
    topology::MasterStatus ms;
    ms.position = {"mysql-bin.000003", 1234};
    if (mysql) {
      s.mysql_gtid.gtid_mode = "ON";
      s.mysql_gtid.executed = mysql_set(std::string(kUuid1) + ":1-100");
      ms.executed_gtid_set = *s.mysql_gtid.executed;
    } else {
      s.mariadb_gtid.current_pos = mariadb_pos("0-1-100");
      s.mariadb_gtid.binlog_pos = mariadb_pos("0-1-100");
      s.mariadb_gtid.slave_pos = mariadb_pos(upstream.empty() ? "" : "0-1-100");
      s.mariadb_gtid.strict_mode = true;
    }
    s.master_status = ms;
    if (!upstream.empty()) {
      const topology::ServerObservation& up = server(upstream);
      topology::ReplicaStatus r;
      r.master_host = up.id.ip;
      r.master_port = up.id.port;
      r.master_user = "repl";
      r.master_server_id = *up.server_id;
      r.connect_retry = 10;
      r.io_running = topology::IoThreadState::kYes;
      r.sql_running = true;
      r.read_master = {"mysql-bin.000003", 1234};
      r.exec_master = {"mysql-bin.000003", 1234};
      r.relay_log = {"relay-bin.000002", 1500};
      r.seconds_behind_master = 0;
      if (flavour_ == Flavour::kMariadbGtid) {
        r.using_gtid = topology::UsingGtid::kSlavePos;
        r.gtid_io_pos = mariadb_pos("0-1-100");
      }
      if (mysql) {
        r.auto_position = true;
        r.retrieved_gtid_set = mysql_set(std::string(kUuid1) + ":1-100");
        r.executed_gtid_set = mysql_set(std::string(kUuid1) + ":1-100");
      }
      s.replica = r;
      s.slave_net_timeout = 20;
      s.heartbeat_period = 10;
      s.connect_retry = 10;
      s.semi_sync.slave_enabled = true;
    } else {
      s.semi_sync.master_enabled = true;
      s.semi_sync.master_status = true;
      s.semi_sync.master_clients = 2;
    }
    s.repl_user = topology::ReplUserGrant{"repl", true, true};
    s.ssh_reachable = true;
    s.node_helper = topology::NodeHelperProbe{true, "0.1.0"};
    snap_.servers.push_back(s);
    // The master's semi-sync client count follows the number of semi-sync replicas.
    if (!upstream.empty() && upstream == "db1" && snap_.servers.size() > 3) {
      auto& m = server("db1").semi_sync;
      m.master_clients = m.master_clients.value_or(0) + 1;
    }

    config::ServerConfig c;
    c.block = s.id.block;
    c.hostname = name;
    c.ip = ip;
    config_.servers.push_back(c);
    return *this;
  }

  topology::ServerObservation& server(std::string_view name) {
    for (auto& s : snap_.servers) {
      if (s.id.hostname == name) return s;
    }
    throw std::invalid_argument("no server " + std::string(name));
  }
  topology::ReplicaStatus& replica(std::string_view name) { return *server(name).replica; }
  config::AppConfig& app_config() { return config_; }
  CheckOptions& opts() { return options_; }

  // --- faults -----------------------------------------------------------------------------
  SnapshotBuilder& dead(std::string_view name) {
    auto& s = server(name);
    s.sql = topology::SqlReach::kDead;
    s.sql_error = make_error(ErrorCode::kConnect,
                             "connecting to " + s.id.display() + ": Can't connect to server", 2002);
    return *this;
  }
  SnapshotBuilder& refused(std::string_view name) {
    auto& s = server(name);
    s.sql = topology::SqlReach::kRefused;
    s.sql_error =
        make_error(ErrorCode::kAuth, "connecting to " + s.id.display() + ": Access denied", 1045);
    return *this;
  }
  SnapshotBuilder& sql_error(std::string_view name, int errno_value, const std::string& text) {
    auto& r = replica(name);
    r.sql_running = false;
    r.last_sql_errno = errno_value;
    r.last_sql_error = text;
    r.seconds_behind_master.reset();
    return *this;
  }
  SnapshotBuilder& writable(std::string_view name) {
    server(name).read_only = false;
    if (flavour_ == Flavour::kMysql8) server(name).super_read_only = false;
    return *this;
  }
  SnapshotBuilder& ignore_fail(std::string_view name) {
    server(name).id.ignore_fail = true;
    return *this;
  }
  SnapshotBuilder& no_master(std::string_view name) {
    server(name).id.no_master = true;
    return *this;
  }
  SnapshotBuilder& replicate_from(std::string_view name, const std::string& host, int port) {
    replica(name).master_host = host;
    replica(name).master_port = port;
    return *this;
  }

  topology::ClusterSnapshot build() const { return snap_; }
  const config::AppConfig& config() const { return config_; }
  const CheckOptions& options() const { return options_; }
  CheckReport run() const { return run_replication_checks(snap_, config_, options_); }

 private:
  Flavour flavour_;
  topology::ClusterSnapshot snap_;
  config::AppConfig config_;
  CheckOptions options_;
};

}  // namespace mha::checks::testing
