#include "mha/metrics/registry.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <set>

namespace mha::metrics {
namespace {

Error bad(std::string message) { return make_error(ErrorCode::kConfig, std::move(message)); }

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

void append_series_line(std::string& out, std::string_view name, std::string_view suffix,
                        const std::vector<std::string>& label_names,
                        const std::vector<std::string>& values, const std::string& value) {
  out += name;
  out += suffix;
  if (!label_names.empty()) {
    out += '{';
    for (size_t i = 0; i < label_names.size(); ++i) {
      if (i > 0) out += ',';
      out += label_names[i];
      out += "=\"";
      out += escape_label_value(values[i]);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

const char* metric_type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kSummary:
      return "summary";
  }
  return "untyped";
}

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = is_alpha(c) || c == '_' || c == ':' || (i > 0 && is_digit(c));
    if (!ok) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = is_alpha(c) || c == '_' || (i > 0 && is_digit(c));
    if (!ok) return false;
  }
  return true;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Shortest round-trip form: 1, 0.25, 1.5e-07, 1712345678.123.
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return "NaN";  // cannot happen with 64 bytes
  return std::string(buf, end);
}

// --- Series -------------------------------------------------------------------------------------

void Series::add(double delta) {
  std::lock_guard lock(mu_);
  switch (type_) {
    case MetricType::kCounter:
      // A counter that went down would read as a restart to rate(): refuse it.
      if (std::isnan(delta) || delta < 0) return;
      value_ += delta;
      return;
    case MetricType::kGauge:
      value_ += delta;
      return;
    case MetricType::kSummary:
      value_ += delta;
      ++count_;
      return;
  }
}

void Series::set(double value) {
  std::lock_guard lock(mu_);
  if (type_ == MetricType::kGauge) value_ = value;
}

void Series::observe(double value) { add(value); }

void Series::set_to_current_time() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  set(std::chrono::duration<double>(now).count());
}

double Series::value() const {
  std::lock_guard lock(mu_);
  return value_;
}

uint64_t Series::count() const {
  std::lock_guard lock(mu_);
  return count_;
}

// --- Family -------------------------------------------------------------------------------------

Result<Series*> Family::with(std::initializer_list<std::string_view> values) {
  return with(std::vector<std::string>(values.begin(), values.end()));
}

Result<Series*> Family::with(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) {
    return Unexpected(bad("metric " + name_ + " has " + std::to_string(label_names_.size()) +
                          " label(s), got " + std::to_string(values.size()) + " value(s)"));
  }
  std::lock_guard lock(mu_);
  auto& slot = series_[values];
  if (!slot) slot.reset(new Series(type_, mu_));
  return slot.get();
}

// --- Registry -----------------------------------------------------------------------------------

Result<Family*> Registry::add_family(std::string_view name, MetricType type, std::string_view help,
                                     std::vector<std::string> label_names) {
  if (!valid_metric_name(name)) {
    return Unexpected(bad("invalid metric name '" + std::string(name) + "'"));
  }
  std::set<std::string_view> seen;
  for (const auto& label : label_names) {
    // A summary renders no quantile label, but "quantile" stays reserved for compatibility.
    if (!valid_label_name(label) || (type == MetricType::kSummary && label == "quantile")) {
      return Unexpected(
          bad("metric " + std::string(name) + ": invalid label name '" + label + "'"));
    }
    if (!seen.insert(label).second) {
      return Unexpected(
          bad("metric " + std::string(name) + ": duplicate label name '" + label + "'"));
    }
  }
  std::lock_guard lock(mu_);
  for (const auto& family : families_) {
    if (family->name_ != name) continue;
    if (family->type_ != type || family->help_ != help || family->label_names_ != label_names) {
      return Unexpected(bad("metric " + std::string(name) +
                            " is already registered with another type, help or labels"));
    }
    return family.get();
  }
  families_.emplace_back(
      new Family(std::string(name), type, std::string(help), std::move(label_names), mu_));
  return families_.back().get();
}

Family* Registry::find(std::string_view name) {
  std::lock_guard lock(mu_);
  for (const auto& family : families_) {
    if (family->name_ == name) return family.get();
  }
  return nullptr;
}

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& family : families_) {
    out += "# HELP " + family->name_ + " " + escape_help(family->help_) + "\n";
    out += "# TYPE " + family->name_ + " " + metric_type_name(family->type_) + "\n";
    for (const auto& [values, series] : family->series_) {
      if (family->type_ == MetricType::kSummary) {
        append_series_line(out, family->name_, "_sum", family->label_names_, values,
                           format_value(series->value_));
        append_series_line(out, family->name_, "_count", family->label_names_, values,
                           std::to_string(series->count_));
      } else {
        append_series_line(out, family->name_, "", family->label_names_, values,
                           format_value(series->value_));
      }
    }
  }
  return out;
}

}  // namespace mha::metrics
