#include "mha/common/quoting.h"

namespace mha {

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

namespace {

// One option-file value: double-quoted, with the escapes the client's option parser turns back
// into the byte (quoting_test reads every value back through my_print_defaults).
std::string option_value(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out.push_back(c);
    }
  }
  return out + "\"";
}

}  // namespace

std::string client_option_file_text(std::string_view user, std::string_view password) {
  return "[client]\nuser=" + option_value(user) + "\npassword=" + option_value(password) + "\n";
}

}  // namespace mha
