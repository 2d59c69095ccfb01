#include "mha/state/status_file.h"

#include <charconv>
#include <vector>

namespace mha::state {
namespace {

constexpr std::string_view kMasterPrefix = "master:";

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const std::size_t tab = line.find('\t');
    fields.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) return fields;
    line.remove_prefix(tab + 1);
  }
}

Unexpected bad_line(std::string message) {
  return Unexpected(make_error(ErrorCode::kIo, "malformed status line: " + std::move(message)));
}

}  // namespace

std::string format_status_line(const StatusRecord& record) {
  std::string line = std::to_string(record.pid) + "\t" + status_label(record.status);
  if (!record.master.empty()) line += "\t" + std::string(kMasterPrefix) + record.master;
  return line;
}

Result<StatusRecord> parse_status_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.find('\n') != std::string_view::npos) return bad_line("more than one line");
  const std::vector<std::string_view> fields = split_tabs(line);
  if (fields.size() < 2 || fields.size() > 3) {
    return bad_line("expected PID<TAB>CODE:NAME[<TAB>master:HOST]");
  }
  StatusRecord record;
  const std::string_view pid = fields[0];
  const auto [end, ec] = std::from_chars(pid.data(), pid.data() + pid.size(), record.pid);
  if (ec != std::errc() || end != pid.data() + pid.size() || record.pid <= 1) {
    return bad_line("bad PID '" + std::string(pid) + "'");
  }
  const auto status = parse_status_label(fields[1]);
  if (!status) return bad_line("unknown status '" + std::string(fields[1]) + "'");
  record.status = *status;
  if (fields.size() == 3) {
    std::string_view master = fields[2];
    if (master.starts_with(kMasterPrefix)) master.remove_prefix(kMasterPrefix.size());
    record.master = std::string(master);
  }
  return record;
}

std::string StatePaths::status_file() const {
  return workdir + "/" + app + ".master_status.health";
}
std::string StatePaths::failover_complete() const {
  return workdir + "/" + app + ".failover.complete";
}
std::string StatePaths::failover_error() const { return workdir + "/" + app + ".failover.error"; }
std::string StatePaths::last_failover() const {
  return workdir + "/" + app + ".failover.last.json";
}

}  // namespace mha::state
