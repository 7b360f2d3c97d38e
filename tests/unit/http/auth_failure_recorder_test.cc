// Failed authentications reach the audit trail bounded (auth_failure_recorder.h): one event per
// address and window, then one summary; the tracked addresses and the recorded path are capped.
#include "auth_failure_recorder.h"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace ward::http {
namespace {

class CollectingSink : public trace::TraceSink {
 public:
  Status record(const trace::TraceEvent& e) override {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(e);
    return Status();
  }
  std::vector<trace::TraceEvent> of(const std::string& kind) {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<trace::TraceEvent> out;
    for (const auto& e : events) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }
  std::mutex mu;
  std::vector<trace::TraceEvent> events;
};

HttpRequest from(const std::string& remote, const std::string& path = "/v1/search") {
  HttpRequest r;
  r.method = "POST";
  r.path = path;
  r.remote_address = remote;
  r.trace = trace::TraceContext::generate();
  return r;
}

constexpr int64_t kWindowUs = kAuthFailureWindowSeconds * 1000000;

class AuthFailureRecorderTest : public ::testing::Test {
 protected:
  // The window starts now, so the test's failures all fall into one window.
  FakeClock clock{1'700'000'040'000'000 - 1'700'000'040'000'000 % kWindowUs};
  CollectingSink sink;
};

TEST_F(AuthFailureRecorderTest, OneAddressHammeringAddsOneEventAndOneSummary) {
  // Issue 19 item 9: 401s used to add one audit record each (+40 MB in 2.6 s).
  AuthFailureRecorder recorder(&sink, "acme", &clock);
  for (int i = 0; i < 1000; ++i) {
    recorder.record(from("203.0.113.9:" + std::to_string(40000 + i)),
                    i % 2 ? AuthFailureReason::kInvalidKey : AuthFailureReason::kMissingKey);
  }
  auto singles = sink.of("auth_failure");
  ASSERT_EQ(singles.size(), 1u);
  EXPECT_EQ(singles[0].tenant, "acme");
  EXPECT_EQ(singles[0].attributes["reason"], "missing_key");
  EXPECT_TRUE(sink.of("auth_failure_summary").empty());  // the window is not over yet

  clock.advanceMicros(kWindowUs);
  recorder.flushIfDue();
  auto summaries = sink.of("auth_failure_summary");
  ASSERT_EQ(summaries.size(), 1u);
  const Json& a = summaries[0].attributes;
  EXPECT_EQ(a["failures_not_recorded_singly"], 999);
  EXPECT_EQ(a["window_seconds"], kAuthFailureWindowSeconds);
  ASSERT_EQ(a["addresses"].size(), 1u);
  EXPECT_EQ(a["addresses"][0]["address"], "203.0.113.9");
  EXPECT_EQ(a["addresses"][0]["failures"], 1000);
  EXPECT_EQ(a["addresses"][0]["reasons"]["invalid_key"], 500);
  EXPECT_EQ(sink.events.size(), 2u);

  // A new window: the address's first failure is recorded at once again.
  recorder.record(from("203.0.113.9:1"), AuthFailureReason::kInvalidToken);
  EXPECT_EQ(sink.of("auth_failure").size(), 2u);
  recorder.flushIfDue();
  EXPECT_EQ(sink.of("auth_failure_summary").size(), 1u);  // nothing more to summarise
}

TEST_F(AuthFailureRecorderTest, TrackedAddressesAreCappedPerWindow) {
  AuthFailureRecorder recorder(&sink, "acme", &clock);
  const size_t n = kMaxAuthFailureAddresses + 44;
  for (size_t i = 0; i < n; ++i) {
    std::string address = "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250);
    recorder.record(from(address + ":1"), AuthFailureReason::kInvalidKey);
  }
  EXPECT_EQ(sink.of("auth_failure").size(), kMaxAuthFailureAddresses);
  clock.advanceMicros(kWindowUs);
  recorder.flushIfDue();
  auto summaries = sink.of("auth_failure_summary");
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].attributes["untracked_failures"], 44);
  EXPECT_TRUE(summaries[0].attributes["addresses"].empty());
}

TEST_F(AuthFailureRecorderTest, SummariesListTheMostFailingAddressesOnly) {
  AuthFailureRecorder recorder(&sink, "acme", &clock);
  const size_t n = kMaxSummaryAddresses + 6;
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < 2 + i; ++k) {
      recorder.record(from("10.1.0." + std::to_string(i) + ":9"), AuthFailureReason::kInvalidKey);
    }
  }
  clock.advanceMicros(kWindowUs);
  recorder.flushIfDue();
  auto summaries = sink.of("auth_failure_summary");
  ASSERT_EQ(summaries.size(), 1u);
  const Json& a = summaries[0].attributes;
  ASSERT_EQ(a["addresses"].size(), kMaxSummaryAddresses);
  EXPECT_EQ(a["addresses"][0]["address"], "10.1.0." + std::to_string(n - 1));
  EXPECT_EQ(a["unlisted_addresses"], 6);
  EXPECT_EQ(a["unlisted_failures"], 2 + 3 + 4 + 5 + 6 + 7);
}

TEST_F(AuthFailureRecorderTest, RecordedPathIsCapped) {
  AuthFailureRecorder recorder(&sink, "acme", &clock);
  recorder.record(from("[::1]:5", "/" + std::string(50000, 'p')), AuthFailureReason::kInvalidKey);
  auto singles = sink.of("auth_failure");
  ASSERT_EQ(singles.size(), 1u);
  EXPECT_EQ(singles[0].attributes["path"].get<std::string>().size(), kMaxRecordedPathBytes);
  EXPECT_EQ(singles[0].attributes["path_truncated"], true);
}

TEST_F(AuthFailureRecorderTest, TheOpenWindowIsSummarisedAtShutdown) {
  {
    AuthFailureRecorder recorder(&sink, "acme", &clock);
    recorder.record(from("198.51.100.7:1"), AuthFailureReason::kInvalidKey);
    recorder.record(from("198.51.100.7:2"), AuthFailureReason::kInvalidKey);
  }
  auto summaries = sink.of("auth_failure_summary");
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].attributes["failures_not_recorded_singly"], 1);
}

TEST(AuthFailureLimits, TheDocumentedLimitsAreTheCodesConstants) {
  std::ifstream in(WARD_HTTP_DESIGN_DOC);
  ASSERT_TRUE(in) << WARD_HTTP_DESIGN_DOC;
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  for (const std::string& row : {
           "| window | fixed, aligned windows of " + std::to_string(kAuthFailureWindowSeconds) +
               " s (`kAuthFailureWindowSeconds`)",
           "| addresses tracked per window | " + std::to_string(kMaxAuthFailureAddresses) +
               " (`kMaxAuthFailureAddresses`)",
           "| recorded path | " + std::to_string(kMaxRecordedPathBytes) +
               " bytes (`kMaxRecordedPathBytes`)",
           "the " + std::to_string(kMaxSummaryAddresses) + " (`kMaxSummaryAddresses`) most failing",
       }) {
    EXPECT_NE(text.find(row), std::string::npos) << row;
  }
}

}  // namespace
}  // namespace ward::http
