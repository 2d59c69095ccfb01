#pragma once

// SessionPool: the manager's SSH connections, one live SshSession per (user, host, port), reused
// across calls because a new connection costs ~0.4 s (handshake + auth).
//
// Thread safety: every public method may be called from any thread. Each cached session is used
// by one thread at a time: acquire() hands out an exclusive Lease and a second caller for the same
// host waits (up to its own deadline) until the lease is returned. Different hosts proceed in
// parallel. Connecting happens outside the pool lock.
//
// Liveness: before handing out a cached session the pool checks it locally (is_alive(): not
// broken by an earlier transport failure, TCP peer not gone) and reconnects when it is dead. A
// command is never retried: a failure during run() returns the error and, if the transport broke,
// the next acquire() reconnects. keep_ready() (RemoteExec) does the same ahead of time, from the
// caller's thread, without ever holding a host's session while it connects: a session that died
// while idle (sshd restarted, ClientAliveInterval, a network blip) is replaced before it is needed,
// and an idle one is proved with a no-op command so a silently dead peer is noticed too.
//
// Lifetime: the pool must outlive every Lease, and a Libssh2Library must outlive the pool.

#include "mha/common/result.h"
#include "mha/ssh/remote_exec.h"
#include "mha/ssh/ssh_session.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

namespace mha::ssh {

class SessionPool final : public RemoteExec {
 public:
  struct Entry;

  // Exclusive use of one host's session; returns it to the pool on destruction. Move-only.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    SshSession& session() { return *session_; }
    SshSession* operator->() { return session_; }
    // Whether acquire() connected this session (else it was cached).
    bool connected() const { return connected_; }

   private:
    friend class SessionPool;
    Lease(SessionPool* pool, Entry* entry, SshSession* session, bool connected = false)
        : pool_(pool), entry_(entry), session_(session), connected_(connected) {}
    SessionPool* pool_;
    Entry* entry_;
    SshSession* session_;
    bool connected_ = false;
  };

  // Logs a warning once when `auth` turns host key verification off.
  SessionPool(SshAuth auth, SshTimeouts timeouts);
  ~SessionPool() override;
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // Waits up to `wait` for the host's session to be free, then returns it, connecting first if
  // there is none or the cached one is dead. kTimeout if it stays busy; connect errors as
  // SshSession::connect.
  Result<Lease> acquire(const SshTarget& target, std::chrono::milliseconds wait);

  // RemoteExec. run()'s `timeout` bounds the wait for a busy session and the command together
  // (a connect, when needed, is bounded apart by SshTimeouts::connect and then the command gets
  // the whole `timeout`); upload/download wait up to SshTimeouts::io.
  Result<ExecResult> run(const SshTarget& target, std::string_view command,
                         std::string_view stdin_data, std::chrono::milliseconds timeout) override;
  Status upload(const SshTarget& target, const std::string& local_path,
                const std::string& remote_path, int mode) override;
  Status download(const SshTarget& target, const std::string& remote_path,
                  const std::string& local_path) override;
  UpkeepResult keep_ready(const SshTarget& target, std::chrono::milliseconds idle,
                          std::chrono::milliseconds proof_timeout) override;

  // Connection attempts made so far (successful or not), for tests and metrics.
  int connect_attempts() const;
  // Drops every idle session (busy ones are dropped when returned).
  void clear();

 private:
  using Key = std::tuple<std::string, std::string, int>;  // user, host, port
  void release(Entry* entry);
  Entry* entry_for(const SshTarget& target);  // requires mu_

  const SshAuth auth_;
  const SshTimeouts timeouts_;
  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::map<Key, std::unique_ptr<Entry>> entries_;  // guarded by mu_; Entry addresses are stable
  int connect_attempts_ = 0;                       // guarded by mu_
};

}  // namespace mha::ssh
