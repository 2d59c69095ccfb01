#pragma once

// masterha_secondary_check: ask other hosts over SSH whether they can reach the master.
//
// MHA's stock script opens a TCP connection from each secondary host, which calls a hung mysqld
// alive (the kernel accepts connections on its behalf). We instead read the first bytes of the
// MySQL handshake, which only a live server sends: on each host, through the SSH user's shell,
// secondary_probe_command() runs bash's /dev/tcp under coreutils' `timeout` and prints what it
// got, and classify_probe() reads that. Nothing secret is sent: the probe needs no password.
//
// Exit codes are MHA's: 0 the master is unreachable from every secondary host (also with no
// host at all), 2 a secondary host could not be asked (SSH failed, or the probe could not run
// there: "likely a network problem"), 3 the master is reachable from at least one host; bad
// arguments exit 1 before anything runs.
//
// Hosts are asked in parallel, so the tool takes about one timeout however many there are;
// combine_secondary_results() then decides. MHA stopped at the first host that did not answer
// "unreachable"; asking every host means one line per host is always printed, and "reachable"
// from any host wins over a host that could not be asked (the master is certainly up then).

#include "mha/ssh/remote_exec.h"

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mha::cli {

inline constexpr int kSecondaryMasterDown = 0;
inline constexpr int kSecondaryNetworkProblem = 2;
inline constexpr int kSecondaryMasterReachable = 3;

enum class SecondaryVerdict {
  kMasterUnreachable,  // asked, and the master did not greet from there
  kMasterReachable,    // asked, and the master sent a MySQL greeting (or a MySQL error packet)
  kNotAsked,           // SSH to the secondary host failed, or the probe could not run there
};

struct SecondaryResult {
  std::string host;  // the secondary host as given with -s
  SecondaryVerdict verdict = SecondaryVerdict::kNotAsked;
  std::string detail;  // one clause for the operator: what was seen
};

// 0, 2 or 3 as above. Pure.
int combine_secondary_results(std::span<const SecondaryResult> results);

// The line printed for one host, MHA's wording plus the detail in parentheses:
//   "Monitoring server db2 is reachable, Master is not reachable from db2 (<detail>). OK."
//   "Master is reachable from db2 (<detail>)!"
//   "Monitoring server db2 is NOT reachable (<detail>)!"
std::string secondary_result_line(const SecondaryResult& result);

// The command line run on a secondary host: within `timeout`, connect to master:port and print
// "connected" and then the first five bytes of what the server sends, as hex. Every word
// is shell-quoted; bash, timeout, head and od (coreutils) must be on the host.
std::string secondary_probe_command(std::string_view master, int port,
                                    std::chrono::seconds timeout);

// What a probe run printed and how it ended -> verdict and detail. Pure.
//   greeting (length, sequence 0, protocol 10)  -> reachable
//   MySQL error packet (0xff: e.g. too many connections, host blocked) -> reachable: it answered
//   connected, then nothing within the timeout -> unreachable ("hung server?")
//   connected, then closed, or bytes that are not MySQL -> unreachable
//   connect failed or timed out                 -> unreachable
//   exit 126/127 (bash or timeout missing)      -> not asked
SecondaryResult classify_probe(std::string host, const ssh::ExecResult& run,
                               std::chrono::seconds timeout);

}  // namespace mha::cli
