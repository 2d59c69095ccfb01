// Public-key user authentication, one identity file after another.

#include "mha/ssh/error_class.h"
#include "mha/ssh/identity.h"

#include <libssh2.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "session_internal.h"
#include <unistd.h>

namespace mha::ssh::internal {
namespace {

std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += "; ";
    out += item;
  }
  return out;
}

}  // namespace

Status authenticate(LIBSSH2_SESSION* session, int fd, const SshTarget& target, const SshAuth& auth,
                    const Deadline& deadline) {
  const std::string label = target.label();
  std::vector<std::string> attempts;  // "path (type): what happened", for the error message
  bool offered_any = false;
  bool offered_non_rsa = false;

  for (const auto& path : auth.identity_files) {
    if (::access(path.c_str(), R_OK) != 0) {
      attempts.push_back(path + ": skipped, " + strerror(errno));
      continue;
    }
    KeyType type = KeyType::kUnknown;
    if (auto text = read_small_file(path)) {
      type = detect_key_type(*text, read_small_file(path + ".pub").value_or(""));
    }
    const std::string name = path + " (" + key_type_name(type) + ")";
    int rc;
    // No public key file: libssh2 derives it from the private key, so a stale .pub cannot
    // confuse it. No passphrase: masterha runs unattended.
    while ((rc = libssh2_userauth_publickey_fromfile_ex(
                session, target.user.data(), static_cast<unsigned>(target.user.size()), nullptr,
                path.c_str(), nullptr)) == LIBSSH2_ERROR_EAGAIN) {
      MHA_TRY(wait_socket(session, fd, deadline, "authenticating", label));
    }
    if (rc == 0) return ok_status();
    if (rc == LIBSSH2_ERROR_FILE) {
      // Unreadable to libssh2: encrypted, or a format it does not know. Not offered.
      attempts.push_back(name + ": skipped, libssh2 cannot use it (" + last_error_text(session) +
                         "; encrypted keys are not supported)");
      continue;
    }
    if (classify_libssh2_rc(rc) != ErrorCode::kAuth) {
      return Unexpected(
          make_error(classify_libssh2_rc(rc),
                     "authenticating to " + label + " failed: " + last_error_text(session), rc));
    }
    offered_any = true;
    if (type != KeyType::kRsa) offered_non_rsa = true;
    attempts.push_back(name + ": rejected by the server");
  }

  std::string message = "authentication to " + label + " failed";
  if (attempts.empty()) {
    message += ": no identity file configured";
  } else {
    message += ": " + join(attempts);
  }
  if (offered_any && !offered_non_rsa) {
    message += ". RSA keys cannot authenticate to OpenSSH >= 8.8 with libssh2 1.10; use ed25519";
  }
  return Unexpected(make_error(ErrorCode::kAuth, message, LIBSSH2_ERROR_AUTHENTICATION_FAILED));
}

}  // namespace mha::ssh::internal
