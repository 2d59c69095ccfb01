#pragma once

// Where and how to reach one MySQL/MariaDB server. Plain data; no I/O.

#include <chrono>
#include <string>

namespace mha::mysql {

struct Endpoint {
  std::string host;  // name or IP; always reached over TCP unless unix_socket is set
  int port = 3306;
  std::string unix_socket;  // set: connect through this socket instead (test set-up, local tools)

  // "host:port" (or the socket path), as every error message names the server.
  std::string display() const;
};

// The password lives only here and in libmariadb's handle while connecting. It is never logged,
// never part of an error message and never passed on a command line.
struct Credentials {
  std::string user;
  std::string password;
};

// libmariadb takes whole seconds; values below 1 s are raised to 1 s. `connect` bounds the TCP
// connect and the handshake (a frozen server accepts the TCP connection and never greets us);
// `read`/`write` bound each network read/write of a statement, so a server frozen while a query
// runs fails the query (errno 2013) instead of hanging it. Measured with Connector/C 3.3: a
// timed-out read is not retried, a query on a frozen server fails after `read` (2.0 s for 2 s).
struct Timeouts {
  std::chrono::seconds connect{5};
  std::chrono::seconds read{10};
  std::chrono::seconds write{10};
};

}  // namespace mha::mysql
