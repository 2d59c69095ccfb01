#include "script_args.h"

namespace mha::recovery::internal {

std::string script_line(const std::string& script, const std::vector<std::string>& args) {
  std::string line = script;
  for (const std::string& a : args) line += " " + shell_quote(a);
  return line;
}

std::vector<std::string> orig_master_args(const topology::ServerIdentity& s) {
  return {"--orig_master_host=" + s.hostname, "--orig_master_ip=" + s.ip,
          "--orig_master_port=" + std::to_string(s.port)};
}

std::vector<std::string> new_master_args(const topology::ServerIdentity& s) {
  return {"--new_master_host=" + s.hostname, "--new_master_ip=" + s.ip,
          "--new_master_port=" + std::to_string(s.port)};
}

std::vector<std::string> ssh_args(const ServerScriptFacts& f, const std::string& prefix) {
  std::vector<std::string> out;
  if (!f.ssh_host.empty() && f.ssh_host != f.hostname) {
    out.push_back("--" + prefix + "ssh_host=" + f.ssh_host);
  }
  if (!f.ssh_ip.empty() && f.ssh_ip != f.ip) out.push_back("--" + prefix + "ssh_ip=" + f.ssh_ip);
  if (f.ssh_port != 22) out.push_back("--" + prefix + "ssh_port=" + std::to_string(f.ssh_port));
  if (!f.ssh_options.empty()) out.push_back("--ssh_options=" + f.ssh_options);
  return out;
}

}  // namespace mha::recovery::internal
