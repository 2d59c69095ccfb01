#pragma once

// File helpers shared by the node tools that write a binlog file (save_binary_logs,
// apply_diff_relay_logs): an RAII descriptor, exact reads and writes, and the temporary output
// that is fsync'ed and renamed into place only when complete. Internal to the node module.

#include "mha/binlog/event_reader.h"
#include "mha/common/result.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace mha::node::internal {

namespace fs = std::filesystem;

inline Error io_error(const std::string& what, int err) {
  return make_error(ErrorCode::kIo, what + ": " + std::strerror(err), err);
}

// RAII file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

inline Status pread_all(int fd, uint64_t offset, char* out, size_t n, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Unexpected(io_error(path + ": read", errno));
    if (got == 0) {
      return Unexpected(make_error(
          ErrorCode::kIo,
          path + ": file shrank while reading at offset " + std::to_string(offset + done),
          binlog::kDetailTruncated));
    }
    done += static_cast<size_t>(got);
  }
  return ok_status();
}

inline Status write_all(int fd, const char* data, size_t n, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    const ssize_t put = ::write(fd, data + done, n - done);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) return Unexpected(io_error(path + ": write", errno));
    done += static_cast<size_t>(put);
  }
  return ok_status();
}

// The temporary output: removed unless committed.
class TempOutput {
 public:
  static Result<TempOutput> create(const std::string& final_path) {
    TempOutput t;
    t.final_ = final_path;
    t.path_ = final_path + ".tmp." + std::to_string(::getpid());
    const fs::path parent = fs::path(final_path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      fs::create_directories(parent, ec);
      if (ec) {
        return Unexpected(make_error(
            ErrorCode::kIo, parent.string() + ": cannot create: " + ec.message(), ec.value()));
      }
    }
    const int fd = ::open(t.path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Unexpected(io_error(t.path_ + ": cannot create", errno));
    t.fd_ = Fd(fd);
    t.live_ = true;
    return t;
  }
  TempOutput() = default;
  TempOutput(TempOutput&& o) noexcept
      : path_(std::move(o.path_)),
        final_(std::move(o.final_)),
        fd_(std::move(o.fd_)),
        size_(o.size_),
        live_(std::exchange(o.live_, false)) {}
  TempOutput& operator=(TempOutput&&) = delete;
  ~TempOutput() {
    fd_.reset();
    if (live_) ::unlink(path_.c_str());
  }

  Status write(const char* data, size_t n) {
    MHA_TRY(write_all(fd_.get(), data, n, path_));
    size_ += n;
    return ok_status();
  }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // fsync, rename over the final name, fsync the directory.
  Status commit() {
    if (::fsync(fd_.get()) != 0) return Unexpected(io_error(path_ + ": fsync", errno));
    fd_.reset();
    if (::rename(path_.c_str(), final_.c_str()) != 0) {
      return Unexpected(io_error("rename " + path_ + " to " + final_, errno));
    }
    live_ = false;
    std::string dir = fs::path(final_).parent_path().string();
    if (dir.empty()) dir = ".";
    Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.get() >= 0) ::fsync(dfd.get());
    return ok_status();
  }

 private:
  std::string path_;
  std::string final_;
  Fd fd_;
  uint64_t size_ = 0;
  bool live_ = false;
};

// Reads the written output back: every event must parse (and verify, with CRC32).
inline Result<uint64_t> verify_output(const std::string& path) {
  auto reader = binlog::EventReader::open_file(path);
  if (!reader) return Unexpected(std::move(reader).error());
  uint64_t events = 0;
  while (true) {
    auto r = reader->next();
    if (!r) return Unexpected(std::move(r).error());
    if (!*r) break;
    ++events;
  }
  return events == 0 ? 0 : events - 1;  // the FDE is not counted
}

// verify_output, and the count read back must be the `written` events (without the FDE): a
// mismatch is an internal error, reported before the output is committed.
inline Status verify_events(const std::string& path, uint64_t written) {
  auto verified = verify_output(path);
  if (!verified) return Unexpected(std::move(verified).error());
  if (*verified != written) {
    return Unexpected(
        make_error(ErrorCode::kInternal, path + ": read back " + std::to_string(*verified) +
                                             " events, wrote " + std::to_string(written)));
  }
  return ok_status();
}

}  // namespace mha::node::internal
