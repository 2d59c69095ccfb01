#pragma once

// Handshake probe: does the master send its MySQL greeting to a replica's host? Run over SSH on
// the replica host, so it tests the master from where the replica stands, not from the manager:
// the manager alone losing the master must not look like the master dying.
//
// A plain TCP connect is not enough: a hung (SIGSTOPped) mysqld still has its kernel accept TCP
// connections. The server speaks first in the MySQL protocol, so the probe reads the first five
// bytes the server sends: a 3-byte length, sequence id 0, then 0x0a (protocol 10 greeting) or
// 0xff (an error packet such as "too many connections" or "host blocked": the server is alive and
// answering). Nothing within the timeout, or a refused connect, is a failure.
//
// The remote command needs bash (/dev/tcp), coreutils `timeout` and `od`, present on every Linux
// database host; it does not depend on the node helper's version. No secret is involved.
//
// Thread safety: probe_handshake() may run concurrently for different hosts if `exec` allows it
// (SessionPool does).

#include "mha/health/evidence.h"
#include "mha/ssh/remote_exec.h"

#include <chrono>
#include <string>

namespace mha::observe {

// The remote command line: reads at most 5 bytes from ip:port within `timeout` and prints them as
// hex ("0a 00 00 00 0a"). `ip` must be a literal address or host name (it is shell-quoted).
std::string handshake_probe_command(const std::string& ip, int port,
                                    std::chrono::milliseconds timeout);

// Reads the command's output: kOk for a greeting or error packet header, kFailed otherwise.
health::HandshakeProbe interpret_handshake_output(const std::string& od_output);

// Runs the probe on `replica_host` against ip:port. kSshFailed when the command could not be run
// there (SSH down, auth, timeout of the SSH command itself); the SSH command gets `timeout` plus
// `ssh_slack` to finish.
health::HandshakeProbe probe_handshake(ssh::RemoteExec& exec, const ssh::SshTarget& replica_host,
                                       const std::string& ip, int port,
                                       std::chrono::milliseconds timeout,
                                       std::chrono::milliseconds ssh_slack);

}  // namespace mha::observe
