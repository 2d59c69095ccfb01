#include "mha/mysql/errors.h"

namespace mha::mysql {

const char* errno_class_name(ErrnoClass c) {
  switch (c) {
    case ErrnoClass::kUnreachable:
      return "unreachable";
    case ErrnoClass::kLost:
      return "lost";
    case ErrnoClass::kAlive:
      return "alive";
    case ErrnoClass::kTimeout:
      return "timeout";
    case ErrnoClass::kOther:
      return "other";
  }
  return "other";
}

ErrnoClass classify_errno(unsigned int mysql_errno) {
  switch (mysql_errno) {
    case 2001:  // CR_SOCKET_CREATE_ERROR
    case 2002:  // CR_CONNECTION_ERROR: refused, timed out or unreachable (libmariadb uses it for
                // TCP)
    case 2003:  // CR_CONN_HOST_ERROR
    case 2004:  // CR_IPSOCK_ERROR
    case 2005:  // CR_UNKNOWN_HOST
      return ErrnoClass::kUnreachable;
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST: also a handshake or read that hit its timeout
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8.0.24+): server closed an idle session
      return ErrnoClass::kLost;
    case 1040:
    case 1042:
    case 1043:
    case 1044:
    case 1045:
    case 1129:
    case 1130:
    case 1203:
    case 1226:
    case 1251:
    case 1275:
      return ErrnoClass::kAlive;
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
    case 1969:  // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
    case 3024:  // ER_QUERY_TIMEOUT (MySQL max_execution_time)
      return ErrnoClass::kTimeout;
    default:
      return ErrnoClass::kOther;
  }
}

ErrorCode error_code_for(ErrnoClass c) {
  switch (c) {
    case ErrnoClass::kUnreachable:
    case ErrnoClass::kLost:
      return ErrorCode::kConnect;
    case ErrnoClass::kAlive:
      return ErrorCode::kAuth;
    case ErrnoClass::kTimeout:
      return ErrorCode::kTimeout;
    case ErrnoClass::kOther:
      return ErrorCode::kQuery;
  }
  return ErrorCode::kQuery;
}

Error make_mysql_error(unsigned int mysql_errno, std::string_view action, std::string_view server,
                       std::string_view server_message, const std::vector<std::string>& secrets) {
  std::string text(server_message);
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 10)) {
      text.replace(at, secret.size(), "<redacted>");
    }
  }
  std::string message = std::string(action) + " " + std::string(server) + ": " + text;
  return make_error(error_code_for(classify_errno(mysql_errno)), std::move(message),
                    static_cast<int>(mysql_errno));
}

}  // namespace mha::mysql
