#pragma once

// Which private keys to offer, found as ssh(1) finds them, and what type each key is. Pure except
// home_directory().

#include "mha/ssh/ssh_options.h"

#include <string>
#include <string_view>
#include <vector>

namespace mha::ssh {

enum class KeyType { kUnknown, kEd25519, kEcdsa, kRsa, kDsa };

const char* key_type_name(KeyType type);  // "ed25519", "ecdsa", "rsa", "dsa", "unknown"

// Explicit -i / IdentityFile files (with "~" expanded) in order if any were given, else
// <home>/.ssh/id_ed25519, id_ecdsa, id_rsa in that order.
std::vector<std::string> identity_files(const SshOptions& options, std::string_view home);

// Key type from a private key file's text (PEM "BEGIN RSA/EC/DSA PRIVATE KEY" headers, or the
// public part of an "openssh-key-v1" blob, which is not encrypted even when the key is) or, when
// given, from the matching .pub file's first word, which wins.
KeyType detect_key_type(std::string_view private_key_text, std::string_view public_key_text = {});

// $HOME of the running user, else the passwd entry's home directory, else "/".
std::string home_directory();

}  // namespace mha::ssh
