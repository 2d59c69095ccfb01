#include "mha/manager/evidence_collector.h"

#include "mha/common/log.h"
#include "mha/manager/replica_poller.h"
#include "mha/mysql/library.h"
#include "mha/observe/handshake_probe.h"

#include <utility>

namespace mha::manager {
namespace {

template <typename T>
bool ready(const std::future<T>& f) {
  return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

}  // namespace

EvidenceCollector::EvidenceCollector(EvidenceTargets targets, mysql::SqlConnector& sql,
                                     mysql::Credentials credentials, observe::ExecSource& ssh,
                                     hooks::ProcessRunner& runner, EvidenceTimeouts timeouts)
    : targets_(std::move(targets)),
      sql_(sql),
      credentials_(std::move(credentials)),
      ssh_(ssh),
      runner_(runner),
      timeouts_(timeouts) {}

EvidenceCollector::~EvidenceCollector() {
  for (auto& [id, task] : replica_tasks_) task.result.wait();
  if (ssh_task_) ssh_task_->result.wait();
  if (secondary_task_) secondary_task_->result.wait();
}

health::ReplicaEvidence EvidenceCollector::ask_replica(const EvidenceTargets::Replica& r) {
  health::ReplicaEvidence e;
  e.replica = r.id;
  // The probe runs on the replica's host while we read the replica's own status.
  std::future<health::HandshakeProbe> probe;
  if (r.ssh) {
    probe = std::async(std::launch::async, [this, &r] {
      ssh::RemoteExec& exec = ssh_.exec_for(r.ssh->auth, r.ssh->timeouts);
      return observe::probe_handshake(exec, r.ssh->target, targets_.master_address,
                                      targets_.master_port, timeouts_.handshake,
                                      timeouts_.ssh_slack);
    });
  }
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
  }
  if (probe.valid()) e.probe = probe.get();
  return e;
}

health::SshToMaster EvidenceCollector::check_master_ssh() {
  const observe::SshSettings& s = *targets_.master_ssh;
  ssh::RemoteExec& exec = ssh_.exec_for(s.auth, s.timeouts);
  Result<ssh::ExecResult> r =
      exec.run(s.target, "exit 0", "", timeouts_.handshake + timeouts_.ssh_slack);
  if (r && r->exit_code == 0) return health::SshToMaster::kReachable;
  if (!r) log::info("SSH check of the master host {}: {}", s.target.label(), r.error().message);
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
