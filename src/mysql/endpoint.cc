#include "mha/mysql/endpoint.h"

namespace mha::mysql {

std::string Endpoint::display() const {
  if (!unix_socket.empty()) return unix_socket;
  // IPv6 literals get brackets so the port stays readable.
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

}  // namespace mha::mysql
