#include "mha/topology/semi_sync.h"

#include <algorithm>

namespace mha::topology {

bool wants_semi_sync_master(const ClusterSnapshot& snapshot, std::size_t new_master,
                            const std::vector<std::size_t>& followers,
                            std::optional<std::size_t> old_master) {
  if (old_master && snapshot.servers.at(*old_master).semi_sync.master_enabled == true) return true;
  return std::any_of(followers.begin(), followers.end(), [&](std::size_t i) {
    return i != new_master && snapshot.servers.at(i).semi_sync.slave_enabled == true;
  });
}

}  // namespace mha::topology
