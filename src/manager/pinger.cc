#include "mha/manager/pinger.h"

#include "mha/mysql/errors.h"

#include <utility>

namespace mha::manager {
namespace {

using health::PingFailureKind;
using health::PingOutcome;

constexpr const char* kSelectPing = "SELECT 1 AS Value";
constexpr const char* kInfraDb = "CREATE DATABASE IF NOT EXISTS infra";
constexpr const char* kInfraTable =
    "CREATE TABLE IF NOT EXISTS infra.chk_masterha (`key` tinyint NOT NULL PRIMARY KEY, `val` "
    "int unsigned NOT NULL DEFAULT 0)";
constexpr const char* kInsertPing =
    "INSERT INTO infra.chk_masterha VALUES (1, UNIX_TIMESTAMP()) ON DUPLICATE KEY UPDATE "
    "val = UNIX_TIMESTAMP()";

unsigned errno_of(const Error& e) { return static_cast<unsigned>(e.detail); }

}  // namespace

MasterPinger::MasterPinger(mysql::SqlConnector& connector, mysql::Endpoint master,
                           mysql::Credentials credentials, PingSettings settings, SteadyNow now)
    : connector_(connector),
      master_(std::move(master)),
      credentials_(std::move(credentials)),
      settings_(settings),
      now_(std::move(now)) {}

void MasterPinger::close() {
  session_.reset();
  if (lock_ == LockState::kHeld) lock_ = LockState::kNotTaken;
  infra_ready_ = false;
}

PingOutcome MasterPinger::fail_connect(const Error& e,
                                       std::chrono::steady_clock::duration elapsed) {
  last_error_ = e.message;
  const unsigned no = errno_of(e);
  switch (mysql::classify_errno(no)) {
    case mysql::ErrnoClass::kUnreachable:
      return PingOutcome::failed(
          health::classify_connect_failure(no, elapsed, settings_.connect_timeout), no, elapsed);
    case mysql::ErrnoClass::kAlive:
      return PingOutcome::failed(PingFailureKind::kAliveRefusal, no, elapsed);
    case mysql::ErrnoClass::kLost:
      return PingOutcome::failed(PingFailureKind::kLost, no, elapsed);
    case mysql::ErrnoClass::kTimeout:
    case mysql::ErrnoClass::kOther:
      // The server answered with an error of its own: it runs.
      return PingOutcome::failed(PingFailureKind::kAliveRefusal, no, elapsed);
  }
  return PingOutcome::failed(PingFailureKind::kLost, no, elapsed);
}

PingOutcome MasterPinger::fail_query(const Error& e, std::chrono::steady_clock::duration elapsed) {
  last_error_ = e.message;
  const unsigned no = errno_of(e);
  switch (mysql::classify_errno(no)) {
    case mysql::ErrnoClass::kUnreachable:
    case mysql::ErrnoClass::kLost:
      close();
      // A read that ran into the read timeout is a hung server, not a refused connection.
      return PingOutcome::failed(no == 0 ? PingFailureKind::kTimeout : PingFailureKind::kLost, no,
                                 elapsed);
    case mysql::ErrnoClass::kAlive:
    case mysql::ErrnoClass::kTimeout:
    case mysql::ErrnoClass::kOther:
      // e.g. INSERT refused because the disk is full reads as kOther: mysqld answered, so this is
      // not a crash; the operator sees the error in the log.
      return PingOutcome::failed(PingFailureKind::kAliveRefusal, no, elapsed);
  }
  close();
  return PingOutcome::failed(PingFailureKind::kLost, no, elapsed);
}

Status MasterPinger::ensure_connected() {
  if (session_) return ok_status();
  mysql::Timeouts t{settings_.connect_timeout, settings_.read_timeout, settings_.read_timeout};
  Result<std::unique_ptr<mysql::SqlSession>> s = connector_.connect(master_, credentials_, t);
  if (!s) return Unexpected(std::move(s).error());
  session_ = std::move(*s);
  if (settings_.take_lock) {
    Result<bool> got = take_lock();
    if (!got) {
      Error e = std::move(got).error();
      session_.reset();
      return Unexpected(std::move(e));
    }
    lock_ = *got ? LockState::kHeld : LockState::kHeldByOther;
  }
  return ok_status();
}

Status MasterPinger::run_ping_statement(mysql::SqlSession& session) {
  if (settings_.type == config::PingType::kInsert) {
    if (!infra_ready_) {
      MHA_TRY(session.execute(kInfraDb));
      MHA_TRY(session.execute(kInfraTable));
      infra_ready_ = true;
    }
    return session.execute(kInsertPing);
  }
  Result<mysql::ResultSet> r = session.query(kSelectPing);
  if (!r) return Unexpected(std::move(r).error());
  return ok_status();
}

Result<std::string> MasterPinger::single_value(const std::string& sql) {
  Result<mysql::ResultSet> r = session_->query(sql);
  if (!r) return Unexpected(std::move(r).error());
  const mysql::Cell* c = r->get(0, "v");
  return c && *c ? **c : std::string();
}

Result<bool> MasterPinger::take_lock() {
  const std::string name = std::string("'") + kMonitorLockName + "'";
  Result<std::string> got = single_value("SELECT GET_LOCK(" + name + ", 0) AS v");
  if (!got) return Unexpected(std::move(got).error());
  if (*got != "1" && !lock_connection_id_.empty()) {
    // Our previous connection may still hold the lock: after a network cut the server has not
    // noticed yet that it is gone. Only that one connection is killed, never another manager's.
    Result<std::string> holder = single_value("SELECT IS_USED_LOCK(" + name + ") AS v");
    if (!holder) return Unexpected(std::move(holder).error());
    if (*holder == lock_connection_id_) {
      (void)session_->execute("KILL " + lock_connection_id_);
      got = single_value("SELECT GET_LOCK(" + name + ", " +
                         std::to_string(settings_.connect_timeout.count()) + ") AS v");
      if (!got) return Unexpected(std::move(got).error());
    }
  }
  if (*got != "1") return false;
  Result<std::string> id = single_value("SELECT CONNECTION_ID() AS v");
  if (!id) return Unexpected(std::move(id).error());
  lock_connection_id_ = *id;
  return true;
}

PingOutcome MasterPinger::ping() {
  const auto start = now_();
  Status connected = ensure_connected();
  if (!connected) return fail_connect(connected.error(), now_() - start);
  if (settings_.type == config::PingType::kConnect) {
    // A fresh connection proves the server still accepts new clients; the persistent one only
    // holds the advisory lock.
    mysql::Timeouts t{settings_.connect_timeout, settings_.read_timeout, settings_.read_timeout};
    const auto fresh_start = now_();
    Result<std::unique_ptr<mysql::SqlSession>> fresh = connector_.connect(master_, credentials_, t);
    if (!fresh) return fail_connect(fresh.error(), now_() - fresh_start);
    Status st = run_ping_statement(**fresh);
    if (!st) return fail_query(st.error(), now_() - fresh_start);
  } else {
    Status st = run_ping_statement(*session_);
    if (!st) {
      PingOutcome failed = fail_query(st.error(), now_() - start);
      // A slow failure is a hung server or link: reconnecting would only add a connect timeout.
      // (In milliseconds: a whole-second timeout of 1 s halved in seconds would be 0.)
      const bool fast =
          failed.failure->elapsed <
          std::chrono::duration_cast<std::chrono::milliseconds>(settings_.read_timeout) / 2;
      if (session_ || !fast || failed.failure->kind == PingFailureKind::kTimeout) return failed;
      // The connection broke (a killed mysqld resets it). Reconnect once at once: a refused
      // connect then tells a crashed server from a lost link without waiting for the next ping.
      const auto retry_start = now_();
      Status again = ensure_connected();
      if (!again) return fail_connect(again.error(), now_() - retry_start);
      Status retried = run_ping_statement(*session_);
      if (!retried) return fail_query(retried.error(), now_() - retry_start);
    }
  }
  last_error_.clear();
  return PingOutcome::ok();
}

}  // namespace mha::manager
