// Failure classes of SSH paths: from our own errors (by number) and from ssh(1) runs (by the only
// thing OpenSSH gives us, its stderr text).

#include "mha/observe/ssh_probe.h"

#include <libssh2.h>

#include <cerrno>
#include <string_view>

namespace mha::observe {

const char* ssh_failure_name(SshFailure failure) {
  switch (failure) {
    case SshFailure::kRefused:
      return "refused";
    case SshFailure::kTimeout:
      return "timeout";
    case SshFailure::kUnreachable:
      return "unreachable";
    case SshFailure::kAuth:
      return "auth";
    case SshFailure::kHostKeyUnknown:
      return "host key unknown";
    case SshFailure::kHostKeyMismatch:
      return "host key mismatch";
    case SshFailure::kOther:
      return "other";
  }
  return "other";
}

SshFailure classify_ssh_error(const Error& error) {
  switch (error.code) {
    case ErrorCode::kTimeout:
      return SshFailure::kTimeout;
    case ErrorCode::kAuth:
      return SshFailure::kAuth;
    case ErrorCode::kHostKey:
      // The ssh module puts the libssh2 known-host check result in detail for a mismatch and
      // leaves it 0 when the host is simply not in the file.
      if (error.detail == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) return SshFailure::kHostKeyMismatch;
      if (error.detail == 0) return SshFailure::kHostKeyUnknown;
      return SshFailure::kOther;
    case ErrorCode::kConnect:
      // detail: errno of connect(2), or a (negative) getaddrinfo code for a name that does not
      // resolve.
      if (error.detail == ECONNREFUSED) return SshFailure::kRefused;
      if (error.detail == ETIMEDOUT) return SshFailure::kTimeout;
      if (error.detail < 0 || error.detail == EHOSTUNREACH || error.detail == ENETUNREACH ||
          error.detail == EHOSTDOWN || error.detail == ENETDOWN) {
        return SshFailure::kUnreachable;
      }
      return SshFailure::kOther;
    default:
      return SshFailure::kOther;
  }
}

std::optional<SshFailure> classify_ssh_client(const ssh::ExecResult& result) {
  if (result.exit_code == 0) return std::nullopt;
  // 255 is ssh(1)'s own failure; anything else came from the remote `exit 0` or the shell.
  if (result.exit_code != 255) return SshFailure::kOther;
  const std::string_view err = result.err;
  auto has = [&](std::string_view needle) { return err.find(needle) != std::string_view::npos; };
  if (has("REMOTE HOST IDENTIFICATION HAS CHANGED") || has("Host key for ")) {
    return SshFailure::kHostKeyMismatch;
  }
  if (has("Host key verification failed") || has("host key is known for")) {
    return SshFailure::kHostKeyUnknown;
  }
  if (has("Permission denied")) return SshFailure::kAuth;
  if (has("Connection refused")) return SshFailure::kRefused;
  if (has("timed out")) return SshFailure::kTimeout;
  if (has("No route to host") || has("Network is unreachable") ||
      has("Could not resolve hostname")) {
    return SshFailure::kUnreachable;
  }
  return SshFailure::kOther;
}

}  // namespace mha::observe
