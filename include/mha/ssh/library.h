#pragma once

// Libssh2Library: process-wide libssh2_init()/libssh2_exit() as an RAII guard.
//
// Create exactly one in main() before any thread that may use SSH starts, and keep it alive until
// every SshSession is gone: libssh2_init() is not thread-safe, and libssh2_exit() frees the
// crypto backend under live sessions. Move-only; the moved-from guard does nothing.

#include "mha/common/result.h"

namespace mha::ssh {

class Libssh2Library {
 public:
  // kSsh with the libssh2 rc in detail if the library cannot initialise its crypto backend.
  static Result<Libssh2Library> init();

  ~Libssh2Library();
  Libssh2Library(Libssh2Library&& other) noexcept;
  Libssh2Library& operator=(Libssh2Library&& other) noexcept;
  Libssh2Library(const Libssh2Library&) = delete;
  Libssh2Library& operator=(const Libssh2Library&) = delete;

 private:
  Libssh2Library() = default;
  bool owns_ = false;
};

}  // namespace mha::ssh
