#pragma once

// A fully materialised query result: column names and rows of cells, NULL kept distinct from "".
// Copied out of MYSQL_RES at once, so parsers that read it are pure and fixture-tested. Column
// lookups are by name (case-insensitive, as MySQL treats column names), never by position: the
// column order of SHOW statements changes between server versions.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mha::mysql {

using Cell = std::optional<std::string>;  // nullopt = SQL NULL
using Row = std::vector<Cell>;

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  uint64_t affected_rows = 0;  // for statements without a result set

  bool empty() const { return rows.empty(); }
  size_t size() const { return rows.size(); }

  // Index of the column, case-insensitive; nullopt if absent.
  std::optional<size_t> find_column(std::string_view name) const;
  bool has_column(std::string_view name) const { return find_column(name).has_value(); }

  // The cell at (row, column name); nullptr when the column does not exist (or row is out of
  // range). A present cell may still hold NULL (an empty optional).
  const Cell* get(size_t row, std::string_view column) const;
};

}  // namespace mha::mysql
