#pragma once

// Command lines for the operator's hooks with MHA's argument sets. Internal to the recovery
// module. Script values from the configuration are shell lines (they may carry their own
// arguments), so arguments are appended single-quoted.

#include "mha/recovery/executor.h"
#include "mha/ssh/shell_quote.h"
#include "mha/topology/cluster_snapshot.h"

#include <string>
#include <vector>

namespace mha::recovery::internal {

// One quoting rule for every line this module builds (hooks, remote commands).
using ssh::shell_quote;

// `script` followed by each "--name=value" argument quoted.
std::string script_line(const std::string& script, const std::vector<std::string>& args);

// --orig_master_host/--orig_master_ip/--orig_master_port of `s`.
std::vector<std::string> orig_master_args(const topology::ServerIdentity& s);
std::vector<std::string> new_master_args(const topology::ServerIdentity& s);

// MHA's SSH additions for a server: --<prefix>ssh_host/ssh_ip/ssh_port when they differ from the
// defaults, and --ssh_options when set. `prefix` is "orig_master_", "new_master_" or "".
std::vector<std::string> ssh_args(const ServerScriptFacts& f, const std::string& prefix);

}  // namespace mha::recovery::internal
