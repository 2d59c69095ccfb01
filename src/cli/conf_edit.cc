#include "mha/cli/conf_edit.h"

namespace mha::cli {
namespace {

struct Line {
  size_t begin;           // offset of the first byte
  size_t end;             // offset just past the line end (or the end of the text)
  std::string_view body;  // without the line end
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    const size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view body = text.substr(at, (nl == std::string_view::npos ? text.size() : nl) - at);
    if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
    lines.push_back({at, end, body});
    at = end;
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The section name of a header line, or nullopt.
std::optional<std::string_view> section_name(std::string_view line) {
  line = trim(line);
  if (!line.starts_with('[')) return std::nullopt;
  const size_t close = line.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  return trim(line.substr(1, close - 1));
}

bool is_comment_or_blank(std::string_view line) {
  line = trim(line);
  return line.empty() || line.front() == '#' || line.front() == ';';
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

// Index of the header line of `block`, or lines.size().
size_t find_block(const std::vector<Line>& lines, const std::string& block) {
  for (size_t i = 0; i < lines.size(); ++i) {
    auto name = section_name(lines[i].body);
    if (name && *name == block) return i;
  }
  return lines.size();
}

}  // namespace

Result<std::string> add_conf_block(std::string_view text, const std::string& block,
                                   const std::string& hostname,
                                   const std::vector<std::pair<std::string, std::string>>& params) {
  const auto lines = split_lines(text);
  if (find_block(lines, block) != lines.size()) {
    return Unexpected(make_error(ErrorCode::kConflict, "block [" + block + "] already exists"));
  }
  if (block.empty() || has_line_break(block) || block.find(']') != std::string::npos) {
    return Unexpected(make_error(ErrorCode::kConfig, "invalid block name"));
  }
  if (trim(hostname).empty() || has_line_break(hostname)) {
    return Unexpected(make_error(ErrorCode::kConfig, "[" + block + "]: invalid --hostname"));
  }
  for (const auto& [name, value] : params) {
    if (name.empty() || has_line_break(name) || name.find('=') != std::string::npos ||
        name.front() == '[' || name.front() == '#' || name.front() == ';') {
      return Unexpected(
          make_error(ErrorCode::kConfig, "[" + block + "]: invalid parameter name in --params"));
    }
    if (name == "hostname") {
      return Unexpected(make_error(ErrorCode::kConfig,
                                   "[" + block + "]: set hostname with --hostname, not --params"));
    }
    if (has_line_break(value)) {
      return Unexpected(make_error(
          ErrorCode::kConfig, "[" + block + "]: the value of '" + name + "' has a line break"));
    }
  }
  // Keep the file's own line-end style.
  const std::string eol = text.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
  std::string out(text);
  if (!out.empty() && out.back() != '\n') out += eol;
  if (!lines.empty() && !trim(lines.back().body).empty()) out += eol;
  out += "[" + block + "]" + eol;
  out += "hostname=" + hostname + eol;
  for (const auto& [name, value] : params) out += name + "=" + value + eol;
  return out;
}

std::optional<std::string> delete_conf_block(std::string_view text, const std::string& block) {
  const auto lines = split_lines(text);
  const size_t header = find_block(lines, block);
  if (header == lines.size()) return std::nullopt;
  size_t next = header + 1;
  while (next < lines.size() && !section_name(lines[next].body)) ++next;
  size_t stop = next;  // first line kept after the block
  if (next < lines.size()) {
    while (stop > header + 1 && is_comment_or_blank(lines[stop - 1].body)) --stop;
    // The blank lines that separated the block from the next text go with it when a blank line
    // already separates the text before it, so no double gap is left behind.
    if (header > 0 && trim(lines[header - 1].body).empty()) {
      while (stop < next && trim(lines[stop].body).empty()) ++stop;
    }
  }
  size_t first = header;
  if (next == lines.size()) {
    // The last block: the blank lines that separated it from the text above go with it, so an
    // add followed by a delete gives the original file back.
    while (first > 0 && trim(lines[first - 1].body).empty()) --first;
  }
  const size_t cut_begin = lines[first].begin;
  const size_t cut_end = stop < lines.size() ? lines[stop].begin : text.size();
  std::string out(text.substr(0, cut_begin));
  out += text.substr(cut_end);
  return out;
}

}  // namespace mha::cli
