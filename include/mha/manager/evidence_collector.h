#pragma once

// EvidenceCollector: gathers what MasterHealth::requests() asks for, in background threads, so the
// monitor keeps pinging while replicas, the master's host and the secondary check are asked:
//
//   replica   SHOW SLAVE STATUS on the replica (IO thread state, Last_IO_Errno; statements from
//             read_replica_status in replica_poller.h) and, at the same time, the MySQL-handshake
//             probe of the master run on the replica's host over SSH (observe/handshake_probe.h)
//   ssh       a no-op command on the master's host over SSH: reachable / unreachable
//   secondary secondary_check_script with MHA's arguments; its exit status (timeout or failure to
//             start -> -1, which health reads as "do not fail over")
//
// Each finished item is delivered once by take_finished(), stamped with the steady time its task
// STARTED (MasterHealth's freshness rule). A kind already running is not started again.
//
// Every task is bounded: SQL by its timeouts, SSH by the probe timeout plus slack, the script by
// its process timeout. The destructor waits for running tasks (each bounded).
//
// Connection upkeep: at a failure the evidence must be one SSH channel round trip per host, not a
// handshake (~0.4-0.7 s each on a busy host). For as long as the collector lives, one background
// thread per host it would ask over SSH (the master's host and each direct replica's host) calls
// RemoteExec::keep_ready() every `upkeep_interval`: a dead connection is replaced, an idle one is
// proved every `upkeep_idle` with a no-op command bounded by `upkeep_proof`. These threads never
// run on the ping path and never hold a host's connection while connecting, so an evidence task
// never waits for a reconnect it would not have made itself. After a failed connect a host is
// retried with a doubling pause (up to 30 s). A reconnect, and the first failure of a series, are
// logged. upkeep_interval 0 turns upkeep off.
//
// Thread safety: start()/take_finished()/busy() from the monitor thread only. The SqlConnector,
// ExecSource and ProcessRunner are used from the worker (and upkeep) threads and must allow that
// (the live ones do).

#include "mha/health/evidence.h"
#include "mha/health/master_health.h"
#include "mha/hooks/process.h"
#include "mha/mysql/endpoint.h"
#include "mha/mysql/sql_session.h"
#include "mha/observe/ssh_probe.h"

#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mha::manager {

using health::TimePoint;

struct EvidenceTargets {
  struct Replica {
    std::string id;  // what MasterHealth knows the replica as (its display name)
    mysql::Endpoint sql;
    std::optional<observe::SshSettings> ssh;  // absent: no handshake probe from this host
  };
  std::vector<Replica> replicas;
  std::string master_address;  // what replicas connect to (the master's ip)
  int master_port = 3306;
  std::optional<observe::SshSettings> master_ssh;  // absent: SSH check not possible
  // The full secondary_check_script command line with MHA's arguments; empty: not configured.
  std::string secondary_command;
};

struct EvidenceTimeouts {
  mysql::Timeouts sql{std::chrono::seconds(2), std::chrono::seconds(2), std::chrono::seconds(2)};
  std::chrono::milliseconds handshake{2000};
  // Added to the probes' SSH command bound: the remote shell's start-up and the channel's round
  // trips (a connect, when needed, is bounded apart by SshTimeouts::connect).
  std::chrono::milliseconds ssh_slack{3000};
  // Bounds the SSH check's `exit 0` on the master host. A connect, when no kept connection is
  // there, is bounded apart (SshTimeouts::connect), so this only has to cover one channel round
  // trip, which a living host answers in milliseconds: a cut-off host is known to be unreachable
  // after this long, not after a whole probe's bound (docs/detection.md).
  std::chrono::milliseconds ssh_check{2000};
  std::chrono::milliseconds secondary{30000};
  std::chrono::milliseconds upkeep_interval{1000};  // 0: no connection upkeep
  std::chrono::milliseconds upkeep_idle{10000};
  std::chrono::milliseconds upkeep_proof{2000};
};

struct Delivered {
  std::vector<health::ReplicaEvidence> replicas;
  std::vector<TimePoint> replica_started;  // parallel to `replicas`
  std::optional<std::pair<health::SshToMaster, TimePoint>> ssh;
  std::optional<std::pair<int, TimePoint>> secondary;
  bool empty() const { return replicas.empty() && !ssh && !secondary; }
};

class EvidenceCollector {
 public:
  EvidenceCollector(EvidenceTargets targets, mysql::SqlConnector& sql,
                    mysql::Credentials credentials, observe::ExecSource& ssh,
                    hooks::ProcessRunner& runner, EvidenceTimeouts timeouts);
  ~EvidenceCollector();
  EvidenceCollector(const EvidenceCollector&) = delete;
  EvidenceCollector& operator=(const EvidenceCollector&) = delete;

  // Starts the requested tasks that are not already running. `now` stamps them.
  void start(const health::Requests& requests, TimePoint now);

  // Everything that finished since the last call.
  Delivered take_finished();

  bool busy() const;

 private:
  template <typename T>
  struct Task {
    std::future<T> result;
    TimePoint started;
  };

  health::ReplicaEvidence ask_replica(const EvidenceTargets::Replica& r);
  health::SshToMaster check_master_ssh();
  int run_secondary();
  void keep_host_ready(const observe::SshSettings& host);

  EvidenceTargets targets_;
  mysql::SqlConnector& sql_;
  mysql::Credentials credentials_;
  observe::ExecSource& ssh_;
  hooks::ProcessRunner& runner_;
  EvidenceTimeouts timeouts_;

  std::map<std::string, Task<health::ReplicaEvidence>> replica_tasks_;
  std::optional<Task<health::SshToMaster>> ssh_task_;
  std::optional<Task<int>> secondary_task_;

  // Connection upkeep (see the top of this file); stopping_ wakes the threads at destruction.
  std::mutex upkeep_mu_;
  std::condition_variable upkeep_wake_;
  bool stopping_ = false;  // guarded by upkeep_mu_
  std::vector<std::thread> upkeep_threads_;
};

}  // namespace mha::manager
