#include "mha/manager/evidence_collector.h"

#include "mha/common/log.h"
#include "mha/manager/replica_poller.h"
#include "mha/mysql/library.h"
#include "mha/observe/handshake_probe.h"
#include "mha/topology/replica_status.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace mha::manager {
namespace {

using Clock = std::chrono::steady_clock;

template <typename T>
bool ready(const std::future<T>& f) {
  return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

long long ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

constexpr std::chrono::milliseconds kUpkeepMaxPause{30000};

}  // namespace

EvidenceCollector::EvidenceCollector(EvidenceTargets targets, mysql::SqlConnector& sql,
                                     mysql::Credentials credentials, observe::ExecSource& ssh,
                                     hooks::ProcessRunner& runner, EvidenceTimeouts timeouts)
    : targets_(std::move(targets)),
      sql_(sql),
      credentials_(std::move(credentials)),
      ssh_(ssh),
      runner_(runner),
      timeouts_(timeouts) {
  if (timeouts_.upkeep_interval.count() <= 0) return;
  if (targets_.master_ssh) {
    upkeep_threads_.emplace_back([this] { keep_host_ready(*targets_.master_ssh); });
  }
  for (const EvidenceTargets::Replica& r : targets_.replicas) {
    if (r.ssh) upkeep_threads_.emplace_back([this, &r] { keep_host_ready(*r.ssh); });
  }
}

EvidenceCollector::~EvidenceCollector() {
  {
    std::lock_guard lock(upkeep_mu_);
    stopping_ = true;
  }
  upkeep_wake_.notify_all();
  for (std::thread& t : upkeep_threads_) t.join();
  for (auto& [id, task] : replica_tasks_) task.result.wait();
  if (ssh_task_) ssh_task_->result.wait();
  if (secondary_task_) secondary_task_->result.wait();
}

void EvidenceCollector::keep_host_ready(const observe::SshSettings& host) {
  ssh::RemoteExec& exec = ssh_.exec_for(host.auth, host.timeouts);
  int failures = 0;
  while (true) {
    const ssh::UpkeepResult r =
        exec.keep_ready(host.target, timeouts_.upkeep_idle, timeouts_.upkeep_proof);
    if (r.what == ssh::Upkeep::kNothingKept) return;  // nothing to keep with this RemoteExec
    if (r.what == ssh::Upkeep::kFailed) {
      if (failures == 0) {
        log::warning(
            "SSH to {} (kept ready for failure evidence) failed after {} ms: {}; retrying in the "
            "background",
            host.target.label(), r.elapsed.count(), r.error);
      }
      ++failures;
    } else {
      if (r.what == ssh::Upkeep::kConnected) {
        log::info("SSH to {} (kept ready for failure evidence) {}connected in {} ms",
                  host.target.label(), failures > 0 ? "re" : "", r.elapsed.count());
      }
      failures = 0;
    }
    // After failures: the interval doubled per failure, at most kUpkeepMaxPause.
    std::chrono::milliseconds pause = timeouts_.upkeep_interval;
    for (int i = 0; i < failures && pause < kUpkeepMaxPause; ++i) pause *= 2;
    pause = std::min(pause, std::max(kUpkeepMaxPause, timeouts_.upkeep_interval));
    std::unique_lock lock(upkeep_mu_);
    if (upkeep_wake_.wait_for(lock, pause, [this] { return stopping_; })) return;
  }
}

health::ReplicaEvidence EvidenceCollector::ask_replica(const EvidenceTargets::Replica& r) {
  health::ReplicaEvidence e;
  e.replica = r.id;
  // The probe runs on the replica's host while we read the replica's own status.
  const Clock::time_point start = Clock::now();
  std::future<std::pair<health::HandshakeProbe, long long>> probe;
  if (r.ssh) {
    probe = std::async(std::launch::async, [this, &r] {
      const Clock::time_point probe_start = Clock::now();
      ssh::RemoteExec& exec = ssh_.exec_for(r.ssh->auth, r.ssh->timeouts);
      health::HandshakeProbe result =
          observe::probe_handshake(exec, r.ssh->target, targets_.master_address,
                                   targets_.master_port, timeouts_.handshake, timeouts_.ssh_slack);
      return std::make_pair(result, ms_since(probe_start));
    });
  }
  long long status_ms = -1;
  {
    mysql::MysqlThreadToken token;
    Result<std::unique_ptr<mysql::SqlSession>> s = sql_.connect(r.sql, credentials_, timeouts_.sql);
    if (s) {
      // The version is not read here: the dialect's statements are tried in order.
      Result<std::vector<topology::ReplicaStatus>> parsed = read_replica_status(**s);
      if (parsed) {
        for (const topology::ReplicaStatus& st : *parsed) {
          if (!st.channel.empty()) continue;
          e.io_state = st.io_running;
          e.last_io_errno = st.last_io_errno;
        }
      }
    }
    status_ms = ms_since(start);
  }
  long long probe_ms = -1;
  if (probe.valid()) std::tie(e.probe, probe_ms) = probe.get();
  // Where the time between the first failed ping and the verdict goes (docs/benchmarks.md).
  log::info(
      "Evidence from {}: IO thread {} (errno {}) read in {} ms, handshake probe over SSH {} in {} "
      "ms",
      r.id, e.io_state ? topology::io_thread_state_name(*e.io_state) : "unknown", e.last_io_errno,
      status_ms, health::handshake_probe_name(e.probe), probe_ms);
  return e;
}

health::SshToMaster EvidenceCollector::check_master_ssh() {
  const observe::SshSettings& s = *targets_.master_ssh;
  const Clock::time_point start = Clock::now();
  ssh::RemoteExec& exec = ssh_.exec_for(s.auth, s.timeouts);
  Result<ssh::ExecResult> r = exec.run(s.target, "exit 0", "", timeouts_.ssh_check);
  if (r && r->exit_code == 0) {
    log::info("SSH check of the master host {}: reachable in {} ms", s.target.label(),
              ms_since(start));
    return health::SshToMaster::kReachable;
  }
  log::info("SSH check of the master host {}: unreachable after {} ms ({})", s.target.label(),
            ms_since(start),
            r ? "`exit 0` exited " + std::to_string(r->exit_code) : r.error().message);
  return health::SshToMaster::kUnreachable;
}

int EvidenceCollector::run_secondary() {
  hooks::ProcessSpec spec;
  spec.shell_command = targets_.secondary_command;
  spec.timeout = timeouts_.secondary;
  Result<hooks::ProcessResult> r = runner_.run(spec);
  if (!r) {
    log::warning("secondary_check_script could not be run: {}", r.error().message);
    return -1;
  }
  if (r->timed_out || r->term_signal != 0) {
    log::warning("secondary_check_script did not finish: {}", r->describe());
    return -1;
  }
  log::info("secondary_check_script exited {}", r->exit_code);
  return r->exit_code;
}

void EvidenceCollector::start(const health::Requests& requests, TimePoint now) {
  for (const std::string& id : requests.probe_replicas) {
    if (replica_tasks_.count(id) != 0) continue;
    for (const EvidenceTargets::Replica& r : targets_.replicas) {
      if (r.id != id) continue;
      replica_tasks_.emplace(
          id, Task<health::ReplicaEvidence>{
                  std::async(std::launch::async, [this, &r] { return ask_replica(r); }), now});
    }
  }
  if (requests.check_ssh && !ssh_task_ && targets_.master_ssh) {
    ssh_task_ = Task<health::SshToMaster>{
        std::async(std::launch::async, [this] { return check_master_ssh(); }), now};
  }
  if (requests.run_secondary_check && !secondary_task_ && !targets_.secondary_command.empty()) {
    secondary_task_ =
        Task<int>{std::async(std::launch::async, [this] { return run_secondary(); }), now};
  }
}

Delivered EvidenceCollector::take_finished() {
  Delivered d;
  for (auto it = replica_tasks_.begin(); it != replica_tasks_.end();) {
    if (ready(it->second.result)) {
      d.replicas.push_back(it->second.result.get());
      d.replica_started.push_back(it->second.started);
      it = replica_tasks_.erase(it);
    } else {
      ++it;
    }
  }
  if (ssh_task_ && ready(ssh_task_->result)) {
    d.ssh = std::make_pair(ssh_task_->result.get(), ssh_task_->started);
    ssh_task_.reset();
  }
  if (secondary_task_ && ready(secondary_task_->result)) {
    d.secondary = std::make_pair(secondary_task_->result.get(), secondary_task_->started);
    secondary_task_.reset();
  }
  return d;
}

bool EvidenceCollector::busy() const {
  return !replica_tasks_.empty() || ssh_task_.has_value() || secondary_task_.has_value();
}

}  // namespace mha::manager
