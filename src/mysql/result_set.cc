#include "mha/mysql/result_set.h"

#include <algorithm>
#include <cctype>

namespace mha::mysql {

std::optional<size_t> ResultSet::find_column(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    const std::string& c = columns[i];
    if (c.size() == name.size() && std::equal(c.begin(), c.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return i;
    }
  }
  return std::nullopt;
}

const Cell* ResultSet::get(size_t row, std::string_view column) const {
  std::optional<size_t> col = find_column(column);
  if (!col || row >= rows.size() || *col >= rows[row].size()) return nullptr;
  return &rows[row][*col];
}

}  // namespace mha::mysql
