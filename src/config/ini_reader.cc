#include "ini_reader.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace mha::config::internal {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_comment(std::string_view s) {
  return !s.empty() && (s[0] == '#' || s[0] == ';' || s.substr(0, 2) == "//");
}

// Position where an inline comment starts (a comment marker preceded by whitespace), or npos.
size_t inline_comment_pos(std::string_view s) {
  for (size_t i = 1; i < s.size(); ++i) {
    if (is_space(s[i - 1]) && starts_comment(s.substr(i))) return i;
  }
  return std::string_view::npos;
}

Error at(const std::string& path, int line, const std::string& what) {
  return make_error(ErrorCode::kConfig, path + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

Result<std::string> clean_value(std::string_view raw) {
  std::string_view v = trim(raw);
  if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
    const size_t close = v.find(v.front(), 1);
    if (close == std::string_view::npos) {
      return Unexpected(make_error(ErrorCode::kConfig, "unterminated quote"));
    }
    std::string_view rest = trim(v.substr(close + 1));
    if (!rest.empty() && !starts_comment(rest)) {
      return Unexpected(make_error(ErrorCode::kConfig, "unexpected text after the closing quote"));
    }
    return std::string(v.substr(1, close - 1));
  }
  // Searched in the untrimmed text so that "key= # note" is an empty value.
  const size_t comment = inline_comment_pos(raw);
  if (comment != std::string_view::npos) raw = raw.substr(0, comment);
  return std::string(trim(raw));
}

Result<IniDocument> parse_ini(std::string_view text, const std::string& path) {
  IniDocument doc;
  doc.path = path;
  // A UTF-8 byte order mark (Windows editors) is not part of the first line.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  int line_no = 0;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++line_no;

    line = trim(line);
    if (line.empty() || starts_comment(line)) continue;

    if (line.front() == '[') {
      const size_t close = line.find(']');
      if (close == std::string_view::npos) {
        return Unexpected(at(path, line_no, "section header without closing ']'"));
      }
      std::string_view rest = trim(line.substr(close + 1));
      if (!rest.empty() && !starts_comment(rest)) {
        return Unexpected(at(path, line_no, "unexpected text after the section header"));
      }
      std::string_view name = trim(line.substr(1, close - 1));
      if (name.empty()) return Unexpected(at(path, line_no, "empty section name '[]'"));
      doc.sections.push_back(IniSection{std::string(name), line_no, {}});
      continue;
    }

    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      // The line is not echoed: it may be a mistyped "password: secret".
      return Unexpected(at(path, line_no, "expected 'name=value', '[section]' or a comment"));
    }
    const std::string key(trim(line.substr(0, eq)));
    if (key.empty()) return Unexpected(at(path, line_no, "missing parameter name before '='"));
    if (doc.sections.empty()) {
      return Unexpected(
          at(path, line_no, "parameter '" + key + "' appears before any [section] header"));
    }
    auto value = clean_value(line.substr(eq + 1));
    if (!value) {
      return Unexpected(
          at(path, line_no, value.error().message + " in the value of '" + key + "'"));
    }
    doc.sections.back().entries.push_back(IniEntry{key, std::move(*value), line_no});
  }
  return doc;
}

Result<IniDocument> read_ini_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return Unexpected(
        make_error(ErrorCode::kConfig,
                   "cannot open configuration file " + path + ": " + std::strerror(err), err));
  }
  std::string text;
  char buf[8192];
  int err = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      text.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      err = errno;
      break;
    }
  }
  ::close(fd);
  if (err != 0) {
    return Unexpected(
        make_error(ErrorCode::kConfig,
                   "cannot read configuration file " + path + ": " + std::strerror(err), err));
  }
  return parse_ini(text, path);
}

}  // namespace mha::config::internal
