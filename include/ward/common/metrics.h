// Process metrics: labelled counters, fixed-bucket histograms and callback gauges, rendered in the
// Prometheus text exposition format 0.0.4 (served by GET /metrics).
//
// Families are keyed by name. A family's kind and help text are fixed by the first describe*() or
// use; using a name as another kind is ignored (and logged once), never an exception. Thread-safe:
// every method may be called from any thread. Gauge callbacks run without the registry lock held,
// so they may themselves update counters.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ward/common/mutex.h"

namespace ward {

// Label name/value pairs, e.g. {{"route", "/v1/search"}, {"code", "200"}}. Order is kept as given;
// callers should pass the same order for the same series.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// One value reported by a gauge callback.
struct GaugeSample {
  MetricLabels labels;
  double value = 0;
};

// Returns the current samples of one gauge family; called on every render.
using GaugeFn = std::function<std::vector<GaugeSample>()>;

class Metrics;

// Keeps a gauge callback registered; unregisters it when destroyed. Move-only.
class GaugeRegistration {
 public:
  GaugeRegistration() = default;
  GaugeRegistration(Metrics* owner, int64_t id) : owner_(owner), id_(id) {}
  GaugeRegistration(GaugeRegistration&& other) noexcept;
  GaugeRegistration& operator=(GaugeRegistration&& other) noexcept;
  GaugeRegistration(const GaugeRegistration&) = delete;
  GaugeRegistration& operator=(const GaugeRegistration&) = delete;
  ~GaugeRegistration();

  void reset();  // unregisters now

 private:
  Metrics* owner_ = nullptr;
  int64_t id_ = 0;
};

class Metrics {
 public:
  // Latency buckets in seconds, 1 ms .. 10 s.
  static const std::vector<double>& defaultLatencyBuckets();

  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Declares a counter family (optional: incrementCounter declares it with empty help).
  void describeCounter(const std::string& name, const std::string& help);
  // Declares a histogram family with upper bounds (sorted ascending; +Inf is implicit).
  void describeHistogram(const std::string& name, const std::string& help,
                         std::vector<double> buckets);

  void incrementCounter(const std::string& name, const MetricLabels& labels, double by = 1);
  // Observes into a histogram; an undeclared histogram gets defaultLatencyBuckets().
  void observeHistogram(const std::string& name, const MetricLabels& labels, double value);

  // Registers a gauge family computed by `fn` at render time. Several registrations may share a
  // name only if they report distinct label sets.
  [[nodiscard]] GaugeRegistration registerGauge(const std::string& name, const std::string& help,
                                                GaugeFn fn);
  void unregisterGauge(int64_t id);

  // Current value of one counter series (0 if absent); for tests and status output.
  double counterValue(const std::string& name, const MetricLabels& labels) const;
  // Number of observations of one histogram series (0 if absent).
  uint64_t histogramCount(const std::string& name, const MetricLabels& labels) const;

  // Prometheus text format 0.0.4, families sorted by name.
  std::string renderPrometheus() const;

 private:
  struct HistogramSeries {
    std::vector<uint64_t> bucket_counts;  // per bucket, not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    enum class Kind { kCounter, kHistogram } kind = Kind::kCounter;
    std::string help;
    std::vector<double> buckets;
    std::map<MetricLabels, double> counters;
    std::map<MetricLabels, HistogramSeries> histograms;
  };
  struct Gauge {
    std::string name;
    std::string help;
    GaugeFn fn;
  };

  Family* familyLocked(const std::string& name, Family::Kind kind) WARD_REQUIRES(mu_);

  mutable Mutex mu_;
  std::map<std::string, Family> families_ WARD_GUARDED_BY(mu_);
  std::map<int64_t, Gauge> gauges_ WARD_GUARDED_BY(mu_);
  int64_t next_gauge_id_ WARD_GUARDED_BY(mu_) = 1;
};

// The process-wide registry.
Metrics& metrics();

// Escapes a label value for the exposition format (backslash, double quote, newline).
std::string escapeMetricLabelValue(const std::string& value);

}  // namespace ward
