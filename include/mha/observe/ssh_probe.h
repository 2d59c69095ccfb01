#pragma once

// SSH probe: can the manager reach every configured database host over SSH exactly as it will
// during a failover, and is a compatible node helper installed there? The engine of
// masterha_check_ssh; masterha_check_repl copies its per-server facts into ServerObservation
// (ssh_reachable(), node_helper_probe()).
//
// For each server (except skip_init_ssh_check=1 ones, reported as skipped) the probe connects
// as ssh_user to ssh_ip:ssh_port with the server's ssh_options and ssh_connection_timeout, and
// runs `masterha_node version --json` there. With `mesh` it then runs, on each reachable host,
// the host's own OpenSSH client against every other probed host (MHA's check; masterha itself
// never needs host-to-host SSH).
//
// Threads: servers are probed in parallel, one thread per server; a server's mesh paths run one
// after another on that server's session. probe_ssh() returns when every thread is done: at most
// about connect timeout + command_timeout per server (plus, with mesh, per other host its
// ConnectTimeout + mesh slack). The ExecSource must be thread-safe (SessionPools is).

#include "mha/common/error.h"
#include "mha/config/config.h"
#include "mha/ssh/remote_exec.h"
#include "mha/ssh/ssh_session.h"
#include "mha/topology/cluster_snapshot.h"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mha::observe {

// Why an SSH path failed, as an operator would fix it.
enum class SshFailure {
  kRefused,          // nothing listens on the port (sshd down, wrong port)
  kTimeout,          // no answer within the connect timeout (host down, partition, firewall)
  kUnreachable,      // no route to the host, or its name does not resolve
  kAuth,             // no key accepted
  kHostKeyUnknown,   // the host's key is not in known_hosts
  kHostKeyMismatch,  // known_hosts holds a different key for the host
  kOther,            // protocol failure, bad ssh_options, unexpected answer...
};

// "refused", "timeout", "unreachable", "auth", "host key unknown", "host key mismatch", "other".
const char* ssh_failure_name(SshFailure failure);

// Class of an error from ssh::RemoteExec or SshSession::connect, by code and number (errno,
// libssh2 known-host rc), never by message text.
SshFailure classify_ssh_error(const Error& error);

// Class of a failed `ssh -o BatchMode=yes ...` run (mesh paths). OpenSSH reports every
// connection failure as exit 255 with a message on stderr and nothing else, so this one reads
// the text: "Connection refused", "timed out", "No route to host", "Permission denied",
// "REMOTE HOST IDENTIFICATION HAS CHANGED", "Host key verification failed". Exit 0 is success
// (nullopt); any other status is kOther.
std::optional<SshFailure> classify_ssh_client(const ssh::ExecResult& result);

// How to reach one server: what the manager uses and what ssh(1) gets for mesh paths.
struct SshSettings {
  ssh::SshTarget target;  // host = ssh_host, address = ssh_ip, port, user
  ssh::SshAuth auth;
  ssh::SshTimeouts timeouts;
  std::vector<std::string> option_words;  // ssh_options split into shell words, for ssh(1)
  std::vector<std::string> warnings;      // ssh_options we accept but ignore
};

// From a [serverN] block. ssh_options' -l / -p / ConnectTimeout, when given, win over ssh_user /
// ssh_port / ssh_connection_timeout (ssh(1) keeps the first value it sees and MHA put the
// options first). `home` locates default keys and known_hosts. kConfig for malformed
// ssh_options, naming the server block.
Result<SshSettings> ssh_settings(const config::ServerConfig& server, std::string_view home);

// The RemoteExec to use for a given auth and timeouts: SessionPool binds both at construction,
// while servers may differ in ssh_options.
class ExecSource {
 public:
  virtual ~ExecSource() = default;
  // Thread-safe. The reference stays valid as long as the source.
  virtual ssh::RemoteExec& exec_for(const ssh::SshAuth& auth, const ssh::SshTimeouts& timeouts) = 0;
};

