#pragma once

// Process- and thread-level set-up of libmariadb, as RAII guards.
//
// MysqlLibrary: create exactly one in main() BEFORE any thread that may open a connection starts,
// and keep it alive until they have all ended. mysql_init() would otherwise initialise the library
// lazily, which is not thread-safe.
//
// MysqlThreadToken: create one at the top of every thread (other than main) that uses
// MysqlConnection, so the library's per-thread state is released when the thread ends
// (mysql_thread_end); without it the state leaks and mysql_library_end() may wait for it.

namespace mha::mysql {

class MysqlLibrary {
 public:
  MysqlLibrary();   // mysql_library_init
  ~MysqlLibrary();  // mysql_library_end (only if init succeeded)
  MysqlLibrary(const MysqlLibrary&) = delete;
  MysqlLibrary& operator=(const MysqlLibrary&) = delete;

  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

class MysqlThreadToken {
 public:
  MysqlThreadToken();   // mysql_thread_init
  ~MysqlThreadToken();  // mysql_thread_end
  MysqlThreadToken(const MysqlThreadToken&) = delete;
  MysqlThreadToken& operator=(const MysqlThreadToken&) = delete;
};

}  // namespace mha::mysql
