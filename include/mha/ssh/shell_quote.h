#pragma once

// POSIX shell quoting for command lines sent over SSH (the remote side runs them through the
// user's login shell, as ssh(1) does). The rule lives in mha_common (mha/common/quoting.h), one
// copy for every module; ssh::shell_quote is that function.

#include "mha/common/quoting.h"

namespace mha::ssh {

using mha::shell_quote;

}  // namespace mha::ssh
