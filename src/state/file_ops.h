#pragma once

// Small POSIX file operations for FileStateStore. Private to mha_state. Errors are
// ErrorCode::kIo naming the path, with errno in `detail`.

#include "mha/common/result.h"
#include "mha/state/failover_state_store.h"

#include <optional>
#include <string>

namespace mha::state::internal {

// Writes `content` to a temporary file beside `path`, fsyncs it and renames it over `path`.
Status replace_file(const std::string& path, const std::string& content);

// The whole file; nullopt when it does not exist.
Result<std::optional<std::string>> read_file(const std::string& path);

// mtime; nullopt when the file does not exist.
Result<std::optional<WallTime>> modification_time(const std::string& path);

// Sets atime and mtime to now. kNotFound when the file does not exist.
Status touch_existing(const std::string& path);

// Removes the file; a missing file is not an error.
Status remove_file(const std::string& path);

}  // namespace mha::state::internal
