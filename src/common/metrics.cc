#include "ward/common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "ward/common/log.h"
#include "ward/common/mutex.h"

namespace ward {

namespace {

std::string formatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<int64_t>(v));
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

std::string escapeHelp(const std::string& help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
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

// Renders {a="x",b="y"}; `extra` (the histogram "le") goes last. Empty labels render nothing.
std::string formatLabels(const MetricLabels& labels,
                         const std::pair<std::string, std::string>* extra = nullptr) {
  if (labels.empty() && extra == nullptr) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::string& k, const std::string& v) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    out += escapeMetricLabelValue(v);
    out += '"';
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (extra != nullptr) add(extra->first, extra->second);
  out += '}';
  return out;
}

void writeHeader(std::string& out, const std::string& name, const std::string& help,
                 const char* type) {
  if (!help.empty()) out += "# HELP " + name + " " + escapeHelp(help) + "\n";
  out += "# TYPE " + name + " " + type + "\n";
}

}  // namespace

std::string escapeMetricLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// --- GaugeRegistration ---

GaugeRegistration::GaugeRegistration(GaugeRegistration&& other) noexcept
    : owner_(other.owner_), id_(other.id_) {
  other.owner_ = nullptr;
  other.id_ = 0;
}

GaugeRegistration& GaugeRegistration::operator=(GaugeRegistration&& other) noexcept {
  if (this != &other) {
    reset();
    owner_ = other.owner_;
    id_ = other.id_;
    other.owner_ = nullptr;
    other.id_ = 0;
  }
  return *this;
}

GaugeRegistration::~GaugeRegistration() { reset(); }

void GaugeRegistration::reset() {
  if (owner_ != nullptr) owner_->unregisterGauge(id_);
  owner_ = nullptr;
  id_ = 0;
}

// --- Metrics ---

const std::vector<double>& Metrics::defaultLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

Metrics::Family* Metrics::familyLocked(const std::string& name, Family::Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    Family f;
    f.kind = kind;
    if (kind == Family::Kind::kHistogram) f.buckets = defaultLatencyBuckets();
    it = families_.emplace(name, std::move(f)).first;
  }
  if (it->second.kind != kind) {
    // A programming error; metrics must never take the process down.
    logWarn("metric '" + name + "' used as two different kinds; update ignored");
    return nullptr;
  }
  return &it->second;
}

void Metrics::describeCounter(const std::string& name, const std::string& help) {
  MutexLock lock(mu_);
  if (Family* f = familyLocked(name, Family::Kind::kCounter)) f->help = help;
}

void Metrics::describeHistogram(const std::string& name, const std::string& help,
                                std::vector<double> buckets) {
  std::sort(buckets.begin(), buckets.end());
  buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
  MutexLock lock(mu_);
  Family* f = familyLocked(name, Family::Kind::kHistogram);
  if (f == nullptr) return;
  f->help = help;
  // Existing series keep their counts only if the bounds are unchanged.
  if (f->buckets != buckets) {
    f->buckets = std::move(buckets);
    f->histograms.clear();
  }
}

void Metrics::incrementCounter(const std::string& name, const MetricLabels& labels, double by) {
  MutexLock lock(mu_);
  if (Family* f = familyLocked(name, Family::Kind::kCounter)) f->counters[labels] += by;
}

void Metrics::observeHistogram(const std::string& name, const MetricLabels& labels, double value) {
  MutexLock lock(mu_);
  Family* f = familyLocked(name, Family::Kind::kHistogram);
  if (f == nullptr) return;
  HistogramSeries& s = f->histograms[labels];
  if (s.bucket_counts.size() != f->buckets.size()) s.bucket_counts.assign(f->buckets.size(), 0);
  auto it = std::lower_bound(f->buckets.begin(), f->buckets.end(), value);
  if (it != f->buckets.end()) ++s.bucket_counts[it - f->buckets.begin()];
  ++s.count;
  s.sum += value;
}

GaugeRegistration Metrics::registerGauge(const std::string& name, const std::string& help,
                                         GaugeFn fn) {
  MutexLock lock(mu_);
  int64_t id = next_gauge_id_++;
  gauges_[id] = Gauge{name, help, std::move(fn)};
  return GaugeRegistration(this, id);
}

void Metrics::unregisterGauge(int64_t id) {
  MutexLock lock(mu_);
  gauges_.erase(id);
}

double Metrics::counterValue(const std::string& name, const MetricLabels& labels) const {
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto c = it->second.counters.find(labels);
  return c == it->second.counters.end() ? 0 : c->second;
}

uint64_t Metrics::histogramCount(const std::string& name, const MetricLabels& labels) const {
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto h = it->second.histograms.find(labels);
  return h == it->second.histograms.end() ? 0 : h->second.count;
}

std::string Metrics::renderPrometheus() const {
  // Snapshot under the lock; gauge callbacks (which may query the store) run without it.
  std::map<std::string, Family> families;
  std::vector<Gauge> gauges;
  {
    MutexLock lock(mu_);
    families = families_;
    for (const auto& [id, g] : gauges_) gauges.push_back(g);
  }

  // Gauges grouped by name so that each family gets one HELP/TYPE header.
  std::map<std::string, std::pair<std::string, std::vector<GaugeSample>>> gauge_families;
  for (const Gauge& g : gauges) {
    std::vector<GaugeSample> samples;
    try {
      samples = g.fn();
    } catch (const std::exception& e) {
      logWarn("gauge '" + g.name + "' failed: " + e.what());
      continue;
    }
    auto& entry = gauge_families[g.name];
    if (entry.first.empty()) entry.first = g.help;
    for (auto& s : samples) entry.second.push_back(std::move(s));
  }

  std::string out;
  std::set<std::string> names;
  for (const auto& [name, f] : families) names.insert(name);
  for (const auto& [name, g] : gauge_families) names.insert(name);

  for (const std::string& name : names) {
    auto gf = gauge_families.find(name);
    auto ff = families.find(name);
    if (ff != families.end()) {
      const Family& f = ff->second;
      if (f.kind == Family::Kind::kCounter) {
        writeHeader(out, name, f.help, "counter");
        for (const auto& [labels, v] : f.counters) {
          out += name + formatLabels(labels) + " " + formatValue(v) + "\n";
        }
      } else {
        writeHeader(out, name, f.help, "histogram");
        for (const auto& [labels, s] : f.histograms) {
          uint64_t cumulative = 0;
          for (size_t i = 0; i < f.buckets.size(); ++i) {
            cumulative += i < s.bucket_counts.size() ? s.bucket_counts[i] : 0;
            std::pair<std::string, std::string> le{"le", formatValue(f.buckets[i])};
            out += name + "_bucket" + formatLabels(labels, &le) + " " + std::to_string(cumulative) +
                   "\n";
          }
          std::pair<std::string, std::string> inf{"le", "+Inf"};
          out +=
              name + "_bucket" + formatLabels(labels, &inf) + " " + std::to_string(s.count) + "\n";
          out += name + "_sum" + formatLabels(labels) + " " + formatValue(s.sum) + "\n";
          out += name + "_count" + formatLabels(labels) + " " + std::to_string(s.count) + "\n";
        }
      }
      continue;  // a gauge sharing a counter's name would be invalid output; the family wins
    }
    writeHeader(out, name, gf->second.first, "gauge");
    for (const GaugeSample& s : gf->second.second) {
      out += name + formatLabels(s.labels) + " " + formatValue(s.value) + "\n";
    }
  }
  return out;
}

Metrics& metrics() {
  static Metrics* instance = new Metrics();  // never destroyed: used until process exit
  return *instance;
}

}  // namespace ward
