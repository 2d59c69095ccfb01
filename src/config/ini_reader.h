#pragma once

// A small line-oriented reader for MHA-style INI files. We do not use inih here: its handler does
// not see line numbers (INI_HANDLER_LINENO is a compile-time option of the Debian build, off), it
// truncates lines at 200 bytes and only knows ';' as an inline comment. Every error this module
// reports must name file:line, so the reader keeps the line of every section and entry.
//
// Syntax (a superset of what Config::Tiny accepts in MHA's files):
//   - leading/trailing whitespace is ignored; blank lines are skipped;
//   - a line starting with '#', ';' or '//' is a comment;
//   - "[name]" opens a section (whitespace inside the brackets is trimmed);
//   - "key = value": key and value are trimmed;
//   - inline comment: whitespace followed by '#', ';' or '//' ends the value (the seed's sample
//     writes notes after values: "manager_workdir=/etc/mha   //工作目录");
//   - a value that starts with a quote (" or ') runs to the matching closing quote and is taken
//     literally without the quotes (so password="a #b" keeps its '#'); only whitespace or a
//     comment may follow the closing quote.
// Error messages never contain a value (it may be a password).

#include "mha/common/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace mha::config::internal {

struct IniEntry {
  std::string key;  // as written (trimmed); spelling is normalised by the caller
  std::string value;
  int line = 0;
};

struct IniSection {
  std::string name;
  int line = 0;
  std::vector<IniEntry> entries;
};

struct IniDocument {
  std::string path;
  std::vector<IniSection> sections;  // in file order
};

// Parses `text` (the contents of `path`, which is only used in messages).
// Errors: ErrorCode::kConfig, "<path>:<line>: ...".
Result<IniDocument> parse_ini(std::string_view text, const std::string& path);

// Reads and parses a file. A missing or unreadable file is an ErrorCode::kConfig error whose
// detail is the errno.
Result<IniDocument> read_ini_file(const std::string& path);

// Removes an inline comment (whitespace followed by '#', ';' or '//') and surrounding
// whitespace, honouring a leading quoted string. Returns the cleaned value or an error message
// fragment (no location, no value) for a malformed quote.
Result<std::string> clean_value(std::string_view raw);

}  // namespace mha::config::internal
