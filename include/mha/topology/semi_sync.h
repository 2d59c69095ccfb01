#pragma once

// When a promoted master must act as a semi-sync master. Pure. The failover's promotion
// (planner::PromoteNewMaster::enable_semi_sync_master) and the online switchover decide with the
// same rule, so both keep the cluster's semi-sync guarantee the same way.

#include "mha/topology/cluster_snapshot.h"

#include <cstddef>
#include <optional>
#include <vector>

namespace mha::topology {

// True when a server in `followers` other than `new_master` has the semi-sync replica side on
// (rpl_semi_sync_slave_enabled / _replica_enabled): it acknowledged the old master and expects to
// acknowledge the new one. With `old_master` (the switchover, where it is observed alive), also
// true when the old master had the semi-sync master side on.
bool wants_semi_sync_master(const ClusterSnapshot& snapshot, std::size_t new_master,
                            const std::vector<std::size_t>& followers,
                            std::optional<std::size_t> old_master = std::nullopt);

}  // namespace mha::topology
