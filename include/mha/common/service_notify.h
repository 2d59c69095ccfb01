#pragma once

// A minimal client of systemd's service notification protocol (sd_notify(3)), written against
// the documented wire format instead of linking libsystemd: each call sends one datagram of
// newline-separated VAR=value assignments to the AF_UNIX socket named by $NOTIFY_SOCKET.
//
// Used by masterha_manager under the masterha-manager@.service unit (Type=notify,
// NotifyAccess=main, WatchdogSec=). The manager loop is expected to:
//
//   ServiceNotifier notifier = ServiceNotifier::from_environment();   // first thing in main()
//   ... start-up checks; extend_timeout() if they may outlast TimeoutStartSec ...
//   notifier.ready();                      // only once the start-up checks passed
//   notifier.status("monitoring master db1(10.0.0.1:3306)");
//   loop: notifier.watchdog() at least every watchdog_interval(), from the monitoring loop
//         itself (never from a helper thread, or a hung loop would not be noticed) and also
//         between failover steps: a failover that outlasts WatchdogSec without a WATCHDOG=1 is
//         killed (SIGABRT) by systemd halfway through.
//   SIGHUP: notifier.reloading(); reload; notifier.ready();
//   notifier.status("failover running: db1 is dead"); ... notifier.status("failover done: ...");
//   notifier.stopping();                   // before a deliberate exit
//
// Contract:
// - No NOTIFY_SOCKET (not started by systemd, or by a unit without Type=notify): enabled() is
//   false and every call is a no-op returning success, so callers need no special case.
// - NOTIFY_SOCKET set but unusable (not "/absolute/path" or "@abstract", or too long): enabled()
//   is true and every call returns ErrorCode::kConfig naming NOTIFY_SOCKET, so the manager can log
//   one line rather than wait for a start timeout without a clue.
// - Sending never blocks (MSG_DONTWAIT): if systemd's queue is full or nobody listens, the call
//   returns ErrorCode::kIo with errno in `detail` (EAGAIN, ECONNREFUSED, ENOENT, ...) at once.
//   Failures are not retried here; a missed WATCHDOG=1 is made up by the next one.
// - The object holds no descriptor (a socket is opened per call, as sd_notify does) and is
//   immutable after construction: any thread may call it. Not async-signal-safe (it allocates):
//   call it from the main loop, never from a signal handler.
// - Text passed to status() is redacted like log lines and flattened to one line, so it cannot
//   inject another assignment (e.g. "\nREADY=1").

#include "mha/common/result.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace mha {

class ServiceNotifier {
 public:
  // Disabled: every call is a no-op.
  ServiceNotifier() = default;

  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. With `unset_environment` (the default)
  // the three variables are removed afterwards, so scripts and tools the manager starts do not
  // inherit them (NotifyAccess=main makes systemd ignore them anyway, but a child must not even
  // try). unsetenv() is not thread-safe: call this in main() before any thread starts.
  static ServiceNotifier from_environment(bool unset_environment = true);

  // The same from explicit values (nullopt: variable unset); `own_pid` is compared with
  // WATCHDOG_PID. For tests and for callers that read the environment themselves.
  static ServiceNotifier from_values(std::optional<std::string_view> notify_socket,
                                     std::optional<std::string_view> watchdog_usec,
                                     std::optional<std::string_view> watchdog_pid, pid_t own_pid);

  // True when NOTIFY_SOCKET was set (even to an unusable value, see above).
  bool enabled() const { return !socket_.empty(); }

  // The NOTIFY_SOCKET value as given ("" when disabled), for log lines.
  const std::string& socket() const { return socket_; }

  // The service's watchdog timeout (WATCHDOG_USEC), when systemd expects WATCHDOG=1 from this
  // process: WATCHDOG_USEC is a positive number, NOTIFY_SOCKET is set and WATCHDOG_PID is unset
  // or this process's pid. nullopt otherwise (no WatchdogSec=, a child process, a bad value).
  std::optional<std::chrono::microseconds> watchdog_timeout() const { return watchdog_timeout_; }

  // How often to call watchdog(): half the timeout, as sd_watchdog_enabled(3) recommends, so one
  // late iteration does not get the process killed. nullopt when no watchdog is expected.
  std::optional<std::chrono::microseconds> watchdog_interval() const;

  // READY=1: start-up is complete (for Type=notify, `systemctl start` returns now). Also ends a
  // reload begun with reloading().
  Status ready() const;
  // RELOADING=1: a configuration reload has begun; call ready() when it is done.
  Status reloading() const;
  // STOPPING=1: the process is about to exit on purpose.
  Status stopping() const;
  // STATUS=<line>: free text shown by `systemctl status`. Redacted, newlines become spaces, and
  // cut to 1024 bytes (at a UTF-8 character boundary).
  Status status(std::string_view line) const;
  // WATCHDOG=1: the loop is alive. No-op when watchdog_timeout() is nullopt.
  Status watchdog() const;
  // EXTEND_TIMEOUT_USEC=<n>: during start-up or stop, ask systemd for `extra` more time than
  // TimeoutStartSec/TimeoutStopSec from now. Rounded down to whole microseconds; must be > 0.
  Status extend_timeout(std::chrono::microseconds extra) const;

  // Sends `assignments` (one or more "VAR=value" lines) as they are. For protocol messages not
  // covered above; the caller is responsible for the content.
  Status notify(std::string_view assignments) const;

 private:
  std::string socket_;                 // NOTIFY_SOCKET as given; empty: disabled
  std::optional<Error> socket_error_;  // set when socket_ is not a usable address
  std::optional<std::chrono::microseconds> watchdog_timeout_;
};

}  // namespace mha
