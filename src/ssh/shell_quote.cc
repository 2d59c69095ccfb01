#include "mha/ssh/shell_quote.h"

namespace mha::ssh {

std::string shell_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  for (char c : s) {
    // Nothing is special inside single quotes except the quote itself, which cannot be escaped
    // there: close the quote, add an escaped quote, reopen.
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

}  // namespace mha::ssh
