#include "ward/common/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace ward {
namespace {

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(MetricsTest, CounterRendering) {
  Metrics m;
  m.describeCounter("ward_test_total", "Test counter.\nSecond line \\ slash.");
  m.incrementCounter("ward_test_total", {{"route", "/v1/search"}, {"code", "200"}});
  m.incrementCounter("ward_test_total", {{"route", "/v1/search"}, {"code", "200"}}, 2);
  std::string out = m.renderPrometheus();
  EXPECT_TRUE(contains(out, "# HELP ward_test_total Test counter.\\nSecond line \\\\ slash.\n"));
  EXPECT_TRUE(contains(out, "# TYPE ward_test_total counter\n"));
  EXPECT_TRUE(contains(out, "ward_test_total{route=\"/v1/search\",code=\"200\"} 3\n"));
  EXPECT_EQ(m.counterValue("ward_test_total", {{"route", "/v1/search"}, {"code", "200"}}), 3);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Metrics m;
  m.incrementCounter("ward_esc_total", {{"v", "a\"b\\c\nd"}});
  EXPECT_TRUE(contains(m.renderPrometheus(), "ward_esc_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"));
  EXPECT_EQ(escapeMetricLabelValue("x\"y"), "x\\\"y");
}

TEST(MetricsTest, UnlabelledCounterHasNoBraces) {
  Metrics m;
  m.incrementCounter("ward_plain_total", {}, 0.5);
  EXPECT_TRUE(contains(m.renderPrometheus(), "ward_plain_total 0.5\n"));
}

TEST(MetricsTest, HistogramIsCumulative) {
  Metrics m;
  m.describeHistogram("ward_lat_seconds", "Latency.", {0.1, 1, 0.5});
  m.observeHistogram("ward_lat_seconds", {{"route", "r"}}, 0.0625);
  m.observeHistogram("ward_lat_seconds", {{"route", "r"}}, 0.5);  // le is inclusive
  m.observeHistogram("ward_lat_seconds", {{"route", "r"}}, 0.75);
  m.observeHistogram("ward_lat_seconds", {{"route", "r"}}, 30);
  std::string out = m.renderPrometheus();
  EXPECT_TRUE(contains(out, "# TYPE ward_lat_seconds histogram\n"));
  EXPECT_TRUE(contains(out, "ward_lat_seconds_bucket{route=\"r\",le=\"0.1\"} 1\n"));
  EXPECT_TRUE(contains(out, "ward_lat_seconds_bucket{route=\"r\",le=\"0.5\"} 2\n"));
  EXPECT_TRUE(contains(out, "ward_lat_seconds_bucket{route=\"r\",le=\"1\"} 3\n"));
  EXPECT_TRUE(contains(out, "ward_lat_seconds_bucket{route=\"r\",le=\"+Inf\"} 4\n"));
  EXPECT_TRUE(contains(out, "ward_lat_seconds_sum{route=\"r\"} 31.3125\n"));
  EXPECT_TRUE(contains(out, "ward_lat_seconds_count{route=\"r\"} 4\n"));
  EXPECT_EQ(m.histogramCount("ward_lat_seconds", {{"route", "r"}}), 4u);
}

TEST(MetricsTest, GaugesComeFromCallbacksAndUnregister) {
  Metrics m;
  double value = 7;
  {
    GaugeRegistration g = m.registerGauge("ward_docs", "Documents.", [&value] {
      return std::vector<GaugeSample>{{{}, value}};
    });
    EXPECT_TRUE(contains(m.renderPrometheus(), "# TYPE ward_docs gauge\nward_docs 7\n"));
    value = 9;
    EXPECT_TRUE(contains(m.renderPrometheus(), "ward_docs 9\n"));
  }
  EXPECT_FALSE(contains(m.renderPrometheus(), "ward_docs"));
}

TEST(MetricsTest, KindMismatchIsIgnored) {
  Metrics m;
  m.incrementCounter("ward_x", {});
  m.observeHistogram("ward_x", {}, 1);
  std::string out = m.renderPrometheus();
  EXPECT_TRUE(contains(out, "# TYPE ward_x counter\nward_x 1\n"));
  EXPECT_FALSE(contains(out, "ward_x_bucket"));
}

TEST(MetricsTest, ConcurrentIncrements) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) m.incrementCounter("ward_c_total", {{"a", "b"}});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.counterValue("ward_c_total", {{"a", "b"}}), 4000);
}

TEST(MetricsTest, ProcessWideRegistry) { EXPECT_EQ(&metrics(), &metrics()); }

}  // namespace
}  // namespace ward
