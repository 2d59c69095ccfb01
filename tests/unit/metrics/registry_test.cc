#include "mha/metrics/registry.h"

#include "mha/metrics/manager_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace mha::metrics {
namespace {

TEST(RegistryTest, RendersHelpTypeAndSeriesInStableOrder) {
  Registry r;
  auto up = r.gauge("masterha_master_up", "1 if up.");
  ASSERT_TRUE(up);
  auto failovers = r.counter("masterha_failovers_total", "Failovers.", {"result"});
  ASSERT_TRUE(failovers);
  (*(*up)->with({}))->set(1);
  (*(*failovers)->with({"success"}))->add();
  (*(*failovers)->with({"failed"}))->add(2);
  EXPECT_EQ(r.render(),
            "# HELP masterha_master_up 1 if up.\n"
            "# TYPE masterha_master_up gauge\n"
            "masterha_master_up 1\n"
            "# HELP masterha_failovers_total Failovers.\n"
            "# TYPE masterha_failovers_total counter\n"
            "masterha_failovers_total{result=\"failed\"} 2\n"
            "masterha_failovers_total{result=\"success\"} 1\n");
}

TEST(RegistryTest, SummaryRendersSumAndCount) {
  Registry r;
  auto ping = r.summary("masterha_ping_latency_seconds", "Ping round trip.");
  ASSERT_TRUE(ping);
  Series* s = *(*ping)->with({});
  s->observe(0.25);
  s->observe(0.5);
  EXPECT_EQ(r.render(),
            "# HELP masterha_ping_latency_seconds Ping round trip.\n"
            "# TYPE masterha_ping_latency_seconds summary\n"
            "masterha_ping_latency_seconds_sum 0.75\n"
            "masterha_ping_latency_seconds_count 2\n");
}

TEST(RegistryTest, EscapesLabelValuesAndHelp) {
  Registry r;
  auto lag = r.gauge("lag", "Back\\slash and\nnewline \"quotes\" stay.", {"replica"});
  ASSERT_TRUE(lag);
  (*(*lag)->with({"a\"b\\c\nd"}))->set(3);
  EXPECT_EQ(r.render(),
            "# HELP lag Back\\\\slash and\\nnewline \"quotes\" stay.\n"
            "# TYPE lag gauge\n"
            "lag{replica=\"a\\\"b\\\\c\\nd\"} 3\n");
  EXPECT_EQ(escape_label_value("plain-10.0.0.1:3306"), "plain-10.0.0.1:3306");
}

TEST(RegistryTest, FormatsSpecialAndFractionalValues) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(0.1), "0.1");
  EXPECT_EQ(format_value(1712345678.5), "1712345678.5");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(RegistryTest, RejectsBadNamesAndConflicts) {
  Registry r;
  EXPECT_FALSE(r.gauge("9lives", "x"));
  EXPECT_FALSE(r.gauge("has-dash", "x"));
  EXPECT_FALSE(r.gauge("ok", "x", {"__reserved"}));
  EXPECT_FALSE(r.gauge("ok", "x", {"a", "a"}));
  EXPECT_FALSE(r.summary("s", "x", {"quantile"}));
  auto first = r.gauge("g", "help", {"a"});
  ASSERT_TRUE(first);
  auto again = r.gauge("g", "help", {"a"});
  ASSERT_TRUE(again);
  EXPECT_EQ(*first, *again);
  auto conflict = r.counter("g", "help", {"a"});
  ASSERT_FALSE(conflict);
  EXPECT_NE(conflict.error().message.find("metric g"), std::string::npos);
  auto arity = (*first)->with({"x", "y"});
  ASSERT_FALSE(arity);
  EXPECT_EQ(arity.error().message, "metric g has 1 label(s), got 2 value(s)");
  EXPECT_TRUE(valid_metric_name("a:b_c1"));
  EXPECT_FALSE(valid_label_name("a:b"));
}

