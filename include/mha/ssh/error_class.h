#pragma once

// How SSH failures map to ErrorCode. Classification is by number (errno, libssh2 rc), never by
// message text. Pure.

#include "mha/common/error.h"

namespace mha::ssh {

// TCP connect failures: ETIMEDOUT -> kTimeout; refused, unreachable, reset and the rest ->
// kConnect.
ErrorCode classify_connect_errno(int err);

// libssh2 return codes: LIBSSH2_ERROR_TIMEOUT/SOCKET_TIMEOUT -> kTimeout; AUTHENTICATION_FAILED,
// PUBLICKEY_UNVERIFIED, KEYFILE_AUTH_FAILED -> kAuth; FILE -> kIo; others -> kSsh.
ErrorCode classify_libssh2_rc(int rc);

// True for rcs after which the session cannot be used again (socket errors, disconnects,
// decryption/MAC failures, key exchange failures, protocol errors, timeouts).
bool is_transport_failure(int rc);

}  // namespace mha::ssh
