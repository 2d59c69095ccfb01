#include "mha/ssh/session_pool.h"

#include "mha/common/log.h"

#include <algorithm>
#include <cassert>

namespace mha::ssh {

struct SessionPool::Entry {
  bool in_use = false;
  bool drop_on_release = false;
  bool upkeep_connecting = false;  // keep_ready() is connecting a replacement (no lease held)
  std::optional<SshSession> session;
  std::chrono::steady_clock::time_point last_used{};  // connected, or returned by a lease
};

const char* upkeep_name(Upkeep what) {
  switch (what) {
    case Upkeep::kNothingKept:
      return "nothing kept";
    case Upkeep::kInUse:
      return "in use";
    case Upkeep::kAlive:
      return "alive";
    case Upkeep::kProved:
      return "proved";
    case Upkeep::kConnected:
      return "connected";
    case Upkeep::kFailed:
      return "failed";
  }
  return "?";
}

SessionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      entry_(std::exchange(other.entry_, nullptr)),
      session_(std::exchange(other.session_, nullptr)),
      connected_(other.connected_) {}

SessionPool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->release(entry_);
}

SessionPool::SessionPool(SshAuth auth, SshTimeouts timeouts)
    : auth_(std::move(auth)), timeouts_(timeouts) {
  if (auth_.host_key_policy == HostKeyPolicy::kOff) {
    log::warning(
        "SSH host key verification is off (StrictHostKeyChecking=no): connections to database "
        "hosts are open to man-in-the-middle attacks");
  }
}

SessionPool::~SessionPool() {
  std::lock_guard lock(mu_);
  for ([[maybe_unused]] const auto& [key, entry] : entries_) {
    assert(!entry->in_use && "a SessionPool::Lease outlived its pool");
  }
}

Result<SessionPool::Lease> SessionPool::acquire(const SshTarget& target,
                                                std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  Entry* entry = nullptr;
  {
    std::unique_lock lock(mu_);
    entry = entry_for(target);
    if (!returned_.wait_until(lock, deadline, [entry] { return !entry->in_use; })) {
      return Unexpected(make_error(ErrorCode::kTimeout, "SSH session to " + target.label() +
                                                            " stayed busy for " +
                                                            std::to_string(wait.count()) + " ms"));
    }
    entry->in_use = true;
    entry->drop_on_release = false;
    if (entry->session && entry->session->is_alive()) {
      return Lease(this, entry, &*entry->session);
    }
    ++connect_attempts_;
  }
  // Connect without the pool lock (it takes ~0.4 s); in_use keeps other users of this host out.
  entry->session.reset();
  const auto connect_start = std::chrono::steady_clock::now();
  auto session = SshSession::connect(target, auth_, timeouts_);
  log::debug("SSH: connecting to {} for a command took {} ms{}", target.label(),
             std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - connect_start)
                 .count(),
             session ? "" : " (failed)");
  if (!session) {
    release(entry);
    return Unexpected(std::move(session).error());
  }
  entry->session.emplace(std::move(*session));
  return Lease(this, entry, &*entry->session, true);
}

SessionPool::Entry* SessionPool::entry_for(const SshTarget& target) {
  auto& slot = entries_[Key{target.user, target.host, target.port}];
  if (!slot) slot = std::make_unique<Entry>();
  return slot.get();
}

