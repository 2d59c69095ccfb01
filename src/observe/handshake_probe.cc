#include "mha/observe/handshake_probe.h"

#include "mha/ssh/shell_quote.h"

#include <cstdio>
#include <sstream>
#include <vector>

namespace mha::observe {

std::string handshake_probe_command(const std::string& ip, int port,
                                    std::chrono::milliseconds timeout) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", static_cast<double>(timeout.count()) / 1000.0);
  // The inner script is one bash word; the address is validated by bash's /dev/tcp itself and
  // quoted so no shell metacharacter of a configured host name can run anything.
  const std::string inner = "exec 3<>/dev/tcp/\"$0\"/\"$1\" && head -c 5 <&3";
  return "timeout " + std::string(seconds) + " bash -c " + ssh::shell_quote(inner) + " " +
         ssh::shell_quote(ip) + " " + std::to_string(port) + " 2>/dev/null | od -An -tx1";
}

health::HandshakeProbe interpret_handshake_output(const std::string& od_output) {
  std::istringstream in(od_output);
  std::vector<unsigned> bytes;
  std::string word;
  while (in >> word && bytes.size() < 5) {
    unsigned value = 0;
    if (word.size() != 2 || std::sscanf(word.c_str(), "%2x", &value) != 1) {
      return health::HandshakeProbe::kFailed;
    }
    bytes.push_back(value);
  }
  if (bytes.size() < 5) return health::HandshakeProbe::kFailed;
  const bool first_packet = bytes[3] == 0;
  const bool greeting_or_error = bytes[4] == 0x0a || bytes[4] == 0xff;
  return first_packet && greeting_or_error ? health::HandshakeProbe::kOk
                                           : health::HandshakeProbe::kFailed;
}

health::HandshakeProbe probe_handshake(ssh::RemoteExec& exec, const ssh::SshTarget& replica_host,
                                       const std::string& ip, int port,
                                       std::chrono::milliseconds timeout,
                                       std::chrono::milliseconds ssh_slack) {
  Result<ssh::ExecResult> r =
      exec.run(replica_host, handshake_probe_command(ip, port, timeout), "", timeout + ssh_slack);
  if (!r) return health::HandshakeProbe::kSshFailed;
  // 127/126: bash, timeout or od missing on the host: the probe says nothing about the master.
  if (r->exit_code == 127 || r->exit_code == 126) return health::HandshakeProbe::kSshFailed;
  return interpret_handshake_output(r->out);
}

}  // namespace mha::observe
