// replace_file_atomically(): content, modes, symlinks, and what a failure leaves (nothing).

#include "mha/common/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <stdlib.h>
#include <sys/stat.h>

namespace mha {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  AtomicFileTest() {
    std::string pattern = (fs::temp_directory_path() / "mha-atomic-file-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
  }
  ~AtomicFileTest() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static mode_t mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  // Only the named entries are in the directory: no temporary file was left behind.
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }

  fs::path dir_;
};

TEST_F(AtomicFileTest, CreatesAndReplacesWithTheGivenMode) {
  const fs::path p = dir_ / "app1.failover.report.json";
  ASSERT_TRUE(replace_file_atomically(p.string(), "first", ReplaceOptions{.mode = 0640}));
  EXPECT_EQ(read(p), "first");
  EXPECT_EQ(mode_of(p), 0640u);
  ASSERT_TRUE(replace_file_atomically(p.string(), "second, longer", ReplaceOptions{.mode = 0640}));
  EXPECT_EQ(read(p), "second, longer");
  ASSERT_TRUE(replace_file_atomically(p.string(), ""));
  EXPECT_EQ(read(p), "");
  EXPECT_EQ(mode_of(p), 0644u);
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, KeepExistingKeepsTheModeAndReplacesASymlinksTarget) {
  const fs::path real = dir_ / "app1.cnf";
  const fs::path link = dir_ / "current.cnf";
  std::ofstream(real) << "[server default]\n";
  ASSERT_EQ(::chmod(real.c_str(), 0600), 0);
  fs::create_symlink(real, link);
  ASSERT_TRUE(replace_file_atomically(link.string(), "[server1]\nhostname=db1\n",
                                      ReplaceOptions{.keep_existing = true}));
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read(real), "[server1]\nhostname=db1\n");
  EXPECT_EQ(mode_of(real), 0600u);
  EXPECT_EQ(entries(), 2u);
}

TEST_F(AtomicFileTest, KeepExistingRefusesAMissingFileAndCreatesNothing) {
  const fs::path p = dir_ / "missing.cnf";
  Status st = replace_file_atomically(p.string(), "x", ReplaceOptions{.keep_existing = true});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kNotFound);
  EXPECT_NE(st.error().message.find(p.string()), std::string::npos);
  EXPECT_EQ(entries(), 0u);
}

TEST_F(AtomicFileTest, AFailedRenameLeavesTheOldContentAndNoTemporaryFile) {
  // A directory in the way of the rename: the write succeeds, rename(2) fails (EISDIR).
  const fs::path p = dir_ / "in-the-way";
  fs::create_directory(p);
  Status st = replace_file_atomically(p.string(), "x");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kIo);
  EXPECT_TRUE(fs::is_directory(p));
  EXPECT_EQ(entries(), 1u);
}

}  // namespace
}  // namespace mha
