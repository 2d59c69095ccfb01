#pragma once

// MasterPinger: the manager's own ping of the master, as MHA's ping_type defines it, turned into
// health::PingOutcome values for MasterHealth.
//
//   SELECT   `SELECT 1` on a persistent connection (MHA's default)
//   CONNECT  a new connection per ping, closed again (catches a full connection table)
//   INSERT   an upsert into infra.chk_masterha on the persistent connection (catches a master
//            that answers SELECTs but cannot write: full disk, stuck storage)
//
// One manager per master: after every (re)connect of the persistent connection the pinger takes
// MHA's advisory lock (GET_LOCK('MHA_Master_High_Availability_Monitor', 0)). MHA takes it only at
// start, so after a reconnect a second manager could slip in; we take it again every time and
// report a lock held by someone else as kHeldByOther, which the monitor treats as fatal. After a
// network cut the server may not have noticed our old session is gone and still count the lock
// as ours: the pinger then kills exactly that session (by the connection id it had) and takes the
// lock again.
//
// Timeouts: every connect and statement is bounded by PingSettings; a hung query fails with a
// lost-connection errno after `read_timeout` and counts as a failed ping (kLost), and the
// persistent connection is dropped so the next ping reconnects.
//
// Not thread-safe: the monitor thread owns it. Needs a live mysql::MysqlLibrary (or token).

#include "mha/config/config.h"
#include "mha/health/evidence.h"
#include "mha/mysql/endpoint.h"
#include "mha/mysql/sql_session.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace mha::manager {

inline constexpr const char* kMonitorLockName = "MHA_Master_High_Availability_Monitor";

struct PingSettings {
  config::PingType type = config::PingType::kSelect;
  std::chrono::seconds connect_timeout{2};
  std::chrono::seconds read_timeout{2};
  bool take_lock = true;
};

enum class LockState {
  kNotTaken,  // not connected yet, or take_lock off
  kHeld,
  kHeldByOther,  // GET_LOCK returned 0: another manager monitors this master
};

class MasterPinger {
 public:
  using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

  MasterPinger(mysql::SqlConnector& connector, mysql::Endpoint master,
               mysql::Credentials credentials, PingSettings settings,
               SteadyNow now = &std::chrono::steady_clock::now);

  // One ping. Never throws; the outcome's failure kind follows health::PingFailureKind.
  health::PingOutcome ping();

  // The advisory lock after the last connect. kHeldByOther means: stop monitoring.
  LockState lock_state() const { return lock_; }

  // Drops the persistent connection (and with it the advisory lock).
  void close();

  // The persistent connection has been closed or written to by the master since the last ping
  // (SqlSession::peer_signalled): a killed mysqld closes it at once, so the monitor pings now
  // instead of at the next interval. Only ever brings a ping forward; the verdict still comes
  // from pings and evidence. False without a persistent connection (ping_type=CONNECT).
  bool connection_signalled() const { return session_ && session_->peer_signalled(); }

  // The last error text (no secrets), for the log; empty after a success.
  const std::string& last_error() const { return last_error_; }

 private:
  health::PingOutcome fail_connect(const Error& e, std::chrono::steady_clock::duration elapsed);
  health::PingOutcome fail_query(const Error& e, std::chrono::steady_clock::duration elapsed);
  Status ensure_connected();
  Status run_ping_statement(mysql::SqlSession& session);
  // GET_LOCK on the persistent session; true when held. Frees the lock from our own previous,
  // half-dead session (same connection id as when we last held it) first.
  Result<bool> take_lock();
  Result<std::string> single_value(const std::string& sql);

  mysql::SqlConnector& connector_;
  mysql::Endpoint master_;
  mysql::Credentials credentials_;
  PingSettings settings_;
  SteadyNow now_;
  std::unique_ptr<mysql::SqlSession> session_;
  LockState lock_ = LockState::kNotTaken;
  bool infra_ready_ = false;
  std::string lock_connection_id_;  // the server's id of the session that last held the lock
  std::string last_error_;
};

}  // namespace mha::manager
