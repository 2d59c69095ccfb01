#pragma once

// replace_file_atomically(): the one way this code base rewrites a file that others read while
// it changes (status file, markers, failover records and reports, the operator's configuration).
//
// Contract: readers see the old content or the new, never a mix, and after a crash one of the two
// is on disk. The content goes to a uniquely named temporary file in the same directory (so
// rename(2) is atomic and two writers never share a temporary), is fsynced, renamed over the
// path, and the directory is fsynced so the rename itself survives a crash. On any failure the
// temporary file is removed and `path` is untouched. Errors are ErrorCode::kIo (kNotFound for
// ENOENT) naming the path, with errno in `detail`.

#include "mha/common/result.h"

#include <string>
#include <string_view>

#include <sys/types.h>

namespace mha {

struct ReplaceOptions {
  mode_t mode = 0644;  // the new file's mode, exactly (no umask), unless keep_existing
  // The file must exist; it keeps its mode and, when we are root, its owner (an operator's
  // configuration edited in place). A symlink is followed: its target is replaced, not the link.
  bool keep_existing = false;
};

Status replace_file_atomically(const std::string& path, std::string_view content,
                               const ReplaceOptions& options = {});

}  // namespace mha
