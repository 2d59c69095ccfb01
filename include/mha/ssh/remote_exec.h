#pragma once

// RemoteExec: what the rest of masterha needs from SSH — run a command on a database host, copy a
// file to or from it. The manager is the only party that SSHes (to each database host) and relays
// files between hosts itself; hosts never SSH to each other.
//
// Implemented over libssh2 by SessionPool (session_pool.h) and, for unit tests of other modules,
// by FakeRemoteExec (tests/unit/ssh/fake_remote_exec.h). Implementations must be safe to call from
// several threads at once (SessionPool serialises use of each host's session).

#include "mha/common/result.h"

#include <chrono>
#include <string>
#include <string_view>

namespace mha::ssh {

// Where to SSH to. `host` is the name the operator configured (used in messages and looked up in
// known_hosts); `address`, when set, is what we connect to (MHA's ssh_ip) and is looked up in
// known_hosts as well.
struct SshTarget {
  std::string host;
  std::string address;  // empty: resolve `host`
  int port = 22;
  std::string user;

  // "root@db1 (10.77.0.11):22" style label for messages; the port only when it is not 22.
  std::string label() const;
};

// What RemoteExec::keep_ready() did (for the log and tests).
enum class Upkeep {
  kNothingKept,  // this implementation keeps no connections
  kInUse,        // someone is using the host's connection (or connecting it) right now
  kAlive,        // the cached connection looks fine and was used recently
  kProved,       // idle for a while: a no-op command round trip succeeded on it
  kConnected,    // there was none, or it was dead: a new connection is now cached
  kFailed,       // no usable connection now (connect failed); `error` says why
};

struct UpkeepResult {
  Upkeep what = Upkeep::kNothingKept;
  std::chrono::milliseconds elapsed{0};
  std::string error;  // kFailed only
};

struct ExecResult {
  int exit_code = -1;       // -1 when the command died of a signal or sent no status
  std::string exit_signal;  // "KILL", "TERM"... (without "SIG"); empty when it exited normally
  std::string out;
  std::string err;
};

class RemoteExec {
 public:
  virtual ~RemoteExec() = default;

  // Runs `command` through the remote user's shell (quote words with shell_quote()). `stdin_data`
  // is written to the command's stdin, then EOF: pass secrets this way, never in the command line.
  // `timeout` bounds the whole command; on expiry the channel is closed and kTimeout returned (the
  // remote process may run on until it next writes; see docs/ssh.md). A non-zero exit is not an
  // error: it is in ExecResult. Errors: kConnect/kTimeout/kAuth/kHostKey reaching the host, kSsh
  // for transport failures, kIo when the output exceeds the cap (64 MiB per stream).
  virtual Result<ExecResult> run(const SshTarget& target, std::string_view command,
                                 std::string_view stdin_data,
                                 std::chrono::milliseconds timeout) = 0;

  // Streams a local file to `remote_path` (created or replaced atomically with `mode`, e.g.
  // 0600), verified with SHA-256 on both sides; kIo on mismatch with no file left behind.
  virtual Status upload(const SshTarget& target, const std::string& local_path,
                        const std::string& remote_path, int mode) = 0;

  // Streams `remote_path` to `local_path` (replaced atomically), verified with SHA-256; kIo on
  // mismatch with no file left behind.
  virtual Status download(const SshTarget& target, const std::string& remote_path,
                          const std::string& local_path) = 0;

  // Keeps a connection to `target` ready, so that the next run() there is one channel round
  // trip instead of a handshake (the monitor calls it in the background for the hosts it will
  // need at a failure). Never waits for another user of the host: if the connection is in use it
  // returns kInUse at once. A connection idle for at least `idle` is proved with a no-op command
  // bounded by `proof_timeout` (dropped when that fails); a missing or dead one is replaced by a
  // new connection made WITHOUT holding the host's connection, so a run() meanwhile is never
  // delayed by it (it connects on its own, as it would have). Bounded by proof_timeout plus the
  // implementation's connect timeout. Thread-safe. Default: nothing is kept (kNothingKept).
  virtual UpkeepResult keep_ready(const SshTarget& target, std::chrono::milliseconds idle,
                                  std::chrono::milliseconds proof_timeout) {
    (void)target;
    (void)idle;
    (void)proof_timeout;
    return UpkeepResult{};
  }
};

// "in use", "alive", "proved", "connected", "failed", "nothing kept".
const char* upkeep_name(Upkeep what);

}  // namespace mha::ssh
