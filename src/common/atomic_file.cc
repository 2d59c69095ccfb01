#include "mha/common/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mha {
namespace {

Error io_error(const std::string& what, const std::string& path, int err) {
  return make_error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                    what + " " + path + ": " + std::strerror(err), err);
}

}  // namespace

Status replace_file_atomically(const std::string& path, std::string_view content,
                               const ReplaceOptions& options) {
  std::filesystem::path target = path;
  struct stat existing {};
  if (options.keep_existing) {
    std::error_code ec;
    target = std::filesystem::canonical(path, ec);
    if (ec) return Unexpected(io_error("cannot resolve", path, ec.value()));
    if (::stat(target.c_str(), &existing) != 0) {
      return Unexpected(io_error("cannot stat", path, errno));
    }
  }
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return Unexpected(io_error("cannot create a temporary file next to", path, errno));
  auto fail = [&](const std::string& what) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Unexpected(io_error(what, path, err));
  };
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    written += static_cast<std::size_t>(n);
  }
  if (options.keep_existing) {
    if (::fchmod(fd, existing.st_mode & 07777) != 0) return fail("cannot set the mode of");
    // Only root can give the file away; for anyone else the owner is already the caller.
    if (::geteuid() == 0 && ::fchown(fd, existing.st_uid, existing.st_gid) != 0) {
      return fail("cannot chown");
    }
  } else {
    // mkostemp creates 0600. The mode is set as given, not through the umask (reading the umask
    // means changing it, which races with other threads creating files).
    if (::fchmod(fd, options.mode) != 0) return fail("cannot set the mode of");
  }
  if (::fsync(fd) != 0) return fail("cannot fsync");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Unexpected(io_error("cannot close", path, err));
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Unexpected(io_error("cannot replace", path, err));
  }
  // Make the rename itself durable.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return ok_status();
}

}  // namespace mha
