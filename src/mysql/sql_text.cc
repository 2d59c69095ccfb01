#include "mha/mysql/sql_text.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace mha::mysql {
namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

// Words after which the next string literal is a secret.
bool is_secret_keyword(std::string_view word) {
  static constexpr std::array<std::string_view, 5> kWords = {"MASTER_PASSWORD", "SOURCE_PASSWORD",
                                                             "PASSWORD", "BY", "USING"};
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view k) { return iequals(word, k); });
}

struct Literal {
  size_t begin = 0;  // offset of the opening quote
  size_t end = 0;    // one past the closing quote (or the end of the text)
  std::string raw;   // between the quotes, as written
  std::string value;
};

// Scans `sql`, calling on_secret for each literal that follows a secret keyword.
template <typename F>
void scan_secret_literals(std::string_view sql, F on_secret) {
  bool secret_next = false;
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      Literal lit;
      lit.begin = i;
      size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == '\\' && j + 1 < sql.size()) {
          lit.value += sql[j + 1];
          j += 2;
        } else if (sql[j] == c && j + 1 < sql.size() && sql[j + 1] == c) {
          lit.value += c;
          j += 2;
        } else if (sql[j] == c) {
          break;
        } else {
          lit.value += sql[j];
          ++j;
        }
      }
      lit.raw = std::string(sql.substr(i + 1, j - i - 1));
      lit.end = std::min(j + 1, sql.size());
      if (secret_next) on_secret(lit);
      secret_next = false;
      i = lit.end;
    } else if (c == '`') {
      size_t j = sql.find('`', i + 1);
      i = j == std::string_view::npos ? sql.size() : j + 1;
      secret_next = false;
    } else if (is_word_char(c)) {
      size_t j = i;
      while (j < sql.size() && is_word_char(sql[j])) ++j;
      secret_next = is_secret_keyword(sql.substr(i, j - i));
      i = j;
    } else if (std::isspace(static_cast<unsigned char>(c)) || c == '=' || c == '(') {
      ++i;  // keeps secret_next: PASSWORD = '...', PASSWORD('...')
    } else {
      secret_next = false;
      ++i;
    }
  }
}

}  // namespace

std::string quote_string(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out += '\'';
  for (char c : value) {
    switch (c) {
      case '\'':
        out += "''";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\x1a':
        out += "\\Z";
        break;
      default:
        out += c;
    }
  }
  out += '\'';
  return out;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

std::string redact_sql(std::string_view sql) {
  std::string out;
  size_t copied = 0;
  scan_secret_literals(sql, [&](const Literal& lit) {
    out.append(sql.substr(copied, lit.begin - copied));
    out += "'<redacted>'";
    copied = lit.end;
  });
  out.append(sql.substr(copied));
  return out;
}

std::vector<std::string> secret_literals(std::string_view sql) {
  std::vector<std::string> out;
  scan_secret_literals(sql, [&](const Literal& lit) {
    if (!lit.raw.empty()) out.push_back(lit.raw);
    if (!lit.value.empty() && lit.value != lit.raw) out.push_back(lit.value);
  });
  return out;
}

}  // namespace mha::mysql
