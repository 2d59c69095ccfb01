#pragma once

// Entry point of the node helper binary, as a function so tests can drive it in-process.
//
// One binary, four names. Under its own name, `masterha_node <tool> [options]` or
// `masterha_node version [--json]` / `masterha_node --version`; installed as (symlinked to)
// save_binary_logs, apply_diff_relay_logs and purge_relay_logs it behaves as that tool, chosen by
// basename(argv[0]), so MHA-style invocations keep working.
//
// Exit codes: 0 success (and --help/--version), 1 failure or bad input (one line on `err`),
// 10 save_binary_logs or apply_diff_relay_logs find|generate found nothing to do
// (generate_and_send exits 0 then, as in MHA). Every command of the three tools is implemented,
// in raw and SQL text mode (docs/node.md).

#include <iosfwd>
#include <string>
#include <vector>

namespace mha::node {

// `argv` is the full argument vector (argv[0] included). `stdin_fd` is read only when
// --credentials_stdin is given.
int node_main(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err,
              int stdin_fd);

}  // namespace mha::node
