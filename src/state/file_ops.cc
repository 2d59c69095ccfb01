#include "file_ops.h"

#include "mha/common/atomic_file.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mha::state::internal {
namespace {

Unexpected io_error(const std::string& what, const std::string& path, int err) {
  return Unexpected(make_error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                               what + " " + path + ": " + std::strerror(err), err));
}

// Closes the descriptor on every path out of read_file().
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting close(2)'s result (a delayed write error shows up here).
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

}  // namespace

Status replace_file(const std::string& path, const std::string& content) {
  return replace_file_atomically(path, content);
}

Result<std::optional<std::string>> read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return io_error("cannot open", path, errno);
  }
  std::string content;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot read", path, errno);
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
  }
  return std::optional<std::string>(std::move(content));
}

Result<std::optional<WallTime>> modification_time(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<WallTime>();
    return io_error("cannot stat", path, errno);
  }
  const auto since_epoch =
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
  return std::optional<WallTime>(
      WallTime(std::chrono::duration_cast<WallTime::duration>(since_epoch)));
}

Status touch_existing(const std::string& path) {
  // Without O_CREAT: a heartbeat must not resurrect a file someone removed.
  if (::utimensat(AT_FDCWD, path.c_str(), nullptr, 0) != 0) {
    return io_error("cannot touch", path, errno);
  }
  return ok_status();
}

Status remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("cannot remove", path, errno);
  return ok_status();
}

}  // namespace mha::state::internal
