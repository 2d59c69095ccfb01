#include "mha/ssh/library.h"

#include <libssh2.h>

#include <utility>

namespace mha::ssh {

Result<Libssh2Library> Libssh2Library::init() {
  int rc = libssh2_init(0);
  if (rc != 0) return Unexpected(make_error(ErrorCode::kSsh, "libssh2_init failed", rc));
  Libssh2Library library;
  library.owns_ = true;
  return library;
}

Libssh2Library::~Libssh2Library() {
  if (owns_) libssh2_exit();
}

Libssh2Library::Libssh2Library(Libssh2Library&& other) noexcept
    : owns_(std::exchange(other.owns_, false)) {}

Libssh2Library& Libssh2Library::operator=(Libssh2Library&& other) noexcept {
  if (this != &other) {
    if (owns_) libssh2_exit();
    owns_ = std::exchange(other.owns_, false);
  }
  return *this;
}

}  // namespace mha::ssh
