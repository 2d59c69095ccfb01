#pragma once

// The observations failure detection is built from, as plain values, and the pure rules that
// read one observation. The manager's monitoring loop collects them (its pings of the master,
// SHOW SLAVE STATUS on the replicas, MySQL-handshake probes run on the replica hosts over SSH, the
// SSH check of the master host, secondary_check_script) and feeds them to MasterHealth
// (master_health.h), which combines them. Nothing here does I/O or reads a clock: every time is a
// parameter. See docs/detection.md for the rules and the reasons behind them.
//
// Thread-compatible value types; the functions are pure and thread-safe.

#include "mha/topology/replica_status.h"

#include <chrono>
#include <optional>
#include <string>

namespace mha::health {

// Monotonic time only: detection compares intervals, and a wall-clock step (NTP) must not make
// evidence look fresh or stale.
using TimePoint = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

// ---------------------------------------------------------------------------------------------
// The manager's own ping of the master.

enum class PingFailureKind {
  // Nothing listens on the port: the connection was refused at once (mysqld gone, host up).
  // Connector/C reports this and "unreachable" with the same errno (2002), so the caller tells
  // them apart by elapsed time: classify_connect_failure().
  kRefused,
  // No answer at the address before the connect timeout (host down, link cut, route lost).
  kUnreachable,
  // TCP connected but the handshake or the open connection was lost or timed out (2013, 2006):
  // what a hung (SIGSTOPped) mysqld looks like, since its kernel still accepts TCP.
  kLost,
  // The ping statement did not finish within the caller's deadline (a hung query).
  kTimeout,
  // The server answered with an "alive" errno (MHA's list: 1040 too many connections, 1045
  // access denied, 1129 host blocked, ...). mysqld is running, so this is never counted as a
  // failure: it ends a failure streak instead (see MasterHealth::observe_ping).
  kAliveRefusal,
};

const char* ping_failure_kind_name(PingFailureKind k);  // "refused", "unreachable", "lost", ...

struct PingFailure {
  PingFailureKind kind = PingFailureKind::kUnreachable;
  unsigned mysql_errno = 0;  // mysql_errno(); 0 when the caller's own deadline fired
  Duration elapsed{};        // how long the attempt took, for the log and for classification

  friend bool operator==(const PingFailure&, const PingFailure&) = default;
};

struct PingOutcome {
  std::optional<PingFailure> failure;  // absent: the ping succeeded

  static PingOutcome ok() { return PingOutcome{}; }
  static PingOutcome failed(PingFailureKind kind, unsigned mysql_errno, Duration elapsed) {
    return PingOutcome{PingFailure{kind, mysql_errno, elapsed}};
  }
  bool succeeded() const { return !failure.has_value(); }
};

// Splits a connect-level failure (mysql::ErrnoClass::kUnreachable) into refused and unreachable.
// Connector/C 3.3 returns 2002 both when the port is closed (at once) and when the host does not
// answer (after the connect timeout); the OS errno appears only in the message text, which we
// never parse. So: errno 2002 or 2003 that failed in less than half the connect timeout is
// kRefused, everything else kUnreachable. A fast ICMP "host unreachable" misread as refused is
// harmless: the refused fast path also needs SSH to the master host to work.
PingFailureKind classify_connect_failure(unsigned mysql_errno, Duration elapsed,
                                         Duration connect_timeout);

// ---------------------------------------------------------------------------------------------
// What a replica says about the master.

enum class HandshakeProbe {
  kNotRun,  // no result: not requested, not finished, or not possible for this replica
  // The master sent its MySQL handshake greeting to the replica host within the probe timeout.
  // An authentication error after the greeting still counts as kOk: the server is alive.
  kOk,
  // No greeting within the timeout: refused, unreachable, or TCP accepted and then silence (a
  // hung mysqld). A TCP connect alone never counts as kOk.
  kFailed,
  kSshFailed,  // the probe could not be run on the replica host: no opinion from the probe
};

const char* handshake_probe_name(HandshakeProbe p);  // "not run", "ok", "failed", "ssh failed"

struct ReplicaEvidence {
  std::string replica;  // the id MasterHealth was created with (e.g. "db2")
  // Slave_IO_Running; absent when the replica's own SQL could not be read.
  std::optional<topology::IoThreadState> io_state;
  int last_io_errno = 0;  // Last_IO_Errno
  HandshakeProbe probe = HandshakeProbe::kNotRun;
};

enum class ReplicaVote {
  kNoEvidence,   // nothing fresh from this replica
  kNoOpinion,    // fresh, but it says nothing about the master (IO thread stopped, replica down)
  kMasterAlive,  // the replica still reaches the master: a veto against failover
  kMasterLost,   // the replica has lost the master too: a confirmation
};

const char* replica_vote_name(ReplicaVote v);  // "no evidence", "no opinion", "alive", "lost"

struct ReplicaJudgement {
  ReplicaVote vote = ReplicaVote::kNoEvidence;
  std::string why;  // e.g. "IO thread Connecting, errno 2003"; for logs and decision records
};

// Reads one replica's evidence. A probe result outranks the IO thread, because the IO thread
// keeps saying Yes for up to slave_net_timeout after the master hangs or the link is cut:
//   probe kOk                                   -> kMasterAlive
//   probe kFailed                               -> kMasterLost
//   else IO Yes                                 -> kMasterAlive
//   else IO Connecting, errno 0 or a lost errno -> kMasterLost  (MariaDB shows errno 0 after a
//                                                 net timeout)
//   else IO No with a lost errno                -> kMasterLost  (retries exhausted)
//   else                                        -> kNoOpinion   (stopped by hand, other errno,
//                                                 or the replica itself unreadable)
// Lost errnos: 2002, 2003, 2006, 2013, 2055 (the client errors of a master that is gone).
ReplicaJudgement judge_replica(const ReplicaEvidence& e);

// ---------------------------------------------------------------------------------------------
// The master host over SSH, and secondary_check_script.

enum class SshToMaster { kUnknown, kReachable, kUnreachable };

const char* ssh_to_master_name(SshToMaster s);  // "unknown", "reachable", "unreachable"

struct SecondaryCheckResult {
  // The script's exit status. The caller maps "killed by its timeout" or "could not start" to a
  // value outside 0/2/3 (e.g. -1), which means "do not fail over".
  int exit_code = 0;
};

// MHA's masterha_secondary_check contract.
enum class SecondaryMeaning {
  kMasterUnreachable,  // 0: unreachable from every secondary route: agrees the master is dead
  kNetworkProblem,     // 2: a monitoring server itself is unreachable: do not fail over
  kMasterReachable,    // 3: the master answers from another monitoring server: do not fail over
  kError,              // anything else: do not fail over
};

SecondaryMeaning interpret_secondary(int exit_code);
// "master unreachable from all secondary routes", "a monitoring server is unreachable (network
// problem)", "master reachable from another monitoring server", "script error".
const char* secondary_meaning_text(SecondaryMeaning m);

}  // namespace mha::health
