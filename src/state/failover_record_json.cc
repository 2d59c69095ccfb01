#include "failover_record_json.h"

#include "mha/common/time_text.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <ctime>

namespace mha::state::internal {
using mha::iso8601_utc_ms;

std::string failover_record_to_json(const FailoverRecord& record) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(record.time.time_since_epoch());
  const nlohmann::json j = {
      {"time", iso8601_utc_ms(record.time)},
      {"unix_time_ms", static_cast<std::int64_t>(ms.count())},
      {"result", record.success ? "complete" : "error"},
      {"old_master", record.old_master},
      {"new_master", record.new_master},
      {"detail", record.detail},
  };
  return j.dump(2) + "\n";
}

Result<FailoverRecord> failover_record_from_json(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("unix_time_ms") || !j["unix_time_ms"].is_number_integer() ||
      !j.contains("result") || !j["result"].is_string()) {
    return Unexpected(make_error(ErrorCode::kIo, "not a failover record"));
  }
  const auto text_field = [&j](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  FailoverRecord record;
  record.time = WallTime(std::chrono::duration_cast<WallTime::duration>(
      std::chrono::milliseconds(j["unix_time_ms"].get<std::int64_t>())));
  record.success = j["result"].get<std::string>() == "complete";
  record.old_master = text_field("old_master");
  record.new_master = text_field("new_master");
  record.detail = text_field("detail");
  return record;
}

}  // namespace mha::state::internal
