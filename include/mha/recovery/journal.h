#pragma once

// The failover journal: an append-only record of every plan step the executor starts and
// finishes, so an operator (and a later masterha run) can see exactly how far a failover got.
//
// Two records per step: kind "started" before anything is sent to a server, and kind "finished"
// with the outcome and a one-line detail. Details never contain a password (statements are passed
// through mysql::redact_sql() and script command lines are not recorded at all).
//
// FileJournal writes one JSON object per line to <manager_workdir>/<app>.failover.journal,
// flushing after each line:
//   {"step":3,"name":"catch_up_from_latest","kind":"finished","at":"2026-11-24T22:10:01.123Z",
//    "outcome":"ok","detail":"db2(10.77.0.12:3306) reached 0-1-120"}
// MemoryJournal keeps records in memory for tests. Both are safe to use from one thread at a time.

#include "mha/common/result.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace mha::recovery {

enum class StepOutcome {
  kRunning,  // "started" records only
  kOk,
  kWarning,  // done, with something the operator should know (script exit 10, ignore_fail)
  kChanged,  // ConfirmReceived: positions moved since the plan was made; the caller re-plans
  kSkipped,  // nothing to do (server dropped earlier by ignore_fail)
  kFailed,
};
const char* step_outcome_name(StepOutcome o);  // "running", "ok", "warning", ...

struct JournalRecord {
  std::size_t step_index = 0;
  std::string step_name;  // planner::step_name()
  bool finished = false;  // false: "started" record
  std::chrono::system_clock::time_point at{};
  StepOutcome outcome = StepOutcome::kRunning;
  std::string detail;
};

// One JSON line (no trailing newline) for a record.
std::string journal_line(const JournalRecord& record);

class Journal {
 public:
  virtual ~Journal() = default;
  virtual Status append(const JournalRecord& record) = 0;
};

class MemoryJournal final : public Journal {
 public:
  Status append(const JournalRecord& record) override;
  const std::vector<JournalRecord>& records() const { return records_; }

 private:
  std::vector<JournalRecord> records_;
};

class FileJournal final : public Journal {
 public:
  // Opens (creates, mode 0640) `path` for appending. ErrorCode::kIo when it cannot.
  static Result<std::unique_ptr<FileJournal>> open(const std::string& path);
  ~FileJournal() override;
  FileJournal(const FileJournal&) = delete;
  FileJournal& operator=(const FileJournal&) = delete;

  Status append(const JournalRecord& record) override;

 private:
  FileJournal(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

// <workdir>/<app>.failover.journal
std::string journal_path(const std::string& manager_workdir, const std::string& app);

}  // namespace mha::recovery
