#include "mha/binlog/event_reader.h"

#include "mha/binlog/crc32.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace mha::binlog {
namespace {

// Largest event accepted: MariaDB caps events at max_allowed_packet (at most 1 GiB) plus headers.
// A larger size field is corruption, refused before reading on.
constexpr uint64_t kMaxEventSize = (1ULL << 30) + (1ULL << 16);
// Body bytes kept for decoding. Enough for any Query post-header, status variables (<= 64 KiB) and
// database name; bodies of the other decoded types are far smaller.
constexpr size_t kRetainLimit = 128 * 1024;
constexpr size_t kChunk = 64 * 1024;
// Format_description body: binlog_version 2, server_version 50, create_timestamp 4,
// header_length 1, then one post-header length per event type, then checksum alg 1 + checksum 4.
constexpr size_t kFdeFixed = 2 + 50 + 4 + 1;
constexpr size_t kFdeAlgAndChecksum = 1 + kChecksumSize;

uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t le64(const uint8_t* p) {
  return static_cast<uint64_t>(le32(p)) | (static_cast<uint64_t>(le32(p + 4)) << 32);
}

std::string hex32(uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) out += digits[(v >> shift) & 0xFU];
  return out;
}

// Owns a file descriptor and reads it in chunks (binlog events are mostly small).
class FileSource final : public ByteSource {
 public:
  explicit FileSource(int fd) : fd_(fd), buffer_(kChunk) {}
  ~FileSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<size_t> read(uint8_t* out, size_t n) override {
    size_t done = 0;
    while (done < n) {
      if (pos_ == len_) {
        ssize_t got = ::read(fd_, buffer_.data(), buffer_.size());
        if (got < 0) {
          if (errno == EINTR) continue;
          return Unexpected(make_error(ErrorCode::kIo, std::strerror(errno), errno));
        }
        if (got == 0) break;
        pos_ = 0;
        len_ = static_cast<size_t>(got);
      }
      size_t take = std::min(n - done, len_ - pos_);
      std::memcpy(out + done, buffer_.data() + pos_, take);
      pos_ += take;
      done += take;
    }
    return done;
  }

 private:
  int fd_;
  std::vector<uint8_t> buffer_;
  size_t pos_ = 0;
  size_t len_ = 0;
};

class BufferSource final : public ByteSource {
 public:
  explicit BufferSource(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<size_t> read(uint8_t* out, size_t n) override {
    size_t take = std::min(n, bytes_.size() - pos_);
    if (take > 0) std::memcpy(out, bytes_.data() + pos_, take);
    pos_ += take;
    return take;
  }

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

// Reads exactly n bytes unless the data ends first; returns how many were read.
Result<size_t> read_fully(ByteSource& source, uint8_t* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    Result<size_t> got = source.read(out + done, n - done);
    if (!got) return got;
    if (*got == 0) break;
    done += *got;
  }
  return done;
}

// "10.11.19-MariaDB-0+deb12u1-log" -> {10, 11, 19}; nullopt unless it starts "X.Y.Z".
std::optional<std::tuple<int, int, int>> leading_version(const std::string& version) {
  int parts[3] = {0, 0, 0};
  size_t i = 0;
  for (int n = 0; n < 3; ++n) {
    if (n > 0) {
      if (i >= version.size() || version[i] != '.') return std::nullopt;
      ++i;
    }
    if (i >= version.size() || version[i] < '0' || version[i] > '9') return std::nullopt;
    while (i < version.size() && version[i] >= '0' && version[i] <= '9') {
      parts[n] = std::min(parts[n] * 10 + (version[i] - '0'), 100000);
      ++i;
    }
  }
  return std::make_tuple(parts[0], parts[1], parts[2]);
}

// Servers from MySQL 5.6.1 and MariaDB 5.3 on write the checksum-algorithm byte (and a checksum
// slot) at the end of the Format_description event; older ones do not.
bool fde_has_checksum_alg(const std::string& version, std::tuple<int, int, int> v) {
  bool mariadb = version.find("MariaDB") != std::string::npos;
  if (mariadb && v >= std::make_tuple(5, 3, 0)) return true;
  return v >= std::make_tuple(5, 6, 1);
}

// Text from the file for an error message: non-printable bytes become '?'.
std::string printable(std::string text) {
  for (char& c : text) {
    if (c < 0x20 || c > 0x7E) c = '?';
  }
  return text;
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != prefix[i]) return false;
  }
  return true;
}

