#pragma once

// Building and logging SQL text safely. Pure functions.

#include <string>
#include <string_view>
#include <vector>

namespace mha::mysql {

// A single-quoted SQL string literal: ' is doubled, \ is escaped, and NUL, \n, \r, Ctrl-Z are
// written as escapes. Correct under the default sql_mode; masterha never enables
// NO_BACKSLASH_ESCAPES on its sessions.
std::string quote_string(std::string_view value);

// A backquoted identifier (` doubled), for channel or user names in generated SQL.
std::string quote_identifier(std::string_view name);

// The statement with every secret literal replaced by '<redacted>': the string after
// MASTER_PASSWORD / SOURCE_PASSWORD / PASSWORD / IDENTIFIED BY / USING (with optional "=" or
// "("). Use it on every statement that goes to a log or an error message.
std::string redact_sql(std::string_view sql);

// The unquoted values redact_sql() would hide, so error texts that echo part of the statement
// (syntax errors quote it) can be scrubbed too.
std::vector<std::string> secret_literals(std::string_view sql);

}  // namespace mha::mysql