// Production ExecSource: one SessionPool per distinct (auth, timeouts), created on first use and
// kept (with its sessions) until destruction, so later commands reuse the probe's connections.
// Requires a live Libssh2Library for its whole lifetime.
class SessionPools final : public ExecSource {
 public:
  SessionPools();
  ~SessionPools() override;
  SessionPools(const SessionPools&) = delete;
  SessionPools& operator=(const SessionPools&) = delete;
  ssh::RemoteExec& exec_for(const ssh::SshAuth& auth, const ssh::SshTimeouts& timeouts) override;

 private:
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<ssh::RemoteExec>> pools_;  // guarded by mu_
};

// An ExecSource that hands out one RemoteExec for everything (a caller's own pool, or a fake).
// `exec` must outlive it.
class SingleExecSource final : public ExecSource {
 public:
  explicit SingleExecSource(ssh::RemoteExec& exec) : exec_(exec) {}
  ssh::RemoteExec& exec_for(const ssh::SshAuth&, const ssh::SshTimeouts&) override { return exec_; }

 private:
  ssh::RemoteExec& exec_;
};

// What the probe runs on every host (through the SSH user's shell and PATH).
inline constexpr std::string_view kNodeVersionCommand = "masterha_node version --json";

enum class NodeHelperState {
  kNotChecked,    // the host was not reachable (or skipped)
  kOk,            // installed and speaks our protocol
  kMissing,       // not found in the SSH user's PATH (shell exit 127)
  kIncompatible,  // installed, other protocol version
  kBroken,        // found but failed, or printed something we cannot read
};

struct NodeHelperResult {
  NodeHelperState state = NodeHelperState::kNotChecked;
  std::string version;  // release version as reported, when it answered
  int protocol = 0;     // as reported, when it answered
  std::string message;  // one line for the operator when state is not kOk/kNotChecked
};

// One SSH path: manager -> server, or server -> server (mesh).
struct SshPathResult {
  std::string from;  // "manager", or the source server's path_label()
  std::string to;    // the destination server's path_label()
  bool ok = false;
  std::optional<SshFailure> failure;  // set when !ok
  std::string message;                // why, when !ok (one line)
  std::chrono::milliseconds elapsed{0};
};

struct ServerSshResult {
  std::size_t config_index = 0;
  std::string block;     // "server2"
  std::string hostname;  // as configured
  std::string label;     // "user@ssh_host(ssh_ip:ssh_port)", MHA's spelling of an SSH endpoint
  bool skipped = false;  // skip_init_ssh_check=1: nothing was tried
  std::vector<std::string> warnings;  // ssh_options accepted but ignored ("ignored option -C")
  SshPathResult manager_path;         // from the manager
  NodeHelperResult node_helper;       // checked when manager_path.ok
  std::vector<SshPathResult> mesh;    // from this server to each other probed server (mesh only)

  bool reachable() const { return !skipped && manager_path.ok; }
  // Everything checked for this server passed (true for a skipped server).
  bool ok() const;
  // For topology::ServerObservation: absent when the server was skipped.
  std::optional<bool> ssh_reachable() const;
  // For topology::ServerObservation: absent when not checked (unreachable or skipped).
  std::optional<topology::NodeHelperProbe> node_helper_probe() const;
};

struct SshProbeReport {
  std::vector<ServerSshResult> servers;  // config order
  bool ok() const;                       // every server ok()
};

struct SshProbeOptions {
  bool mesh = false;
  std::string home;  // for default keys and known_hosts; empty: ssh::home_directory()
  // Bounds `masterha_node version` once connected. RemoteExec cannot tell a helper that hangs
  // past it from a connection that stalls: both read as an SSH timeout of the manager path.
  std::chrono::milliseconds command_timeout{10000};
  // Added to the destination's connect timeout to bound one mesh `ssh` run.
  std::chrono::milliseconds mesh_slack{5000};
};

// Probes every server of `config`. Never fails as a whole: every problem is in the report.
SshProbeReport probe_ssh(const config::AppConfig& config, ExecSource& exec,
                         const SshProbeOptions& options);

// The remote command line of one mesh path: `ssh -o BatchMode=yes -o ConnectTimeout=N
// [options...] -p PORT user@address exit 0`, every word shell-quoted.
std::string mesh_command(const SshSettings& to);

}  // namespace mha::observe
