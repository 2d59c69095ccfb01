// masterha_secondary_check: from each -s host, over SSH, does the master greet? See
// mha/cli/secondary_check.h for the probe and the exit codes.

#include "mha/cli/parse.h"
#include "mha/cli/secondary_check.h"
#include "mha/cli/tools.h"
#include "mha/ssh/identity.h"
#include "mha/ssh/library.h"
#include "mha/ssh/session_pool.h"
#include "mha/ssh/ssh_options.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <ostream>
#include <string>
#include <thread>
#include <variant>

#include "tool_support.h"

namespace mha::cli {
namespace {

// First line of `in`, without the line end. False if nothing could be read.
bool read_first_line(std::istream& in, std::string& line) {
  if (!std::getline(in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

// Slack on top of the SSH connect and probe timeouts for running the command and closing the
// channel.
constexpr std::chrono::seconds kRunSlack{5};

}  // namespace

int secondary_check_main(std::span<const std::string> args, const Context& ctx) {
  auto parsed = parse_secondary_check_args(args);
  if (const auto* done = std::get_if<EarlyExit>(&parsed)) return internal::finish(*done, ctx);
  auto& options = std::get<SecondaryCheckOptions>(parsed);
  if (options.master_password_file) {
    const std::string& path = *options.master_password_file;
    std::string password;
    if (path == "-") {
      if (!read_first_line(ctx.in, password)) {
        return internal::fail(kSecondaryCheckTool, "no password on standard input", ctx);
      }
    } else {
      std::ifstream file(path);
      if (!file) {
        return internal::fail(
            kSecondaryCheckTool,
            "cannot read --master_password_file " + path + ": " + std::strerror(errno), ctx);
      }
      read_first_line(file, password);  // an empty file is an empty password
    }
    options.master_password = std::move(password);
  }
  // The handshake probe needs no credentials: --master_user/--master_password are accepted for
  // MHA compatibility (ping_type=INSERT) and never sent anywhere.

  auto ssh_options = ssh::parse_ssh_options(options.ssh_options.value_or(""));
  if (!ssh_options) {
    return internal::fail(kSecondaryCheckTool, "--options: " + ssh_options.error().message, ctx);
  }
  for (const auto& warning : ssh_options->warnings) {
    ctx.err << kSecondaryCheckTool << ": --options: " << warning << '\n';
  }
  if (options.secondary_hosts.empty()) return kSecondaryMasterDown;  // as MHA: nobody disagrees

  const std::chrono::seconds timeout(options.timeout);
  ssh::SshTimeouts timeouts;
  timeouts.connect = ssh_options->connect_timeout.value_or(timeout);
  const ssh::SshAuth auth = ssh::SshAuth::from_options(*ssh_options, ssh::home_directory());
  const std::string master = options.master_ip.empty() ? options.master_host : options.master_ip;
  const std::string command = secondary_probe_command(master, options.master_port, timeout);
  const auto run_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(timeouts.connect + timeout + kRunSlack);

  auto library = ssh::Libssh2Library::init();
  if (!library) return internal::fail(kSecondaryCheckTool, library.error().message, ctx);
  std::vector<SecondaryResult> results(options.secondary_hosts.size());
  {
    ssh::SessionPool pool(auth, timeouts);  // closed before the library goes
    std::vector<std::thread> threads;
    for (size_t i = 0; i < options.secondary_hosts.size(); ++i) {
      threads.emplace_back([&, i] {
        ssh::SshTarget target;
        target.host = options.secondary_hosts[i];
        target.port = ssh_options->port.value_or(options.ssh_port);
        target.user = ssh_options->user.value_or(options.ssh_user);
        auto run = pool.run(target, command, "", run_timeout);
        if (!run) {
          results[i].host = target.host;
          results[i].verdict = SecondaryVerdict::kNotAsked;
          results[i].detail = run.error().message;
          return;
        }
        results[i] = classify_probe(target.host, *run, timeout);
      });
    }
    for (auto& t : threads) t.join();
  }
  for (const auto& r : results) ctx.out << secondary_result_line(r) << '\n';
  ctx.out.flush();
  return combine_secondary_results(results);
}

}  // namespace mha::cli
