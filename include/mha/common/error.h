#pragma once

// Error values carried by Result<T>. Every module reports failures with one of these codes; the
// message is one line an operator can act on and names the host, file, line or key involved.
// `detail` holds the underlying number (MySQL errno, libssh2 rc, errno, or exit status) so callers
// classify by number, never by message text. Messages never contain passwords.

#include <string>

namespace mha {

enum class ErrorCode {
  kConfig,        // bad configuration or command-line input
  kConnect,       // could not reach a server (refused, unreachable, timeout during connect)
  kAuth,          // authentication or authorisation refused
  kQuery,         // SQL statement failed on a live server
  kTimeout,       // an operation did not finish within its deadline
  kSsh,           // SSH transport failure other than auth/timeout
  kHostKey,       // SSH host key unknown or mismatched
  kIo,            // local or remote file/process I/O
  kPrecondition,  // the cluster is not in a state that allows the operation
  kConflict,      // another actor holds a lock or the state changed under us
  kNotFound,      // a requested file, key, server or object does not exist
  kInternal,      // broken invariant inside masterha
};

// Stable lower-case name of a code, used in logs and JSON output ("config", "connect", ...).
const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  int detail = 0;

  // "message" or "message (detail N)" when detail is set.
  std::string to_string() const;
};

inline Error make_error(ErrorCode code, std::string message, int detail = 0) {
  return Error{code, std::move(message), detail};
}

}  // namespace mha
