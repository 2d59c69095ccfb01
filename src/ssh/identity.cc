#include "mha/ssh/identity.h"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include <pwd.h>
#include <unistd.h>

namespace mha::ssh {
namespace {

KeyType key_type_from_algorithm(std::string_view name) {
  if (name == "ssh-ed25519") return KeyType::kEd25519;
  if (name.starts_with("ecdsa-sha2-")) return KeyType::kEcdsa;
  if (name == "ssh-rsa") return KeyType::kRsa;
  if (name == "ssh-dss") return KeyType::kDsa;
  return KeyType::kUnknown;
}

std::string base64_decode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '+') {
      value = 62;
    } else if (c == '/') {
      value = 63;
    } else {
      continue;  // line breaks and '=' padding
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

// Reads one SSH wire-format string (uint32 length, bytes) from the front of `data`.
std::optional<std::string_view> take_string(std::string_view& data) {
  if (data.size() < 4) return std::nullopt;
  uint32_t len = 0;
  for (int i = 0; i < 4; ++i) len = (len << 8) | static_cast<unsigned char>(data[i]);
  data.remove_prefix(4);
  if (len > data.size()) return std::nullopt;
  std::string_view s = data.substr(0, len);
  data.remove_prefix(len);
  return s;
}

// openssh-key-v1: magic, ciphername, kdfname, kdfoptions, uint32 count, then the first public key
// blob in clear, which starts with the algorithm name.
KeyType key_type_from_openssh_blob(std::string_view blob) {
  constexpr std::string_view kMagic("openssh-key-v1\0", 15);
  if (!blob.starts_with(kMagic)) return KeyType::kUnknown;
  blob.remove_prefix(kMagic.size());
  for (int i = 0; i < 3; ++i) {
    if (!take_string(blob)) return KeyType::kUnknown;
  }
  if (blob.size() < 4) return KeyType::kUnknown;
  blob.remove_prefix(4);
  auto public_key = take_string(blob);
  if (!public_key) return KeyType::kUnknown;
  auto algorithm = take_string(*public_key);
  return algorithm ? key_type_from_algorithm(*algorithm) : KeyType::kUnknown;
}

}  // namespace

const char* key_type_name(KeyType type) {
  switch (type) {
    case KeyType::kEd25519:
      return "ed25519";
    case KeyType::kEcdsa:
      return "ecdsa";
    case KeyType::kRsa:
      return "rsa";
    case KeyType::kDsa:
      return "dsa";
    case KeyType::kUnknown:
      break;
  }
  return "unknown";
}

std::vector<std::string> identity_files(const SshOptions& options, std::string_view home) {
  std::vector<std::string> files;
  if (!options.identity_files.empty()) {
    for (const auto& file : options.identity_files) files.push_back(expand_home(file, home));
    return files;
  }
  for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"}) {
    files.push_back(expand_home(std::string("~/.ssh/") + name, home));
  }
  return files;
}

KeyType detect_key_type(std::string_view private_key_text, std::string_view public_key_text) {
  if (!public_key_text.empty()) {
    std::string_view first = public_key_text.substr(0, public_key_text.find_first_of(" \t\n"));
    KeyType type = key_type_from_algorithm(first);
    if (type != KeyType::kUnknown) return type;
  }
  if (private_key_text.find("-----BEGIN RSA PRIVATE KEY-----") != std::string_view::npos) {
    return KeyType::kRsa;
  }
  if (private_key_text.find("-----BEGIN EC PRIVATE KEY-----") != std::string_view::npos) {
    return KeyType::kEcdsa;
  }
  if (private_key_text.find("-----BEGIN DSA PRIVATE KEY-----") != std::string_view::npos) {
    return KeyType::kDsa;
  }
  constexpr std::string_view kBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
  constexpr std::string_view kEnd = "-----END OPENSSH PRIVATE KEY-----";
  size_t begin = private_key_text.find(kBegin);
  if (begin == std::string_view::npos) return KeyType::kUnknown;
  begin += kBegin.size();
  size_t end = private_key_text.find(kEnd, begin);
  if (end == std::string_view::npos) return KeyType::kUnknown;
  return key_type_from_openssh_blob(base64_decode(private_key_text.substr(begin, end - begin)));
}

std::string home_directory() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
  std::array<char, 4096> buffer{};
  passwd pw{};
  passwd* result = nullptr;
  if (getpwuid_r(getuid(), &pw, buffer.data(), buffer.size(), &result) == 0 && result != nullptr &&
      result->pw_dir != nullptr) {
    return result->pw_dir;
  }
  return "/";
}

}  // namespace mha::ssh
