#include "mha/node/credentials.h"

#include <chrono>
#include <string>
#include <utility>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mha::node {
namespace {

using Clock = std::chrono::steady_clock;

Error io_error(const std::string& what, int err) {
  return make_error(ErrorCode::kIo, what + ": " + strerrordesc_np(err), err);
}

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_;
};

std::string_view trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(" \t");
  return s.substr(begin, end - begin + 1);
}

// Reads fd to EOF with an overall deadline; `source` names it in messages.
Result<std::string> read_all(int fd, std::chrono::milliseconds timeout, const std::string& source) {
  const auto deadline = Clock::now() + timeout;
  std::string text;
  char buf[4096];
  while (true) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return Unexpected(make_error(ErrorCode::kTimeout,
                                   "no credentials on " + source + " within " +
                                       std::to_string(timeout.count()) +
                                       " ms (the caller must write them and close its end)"));
    }
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return Unexpected(io_error("waiting for " + source, errno));
    if (ready <= 0) continue;
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n == 0) return text;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Unexpected(io_error("reading " + source, errno));
    }
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxCredentialsBytes) {
      return Unexpected(make_error(ErrorCode::kConfig, "credentials on " + source + " exceed " +
                                                           std::to_string(kMaxCredentialsBytes) +
                                                           " bytes"));
    }
  }
}

}  // namespace

Result<Credentials> parse_credentials(std::string_view text, std::string_view source) {
  Credentials creds;
  bool have_password = false;
  size_t line_no = 0;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;

    const std::string where = std::string(source) + " line " + std::to_string(line_no);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Unexpected(
          make_error(ErrorCode::kConfig, where + ": expected user=... or password=..."));
    }
    const std::string_view key = trim(line.substr(0, eq));
    const std::string value(line.substr(eq + 1));
    if (key == "user") {
      if (creds.user) return Unexpected(make_error(ErrorCode::kConfig, where + ": user repeated"));
      creds.user = value;
    } else if (key == "password") {
      if (have_password) {
        return Unexpected(make_error(ErrorCode::kConfig, where + ": password repeated"));
      }
      creds.password = value;
      have_password = true;
    } else {
      return Unexpected(make_error(
          ErrorCode::kConfig,
          where + ": unknown key '" + std::string(key) + "' (expected user or password)"));
    }
  }
  if (!have_password) {
    return Unexpected(make_error(ErrorCode::kConfig, std::string(source) + ": no password= line"));
  }
  return creds;
}

Result<Credentials> load_credentials_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    Error e = io_error("credentials file " + path, err);
    if (err == ENOENT) e.code = ErrorCode::kNotFound;
    return Unexpected(std::move(e));
  }
  FdCloser closer(fd);
  // Checked on the open descriptor, so the file read is the file checked.
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Unexpected(io_error("credentials file " + path, errno));
  if (!S_ISREG(st.st_mode)) {
    return Unexpected(
        make_error(ErrorCode::kConfig, "credentials file " + path + " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Unexpected(make_error(ErrorCode::kConfig, "credentials file " + path +
                                                         " is readable or writable by group "
                                                         "or others (mode " +
                                                         mode + "); chmod 600 it"));
  }
  if (st.st_uid != ::geteuid()) {
    return Unexpected(make_error(ErrorCode::kConfig,
                                 "credentials file " + path + " is owned by uid " +
                                     std::to_string(st.st_uid) + ", not by the running user (uid " +
                                     std::to_string(::geteuid()) + ")"));
  }
  // A regular file never blocks, so the deadline only bounds a pathological filesystem.
  auto text = read_all(fd, kCredentialsStdinTimeout, "credentials file " + path);
  if (!text) return Unexpected(std::move(text).error());
  return parse_credentials(*text, path);
}

Result<Credentials> read_credentials_fd(int fd, std::chrono::milliseconds timeout) {
  auto text = read_all(fd, timeout, "stdin");
  if (!text) return Unexpected(std::move(text).error());
  return parse_credentials(*text, "stdin");
}

}  // namespace mha::node
