#pragma once

// FailoverRecord <-> JSON text, the format of <app>.failover.last.json:
//   {"time": "2024-05-01T12:00:00.250Z", "unix_time_ms": 1714564800250, "result": "complete",
//    "old_master": "db1:3306", "new_master": "db2:3306", "detail": ""}
// unix_time_ms is authoritative when reading; "time" is for people. Private to mha_state.

#include "mha/common/result.h"
#include "mha/state/failover_state_store.h"

#include <string>
#include <string_view>

namespace mha::state::internal {

std::string failover_record_to_json(const FailoverRecord& record);

// ErrorCode::kIo when the text is not such an object.
Result<FailoverRecord> failover_record_from_json(std::string_view text);

}  // namespace mha::state::internal