QueryKind classify_statement(std::string_view sql) {
  if (sql.size() == 5 && iequals_prefix(sql, "BEGIN")) return QueryKind::kBegin;
  if (sql.size() == 6 && iequals_prefix(sql, "COMMIT")) return QueryKind::kCommit;
  if (sql.size() == 8 && iequals_prefix(sql, "ROLLBACK")) return QueryKind::kRollback;
  if (iequals_prefix(sql, "XA COMMIT") || iequals_prefix(sql, "XA ROLLBACK")) {
    return QueryKind::kXaCommitOrRollback;
  }
  return QueryKind::kOther;
}

// A file name carried inside an event (rotate, checkpoint). A later reader opens it next to the
// current file, so a directory part or NUL would be a way out of the log directory: refused.
bool plain_file_name(std::string_view name) {
  return !name.empty() && name.size() <= 512 && name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos && name != "." && name != "..";
}

}  // namespace

std::string event_type_name(uint8_t type) {
  switch (type) {
    case 1:
      return "Start_v3";
    case event_type::kQuery:
      return "Query";
    case event_type::kStop:
      return "Stop";
    case event_type::kRotate:
      return "Rotate";
    case 5:
      return "Intvar";
    case 13:
      return "Rand";
    case 14:
      return "User_var";
    case event_type::kFormatDescription:
      return "Format_desc";
    case event_type::kXid:
      return "Xid";
    case event_type::kTableMap:
      return "Table_map";
    case 23:
      return "Write_rows_v1";
    case 24:
      return "Update_rows_v1";
    case 25:
      return "Delete_rows_v1";
    case 27:
      return "Heartbeat";
    case 30:
      return "Write_rows";
    case 31:
      return "Update_rows";
    case 32:
      return "Delete_rows";
    case 33:
      return "Gtid_mysql";
    case 34:
      return "Anonymous_gtid";
    case 35:
      return "Previous_gtids";
    case event_type::kXaPrepare:
      return "XA_prepare";
    case event_type::kAnnotateRows:
      return "Annotate_rows";
    case event_type::kBinlogCheckpoint:
      return "Binlog_checkpoint";
    case event_type::kGtid:
      return "Gtid";
    case event_type::kGtidList:
      return "Gtid_list";
    case event_type::kStartEncryption:
      return "Start_encryption";
    case event_type::kQueryCompressed:
      return "Query_compressed";
    default:
      return "Unknown(" + std::to_string(type) + ")";
  }
}

EventReader::EventReader(std::string name, std::unique_ptr<ByteSource> source)
    : name_(std::move(name)), source_(std::move(source)) {}
EventReader::EventReader(EventReader&&) noexcept = default;
EventReader& EventReader::operator=(EventReader&&) noexcept = default;
EventReader::~EventReader() = default;

Result<EventReader> EventReader::open_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return Unexpected(
        make_error(ErrorCode::kIo, path + ": cannot open: " + std::strerror(err), err));
  }
  EventReader reader(path, std::make_unique<FileSource>(fd));
  MHA_TRY(reader.read_magic());
  return reader;
}

Result<EventReader> EventReader::from_buffer(std::string name, std::string bytes) {
  EventReader reader(std::move(name), std::make_unique<BufferSource>(std::move(bytes)));
  MHA_TRY(reader.read_magic());
  return reader;
}

Unexpected EventReader::fail(int detail, const std::string& what, uint64_t at) {
  failed_ =
      make_error(ErrorCode::kIo, name_ + ": " + what + " at offset " + std::to_string(at), detail);
  return Unexpected(*failed_);
}

