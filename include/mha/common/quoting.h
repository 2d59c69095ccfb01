#pragma once

// Quoting for the two text formats that carry our values to other programs: POSIX shell words
// (command lines run over SSH or by /bin/sh) and MySQL/MariaDB option files (the credentials the
// mysql and mysqlbinlog clients read, never argv). One copy of each rule for every module: a
// mistake here is a command injection or a password that logs in as someone else. Pure.

#include <string>
#include <string_view>

namespace mha {

// Returns `s` as one shell word: wrapped in single quotes, each embedded ' written as '\''.
// The empty string becomes ''. Safe for any byte sequence, including newlines, $, `, \, * and
// leading dashes (the caller still passes `--` where a command would read a word as an option).
std::string shell_quote(std::string_view s);

// A [client] group with `user` and `password`, as a client reads it with --defaults-extra-file.
// Both values are double-quoted (keeping leading and trailing blanks, '#' and ';'); inside, a
// backslash, a double quote, a newline, a carriage return and a tab are written as the client's
// escapes (\\, \", \n, \r, \t), so no value can end its line and add an option of its own.
std::string client_option_file_text(std::string_view user, std::string_view password);

}  // namespace mha
