// SessionPools: one ssh::SessionPool per distinct authentication and timeouts.

#include "mha/observe/ssh_probe.h"
#include "mha/ssh/session_pool.h"

#include <string>

namespace mha::observe {
namespace {

std::string pool_key(const ssh::SshAuth& auth, const ssh::SshTimeouts& timeouts) {
  // '\n' cannot occur in paths taken from a one-line ssh_options value.
  std::string key = std::to_string(static_cast<int>(auth.host_key_policy)) + "\n" +
                    std::to_string(timeouts.connect.count()) + "\n" +
                    std::to_string(timeouts.io.count()) + "\n" + auth.known_hosts_file;
  for (const auto& file : auth.identity_files) key += "\n" + file;
  return key;
}

}  // namespace

SessionPools::SessionPools() = default;
SessionPools::~SessionPools() = default;

ssh::RemoteExec& SessionPools::exec_for(const ssh::SshAuth& auth,
                                        const ssh::SshTimeouts& timeouts) {
  std::lock_guard lock(mu_);
  auto& slot = pools_[pool_key(auth, timeouts)];
  if (!slot) slot = std::make_unique<ssh::SessionPool>(auth, timeouts);
  return *slot;
}

}  // namespace mha::observe
