#pragma once

// EventReader: reads the events of one binary log or relay log file, front to back, from a file or
// from bytes in memory (tests). Validates the magic, requires a Format_description event first,
// follows every later Format_description (a relay log holds the replica's own and then the
// master's) for the checksum algorithm and header length, and verifies CRC32 checksums when on.
//
// Memory is bounded: bodies are streamed through the checksum and only a small prefix of each is
// kept for decoding, so a 1 GiB row event costs 64 KiB of buffer.
//
// Errors (ErrorCode::kIo, always naming the file and the event's offset). `detail` says which:
//   errno (< 1000)          the operating system refused to open or read the file
//   kDetailTruncated        the data ends inside an event (valid_end() is where it started)
//   kDetailChecksum         CRC32 mismatch
//   kDetailMalformed        not a binlog, or an event whose sizes or fields are impossible
//   kDetailUnsupported      binlog version < 4, an unknown checksum algorithm, encrypted binlog
// After an error the reader stays failed: next() returns the same error again. Not thread-safe.

#include "mha/binlog/event.h"
#include "mha/common/result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace mha::binlog {

inline constexpr int kDetailTruncated = 1001;
inline constexpr int kDetailChecksum = 1002;
inline constexpr int kDetailMalformed = 1003;
inline constexpr int kDetailUnsupported = 1004;

// Where the bytes come from. Implementations: a file (read in chunks) or an in-memory buffer.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes; returns how many were read, 0 only at end of data.
  virtual Result<size_t> read(uint8_t* out, size_t n) = 0;
};

class EventReader {
 public:
  // Opens `path` and checks the magic. kIo with errno when the file cannot be opened.
  static Result<EventReader> open_file(const std::string& path);
  // Reads `bytes` as if they were a file called `name` (used in messages).
  static Result<EventReader> from_buffer(std::string name, std::string bytes);

  EventReader(EventReader&&) noexcept;
  EventReader& operator=(EventReader&&) noexcept;
  ~EventReader();

  // The next event, or nullopt at a clean end of data (exactly at an event boundary).
  Result<std::optional<Event>> next();

  const std::string& name() const { return name_; }
  // Offset just past the last complete, valid event (4 before the first one).
  uint64_t valid_end() const { return offset_; }
  // The Format_description now in force (nullopt before the first event was read).
  const std::optional<FormatDescription>& format() const { return format_; }

 private:
  EventReader(std::string name, std::unique_ptr<ByteSource> source);
  Status read_magic();
  Result<std::optional<Event>> read_event();
  Unexpected fail(int detail, const std::string& what, uint64_t at);

  std::string name_;
  std::unique_ptr<ByteSource> source_;
  uint64_t offset_ = 0;
  std::optional<FormatDescription> format_;
  std::optional<Error> failed_;
};

}  // namespace mha::binlog
