// Host key verification against an OpenSSH known_hosts file.

#include "mha/ssh/known_hosts.h"

#include <libssh2.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "session_internal.h"
#include <fcntl.h>
#include <unistd.h>

namespace mha::ssh::internal {
namespace {

struct KnownHostsDeleter {
  void operator()(LIBSSH2_KNOWNHOSTS* hosts) const { libssh2_knownhost_free(hosts); }
};
using KnownHosts = std::unique_ptr<LIBSSH2_KNOWNHOSTS, KnownHostsDeleter>;

int known_host_key_bits(int hostkey_type) {
  switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA:
      return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS:
      return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519:
      return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default:
      return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
  }
}

// Loads the file line by line rather than with libssh2_knownhost_readfile, which gives up on the
// first line it cannot parse (@cert-authority, sk-* keys...): such lines are skipped instead.
// A missing file is an empty one.
Status load_known_hosts(LIBSSH2_KNOWNHOSTS* hosts, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return ok_status();
    return Unexpected(make_error(
        ErrorCode::kIo, "cannot read known_hosts " + path + ": " + strerror(errno), errno));
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    (void)libssh2_knownhost_readline(hosts, line.data(), line.size(),
                                     LIBSSH2_KNOWNHOST_FILE_OPENSSH);
  }
  return ok_status();
}

Status append_known_host(LIBSSH2_KNOWNHOSTS* hosts, const SshTarget& target, const char* key,
                         size_t key_len, int key_bits, const std::string& path) {
  const std::string field = known_hosts_host_field(target.host, target.port);
  libssh2_knownhost* entry = nullptr;
  int rc = libssh2_knownhost_addc(
      hosts, field.c_str(), nullptr, key, key_len, nullptr, 0,
      LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | key_bits, &entry);
  char line[16384];
  size_t len = 0;
  if (rc == 0) {
    rc = libssh2_knownhost_writeline(hosts, entry, line, sizeof line, &len,
                                     LIBSSH2_KNOWNHOST_FILE_OPENSSH);
  }
  if (rc != 0) {
    return Unexpected(
        make_error(ErrorCode::kHostKey, "cannot record host key for " + target.label(), rc));
  }
  // One O_APPEND write per line, so concurrent connects to different hosts do not interleave.
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, line, len) != static_cast<ssize_t>(len)) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    return Unexpected(make_error(
        ErrorCode::kIo, "cannot append to known_hosts " + path + ": " + strerror(err), err));
  }
  ::close(fd);
  return ok_status();
}

}  // namespace

Status verify_host_key(LIBSSH2_SESSION* session, const SshTarget& target, const SshAuth& auth) {
  if (auth.host_key_policy == HostKeyPolicy::kOff) return ok_status();
  const std::string label = target.label();
  size_t key_len = 0;
  int key_type = 0;
  const char* key = libssh2_session_hostkey(session, &key_len, &key_type);
  if (key == nullptr) {
    return Unexpected(make_error(ErrorCode::kHostKey, "no host key received from " + label));
  }
  KnownHosts hosts(libssh2_knownhost_init(session));
  if (!hosts) return Unexpected(make_error(ErrorCode::kInternal, "libssh2_knownhost_init failed"));
  MHA_TRY(load_known_hosts(hosts.get(), auth.known_hosts_file));

  const int key_bits = known_host_key_bits(key_type);
  const int type_mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | key_bits;
  // Like ssh(1) with CheckHostIP: the configured name first, then the address we connected to.
  std::vector<std::string> names{target.host};
  if (!target.address.empty() && target.address != target.host) names.push_back(target.address);
  for (const auto& name : names) {
    libssh2_knownhost* found = nullptr;
    int rc = libssh2_knownhost_checkp(hosts.get(), name.c_str(), target.port, key, key_len,
                                      type_mask, &found);
    switch (rc) {
      case LIBSSH2_KNOWNHOST_CHECK_MATCH:
        return ok_status();
      case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
        return Unexpected(make_error(ErrorCode::kHostKey,
                                     "host key mismatch for " + label + " in " +
                                         auth.known_hosts_file +
                                         ": possible man-in-the-middle attack (or the host was "
                                         "reinstalled: verify, then fix known_hosts)",
                                     rc));
      case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
        break;
      default:
        return Unexpected(
            make_error(ErrorCode::kHostKey, "checking the host key of " + label + " failed", rc));
    }
  }
  if (auth.host_key_policy == HostKeyPolicy::kAcceptNew) {
    return append_known_host(hosts.get(), target, key, key_len, key_bits, auth.known_hosts_file);
  }
  std::string who = target.host;
  if (!target.address.empty() && target.address != target.host) who += " (" + target.address + ")";
  if (target.port != 22) who += " port " + std::to_string(target.port);
  return Unexpected(
      make_error(ErrorCode::kHostKey, "host key for " + who + " not in " + auth.known_hosts_file));
}

}  // namespace mha::ssh::internal
