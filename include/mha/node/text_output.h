#pragma once

// SQL text mode of the node tools (--handle_raw_binlog=0; mha.md §1.2; docs/node.md): the events
// as `mysqlbinlog` prints them, one section per source file, each preceded by MHA's comment
// `# Binary/Relay log file X started`, instead of a binlog.
//
// The text is made from the raw output the tools already write (whole transactions only, every
// checksum verified, Gtid_list events left out), never from the source files themselves:
// mysqlbinlog ends every run with `ROLLBACK /* added by mysqlbinlog */`, so a section that ended
// inside a transaction would roll its first half back and the next section would autocommit the
// rest. Sections therefore start only at transaction starts: a transaction that continues from
// one relay log into the next stays in the section of the file it started in. Raw output that
// starts or ends inside a transaction (a relay-log tail, a save from a replica's read position)
// cannot be written as text at all and is refused.
//
// The apply side reads text back with scan_mysqlbinlog_text: the event header comments
// (`#YYMMDD HH:MM:SS server id N  end_log_pos P ...`) say where transactions start (GTID, BEGIN)
// and end (Xid, COMMIT, ROLLBACK, the statement after a standalone GTID), so a text file that
// starts or ends inside a transaction, or in which one transaction interrupts another, is
// refused before anything is applied, as raw files are.

#include "mha/common/result.h"
#include "mha/hooks/process.h"
#include "mha/topology/mariadb_gtid.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mha::node {

// Where, in a raw output file, the events of one source file begin.
struct SourceSection {
  uint64_t offset = 0;  // byte offset in the raw output
  std::string file;     // base name of the source binlog / relay log
  friend bool operator==(const SourceSection&, const SourceSection&) = default;
};

// MHA's section comment, with its newline.
std::string text_section_comment(const std::string& file);

// The sections of `raw_path` as text will have them: each candidate moved forward to the first
// transaction that starts at or after it (candidates that end up at the same place keep the last
// file name; a candidate after the last transaction start is dropped), the first one at the first
// transaction. kPrecondition when the raw file starts or ends inside a transaction or holds an
// interrupted one; kIo when it cannot be read.
Result<std::vector<SourceSection>> align_text_sections(
    const std::string& raw_path, const std::vector<SourceSection>& candidates);

struct TextOptions {
  std::string client_bindir;  // "" = PATH
  bool disable_log_bin = false;
  std::chrono::milliseconds timeout{4 * 3600 * 1000};  // per mysqlbinlog run
};

// The shell line that appends one section of `raw_path` ([start, stop), stop 0 = to the end) to
// `out_path`: the comment, then `mysqlbinlog [--disable-log-bin] --start-position=START
// [--stop-position=STOP] RAW`. Every path quoted.
std::string text_section_command(const std::string& raw_path, const SourceSection& section,
                                 uint64_t stop, const std::string& out_path,
                                 const TextOptions& options);

// Writes `out_path` (through a temporary file beside it, renamed into place when complete) from
// `raw_path`'s sections. Every mysqlbinlog run must exit 0. Returns the text's size in bytes.
Result<uint64_t> write_text_output(const std::string& raw_path,
                                   const std::vector<SourceSection>& sections,
                                   const std::string& out_path, const TextOptions& options,
                                   hooks::ProcessRunner& runner);

// What a mysqlbinlog text holds, from its event header comments.
struct TextScan {
  uint64_t transactions = 0;                       // whole transactions
  uint64_t events = 0;                             // event headers, Format_description excluded
  std::optional<topology::MariadbGtid> last_gtid;  // of the last whole transaction
  topology::GtidPosition first_per_domain;         // first GTID of each domain
  topology::GtidPosition last_per_domain;          // last GTID of each domain
};

// Scans one file's text; `source` names it in errors. kPrecondition (naming the file and line)
// when it starts inside a transaction, ends inside one, one transaction interrupts another, a
// GTID's seq_no does not grow within its domain, or nothing in it looks like mysqlbinlog output.
Result<TextScan> scan_mysqlbinlog_text(const std::string& text, const std::string& source);

}  // namespace mha::node
