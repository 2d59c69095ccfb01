// The pure parts of masterha_secondary_check: the remote probe's command line, reading its
// output, and combining the hosts' answers into MHA's exit code.

#include "mha/cli/secondary_check.h"

#include "mha/ssh/shell_quote.h"

#include <sstream>
#include <vector>

namespace mha::cli {
namespace {

// coreutils timeout's status when it had to stop the command.
constexpr int kTimeoutExpired = 124;
// The shell's "found but not executable" and "not found".
constexpr int kShellNotExecutable = 126;
constexpr int kShellNotFound = 127;

// Runs under bash with $1 = host, $2 = port. "connected" tells a connect that timed out from a
// server that accepted and then said nothing; od prints the greeting's first bytes as hex.
constexpr std::string_view kProbeScript =
    "exec 3<>\"/dev/tcp/$1/$2\" || exit 3\n"
    "echo connected\n"
    "head -c 5 <&3 | od -An -v -tx1\n";

std::string last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  const size_t start = text.find_last_of('\n');
  return std::string(start == std::string_view::npos ? text : text.substr(start + 1));
}

std::string seconds_text(std::chrono::seconds timeout) {
  return std::to_string(timeout.count()) + " s";
}

}  // namespace

int combine_secondary_results(std::span<const SecondaryResult> results) {
  bool not_asked = false;
  for (const auto& r : results) {
    if (r.verdict == SecondaryVerdict::kMasterReachable) return kSecondaryMasterReachable;
    if (r.verdict == SecondaryVerdict::kNotAsked) not_asked = true;
  }
  return not_asked ? kSecondaryNetworkProblem : kSecondaryMasterDown;
}

std::string secondary_result_line(const SecondaryResult& r) {
  const std::string detail = r.detail.empty() ? "" : " (" + r.detail + ")";
  switch (r.verdict) {
    case SecondaryVerdict::kMasterUnreachable:
      return "Monitoring server " + r.host + " is reachable, Master is not reachable from " +
             r.host + detail + ". OK.";
    case SecondaryVerdict::kMasterReachable:
      return "Master is reachable from " + r.host + detail + "!";
    case SecondaryVerdict::kNotAsked:
      break;
  }
  return "Monitoring server " + r.host + " is NOT reachable" + detail + "!";
}

std::string secondary_probe_command(std::string_view master, int port,
                                    std::chrono::seconds timeout) {
  return "timeout " + std::to_string(timeout.count()) + " bash -c " +
         ssh::shell_quote(kProbeScript) + " masterha_secondary_probe " + ssh::shell_quote(master) +
         " " + ssh::shell_quote(std::to_string(port));
}

SecondaryResult classify_probe(std::string host, const ssh::ExecResult& run,
                               std::chrono::seconds timeout) {
  SecondaryResult r;
  r.host = std::move(host);
  r.verdict = SecondaryVerdict::kMasterUnreachable;
  if (run.exit_code == kShellNotFound || run.exit_code == kShellNotExecutable) {
    r.verdict = SecondaryVerdict::kNotAsked;
    const std::string why = last_line(run.err);
    r.detail = "cannot run the probe there (needs bash and coreutils' timeout)" +
               (why.empty() ? std::string() : ": " + why);
    return r;
  }
  std::istringstream out(run.out);
  std::string word;
  bool connected = false;
  std::vector<int> bytes;
  while (out >> word) {
    if (!connected) {
      // A login shell's rc files may print before the probe does.
      connected = word == "connected";
      continue;
    }
    if (word.size() != 2) continue;
    try {
      bytes.push_back(std::stoi(word, nullptr, 16));
    } catch (const std::exception&) {
      // not a hex byte of od's output: ignore
    }
  }
  if (!connected) {
    if (run.exit_code == kTimeoutExpired) {
      r.detail = "TCP connect timed out after " + seconds_text(timeout);
    } else {
      const std::string why = last_line(run.err);
      r.detail = "TCP connect failed" + (why.empty() ? std::string() : ": " + why);
    }
    return r;
  }
  if (bytes.size() >= 5 && bytes[3] == 0 && bytes[4] == 10) {
    r.verdict = SecondaryVerdict::kMasterReachable;
    r.detail = "MySQL handshake received";
    return r;
  }
  if (bytes.size() >= 5 && bytes[3] == 0 && bytes[4] == 0xff) {
    // Too many connections, host blocked...: the server is alive and answering.
    r.verdict = SecondaryVerdict::kMasterReachable;
    r.detail = "MySQL answered with an error packet";
    return r;
  }
  if (bytes.empty() && run.exit_code == kTimeoutExpired) {
    r.detail =
        "TCP connected but no MySQL greeting within " + seconds_text(timeout) + ": hung server?";
  } else if (bytes.size() < 5) {
    r.detail = "TCP connected but the connection closed before a MySQL greeting";
  } else {
    r.detail = "TCP connected but the server did not speak the MySQL protocol";
  }
  return r;
}

}  // namespace mha::cli
