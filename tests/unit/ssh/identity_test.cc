#include "mha/ssh/identity.h"

#include "mha/ssh/known_hosts.h"
#include "mha/ssh/ssh_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace mha::ssh {
namespace {

using ::testing::ElementsAre;

std::string wire_string(std::string_view s) {
  std::string out;
  auto n = static_cast<uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((n >> shift) & 0xff));
  out.append(s);
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kTable[(v >> shift) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(kTable[(v >> 18) & 63]);
    out.push_back(kTable[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kTable[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// An openssh-key-v1 file whose (clear-text) public part names `algorithm`; the private part is
// irrelevant to type detection, so it is filler.
std::string openssh_private_key(std::string_view algorithm, std::string_view cipher = "none") {
  std::string blob("openssh-key-v1\0", 15);
  blob += wire_string(cipher);
  blob += wire_string(cipher == "none" ? "none" : "bcrypt");
  blob += wire_string(cipher == "none" ? "" : "salt-and-rounds");
  blob += std::string("\0\0\0\1", 4);
  blob += wire_string(wire_string(algorithm) + wire_string("public-key-bytes"));
  blob += wire_string("encrypted-or-not private section");
  std::string text = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
  std::string encoded = base64(blob);
  for (size_t i = 0; i < encoded.size(); i += 70) text += encoded.substr(i, 70) + "\n";
  return text + "-----END OPENSSH PRIVATE KEY-----\n";
}

TEST(DetectKeyType, OpensshFormatReadsThePublicAlgorithm) {
  EXPECT_EQ(detect_key_type(openssh_private_key("ssh-ed25519")), KeyType::kEd25519);
  EXPECT_EQ(detect_key_type(openssh_private_key("ecdsa-sha2-nistp256")), KeyType::kEcdsa);
  EXPECT_EQ(detect_key_type(openssh_private_key("ssh-rsa")), KeyType::kRsa);
  EXPECT_EQ(detect_key_type(openssh_private_key("ssh-dss")), KeyType::kDsa);
  // The public part stays readable when the key is encrypted.
  EXPECT_EQ(detect_key_type(openssh_private_key("ssh-rsa", "aes256-ctr")), KeyType::kRsa);
  EXPECT_EQ(detect_key_type(openssh_private_key("sk-ssh-ed25519@openssh.com")), KeyType::kUnknown);
}

TEST(DetectKeyType, PemHeaders) {
  EXPECT_EQ(detect_key_type("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"), KeyType::kRsa);
  EXPECT_EQ(detect_key_type("-----BEGIN EC PRIVATE KEY-----\nMHc\n"), KeyType::kEcdsa);
  EXPECT_EQ(detect_key_type("-----BEGIN DSA PRIVATE KEY-----\nMIIB\n"), KeyType::kDsa);
  EXPECT_EQ(detect_key_type("-----BEGIN PRIVATE KEY-----\nMII\n"), KeyType::kUnknown);
  EXPECT_EQ(detect_key_type("garbage"), KeyType::kUnknown);
  EXPECT_EQ(detect_key_type("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"), KeyType::kUnknown);
}

TEST(DetectKeyType, PublicKeyFileWins) {
  EXPECT_EQ(detect_key_type("garbage", "ssh-ed25519 AAAAC3Nza... user@h\n"), KeyType::kEd25519);
  EXPECT_EQ(detect_key_type("", "ssh-rsa AAAAB3Nza..."), KeyType::kRsa);
  EXPECT_EQ(detect_key_type("-----BEGIN RSA PRIVATE KEY-----", "nonsense"), KeyType::kRsa);
}

TEST(IdentityFiles, DefaultsInSshOrder) {
  EXPECT_THAT(
      identity_files(SshOptions{}, "/home/mha"),
      ElementsAre("/home/mha/.ssh/id_ed25519", "/home/mha/.ssh/id_ecdsa", "/home/mha/.ssh/id_rsa"));
}

TEST(IdentityFiles, ExplicitFilesReplaceDefaultsAndExpandTilde) {
  SshOptions options;
  options.identity_files = {"~/keys/a", "/etc/mha/b"};
  EXPECT_THAT(identity_files(options, "/root"), ElementsAre("/root/keys/a", "/etc/mha/b"));
}

TEST(KnownHosts, HostFieldUsesBracketsForOtherPorts) {
  EXPECT_EQ(known_hosts_host_field("db1", 22), "db1");
  EXPECT_EQ(known_hosts_host_field("10.77.0.11", 2222), "[10.77.0.11]:2222");
  EXPECT_EQ(known_hosts_host_field("::1", 2200), "[::1]:2200");
}

TEST(KnownHosts, PathDefaultsUnderHome) {
  EXPECT_EQ(known_hosts_path(std::nullopt, "/root"), "/root/.ssh/known_hosts");
  EXPECT_EQ(known_hosts_path(std::string("~/kh"), "/home/u"), "/home/u/kh");
  EXPECT_EQ(known_hosts_path(std::string("/etc/mha/known_hosts"), "/root"), "/etc/mha/known_hosts");
}

TEST(SshAuth, FromOptions) {
  auto options =
      parse_ssh_options("-i /k/id -o UserKnownHostsFile=/kh -o StrictHostKeyChecking=accept-new");
  ASSERT_TRUE(options.has_value());
  SshAuth auth = SshAuth::from_options(*options, "/root");
  EXPECT_THAT(auth.identity_files, ElementsAre("/k/id"));
  EXPECT_EQ(auth.known_hosts_file, "/kh");
  EXPECT_EQ(auth.host_key_policy, HostKeyPolicy::kAcceptNew);

  SshAuth defaults = SshAuth::from_options(SshOptions{}, "/root");
  EXPECT_EQ(defaults.known_hosts_file, "/root/.ssh/known_hosts");
  EXPECT_EQ(defaults.host_key_policy, HostKeyPolicy::kStrict);
  EXPECT_EQ(defaults.identity_files.size(), 3u);
}

TEST(SshTarget, LabelNamesUserHostAddressAndOddPort) {
  EXPECT_EQ((SshTarget{"db1", "10.77.0.11", 22, "root"}).label(), "root@db1 (10.77.0.11)");
  EXPECT_EQ((SshTarget{"db1", "", 2222, "root"}).label(), "root@db1:2222");
  EXPECT_EQ((SshTarget{"10.0.0.5", "10.0.0.5", 22, ""}).label(), "10.0.0.5");
}

}  // namespace
}  // namespace mha::ssh
