#pragma once

// Classification of MySQL/MariaDB client and server errors by mysql_errno() alone; the message
// text is for people and is never inspected. Measured on MariaDB 10.11 + Connector/C 3.3 (see
// tests/integration/mysql_test.cc):
//   server killed (port closed)        -> 2002 at once               kUnreachable
//   host unreachable / link down       -> 2002 after connect timeout  kUnreachable
//   server frozen (SIGSTOP), connect   -> 2013 after connect timeout  kLost
//   server frozen during a query       -> 2013 after the read timeout kLost
//   wrong password                     -> 1045 at once               kAlive

#include "mha/common/error.h"

#include <string>
#include <string_view>
#include <vector>

namespace mha::mysql {

enum class ErrnoClass {
  kUnreachable,  // no server at the address: 2001-2005 (refused, unreachable, unknown host)
  kLost,         // a connection was cut or a handshake/read timed out: 2006, 2013, 2055, 4031
  // The server is up but refuses us (MHA's "alive" list): 1040 too many connections, 1042 bad
  // host, 1043 handshake, 1044/1045 access denied, 1129 host blocked, 1130 host not allowed,
  // 1203/1226 user limits, 1251 auth plugin unsupported, 1275 old password format. A failover
  // must not be started on these: fix the configuration or the server.
  kAlive,
  kTimeout,  // a server-side statement limit: 1205 lock wait, 1969 max_statement_time, 3024
  kOther,    // any other error reported by a live server (syntax, unknown variable, ...)
};

const char* errno_class_name(ErrnoClass c);  // "unreachable", "lost", "alive", "timeout", "other"

ErrnoClass classify_errno(unsigned int mysql_errno);

// kUnreachable/kLost -> kConnect, kAlive -> kAuth, kTimeout -> kTimeout, kOther -> kQuery.
ErrorCode error_code_for(ErrnoClass c);

// Builds the Error every mysql-module failure carries: code from the errno class, detail = errno,
// message "<action> <server>: <server_message>" with every string in `secrets` replaced by
// "<redacted>" (servers quote statement text in syntax errors).
Error make_mysql_error(unsigned int mysql_errno, std::string_view action, std::string_view server,
                       std::string_view server_message,
                       const std::vector<std::string>& secrets = {});

}  // namespace mha::mysql
