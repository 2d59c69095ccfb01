// Base fixture for an integration suite whose tests share one test-bed cluster: brought up once
// in SetUpTestSuite with `Suite::cluster_options()`, torn down after the suite; every test gets
// its own temporary directory (`tmp_`), removed after it however it ended. A suite that cannot
// bring the cluster up fails each test with the reason instead of crashing.
//
//   class SaveBinlogTest : public SharedClusterTest<SaveBinlogTest> {
//    public:
//     static ClusterOptions cluster_options() { return {3, ReplMode::kGtid, true}; }
//   };
//
// A suite's own SetUp calls SharedClusterTest::SetUp() first and returns on a fatal failure.

#ifndef MHA_TESTS_SUPPORT_SHARED_CLUSTER_H_
#define MHA_TESTS_SUPPORT_SHARED_CLUSTER_H_

#include <gtest/gtest.h>

#include <string>

#include "support/cluster.h"
#include <stdlib.h>

namespace mha::test {

template <class Suite>
class SharedClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new Cluster();
    Status s = cluster_->up(Suite::cluster_options());
    if (!s) up_error_ = s.error().message;
  }
  static void TearDownTestSuite() {
    delete cluster_;  // down()
    cluster_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    ASSERT_TRUE(cluster_->is_up()) << "test bed did not come up: " << up_error_;
    std::string pattern = "/tmp/mha-it-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    tmp_ = pattern;
  }
  void TearDown() override {
    if (!tmp_.empty()) run_command("rm -rf " + shell_quote(tmp_));
  }

  static Cluster& c() { return *cluster_; }

  static inline Cluster* cluster_ = nullptr;
  static inline std::string up_error_;
  std::string tmp_;
};

}  // namespace mha::test

#endif  // MHA_TESTS_SUPPORT_SHARED_CLUSTER_H_
