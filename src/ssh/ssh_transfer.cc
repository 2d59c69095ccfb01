// SshSession: streaming file copies, verified with SHA-256 on both ends.
//
// Both directions run `cat` on an exec channel rather than SCP: the same pump as run() (so the
// same deadlines and error handling), and the remote checksum comes back on the same channel.

#include "mha/ssh/shell_quote.h"
#include "mha/ssh/ssh_session.h"

#include <libssh2.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "session_internal.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mha::ssh {

using internal::ChannelIo;
using internal::Deadline;
using internal::Sha256;

namespace {

constexpr size_t kChunkBytes = 256 * 1024;
constexpr size_t kMessageCap = 64 * 1024;

std::string random_suffix() {
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, ".mha-part-%08x", rd());
  return buf;
}

// The 64 hex digits sha256sum prints first on its (last non-empty) line, or "".
std::string parse_sha256sum(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  size_t start = text.rfind('\n');
  text = start == std::string_view::npos ? text : text.substr(start + 1);
  if (text.size() < 64) return {};
  for (char c : text.substr(0, 64)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
  }
  return std::string(text.substr(0, 64));
}

Status append_capped(std::string& sink, std::string_view data) {
  sink.append(data.substr(0, kMessageCap > sink.size() ? kMessageCap - sink.size() : 0));
  return ok_status();
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? std::string("no message") : line;
}

Error io_error(std::string message, int err) {
  return make_error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                    std::move(message) + ": " + strerror(err), err);
}

}  // namespace

void SshSession::remove_remote_quietly(const std::string& remote_path) {
  if (!usable()) return;
  (void)run("rm -f -- " + shell_quote(remote_path), {}, timeouts_.io);
}

Status SshSession::upload(const std::string& local_path, const std::string& remote_path, int mode) {
  const std::string what = "uploading " + local_path + " to " + target_.label() + ":" + remote_path;
  UniqueFd fd(::open(local_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Unexpected(io_error(what, errno));

  // Write beside the target, verify, then rename: the target is never a partial or bad copy.
  const std::string part = remote_path + random_suffix();
  const std::string command =
      "umask 077 && cat > " + shell_quote(part) + " && sha256sum < " + shell_quote(part);
  Sha256 local_hash;
  std::vector<char> buffer(kChunkBytes);
  std::string out;
  std::string err;
  ChannelIo io;
  io.read_input = [&]() -> Result<std::string_view> {
    ssize_t n;
    do {
      n = ::read(fd.get(), buffer.data(), buffer.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) return Unexpected(io_error(what + ": reading", errno));
    std::string_view chunk(buffer.data(), static_cast<size_t>(n));
    local_hash.update(chunk);
    return chunk;
  };
  io.on_stdout = [&](std::string_view data) { return append_capped(out, data); };
  io.on_stderr = [&](std::string_view data) { return append_capped(err, data); };

  Deadline deadline = Deadline::inactivity(timeouts_.io);
  auto result = exec_streaming(command, io, deadline);
  if (!result) {
    remove_remote_quietly(part);
    Error e = std::move(result).error();
    e.message = what + ": " + e.message;
    return Unexpected(std::move(e));
  }
  if (result->exit_code != 0) {
    remove_remote_quietly(part);
    return Unexpected(make_error(ErrorCode::kIo, what + ": " + first_line(err), result->exit_code));
  }
  const std::string remote_sum = parse_sha256sum(out);
  const std::string local_sum = local_hash.hex_digest();
  if (remote_sum != local_sum) {
    remove_remote_quietly(part);
    return Unexpected(
        make_error(ErrorCode::kIo, what + ": checksum mismatch (local " + local_sum + ", remote " +
                                       (remote_sum.empty() ? "?" : remote_sum) + ")"));
  }
  char mode_text[16];
  std::snprintf(mode_text, sizeof mode_text, "%04o", static_cast<unsigned>(mode) & 07777u);
  auto moved = run(std::string("chmod ") + mode_text + " " + shell_quote(part) + " && mv -f -- " +
                       shell_quote(part) + " " + shell_quote(remote_path),
                   {}, timeouts_.io);
  if (!moved || moved->exit_code != 0) {
    remove_remote_quietly(part);
    if (!moved) return Unexpected(std::move(moved).error());
    return Unexpected(
        make_error(ErrorCode::kIo, what + ": " + first_line(moved->err), moved->exit_code));
  }
  return ok_status();
}

Status SshSession::download(const std::string& remote_path, const std::string& local_path) {
  const std::string what =
      "downloading " + target_.label() + ":" + remote_path + " to " + local_path;
  const std::string part = local_path + random_suffix();
  UniqueFd fd(::open(part.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (fd.get() < 0) return Unexpected(io_error(what + ": creating " + part, errno));

  // The remote checksum arrives on stderr after the data; it is the last line there.
  const std::string command =
      "cat < " + shell_quote(remote_path) + " && sha256sum < " + shell_quote(remote_path) + " >&2";
  Sha256 local_hash;
  std::string err;
  ChannelIo io;
  io.read_input = []() -> Result<std::string_view> { return std::string_view(); };
  io.on_stdout = [&](std::string_view data) -> Status {
    local_hash.update(data);
    while (!data.empty()) {
      ssize_t n = ::write(fd.get(), data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Unexpected(io_error(what + ": writing " + part, errno));
      data.remove_prefix(static_cast<size_t>(n));
    }
    return ok_status();
  };
  io.on_stderr = [&](std::string_view data) { return append_capped(err, data); };

  Deadline deadline = Deadline::inactivity(timeouts_.io);
  auto result = exec_streaming(command, io, deadline);
  auto discard = [&](Error e) {
    ::unlink(part.c_str());
    return Unexpected(std::move(e));
  };
  if (!result) {
    Error e = std::move(result).error();
    e.message = what + ": " + e.message;
    return discard(std::move(e));
  }
  if (result->exit_code != 0) {
    return discard(make_error(ErrorCode::kIo, what + ": " + first_line(err), result->exit_code));
  }
  const std::string remote_sum = parse_sha256sum(err);
  const std::string local_sum = local_hash.hex_digest();
  if (remote_sum != local_sum) {
    return discard(make_error(ErrorCode::kIo, what + ": checksum mismatch (local " + local_sum +
                                                  ", remote " +
                                                  (remote_sum.empty() ? "?" : remote_sum) + ")"));
  }
  if (::fsync(fd.get()) != 0) return discard(io_error(what + ": fsync " + part, errno));
  if (::close(fd.release()) != 0) return discard(io_error(what + ": close " + part, errno));
  if (::rename(part.c_str(), local_path.c_str()) != 0) {
    return discard(io_error(what + ": rename " + part, errno));
  }
  return ok_status();
}

}  // namespace mha::ssh