TEST(RegistryTest, CountersNeverGoDownAndCannotBeSet) {
  Registry r;
  Series* c = *(*r.counter("c_total", "c"))->with({});
  c->add(3);
  c->add(-1);
  c->add(std::nan(""));
  c->set(0);
  EXPECT_EQ(c->value(), 3);
}

TEST(RegistryTest, ConcurrentUpdatesAreAllCounted) {
  Registry r;
  Family* f = *r.counter("events_total", "events", {"worker"});
  Family* g = *r.summary("latency_seconds", "latency");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Half the threads share one series, the rest create their own: both paths race.
        (*f->with({t % 2 == 0 ? "shared" : "w" + std::to_string(t)}))->add();
        (*g->with({}))->observe(1);
        if (i % 1000 == 0) (void)r.render();  // rendering while writers run
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ((*f->with({"shared"}))->value(), kThreads / 2 * kPerThread);
  for (int t = 1; t < kThreads; t += 2) {
    EXPECT_EQ((*f->with({"w" + std::to_string(t)}))->value(), kPerThread);
  }
  EXPECT_EQ((*g->with({}))->count(), static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ((*g->with({}))->value(), kThreads * kPerThread);
}

TEST(ManagerMetricsTest, RegistersEveryPublishedMetric) {
  Registry r;
  ManagerMetrics m(r);
  ASSERT_TRUE(m.init_error());
  m.set_master_up(true);
  m.observe_ping(0.002);
  m.count_ping_failure();
  m.set_replica_lag("db2:3306", 4);
  m.set_replica_lag("db3:3306", std::numeric_limits<double>::quiet_NaN());
  m.set_replica_up("db2:3306", true);
  m.set_replica_up("db3:3306", false);
  m.set_replica_threads("db2:3306", true, false);
  m.count_failover(kFailoverSucceeded);
  m.set_failover_phase("phase3", 1.5);
  m.set_monitoring_state(0);
  const std::string text = r.render();
  for (std::string_view name :
       {kBuildInfo, kMasterUp, kPingLatencySeconds, kPingFailuresTotal, kReplicaLagSeconds,
        kReplicaUp, kReplicaIoRunning, kReplicaSqlRunning, kFailoversTotal, kFailoverPhaseSeconds,
        kLastFailoverTimestampSeconds, kMonitoringState}) {
    EXPECT_NE(text.find("# TYPE " + std::string(name) + " "), std::string::npos) << name;
  }
  EXPECT_NE(text.find("masterha_build_info{version=\"" MHA_VERSION "\"} 1\n"), std::string::npos)
      << text;
  for (const char* line :
       {"masterha_replica_lag_seconds{host=\"db2:3306\"} 4\n",
        "masterha_replica_lag_seconds{host=\"db3:3306\"} NaN\n",
        "masterha_replica_up{host=\"db2:3306\"} 1\n", "masterha_replica_up{host=\"db3:3306\"} 0\n",
        "masterha_replica_io_running{host=\"db2:3306\"} 1\n",
        "masterha_replica_sql_running{host=\"db2:3306\"} 0\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  }
  EXPECT_NE(text.find("masterha_failovers_total{result=\"success\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("masterha_failover_phase_seconds{phase=\"phase3\"} 1.5\n"),
            std::string::npos);
  EXPECT_NE(text.find("masterha_ping_latency_seconds_count 1\n"), std::string::npos);
  const double last = (*r.find(kLastFailoverTimestampSeconds)->with({}))->value();
  EXPECT_GT(last, 1.7e9);  // set to "now", not left at 0
}

TEST(ManagerMetricsTest, ConflictingRegistrationIsReportedNotFatal) {
  Registry r;
  ASSERT_TRUE(r.counter(kMasterUp, "taken by someone else"));
  ManagerMetrics m(r);
  ASSERT_FALSE(m.init_error());
  EXPECT_NE(m.init_error().error().message.find("masterha_master_up"), std::string::npos);
  m.set_master_up(true);  // ignored, does not crash
  m.set_monitoring_state(20);
  EXPECT_NE(r.render().find("masterha_monitoring_state 20\n"), std::string::npos);
}

}  // namespace
}  // namespace mha::metrics
