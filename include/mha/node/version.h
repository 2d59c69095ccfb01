#pragma once

// Version reporting of the node helper. The manager runs `masterha_node version --json` on every
// database host (check_ssh, and before it relies on the helper during a failover) and compares
// `protocol`: the contract between manager and helper (command names, options, exit codes,
// credentials on stdin). It changes only when that contract changes incompatibly, independently
// of the release version.

#include <string>
#include <string_view>

namespace mha::node {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::string_view kNodeProgram = "masterha_node";

// The release version (the project version, e.g. "0.1.0").
std::string_view release_version();

// "<program> version <release>." — MHA's spelling, which existing tooling greps for.
std::string version_line(std::string_view program);

// {"name":"masterha_node","version":"<release>","protocol":<kProtocolVersion>} on one line.
std::string version_json();

}  // namespace mha::node
