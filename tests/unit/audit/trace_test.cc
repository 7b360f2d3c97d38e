// audit: trace events in the audit log (the audit-log implementation of trace::TraceSink).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "testutil/temp_dir.h"
#include "ward/audit/audit_trace_sink.h"
#include "ward/audit/log_verifier.h"
#include "ward/trace/trace.h"

namespace ward::audit {
namespace {

trace::TraceEvent event(const std::string& kind, int i) {
  trace::TraceEvent e;
  e.context = trace::TraceContext::generate();
  e.kind = kind;
  e.tenant = "default";
  e.principal = "alice";
  e.time_us = 1'700'000'000'000'000 + i;
  e.attributes = {{"i", i}, {"query", "zephyr «ünïcode»"}};
  return e;
}

// Replaces every string attribute value containing "secret" (the real trace::Redactor comes from
// src/audit's redaction rules; this checks only that the sink applies whichever it is given).
class SecretWordRedactor final : public trace::Redactor {
 public:
  std::string redactText(std::string_view text, trace::RedactionStats*) const override {
    return text.find("secret") == std::string_view::npos ? std::string(text)
                                                         : "[REDACTED:word:000000000000]";
  }
  void redactJson(Json& value, trace::RedactionStats* stats) const override {
    if (value.is_string()) {
      value = redactText(value.get<std::string>(), stats);
    } else if (value.is_structured()) {
      for (auto& v : value) redactJson(v, stats);
    }
  }
};

class TraceLogTest : public ::testing::Test {
 protected:
  std::string dir() const { return dir_.file("audit"); }

  void writeEvents(int n, const trace::Redactor* redactor = nullptr) {
    AuditSinkOptions o;
    o.log.dir = dir();
    o.redactor = redactor;
    auto sink = openAuditLogSink(o);
    ASSERT_TRUE(sink.ok()) << sink.status().toString();
    for (int i = 0; i < n; ++i) {
      events_.push_back(event(i % 2 ? "search" : "ingest", i));
      ASSERT_TRUE((*sink)->record(events_.back()).ok());
    }
  }

  testing::TempDir dir_;
  std::vector<trace::TraceEvent> events_;
};

TEST_F(TraceLogTest, RoundTrip) {
  writeEvents(5);
  auto read = readTraceEvents(dir());
  ASSERT_TRUE(read.ok()) << read.status().toString();
  ASSERT_EQ(read->size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    const auto& a = (*read)[i].event;
    const auto& b = events_[i];
    EXPECT_EQ((*read)[i].index, i);
    EXPECT_EQ(a.context.trace_id, b.context.trace_id);
    EXPECT_EQ(a.context.span_id, b.context.span_id);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.tenant, b.tenant);
    EXPECT_EQ(a.principal, b.principal);
    EXPECT_EQ(a.time_us, b.time_us);
    EXPECT_EQ(a.attributes, b.attributes);
  }
}

TEST_F(TraceLogTest, ReopenAppends) {
  writeEvents(2);
  writeEvents(3);
  auto read = readTraceEvents(dir());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->size(), 5u);
  auto report = verifyAuditLog(VerifyOptions{nullptr, dir(), std::nullopt});
  ASSERT_TRUE(report.ok()) << report.status().toString();
  EXPECT_EQ(report->records, 5u);
}

TEST_F(TraceLogTest, MissingLogReadsEmpty) {
  auto read = readTraceEvents(dir_.file("nope"));
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->empty());
}

TEST_F(TraceLogTest, RedactorRunsBeforeAnythingIsWritten) {
  SecretWordRedactor redactor;
  trace::TraceEvent e = event("search", 1);
  e.attributes = {{"query", "my secret plan"}, {"k", 10}, {"nested", {{"note", "top secret"}}}};
  AuditSinkOptions o;
  o.log.dir = dir();
  o.redactor = &redactor;
  {
    auto sink = openAuditLogSink(o);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->record(e).ok());
  }
  auto read = readTraceEvents(dir());
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 1u);
  const Json& a = (*read)[0].event.attributes;
  EXPECT_EQ(a["query"], "[REDACTED:word:000000000000]");
  EXPECT_EQ(a["nested"]["note"], "[REDACTED:word:000000000000]");
  EXPECT_EQ(a["k"], 10);
  // Not even the raw segment bytes hold the secret.
  for (const auto& entry : std::filesystem::directory_iterator(dir() + "/log")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str().find("secret"), std::string::npos);
  }
}

TEST_F(TraceLogTest, CorruptedRecordIsCorruption) {
  writeEvents(3);
  std::string seg = dir() + "/log/00000000000000000000.wal";
  std::ifstream in(seg, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  size_t first = s.find("alice");
  size_t second = s.find("alice", first + 1);
  ASSERT_NE(second, std::string::npos);
  s[second] = 'A';
  std::ofstream(seg, std::ios::binary | std::ios::trunc) << s;
  auto read = readTraceEvents(dir());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kCorruption);
  EXPECT_NE(read.status().message().find("record 1"), std::string::npos) << read.status().message();
}

}  // namespace
}  // namespace ward::audit
