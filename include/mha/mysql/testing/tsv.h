#pragma once

// Test-only: ResultSet <-> a small text format for fixtures under tests/data/mysql/.
//
//   # comment lines first (provenance: server version, how it was captured)
//   Col_A<TAB>Col_B          header: column names
//   value<TAB>\N             one line per row; \N is NULL, an empty cell is ""
//
// Escapes inside cells: \\ backslash, \t tab, \n newline, \r carriage return. Header only = an
// empty result. Header-only library; no dependencies beyond ResultSet.

#include "mha/common/result.h"
#include "mha/mysql/result_set.h"

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace mha::mysql::testing {

inline std::string tsv_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

inline std::string format_tsv(const ResultSet& r, std::string_view comment = {}) {
  std::string out;
  std::istringstream lines{std::string(comment)};
  for (std::string line; std::getline(lines, line);) out += "# " + line + "\n";
  for (size_t i = 0; i < r.columns.size(); ++i) out += (i ? "\t" : "") + tsv_escape(r.columns[i]);
  out += "\n";
  for (const Row& row : r.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += "\t";
      out += row[i] ? tsv_escape(*row[i]) : "\\N";
    }
    out += "\n";
  }
  return out;
}

inline Result<ResultSet> parse_tsv(std::string_view text) {
  auto fail = [](size_t line, const std::string& why) {
    return Unexpected(
        make_error(ErrorCode::kIo, "TSV fixture line " + std::to_string(line) + ": " + why));
  };
  // Splits one line into cells, undoing escapes; a cell that is exactly \N is NULL.
  auto cells_of = [](std::string_view line, std::vector<Cell>& out) -> bool {
    out.clear();
    std::string cur;
    bool raw_null = false;
    size_t start = 0;
    for (size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == '\t') {
        raw_null = line.substr(start, i - start) == "\\N";
        if (raw_null) {
          out.emplace_back(std::nullopt);
        } else {
          out.emplace_back(cur);
        }
        cur.clear();
        start = i + 1;
        continue;
      }
      if (line[i] == '\\') {
        if (i + 1 >= line.size()) return false;
        char e = line[++i];
        switch (e) {
          case '\\':
            cur += '\\';
            break;
          case 't':
            cur += '\t';
            break;
          case 'n':
            cur += '\n';
            break;
          case 'r':
            cur += '\r';
            break;
          case 'N':
            break;  // only valid as a whole cell; checked above
          default:
            return false;
        }
      } else {
        cur += line[i];
      }
    }
    return true;
  };

  ResultSet r;
  bool header = false;
  size_t line_no = 0;
  size_t pos = 0;
  std::vector<Cell> cells;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!header && (line.empty() || line[0] == '#')) continue;
    if (!cells_of(line, cells)) return fail(line_no, "bad escape");
    if (!header) {
      for (const Cell& c : cells) r.columns.push_back(c.value_or("\\N"));
      header = true;
      continue;
    }
    if (cells.size() != r.columns.size()) {
      return fail(line_no, std::to_string(cells.size()) + " cells, header has " +
                               std::to_string(r.columns.size()));
    }
    r.rows.push_back(cells);
  }
  if (!header) return fail(line_no, "no header line");
  return r;
}

inline Result<ResultSet> load_tsv_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected(make_error(ErrorCode::kIo, "cannot open fixture " + path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_tsv(ss.str());
}

}  // namespace mha::mysql::testing
