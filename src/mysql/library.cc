#include "mha/mysql/library.h"

#include <mysql.h>

namespace mha::mysql {

MysqlLibrary::MysqlLibrary() : ok_(mysql_library_init(0, nullptr, nullptr) == 0) {}

MysqlLibrary::~MysqlLibrary() {
  if (ok_) mysql_library_end();
}

MysqlThreadToken::MysqlThreadToken() { mysql_thread_init(); }

MysqlThreadToken::~MysqlThreadToken() { mysql_thread_end(); }

}  // namespace mha::mysql
