#pragma once

// masterha_conf_host's file editing: add or delete one [block] of an MHA application file while
// every other byte of the file stays as it was (MHA rewrote the whole file through Config::Tiny
// and lost comments, order and formatting).
//
// A section header is a line whose first non-blank character is '[' and which has a ']' after
// it; its name is the text between them with surrounding blanks removed, compared exactly.
// A block's lines run from its header to the next header or the end of the file, except that
// comment lines ('#' or ';') and blank lines directly before the next header stay: they usually
// describe or separate the next block. Line ends (\n or \r\n) are kept as found.
//
// Pure text functions. The edited file is written back with mha::replace_file_atomically
// (common/atomic_file.h, ReplaceOptions::keep_existing).

#include "mha/common/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mha::cli {

// `text` with "[block]", "hostname=<hostname>" and "name=value" for each param appended (after
// a blank line when the file does not already end with one). kConflict when the block exists;
// kConfig when a name or value would break the file (a line end, a '[' starting a name, an
// empty name, or "hostname" among the params, which --hostname sets). Messages name the block
// and the parameter, never a value.
Result<std::string> add_conf_block(std::string_view text, const std::string& block,
                                   const std::string& hostname,
                                   const std::vector<std::pair<std::string, std::string>>& params);

// `text` without the block's lines; nullopt when there is no such block.
std::optional<std::string> delete_conf_block(std::string_view text, const std::string& block);

}  // namespace mha::cli