Status EventReader::read_magic() {
  std::array<uint8_t, kMagicSize> magic{};
  Result<size_t> got = read_fully(*source_, magic.data(), magic.size());
  if (!got) return fail(got.error().detail, "read failed: " + got.error().message, 0);
  if (*got < kMagicSize) return fail(kDetailTruncated, "file shorter than the binlog magic", 0);
  if (std::memcmp(magic.data(), kBinlogMagic, kMagicSize) != 0) {
    return fail(kDetailMalformed, "not a binary log (no \\xfebin magic)", 0);
  }
  offset_ = kMagicSize;
  return ok_status();
}

Result<std::optional<Event>> EventReader::next() {
  if (failed_) return Unexpected(*failed_);
  return read_event();
}

Result<std::optional<Event>> EventReader::read_event() {
  const uint64_t at = offset_;
  std::array<uint8_t, kCommonHeaderSize> head{};
  Result<size_t> got = read_fully(*source_, head.data(), head.size());
  if (!got) return fail(got.error().detail, "read failed: " + got.error().message, at);
  if (*got == 0) return std::optional<Event>();
  if (*got < head.size()) {
    return fail(kDetailTruncated,
                "truncated event header (" + std::to_string(*got) + " of 19 bytes)", at);
  }

  Event ev;
  ev.offset = at;
  ev.header.timestamp = le32(head.data());
  ev.header.type = head[4];
  ev.header.server_id = le32(head.data() + 5);
  ev.header.event_size = le32(head.data() + 9);
  ev.header.end_log_pos = le32(head.data() + 13);
  ev.header.flags = le16(head.data() + 17);
  const uint8_t type = ev.header.type;
  const std::string type_name = event_type_name(type) + " event";
  const bool is_fde = type == event_type::kFormatDescription;

  if (!format_ && !is_fde) {
    return fail(kDetailMalformed, "first event is " + type_name + ", not Format_description", at);
  }
  if (type == event_type::kStartEncryption) {
    return fail(kDetailUnsupported, "encrypted binary log (Start_encryption event)", at);
  }

  // The FDE's own header is always the 19-byte common header; other events use the header
  // length and checksum algorithm of the FDE in force.
  const size_t header_len = is_fde ? kCommonHeaderSize : format_->header_length;
  const size_t checksum_len =
      !is_fde && format_->checksum == ChecksumAlg::kCrc32 ? kChecksumSize : 0;
  const uint64_t size = ev.header.event_size;
  if (size < header_len + checksum_len || size > kMaxEventSize) {
    return fail(kDetailMalformed, type_name + " with impossible size " + std::to_string(size), at);
  }

  // Extra header bytes (header_length > 19) belong to the header; the body starts after them.
  const uint64_t body_len = size - kCommonHeaderSize;
  const uint64_t data_len = body_len - checksum_len;  // FDE: decided after reading
  const bool decode_needs_all = type != event_type::kQuery &&
                                type != event_type::kQueryCompressed &&
                                (is_fde || type == event_type::kRotate ||
                                 type == event_type::kGtid || type == event_type::kGtidList ||
                                 type == event_type::kBinlogCheckpoint || type == event_type::kXid);
  if (decode_needs_all && body_len > kRetainLimit) {
    return fail(kDetailMalformed, type_name + " with implausible size " + std::to_string(size), at);
  }

  uint32_t crc = crc32_update(0, head.data(), head.size());
  std::string kept;
  kept.reserve(static_cast<size_t>(std::min<uint64_t>(body_len, kRetainLimit)));
  std::array<uint8_t, 8192> chunk{};
  const uint64_t stream_len = is_fde ? body_len : data_len;
  uint64_t left = stream_len;
  while (left > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
    Result<size_t> n = read_fully(*source_, chunk.data(), want);
    if (!n) return fail(n.error().detail, "read failed: " + n.error().message, at);
    if (*n < want) {
      return fail(kDetailTruncated,
                  "truncated " + type_name + " (" +
                      std::to_string(kCommonHeaderSize + stream_len - left + *n) + " of " +
                      std::to_string(size) + " bytes)",
                  at);
    }
    if (!is_fde) crc = crc32_update(crc, chunk.data(), *n);
    if (kept.size() < kRetainLimit) {
      size_t keep = std::min(*n, kRetainLimit - kept.size());
      kept.append(reinterpret_cast<const char*>(chunk.data()), keep);
    }
    left -= *n;
  }
  const auto* body = reinterpret_cast<const uint8_t*>(kept.data());

  if (is_fde) {
    FormatDescription fde;
    if (body_len < kFdeFixed) {
      return fail(kDetailMalformed, "Format_description event too short", at);
    }
    fde.binlog_version = le16(body);
    const char* version = kept.data() + 2;
    fde.server_version.assign(version, strnlen(version, 50));
    fde.create_timestamp = le32(body + 52);
    fde.header_length = body[56];
    if (fde.binlog_version != 4) {
      return fail(kDetailUnsupported,
                  "binlog version " + std::to_string(fde.binlog_version) + " (only 4 is read)", at);
    }
    if (fde.header_length < kCommonHeaderSize) {
      return fail(kDetailMalformed,
                  "Format_description header length " + std::to_string(fde.header_length), at);
    }
    // Whether a checksum follows depends on the version text, so a damaged one must not be
    // taken at its word: binlog v4 exists from 5.0 on.
    std::optional<std::tuple<int, int, int>> v = leading_version(fde.server_version);
    if (!v || *v < std::make_tuple(5, 0, 0)) {
      return fail(
          kDetailMalformed,
          "Format_description server version '" + printable(fde.server_version) + "' is not X.Y.Z",
          at);
    }
    size_t tail = body_len - kFdeFixed;
    if (fde_has_checksum_alg(fde.server_version, *v)) {
      if (tail < kFdeAlgAndChecksum) {
        return fail(kDetailMalformed, "Format_description event without checksum algorithm", at);
      }
      uint8_t alg = body[body_len - kFdeAlgAndChecksum];
      if (alg > static_cast<uint8_t>(ChecksumAlg::kCrc32)) {
        return fail(kDetailUnsupported, "checksum algorithm " + std::to_string(alg), at);
      }
      fde.checksum = static_cast<ChecksumAlg>(alg);
      tail -= kFdeAlgAndChecksum;
      if (fde.checksum == ChecksumAlg::kCrc32) {
        // The server computes the FDE checksum with the "binlog in use" flag clear, since it
        // clears that flag in place when it closes the file.
        std::array<uint8_t, kCommonHeaderSize> h = head;
        h[17] = static_cast<uint8_t>(h[17] & ~kFlagBinlogInUse);
        uint32_t c = crc32_update(0, h.data(), h.size());
        c = crc32_update(c, body, body_len - kChecksumSize);
        uint32_t stored = le32(body + body_len - kChecksumSize);
        if (c != stored) {
          return fail(kDetailChecksum,
                      "CRC32 mismatch in Format_description event (stored " + hex32(stored) +
                          ", computed " + hex32(c) + ")",
                      at);
        }
      }
    }
    fde.post_header_lengths.assign(body + kFdeFixed, body + kFdeFixed + tail);
    format_ = fde;
    ev.body = std::move(fde);
    offset_ = at + size;
    return std::optional<Event>(std::move(ev));
  }

  if (checksum_len > 0) {
    std::array<uint8_t, kChecksumSize> stored_bytes{};
    Result<size_t> n = read_fully(*source_, stored_bytes.data(), stored_bytes.size());
    if (!n) return fail(n.error().detail, "read failed: " + n.error().message, at);
    if (*n < stored_bytes.size()) {
      return fail(kDetailTruncated,
                  "truncated " + type_name + " (" + std::to_string(size - kChecksumSize + *n) +
                      " of " + std::to_string(size) + " bytes)",
                  at);
    }
    uint32_t stored = le32(stored_bytes.data());
    if (stored != crc) {
      return fail(kDetailChecksum,
                  "CRC32 mismatch in " + type_name + " (stored " + hex32(stored) + ", computed " +
                      hex32(crc) + ")",
                  at);
    }
  }

  // Decode. `body` points at the retained bytes after the 19-byte header; skip extra header bytes.
  const size_t extra = header_len - kCommonHeaderSize;
  if (data_len < extra) {
    return fail(kDetailMalformed, type_name + " shorter than its header", at);
  }
  const uint8_t* p = body + extra;
  const uint64_t len = data_len - extra;  // body bytes available to decode (whole for these types)
  const size_t avail = kept.size() >= extra ? kept.size() - extra : 0;
  auto post_header = [&](uint8_t t, size_t fallback) -> size_t {
    const std::vector<uint8_t>& lens = format_->post_header_lengths;
    return t >= 1 && t <= lens.size() ? lens[t - 1] : fallback;
  };
  auto malformed = [&](const std::string& why) {
    return fail(kDetailMalformed, type_name + ": " + why, at);
  };

  switch (type) {
    case event_type::kRotate: {
      size_t ph = post_header(type, 8);
      if (ph < 8 || len < ph) return malformed("shorter than its post-header");
      Rotate r;
      r.position = le64(p);
      r.next_file.assign(reinterpret_cast<const char*>(p + ph), len - ph);
      r.artificial = (ev.header.flags & kFlagArtificial) != 0;
      if (!plain_file_name(r.next_file)) return malformed("bad file name");
      ev.body = std::move(r);
      break;
    }
    case event_type::kGtid: {
      if (len < 13) return malformed("shorter than 13 bytes");
      GtidEvent g;
      g.gtid.seq_no = le64(p);
      g.gtid.domain_id = le32(p + 8);
      g.gtid.server_id = ev.header.server_id;
      g.flags = p[12];
      if (g.has_commit_id()) {
        if (len < 21) return malformed("commit id flag set but no commit id");
        g.commit_id = le64(p + 13);
      }
      ev.body = g;
      break;
    }
    case event_type::kGtidList: {
      if (len < 4) return malformed("shorter than its count");
      uint32_t word = le32(p);
      GtidList list;
      list.flags = static_cast<uint8_t>(word >> 28);
      uint64_t count = word & 0x0FFFFFFFU;
      if (len < 4 + count * 16) return malformed("holds fewer entries than its count");
      for (uint64_t i = 0; i < count; ++i) {
        const uint8_t* e = p + 4 + i * 16;
        list.gtids.push_back(topology::MariadbGtid{le32(e), le32(e + 4), le64(e + 8)});
      }
      ev.body = std::move(list);
      break;
    }
    case event_type::kBinlogCheckpoint: {
      if (len < 4) return malformed("shorter than its name length");
      uint32_t n = le32(p);
      if (len - 4 < n) return malformed("name longer than the event");
      BinlogCheckpoint c;
      c.file.assign(reinterpret_cast<const char*>(p + 4), n);
      if (!plain_file_name(c.file)) return malformed("bad file name");
      ev.body = std::move(c);
      break;
    }
    case event_type::kXid: {
      if (len < 8) return malformed("shorter than 8 bytes");
      ev.body = Xid{le64(p)};
      break;
    }
    case event_type::kQuery:
    case event_type::kQueryCompressed: {
      size_t ph = post_header(event_type::kQuery, 13);
      if (ph < 13 || avail < ph || len < ph) return malformed("shorter than its post-header");
      Query q;
      const uint64_t db_len = p[8];
      q.error_code = le16(p + 9);
      const uint64_t status_len = le16(p + 11);
      const uint64_t stmt_at = ph + status_len + db_len + 1;
      if (stmt_at > len) return malformed("status variables and database exceed the event");
      const uint64_t stmt_len = len - stmt_at;
      // A compressed statement is never one of the short boundary statements (MariaDB
      // compresses only statements longer than log_bin_compress_min_len).
      if (type == event_type::kQuery && stmt_at + std::min<uint64_t>(stmt_len, 16) <= avail) {
        std::string_view sql(reinterpret_cast<const char*>(p + stmt_at),
                             static_cast<size_t>(std::min<uint64_t>(stmt_len, 16)));
        q.kind = stmt_len <= 16 ? classify_statement(sql)
                                : (classify_statement(sql) == QueryKind::kXaCommitOrRollback
                                       ? QueryKind::kXaCommitOrRollback
                                       : QueryKind::kOther);
      }
      ev.body = q;
      break;
    }
    case event_type::kStop:
      ev.body = Stop{};
      break;
    default:
      break;  // Opaque
  }
  offset_ = at + size;
  return std::optional<Event>(std::move(ev));
}

}  // namespace mha::binlog
