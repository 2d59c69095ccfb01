#include "mha/health/evidence.h"

#include <string>

namespace mha::health {
namespace {

// Client errors a replica's IO thread reports when its master is gone: can't connect (2002,
// 2003), server has gone away (2006), lost connection (2013, 2055).
bool is_lost_errno(int e) {
  switch (e) {
    case 2002:
    case 2003:
    case 2006:
    case 2013:
    case 2055:
      return true;
    default:
      return false;
  }
}

std::string io_text(topology::IoThreadState s, int last_io_errno) {
  std::string text = std::string("IO thread ") + topology::io_thread_state_name(s);
  if (last_io_errno != 0) text += ", errno " + std::to_string(last_io_errno);
  return text;
}

}  // namespace

const char* ping_failure_kind_name(PingFailureKind k) {
  switch (k) {
    case PingFailureKind::kRefused:
      return "refused";
    case PingFailureKind::kUnreachable:
      return "unreachable";
    case PingFailureKind::kLost:
      return "lost";
    case PingFailureKind::kTimeout:
      return "timeout";
    case PingFailureKind::kAliveRefusal:
      return "alive refusal";
  }
  return "unreachable";
}

PingFailureKind classify_connect_failure(unsigned mysql_errno, Duration elapsed,
                                         Duration connect_timeout) {
  const bool connect_errno = mysql_errno == 2002 || mysql_errno == 2003;
  if (connect_errno && elapsed < connect_timeout / 2) return PingFailureKind::kRefused;
  return PingFailureKind::kUnreachable;
}

const char* handshake_probe_name(HandshakeProbe p) {
  switch (p) {
    case HandshakeProbe::kNotRun:
      return "not run";
    case HandshakeProbe::kOk:
      return "ok";
    case HandshakeProbe::kFailed:
      return "failed";
    case HandshakeProbe::kSshFailed:
      return "ssh failed";
  }
  return "not run";
}

const char* replica_vote_name(ReplicaVote v) {
  switch (v) {
    case ReplicaVote::kNoEvidence:
      return "no evidence";
    case ReplicaVote::kNoOpinion:
      return "no opinion";
    case ReplicaVote::kMasterAlive:
      return "alive";
    case ReplicaVote::kMasterLost:
      return "lost";
  }
  return "no evidence";
}

ReplicaJudgement judge_replica(const ReplicaEvidence& e) {
  using topology::IoThreadState;
  if (e.probe == HandshakeProbe::kOk) {
    return {ReplicaVote::kMasterAlive, "handshake probe succeeded"};
  }
  if (e.probe == HandshakeProbe::kFailed) {
    std::string why = "handshake probe failed";
    if (e.io_state) why += " (" + io_text(*e.io_state, e.last_io_errno) + ")";
    return {ReplicaVote::kMasterLost, why};
  }
  const std::string probe_note = e.probe == HandshakeProbe::kSshFailed ? "; probe: ssh failed" : "";
  if (!e.io_state) {
    return {ReplicaVote::kNoOpinion, "replica unreadable" + probe_note};
  }
  const std::string io = io_text(*e.io_state, e.last_io_errno) + probe_note;
  switch (*e.io_state) {
    case IoThreadState::kYes:
      return {ReplicaVote::kMasterAlive, io};
    case IoThreadState::kConnecting:
      // MariaDB leaves errno 0 when the IO thread reconnects after slave_net_timeout.
      if (e.last_io_errno == 0 || is_lost_errno(e.last_io_errno)) {
        return {ReplicaVote::kMasterLost, io};
      }
      return {ReplicaVote::kNoOpinion, io};
    case IoThreadState::kNo:
      // Stopped by hand (errno 0) says nothing; stopped after its retries ran out does.
      if (is_lost_errno(e.last_io_errno)) return {ReplicaVote::kMasterLost, io};
      return {ReplicaVote::kNoOpinion, io};
  }
  return {ReplicaVote::kNoOpinion, io};
}

const char* ssh_to_master_name(SshToMaster s) {
  switch (s) {
    case SshToMaster::kUnknown:
      return "unknown";
    case SshToMaster::kReachable:
      return "reachable";
    case SshToMaster::kUnreachable:
      return "unreachable";
  }
  return "unknown";
}

SecondaryMeaning interpret_secondary(int exit_code) {
  switch (exit_code) {
    case 0:
      return SecondaryMeaning::kMasterUnreachable;
    case 2:
      return SecondaryMeaning::kNetworkProblem;
    case 3:
      return SecondaryMeaning::kMasterReachable;
    default:
      return SecondaryMeaning::kError;
  }
}

const char* secondary_meaning_text(SecondaryMeaning m) {
  switch (m) {
    case SecondaryMeaning::kMasterUnreachable:
      return "master unreachable from all secondary routes";
    case SecondaryMeaning::kNetworkProblem:
      return "a monitoring server is unreachable (network problem)";
    case SecondaryMeaning::kMasterReachable:
      return "master reachable from another monitoring server";
    case SecondaryMeaning::kError:
      return "script error";
  }
  return "script error";
}

}  // namespace mha::health
