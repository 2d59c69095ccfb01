#pragma once

// Exporter: serves a Registry over HTTP for Prometheus. GET /metrics (and HEAD) answers 200 with
// Registry::render() as "text/plain; version=0.0.4"; GET / a one-line pointer to /metrics; other
// paths 404, other methods 405. Every response closes the connection.
//
// A plain socket server (no HTTP library): one background thread accepts and answers one
// connection at a time. Each connection has 5 s to send its request head (at most 8 KiB) and to
// take the response, so a stuck client delays the next scrape by at most that; nothing a client
// sends can grow memory beyond the cap. Debian's cpp-httplib is a shared library built with
// OpenSSL, brotli and zlib, far more than one read-only GET needs (docs/metrics.md).
//
// Lifetime: start() binds and listens before it returns (so a busy port is reported at once)
// and starts the thread; the destructor stops the thread (wakes it through a pipe) and closes
// the sockets. The Registry must outlive the Exporter.

#include "mha/common/result.h"
#include "mha/metrics/registry.h"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace mha::metrics {

struct ListenAddress {
  std::string host;  // empty: every address (0.0.0.0 and ::)
  int port = 0;      // 0 only when allow_ephemeral
};

// "host:port", "[v6]:port", ":port" or "*:port" (every address). kConfig naming the text for
// anything else; port 1..65535 (0 too when `allow_ephemeral`, for tests).
Result<ListenAddress> parse_listen_address(std::string_view text, bool allow_ephemeral = false);

class Exporter {
 public:
  struct Options {
    std::chrono::milliseconds client_timeout{5000};  // per connection, request and response
  };

  // Binds `listen` (parse_listen_address, port 0 allowed: the kernel picks one, see port()).
  // kConfig for a malformed address, kConnect for a name that does not resolve, kIo (errno in
  // detail) when the address cannot be bound, e.g. EADDRINUSE.
  static Result<std::unique_ptr<Exporter>> start(const Registry& registry, std::string_view listen,
                                                 Options options);
  static Result<std::unique_ptr<Exporter>> start(const Registry& registry,
                                                 std::string_view listen) {
    return start(registry, listen, Options{});
  }

  ~Exporter();
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  int port() const;                    // the bound port (the kernel's choice for port 0)
  const std::string& address() const;  // "host:port" as bound, for log lines
  uint64_t requests_served() const;    // responses written so far (any status)

  struct Impl;

 private:
  explicit Exporter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mha::metrics
