#include "mha/ssh/ssh_options.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace mha::ssh {
namespace {

// ssh(1)'s options that take a value (its getopt string); all others are plain flags.
constexpr std::string_view kFlagsWithValue = "bcDEeFIiJLlmOopQRSWwBP";

Unexpected config_error(std::string message) {
  return Unexpected(make_error(ErrorCode::kConfig, "ssh_options: " + std::move(message)));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<long> parse_number(std::string_view s) {
  long value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

std::optional<bool> parse_yes_no(std::string_view value) {
  std::string v = lower(value);
  if (v == "yes" || v == "true") return true;
  if (v == "no" || v == "false") return false;
  return std::nullopt;
}

Result<int> parse_port(std::string_view value, std::string_view option) {
  auto port = parse_number(value);
  if (!port || *port < 1 || *port > 65535) {
    return config_error("bad port '" + std::string(value) + "' in " + std::string(option));
  }
  return static_cast<int>(*port);
}

// One "-o Key Value" setting. `option` names it in messages.
Status apply_setting(SshOptions& options, std::string_view key_text, std::string_view value,
                     const std::string& option) {
  const std::string key = lower(key_text);
  if (value.empty()) return config_error(option + " needs a value");
  if (key == "identityfile") {
    options.identity_files.emplace_back(value);
  } else if (key == "port") {
    auto port = parse_port(value, option);
    if (!port) return Unexpected(std::move(port).error());
    options.port = *port;
  } else if (key == "user") {
    options.user = std::string(value);
  } else if (key == "connecttimeout") {
    auto seconds = parse_number(value);
    if (!seconds || *seconds < 1) {
      return config_error("bad ConnectTimeout '" + std::string(value) + "' in " + option);
    }
    options.connect_timeout = std::chrono::seconds(*seconds);
  } else if (key == "stricthostkeychecking") {
    std::string v = lower(value);
    if (v == "yes" || v == "ask" || v == "true") {
      options.host_key_policy = HostKeyPolicy::kStrict;  // "ask" cannot ask: it is "yes" here
    } else if (v == "accept-new") {
      options.host_key_policy = HostKeyPolicy::kAcceptNew;
    } else if (v == "no" || v == "off" || v == "false") {
      options.host_key_policy = HostKeyPolicy::kOff;
    } else {
      return config_error("bad StrictHostKeyChecking '" + std::string(value) + "' in " + option);
    }
  } else if (key == "userknownhostsfile") {
    std::string_view first = value.substr(0, value.find_first_of(" \t"));
    options.known_hosts_file = lower(first) == "none" ? "/dev/null" : std::string(first);
    if (first.size() != value.size()) {
      options.warnings.push_back("only the first UserKnownHostsFile is used: " +
                                 std::string(first));
    }
  } else if (key == "batchmode") {
    auto yes = parse_yes_no(value);
    if (!yes) return config_error("bad BatchMode '" + std::string(value) + "' in " + option);
    if (!*yes) options.warnings.push_back("BatchMode=no ignored: masterha never prompts");
  } else if (key == "passwordauthentication" || key == "kbdinteractiveauthentication") {
    // Accepted: MHA users often write "PasswordAuthentication=no"; we only use keys anyway.
    if (!parse_yes_no(value)) {
      return config_error("bad " + std::string(key_text) + " '" + std::string(value) + "' in " +
                          option);
    }
  } else if (key == "serveraliveinterval" || key == "serveralivecountmax") {
    // Meaningless for us: every operation carries its own deadline.
    if (!parse_number(value)) {
      return config_error("bad " + std::string(key_text) + " '" + std::string(value) + "' in " +
                          option);
    }
  } else {
    options.warnings.push_back("ignored option " + option);
  }
  return ok_status();
}

}  // namespace

Result<std::vector<std::string>> split_shell_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'') {
      size_t end = text.find('\'', i + 1);
      if (end == std::string_view::npos) return config_error("unterminated ' quote");
      word.append(text.substr(i + 1, end - i - 1));
      i = end;
      in_word = true;
    } else if (c == '"') {
      ++i;
      for (; i < text.size() && text[i] != '"'; ++i) {
        // Inside double quotes a backslash escapes only these characters.
        if (text[i] == '\\' && i + 1 < text.size() &&
            std::strchr("\"\\$`\n", text[i + 1]) != nullptr) {
          ++i;
        }
        word.push_back(text[i]);
      }
      if (i >= text.size()) return config_error("unterminated \" quote");
      in_word = true;
    } else if (c == '\\') {
      if (i + 1 >= text.size()) return config_error("trailing backslash");
      word.push_back(text[++i]);
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word.push_back(c);
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<SshOptions> parse_ssh_options(std::string_view text) {
  auto split = split_shell_words(text);
  if (!split) return Unexpected(std::move(split).error());
  const std::vector<std::string>& words = *split;
  SshOptions options;

  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word.size() < 2 || word[0] != '-') {
      options.warnings.push_back("ignored argument '" + word + "'");
      continue;
    }
    // A word may bundle flags ("-qT"); the first flag that takes a value ends it, with the rest
    // of the word ("-p2222") or the next word as the value.
    for (size_t j = 1; j < word.size(); ++j) {
      const char flag = word[j];
      const std::string option = std::string("-") + flag;
      if (kFlagsWithValue.find(flag) == std::string_view::npos) {
        options.warnings.push_back("ignored option " + option);
        continue;
      }
      std::string value;
      if (j + 1 < word.size()) {
        value = word.substr(j + 1);
      } else if (i + 1 < words.size()) {
        value = words[++i];
      } else {
        return config_error(option + " needs a value");
      }
      if (value.empty()) return config_error(option + " needs a value");

      if (flag == 'i') {
        options.identity_files.push_back(value);
      } else if (flag == 'p') {
        auto port = parse_port(value, option);
        if (!port) return Unexpected(std::move(port).error());
        options.port = *port;
      } else if (flag == 'l') {
        options.user = value;
      } else if (flag == 'o') {
        std::string_view setting = trim(value);
        size_t sep = setting.find_first_of("= \t");
        std::string_view key = setting.substr(0, sep);
        std::string_view setting_value;
        if (sep != std::string_view::npos) {
          setting_value = trim(setting.substr(sep + 1));
          // "Key = Value" puts the '=' after blanks.
          if (!setting_value.empty() && setting_value.front() == '=' && setting[sep] != '=') {
            setting_value = trim(setting_value.substr(1));
          }
        } else if (i + 1 < words.size() && !words[i + 1].starts_with("-")) {
          setting_value = words[++i];  // "-o Key Value" as two words
        }
        MHA_TRY(apply_setting(options, key, setting_value, "-o " + std::string(key)));
      } else {
        options.warnings.push_back("ignored option " + option + " " + value);
      }
      break;
    }
  }
  return options;
}

std::string expand_home(std::string_view path, std::string_view home) {
  if (path == "~") return std::string(home);
  if (path.starts_with("~/")) {
    std::string out(home);
    if (!out.empty() && out.back() == '/') out.pop_back();
    out.append(path.substr(1));
    return out;
  }
  return std::string(path);
}

}  // namespace mha::ssh
