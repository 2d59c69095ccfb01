#include "mha/ssh/session_pool.h"

#include "mha/common/log.h"

#include <cassert>

namespace mha::ssh {

struct SessionPool::Entry {
  bool in_use = false;
  bool drop_on_release = false;
  std::optional<SshSession> session;
};

SessionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      entry_(std::exchange(other.entry_, nullptr)),
      session_(std::exchange(other.session_, nullptr)) {}

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
    auto& slot = entries_[Key{target.user, target.host, target.port}];
    if (!slot) slot = std::make_unique<Entry>();
    entry = slot.get();
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
  auto session = SshSession::connect(target, auth_, timeouts_);
  if (!session) {
    release(entry);
    return Unexpected(std::move(session).error());
  }
  entry->session.emplace(std::move(*session));
  return Lease(this, entry, &*entry->session);
}

void SessionPool::release(Entry* entry) {
  {
    std::lock_guard lock(mu_);
    if (entry->drop_on_release || (entry->session && !entry->session->usable())) {
      entry->session.reset();
    }
    entry->in_use = false;
  }
  returned_.notify_all();
}

Result<ExecResult> SessionPool::run(const SshTarget& target, std::string_view command,
                                    std::string_view stdin_data,
                                    std::chrono::milliseconds timeout) {
  auto lease = acquire(target, timeout);
  if (!lease) return Unexpected(std::move(lease).error());
  return lease->session().run(command, stdin_data, timeout);
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
