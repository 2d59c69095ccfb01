#pragma once

// apply_diff_relay_logs --command=apply|test, on the host of the replica that receives events
// (mha.md §1.2, §3.9 "Apply on a target"; docs/node.md). The helper does not link libmariadb: SQL
// goes through the local `mysql` client with the credentials in a 0600 option file in --workdir
// (never argv, never a log line), removed afterwards.
//
// apply: --apply_files=f1,f2,... are applied in order as ONE stream, one
// `mysqlbinlog f1 f2 ... | mysql` over all of them, so a transaction that continues from one file
// into the next (the target's exec->read relay-log tail, then the diff) is never cut. In order:
//   1. Before anything changes, every file is read with our binlog reader (checksums verified)
//      and the stream is checked for what would make mysqlbinlog stop half way or apply half a
//      transaction: a transaction interrupted by another one (the server would commit the half),
//      a stream that ends inside a transaction, a Gtid_list event after a file's header, and a
//      MariaDB GTID whose seq_no does not grow within its domain. The last two are what MariaDB
//      >= 10.8's mysqlbinlog (GTID strict mode on by default) stops at with exit 1 (mha.md §9.2
//      point 3); refusing them up front means it never stops in the middle of our apply.
//   2. The clients are found (--client_bindir, else PATH); the server's max_allowed_packet,
//      read_only, super_read_only (where it exists), log_bin and version are read.
//   3. max_allowed_packet is raised to 1 GiB (the server refuses an event larger than ITS
//      limit) and read_only / super_read_only are lifted when on.
//   4. The pipeline runs under bash; both stages' exit statuses are read from PIPESTATUS: a
//      mysqlbinlog that stops half way fails the apply even though mysql exits 0.
//   5. What step 3 changed is put back, whatever the apply did.
//   6. When the server logs what it applies (log_bin=ON and no --disable_log_bin), its
//      @@gtid_binlog_pos must contain the last GTID of every domain in the files, or the command
//      fails. gtid_slave_pos is not used: events applied through a client session never
//      advance it (only the replication SQL thread does; measured on MariaDB 10.11.19). With the
//      binlog off for the apply, NO GTID variable moves (gtid_binlog_pos, gtid_slave_pos and
//      gtid_current_pos stay put, measured with --disable-log-bin), so there is nothing to check
//      it against: the summary says "gtid_check":"impossible" and stderr says why.
//
// test: the mysql and mysqlbinlog clients exist and run, the relay logs of --relay_dir /
// --current_relay_log are found and the newest one reads with our reader, and the server answers
// with the given credentials. The first failure is returned as one line naming what failed.

#include "mha/common/result.h"
#include "mha/hooks/process.h"
#include "mha/topology/mariadb_gtid.h"

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace mha::node {

inline constexpr uint64_t kApplyMaxAllowedPacket = 1073741824;  // the server's maximum (1 GiB)
inline constexpr std::chrono::milliseconds kApplySqlTimeout{60'000};
// The apply itself: generous (a diff of several GB), but bounded. The manager's SSH command
// normally has a shorter limit of its own.
inline constexpr std::chrono::milliseconds kApplyPipelineTimeout{4 * 3600 * 1000};

// The local server and how to reach it.
struct ApplyTarget {
  std::string host = "127.0.0.1";  // address the clients connect to (--slave_ip, else _host)
  int port = 3306;
  std::string user = "root";
  std::string password;
  std::string workdir = "/var/tmp";  // where the 0600 option file is made
  std::string client_bindir;         // "" = PATH
};

struct ApplyRequest {
  ApplyTarget target;
  std::vector<std::string> files;  // applied in this order, as one stream
  bool disable_log_bin = false;    // mysqlbinlog --disable-log-bin (text: sql_log_bin=0)
  bool no_apply = false;           // check the files and the clients, change nothing
  // --handle_raw_binlog=0: the files are mysqlbinlog SQL text (text_output.h). Step 1 is then
  // scan_text_stream, and step 4 is `cat FILES | mysql` (with --disable_log_bin the session
  // runs SET sql_log_bin=0 first, through mysql --init-command); everything else is the same.
  bool text = false;
};

// What step 1 found in the files.
struct ApplyStream {
  uint64_t transactions = 0;  // whole transactions (a split one counts once)
  uint64_t bytes = 0;
  std::optional<topology::MariadbGtid> last_gtid;  // of the last whole transaction
  topology::GtidPosition last_per_domain;          // last GTID of each domain
};

// Step 1 (pure file reading). kPrecondition naming the file and offset for a stream that would
// be applied wrongly; kIo for unreadable or corrupt files.
Result<ApplyStream> scan_apply_stream(const std::vector<std::string>& files);

// Step 1 for SQL text files: each file on its own must hold whole transactions (mysqlbinlog ends
// every text with a ROLLBACK, so a transaction cannot continue into the next file), with GTIDs
// growing per domain across the files; a binlog given as text is refused. kPrecondition naming
// the file and line; kIo for unreadable files.
Result<ApplyStream> scan_text_stream(const std::vector<std::string>& files);

// The pipeline of step 4 as a bash script (no password: only the option file's path).
std::string apply_pipeline(const std::vector<std::string>& files, const ApplyTarget& target,
                           const std::string& option_file, bool disable_log_bin, bool text = false);

// The pipeline's stage statuses from its output's last "pipestatus=A B" line; nullopt when
// there is none (the shell died first).
std::optional<std::pair<int, int>> pipeline_status(const std::string& out);

// The statements of step 3 and step 5 for the values step 2 read.
struct ServerSettings {
  uint64_t max_allowed_packet = 0;
  bool read_only = false;
  std::optional<bool> super_read_only;  // nullopt: the server has no such variable (MariaDB)
  bool log_bin = false;
  std::string version;
  std::string gtid_binlog_pos;  // "" when absent (MySQL)
};
// Parses `SHOW GLOBAL VARIABLES` output (-N -B: name TAB value lines).
Result<ServerSettings> parse_server_settings(const std::string& out);
std::string settings_query();
std::string prepare_statements(const ServerSettings& before);
std::string restore_statements(const ServerSettings& before);

struct ApplySummary {
  std::string result;  // "applied" | "not_applied" (--no_apply)
  std::vector<std::string> files;
  ApplyStream stream;
  bool read_only_lifted = false;
  uint64_t max_allowed_packet_before = 0;
  std::string gtid_check;             // "gtid_binlog_pos" | "impossible" | "no_gtid" | "skipped"
  std::string gtid_binlog_pos_after;  // when checked
};

// --command=apply. Progress to `log`. Errors: as scan_apply_stream; kNotFound (a client); kQuery
// (a session failed); kPrecondition (the pipeline failed: stage statuses and the client's last
// error line in the message; the GTID is missing afterwards). Settings are restored in every
// case once they were changed; a failed restore is added to the error (or is the error).
Result<ApplySummary> apply_diff_files(const ApplyRequest& request, hooks::ProcessRunner& runner,
                                      std::ostream& log);
std::string apply_json(const ApplySummary& summary);

struct ApplyTestRequest {
  ApplyTarget target;
  std::string relay_dir;
  std::string relay_log;  // --current_relay_log: gives the prefix
};

struct ApplyTestSummary {
  std::string mysql;
  std::string mysqlbinlog;
  std::string relay_dir;
  std::string newest_relay_log;
  uint64_t relay_logs = 0;
  std::string server_version;
  bool read_only = false;
};

// --command=test.
Result<ApplyTestSummary> test_apply(const ApplyTestRequest& request, hooks::ProcessRunner& runner);
std::string apply_test_json(const ApplyTestSummary& summary);

}  // namespace mha::node
