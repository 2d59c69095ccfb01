#pragma once

// A small metrics registry rendered in the Prometheus text exposition format 0.0.4: counters,
// gauges and quantile-free summaries (<name>_sum and <name>_count), each a family of series
// told apart by label values. The manager owns one Registry, sets values as it observes and
// acts, and an Exporter (exporter.h) serves render() on GET /metrics.
//
// Contract:
// - Names follow Prometheus' rules: metric [a-zA-Z_:][a-zA-Z0-9_:]*, label [a-zA-Z_][a-zA-Z0-9_]*
//   and not starting with "__". A family is registered once; registering the same name again
//   with the same type, help and label names returns the existing family, anything else is a
//   kConfig error naming the metric.
// - Label values are any UTF-8 text; render() escapes backslash, double quote and newline.
// - Families render in registration order, series in label-value order, so output is stable.
// - Counters only go up: Series::add() with a negative or NaN delta on a counter is ignored.
//
// Thread safety: every method of Registry, Family and Series may be called from any thread at
// any time. Family and Series references stay valid as long as the Registry (series are never
// removed, only reset()).

#include "mha/common/result.h"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mha::metrics {

enum class MetricType { kCounter, kGauge, kSummary };

// "counter", "gauge", "summary" (the TYPE line's word).
const char* metric_type_name(MetricType type);

class Registry;

// One time series: a family's label values and the current value (for a summary: sum and count).
class Series {
 public:
  Series(const Series&) = delete;
  Series& operator=(const Series&) = delete;

  // Counter and gauge: add `delta` (counters ignore negative or NaN deltas). Summary: observe.
  void add(double delta = 1.0);
  // Gauge: set the value. Counter: ignored (a counter cannot be set). Summary: ignored.
  void set(double value);
  // Summary: one observation (sum += value, count += 1). Counter/gauge: same as add().
  void observe(double value);
  // Gauge: the current time in seconds since the Unix epoch.
  void set_to_current_time();

  double value() const;    // counter/gauge value; a summary's sum
  uint64_t count() const;  // summary observations (0 for counters and gauges)

 private:
  friend class Family;
  friend class Registry;
  Series(MetricType type, std::mutex& mu) : type_(type), mu_(mu) {}
  const MetricType type_;
  std::mutex& mu_;      // the registry's
  double value_ = 0;    // guarded by mu_
  uint64_t count_ = 0;  // guarded by mu_
};

// All series of one metric name.
class Family {
 public:
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The series for these label values (in label-name order), created on first use. kConfig
  // error, naming the metric, when the number of values differs from the family's label names.
  Result<Series*> with(std::initializer_list<std::string_view> values);
  Result<Series*> with(const std::vector<std::string>& values);

  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  friend class Registry;
  Family(std::string name, MetricType type, std::string help, std::vector<std::string> labels,
         std::mutex& mu)
      : name_(std::move(name)),
        type_(type),
        help_(std::move(help)),
        label_names_(std::move(labels)),
        mu_(mu) {}
  const std::string name_;
  const MetricType type_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  std::mutex& mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Series>> series_;  // guarded by mu_
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registers (or finds, see above) a family. kConfig for a bad name, a bad or duplicate label
  // name, or a conflicting earlier registration.
  Result<Family*> add_family(std::string_view name, MetricType type, std::string_view help,
                             std::vector<std::string> label_names = {});
  Result<Family*> counter(std::string_view name, std::string_view help,
                          std::vector<std::string> label_names = {}) {
    return add_family(name, MetricType::kCounter, help, std::move(label_names));
  }
  Result<Family*> gauge(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names = {}) {
    return add_family(name, MetricType::kGauge, help, std::move(label_names));
  }
  Result<Family*> summary(std::string_view name, std::string_view help,
                          std::vector<std::string> label_names = {}) {
    return add_family(name, MetricType::kSummary, help, std::move(label_names));
  }

  // nullptr when no family has this name.
  Family* find(std::string_view name);

  // The whole registry in text format 0.0.4: per family "# HELP", "# TYPE", then one line per
  // series ("name{l=\"v\"} value"; summaries "name_sum" and "name_count"). A family without
  // series renders only its HELP and TYPE lines. Ends with a newline unless empty.
  std::string render() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;  // guarded by mu_, registration order
};

// Text-format helpers (exposed for tests).
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);
std::string escape_label_value(std::string_view value);  // \ -> \\, " -> \", newline -> \n
std::string escape_help(std::string_view help);          // \ -> \\, newline -> \n
// Shortest text that reads back as `value`; "+Inf", "-Inf", "NaN".
std::string format_value(double value);

}  // namespace mha::metrics
