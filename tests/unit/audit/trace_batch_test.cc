// recordAll (trace_batch.h): events recorded together through the audit-log sink are one append
// and one sync (one group commit), in order, readable as usual; a sink that cannot batch gets
// record() per event.
#include "ward/audit/trace_batch.h"

#include <gtest/gtest.h>

#include <vector>

#include "ward/audit/audit_trace_sink.h"
#include "ward/io/fault_injecting_file_system.h"
#include "ward/io/mem_file_system.h"

namespace ward::audit {
namespace {

const std::string kDir = "/data/audit";

trace::TraceEvent event(const std::string& kind, int n) {
  trace::TraceEvent e;
  e.context = trace::TraceContext::generate();
  e.kind = kind;
  e.tenant = "default";
  e.principal = "alice";
  e.time_us = 1000 + n;
  e.attributes = Json{{"n", n}};
  return e;
}

class TraceBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuditSinkOptions o;
    o.log.dir = kDir;
    o.log.fs = &fs_;
    o.log.checkpoint_seconds = 24 * 3600;  // no checkpoint write among the counted operations
    o.on_recorded = [this](uint64_t index, const trace::TraceEvent& e) {
      recorded_.emplace_back(index, e.kind);
    };
    sink_ = std::move(openAuditLogSink(o).value());
  }

  std::unique_ptr<io::FileSystem> mem_ = io::newMemFileSystem();
  io::FaultInjectingFileSystem fs_{*mem_};
  std::unique_ptr<trace::TraceSink> sink_;
  std::vector<std::pair<uint64_t, std::string>> recorded_;
};

TEST_F(TraceBatchTest, EventsRecordedTogetherAreOneAppendAndOneSync) {
  const std::vector<trace::TraceEvent> two = {event("model_call", 1), event("response_sent", 2)};
  const int64_t before = fs_.mutatingOps();
  ASSERT_TRUE(recordAll(*sink_, two).ok());
  EXPECT_EQ(fs_.mutatingOps() - before, 2);  // one append, one sync

  const int64_t separately = fs_.mutatingOps();
  ASSERT_TRUE(sink_->record(event("model_call", 3)).ok());
  ASSERT_TRUE(sink_->record(event("response_sent", 4)).ok());
  EXPECT_EQ(fs_.mutatingOps() - separately, 4);  // what the batch saves

  auto all = readTraceEvents(kDir, &fs_);
  ASSERT_TRUE(all.ok()) << all.status().toString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].event.kind, "model_call");
  EXPECT_EQ((*all)[1].event.kind, "response_sent");
  EXPECT_EQ((*all)[1].event.attributes["n"], 2);
  EXPECT_EQ((*all)[1].index, (*all)[0].index + 1);
  // on_recorded sees each event with its own index.
  ASSERT_EQ(recorded_.size(), 4u);
  EXPECT_EQ(recorded_[0], std::make_pair((*all)[0].index, std::string("model_call")));
  EXPECT_EQ(recorded_[1], std::make_pair((*all)[1].index, std::string("response_sent")));
}

TEST_F(TraceBatchTest, AFailedBatchRecordsNothing) {
  fs_.failAfter(0);
  const std::vector<trace::TraceEvent> two = {event("model_call", 1), event("response_sent", 2)};
  EXPECT_FALSE(recordAll(*sink_, two).ok());
  EXPECT_TRUE(recorded_.empty());
}

class ListSink final : public trace::TraceSink {
 public:
  Status record(const trace::TraceEvent& e) override {
    kinds.push_back(e.kind);
    return kinds.size() == 1 ? Status() : Status::unavailable("full");
  }
  std::vector<std::string> kinds;
};

TEST(TraceBatchFallback, ASinkThatCannotBatchGetsEachEventInOrderUntilOneFails) {
  ListSink sink;
  const std::vector<trace::TraceEvent> three = {event("a", 1), event("b", 2), event("c", 3)};
  EXPECT_EQ(recordAll(sink, three).code(), StatusCode::kUnavailable);
  EXPECT_EQ(sink.kinds, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace ward::audit
