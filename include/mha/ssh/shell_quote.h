#pragma once

// POSIX shell quoting for command lines sent over SSH (the remote side runs them through the
// user's login shell, as ssh(1) does). Pure.

#include <string>
#include <string_view>

namespace mha::ssh {

// Returns `s` as one shell word: wrapped in single quotes, each embedded ' written as '\''.
// The empty string becomes ''. Safe for any byte sequence, including newlines, $, `, \, * and
// leading dashes (the caller still passes `--` where a command would read a word as an option).
std::string shell_quote(std::string_view s);

}  // namespace mha::ssh
