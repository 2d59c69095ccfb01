#include "mha/state/failover_state_store.h"

namespace mha::state {

Status FailoverStateStore::clear_failover_markers() {
  MHA_TRY(clear_marker(Marker::kFailoverComplete));
  return clear_marker(Marker::kFailoverError);
}

}  // namespace mha::state