UpkeepResult SessionPool::keep_ready(const SshTarget& target, std::chrono::milliseconds idle,
                                     std::chrono::milliseconds proof_timeout) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto result = [&start](Upkeep what, std::string error = {}) {
    return UpkeepResult{what,
                        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start),
                        std::move(error)};
  };
  Entry* entry = nullptr;
  std::optional<SshSession> dead;  // destroyed outside the lock (its goodbye may take ~1 s)
  {
    std::unique_lock lock(mu_);
    entry = entry_for(target);
    if (entry->in_use || entry->upkeep_connecting) return result(Upkeep::kInUse);
    if (entry->session && entry->session->is_alive()) {
      if (Clock::now() - entry->last_used < idle) return result(Upkeep::kAlive);
      // Idle for a while: a peer that vanished without a FIN (host reset, a middlebox dropped the
      // flow) still looks alive locally. One no-op round trip, holding the lease like any user.
      entry->in_use = true;
      lock.unlock();
      Result<ExecResult> r = entry->session->run("exit 0", "", proof_timeout);
      const bool proved = r && r->exit_code == 0;
      lock.lock();
      if (proved && !entry->drop_on_release) {
        entry->last_used = Clock::now();
        entry->in_use = false;
        lock.unlock();
        returned_.notify_all();
        return result(Upkeep::kProved);
      }
      dead = std::move(entry->session);
      entry->session.reset();
      entry->in_use = false;
      returned_.notify_all();
    } else if (entry->session) {
      dead = std::move(entry->session);
      entry->session.reset();
    }
    entry->upkeep_connecting = true;
    ++connect_attempts_;
  }
  dead.reset();
  // The connect holds no lease: a run() for this host meanwhile connects on its own, exactly as
  // it would without upkeep, and is never made to wait for this one.
  auto session = SshSession::connect(target, auth_, timeouts_);
  std::optional<SshSession> spare;
  {
    std::lock_guard lock(mu_);
    entry->upkeep_connecting = false;
    if (!session) return result(Upkeep::kFailed, session.error().message);
    if (entry->in_use || (entry->session && entry->session->is_alive())) {
      spare.emplace(std::move(*session));  // someone connected meanwhile: theirs stays
    } else {
      entry->session.emplace(std::move(*session));
      entry->last_used = Clock::now();
    }
  }
  if (spare) return result(Upkeep::kInUse);
  return result(Upkeep::kConnected);
}

void SessionPool::release(Entry* entry) {
  // Destroyed after the lock is released: its goodbye may wait for the peer, and other hosts'
  // users of this pool (the replicas' probes while the master's check times out) must not wait
  // for it.
  std::optional<SshSession> dropped;
  {
    std::lock_guard lock(mu_);
    if (entry->drop_on_release || (entry->session && !entry->session->usable())) {
      dropped = std::move(entry->session);
      entry->session.reset();
    }
    entry->last_used = std::chrono::steady_clock::now();
    entry->in_use = false;
  }
  returned_.notify_all();
}

Result<ExecResult> SessionPool::run(const SshTarget& target, std::string_view command,
                                    std::string_view stdin_data,
                                    std::chrono::milliseconds timeout) {
  // `timeout` bounds the wait for the host's cached session and the command together: a caller
  // that bounds a check by one ping must not wait a whole bound for another user (the upkeep's
  // proof of a host that has just vanished) and then a second one for its own command. A connect,
  // when there is no session, is bounded apart by SshTimeouts::connect; the command then gets
  // the whole `timeout`.
  const auto start = std::chrono::steady_clock::now();
  auto lease = acquire(target, timeout);
  if (!lease) return Unexpected(std::move(lease).error());
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  const std::chrono::milliseconds left =
      lease->connected() ? timeout : std::max(timeout - waited, std::chrono::milliseconds(1));
  return lease->session().run(command, stdin_data, left);
}

Status SessionPool::upload(const SshTarget& target, const std::string& local_path,
                           const std::string& remote_path, int mode) {
  auto lease = acquire(target, timeouts_.io);
  if (!lease) return Unexpected(std::move(lease).error());
  return lease->session().upload(local_path, remote_path, mode);
}

Status SessionPool::download(const SshTarget& target, const std::string& remote_path,
                             const std::string& local_path) {
  auto lease = acquire(target, timeouts_.io);
  if (!lease) return Unexpected(std::move(lease).error());
  return lease->session().download(remote_path, local_path);
}

int SessionPool::connect_attempts() const {
  std::lock_guard lock(mu_);
  return connect_attempts_;
}

void SessionPool::clear() {
  std::lock_guard lock(mu_);
  for (auto& [key, entry] : entries_) {
    if (entry->in_use) {
      entry->drop_on_release = true;
    } else {
      entry->session.reset();
    }
  }
}

}  // namespace mha::ssh
