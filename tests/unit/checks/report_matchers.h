#pragma once

// Assertions over a CheckReport: "exactly these non-ok checks, with these severities, about
// these servers" and lookups of one check's message.

#include "mha/checks/check_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mha::checks::testing {

struct Expected {
  std::string name;
  Severity severity;
  std::string server;  // display name, "" for cluster-wide checks
};

inline std::string describe(const std::vector<Check>& checks) {
  std::string out;
  for (const Check& c : checks) {
    out += "  " + c.name + " [" + severity_name(c.severity) + "] {" + c.server + "} " + c.message +
           "\n";
  }
  return out;
}

// The report's non-ok checks are exactly `expected` (in order), and each message names its server.
inline void expect_problems(const CheckReport& report, const std::vector<Expected>& expected) {
  std::vector<Check> got = report.problems();
  ASSERT_EQ(got.size(), expected.size()) << "problems:\n" << describe(got);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].name, expected[i].name) << describe(got);
    EXPECT_EQ(got[i].severity, expected[i].severity) << describe(got);
    EXPECT_EQ(got[i].server, expected[i].server) << describe(got);
    if (!expected[i].server.empty()) {
      EXPECT_NE(got[i].message.find(expected[i].server), std::string::npos)
          << "message does not name " << expected[i].server << ": " << got[i].message;
    }
  }
  bool has_error = false;
  for (const Expected& e : expected) has_error = has_error || e.severity == Severity::kError;
  EXPECT_EQ(report.ok(), !has_error);
}

// The single non-ok check with `name` (fails the test when there is not exactly one).
inline Check problem(const CheckReport& report, const std::string& name) {
  std::vector<Check> found;
  for (const Check& c : report.problems()) {
    if (c.name == name) found.push_back(c);
  }
  EXPECT_EQ(found.size(), 1u) << name << ":\n" << describe(report.checks);
  return found.empty() ? Check{} : found.front();
}

// The single check with `name` (fails the test when there is not exactly one).
inline Check only(const CheckReport& report, const std::string& name) {
  std::vector<Check> found = report.named(name);
  EXPECT_EQ(found.size(), 1u) << name << ":\n" << describe(report.checks);
  return found.empty() ? Check{} : found.front();
}

inline constexpr const char* kDb1 = "db1(10.77.0.11:3306)";
inline constexpr const char* kDb2 = "db2(10.77.0.12:3306)";
inline constexpr const char* kDb3 = "db3(10.77.0.13:3306)";
inline constexpr const char* kDb4 = "db4(10.77.0.14:3306)";

}  // namespace mha::checks::testing
