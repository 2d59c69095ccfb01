#include "mha/recovery/journal.h"

#include "mha/common/time_text.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <unistd.h>

namespace mha::recovery {

const char* step_outcome_name(StepOutcome o) {
  switch (o) {
    case StepOutcome::kRunning:
      return "running";
    case StepOutcome::kOk:
      return "ok";
    case StepOutcome::kWarning:
      return "warning";
    case StepOutcome::kChanged:
      return "changed";
    case StepOutcome::kSkipped:
      return "skipped";
    case StepOutcome::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string journal_line(const JournalRecord& r) {
  nlohmann::ordered_json j;
  j["step"] = r.step_index;
  j["name"] = r.step_name;
  j["kind"] = r.finished ? "finished" : "started";
  j["at"] = iso8601_utc_ms(r.at);  // compared across hosts and log files
  j["outcome"] = step_outcome_name(r.outcome);
  j["detail"] = r.detail;
  // Replace invalid UTF-8 (server error texts) rather than throwing.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status MemoryJournal::append(const JournalRecord& record) {
  records_.push_back(record);
  return ok_status();
}

Result<std::unique_ptr<FileJournal>> FileJournal::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    const int e = errno;
    Error err = make_error(ErrorCode::kIo,
                           "cannot open failover journal " + path + ": " + std::strerror(e));
    err.detail = e;
    return Unexpected(std::move(err));
  }
  return std::unique_ptr<FileJournal>(new FileJournal(fd, path));
}

FileJournal::~FileJournal() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileJournal::append(const JournalRecord& record) {
  const std::string line = journal_line(record) + "\n";
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      Error err = make_error(ErrorCode::kIo,
                             "cannot write failover journal " + path_ + ": " + std::strerror(e));
      err.detail = e;
      return Unexpected(std::move(err));
    }
    done += static_cast<size_t>(n);
  }
  // The journal is what an operator reads after a crash mid-failover: make each line durable.
  ::fdatasync(fd_);
  return ok_status();
}

std::string journal_path(const std::string& manager_workdir, const std::string& app) {
  std::string dir = manager_workdir;
  if (!dir.empty() && dir.back() == '/') dir.pop_back();
  return dir + "/" + app + ".failover.journal";
}

}  // namespace mha::recovery
