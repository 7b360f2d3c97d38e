// audit: the bounded export queue, the OTLP JSON and JSONL encoders, the OTLP address rule and
// JSONL rotation (docs/formats/otlp-export.md, docs/formats/audit-jsonl-export.md).
#include "ward/audit/trace_export.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <mutex>

namespace ward::audit {
namespace {

trace::TraceEvent toolCall(int i) {
  trace::TraceEvent e;
  e.context = trace::TraceContext::generate();
  e.kind = "tool_call";
  e.tenant = "acme";
  e.principal = "alice";
  e.time_us = 1764000000000000 + i;
  e.attributes =
      Json{{"tool", "refund@2"},       {"decision", "executed"}, {"stage", "dispatch"},
           {"args", {{"amount", 12}}}, {"duration_us", 1500},    {"backend_status", 200}};
  return e;
}

// An exporter whose batches wait until the test opens the gate: it stands for a collector that
// does not answer, so the tests can see what the queue does meanwhile.
class GatedExporter final : public TraceExporter {
 public:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    std::vector<Status> script;  // results of successive calls, then OK
    size_t calls = 0;
    size_t events = 0;
  };
  explicit GatedExporter(std::shared_ptr<State> s) : s_(std::move(s)) {}
  std::string name() const override { return "gated"; }
  Status exportBatch(const std::vector<StoredTraceEvent>& batch) override {
    std::unique_lock<std::mutex> lock(s_->mu);
    s_->cv.wait(lock, [this] { return s_->open; });
    size_t call = s_->calls++;
    if (call < s_->script.size() && !s_->script[call].ok()) return s_->script[call];
    s_->events += batch.size();
    return Status();
  }

 private:
  std::shared_ptr<State> s_;
};

void open(GatedExporter::State& s) {
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.open = true;
  }
  s.cv.notify_all();
}

ExportQueueOptions fastOptions(size_t capacity) {
  ExportQueueOptions o;
  o.capacity = capacity;
  o.max_batch = 4;
  o.backoff_initial_ms = 1;
  o.backoff_max_ms = 2;
  return o;
}

TEST(ExportQueueTest, FullQueueDropsAndCountsWithoutBlocking) {
  auto state = std::make_shared<GatedExporter::State>();
  ExportQueue q(std::make_unique<GatedExporter>(state), fastOptions(8));
  double before = metrics().counterValue(
      "ward_audit_export_events_total", {{"exporter", "gated"}, {"outcome", "dropped_queue_full"}});
  // The exporter is stuck; offers keep returning at once. At most capacity + one batch in
  // flight are accepted; the rest are dropped and counted.
  size_t accepted = 0;
  for (int i = 0; i < 100; ++i) accepted += q.offer(i, toolCall(i)) ? 1 : 0;
  EXPECT_GE(accepted, 8u);
  EXPECT_LE(accepted, 12u);
  auto c = q.counters();
  EXPECT_EQ(c.offered, 100u);
  EXPECT_EQ(c.dropped_queue_full, 100u - accepted);
  double after = metrics().counterValue("ward_audit_export_events_total",
                                        {{"exporter", "gated"}, {"outcome", "dropped_queue_full"}});
  EXPECT_EQ(after - before, static_cast<double>(100 - accepted));
  EXPECT_NE(metrics().renderPrometheus().find("ward_audit_export_queue_events{exporter=\"gated\"}"),
            std::string::npos);

  open(*state);
  ASSERT_TRUE(q.waitIdle(10000));
  EXPECT_EQ(q.counters().exported, accepted);
  EXPECT_EQ(state->events, accepted);
}

TEST(ExportQueueTest, RetryableFailuresAreRetriedThenExported) {
  auto state = std::make_shared<GatedExporter::State>();
  state->script = {Status::unavailable("collector down"), Status::unavailable("still down")};
  open(*state);
  ExportQueue q(std::make_unique<GatedExporter>(state), fastOptions(100));
  ASSERT_TRUE(q.offer(0, toolCall(0)));
  ASSERT_TRUE(q.waitIdle(10000));
  EXPECT_EQ(q.counters().exported, 1u);
  EXPECT_EQ(q.counters().failed, 0u);
  EXPECT_EQ(state->calls, 3u);
}

TEST(ExportQueueTest, FinalFailureCountsTheBatchAsFailed) {
  auto state = std::make_shared<GatedExporter::State>();
  state->script = {Status::invalidArgument("collector rejected the body")};
  open(*state);
  ExportQueue q(std::make_unique<GatedExporter>(state), fastOptions(100));
  ASSERT_TRUE(q.offer(0, toolCall(0)));
  ASSERT_TRUE(q.waitIdle(10000));
  EXPECT_EQ(q.counters().failed, 1u);
  EXPECT_EQ(state->calls, 1u);  // not retried
}

TEST(ExportQueueTest, RetriesGiveUpAfterTheConfiguredCount) {
  auto state = std::make_shared<GatedExporter::State>();
  state->script = std::vector<Status>(10, Status::unavailable("down"));
  open(*state);
  ExportQueueOptions o = fastOptions(100);
  o.retries = 2;
  ExportQueue q(std::make_unique<GatedExporter>(state), o);
  ASSERT_TRUE(q.offer(0, toolCall(0)));
  ASSERT_TRUE(q.waitIdle(10000));
  EXPECT_EQ(q.counters().failed, 1u);
  EXPECT_EQ(state->calls, 3u);
}

TEST(ExportQueueTest, ShutdownAccountsForEveryEvent) {
  auto value = [](const char* outcome) {
    return metrics().counterValue("ward_audit_export_events_total",
                                  {{"exporter", "gated"}, {"outcome", outcome}});
  };
  double exported = value("exported"), dropped = value("dropped_shutdown");
  auto state = std::make_shared<GatedExporter::State>();
  {
    ExportQueueOptions o = fastOptions(100);
    o.shutdown_grace_ms = 0;
    ExportQueue q(std::make_unique<GatedExporter>(state), o);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(q.offer(i, toolCall(i)));
    open(*state);
    // Destroyed with no grace: whatever is not exported by then is counted as dropped.
  }
  EXPECT_EQ(value("exported") - exported + value("dropped_shutdown") - dropped, 10.0);
  EXPECT_EQ(value("exported") - exported, static_cast<double>(state->events));
}

TEST(OtlpEncoderTest, ToolCallBecomesAnExecuteToolSpan) {
  StoredTraceEvent s{7, toolCall(0), "plain"};
  s.event.context.span_id = "00f067aa0ba902b7";
  OtlpOptions o;
  o.service_name = "ward-test";
  Json req = encodeOtlpTraces({s}, o);
  const Json& rs = req["resourceSpans"][0];
  EXPECT_EQ(rs["resource"]["attributes"][0]["key"], "service.name");
  EXPECT_EQ(rs["resource"]["attributes"][0]["value"]["stringValue"], "ward-test");
  EXPECT_EQ(rs["schemaUrl"],
            std::string("https://opentelemetry.io/schemas/") + kGenAiSemconvVersion);
  const Json& span = rs["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span["traceId"], s.event.context.trace_id);
  EXPECT_EQ(span["parentSpanId"], "00f067aa0ba902b7");
  EXPECT_EQ(span["spanId"], exportSpanId(s.event.context.trace_id, 7));
  EXPECT_EQ(span["spanId"].get<std::string>().size(), 16u);
  EXPECT_EQ(span["name"], "execute_tool refund");
  EXPECT_EQ(span["startTimeUnixNano"], "1764000000000000000");
  EXPECT_EQ(span["endTimeUnixNano"], "1764000000001500000");
  std::map<std::string, Json> attrs;
  for (const Json& a : span["attributes"]) attrs[a["key"]] = a["value"];
  EXPECT_EQ(attrs["gen_ai.operation.name"]["stringValue"], "execute_tool");
  EXPECT_EQ(attrs["gen_ai.tool.name"]["stringValue"], "refund");
  EXPECT_EQ(attrs["gen_ai.tool.type"]["stringValue"], "function");
  EXPECT_EQ(attrs["ward.tool.version"]["stringValue"], "2");
  EXPECT_EQ(attrs["ward.tool.backend_status"]["intValue"], "200");  // int64 as a string
  EXPECT_EQ(attrs["ward.audit.record"]["intValue"], "7");
  EXPECT_FALSE(attrs.count("gen_ai.tool.call.arguments"));  // opt-in content is off

  o.include_content = true;
  Json with = encodeOtlpTraces({s}, o);
  bool found = false;
  for (const Json& a : with["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"]) {
    if (a["key"] == "gen_ai.tool.call.arguments") {
      found = true;
      EXPECT_EQ(a["value"]["stringValue"], "{\"amount\":12}");
    }
  }
  EXPECT_TRUE(found);
}

TEST(OtlpEncoderTest, ModelCallsOfTheProxyMapToGenAiAttributes) {
  // The attributes as recordModelCall writes them for a call through the proxy.
  StoredTraceEvent s{3, toolCall(0), "plain"};
  s.event.kind = "model_call";
  s.event.attributes = Json{{"provider", "openai"},
                            {"model", "gpt-x"},
                            {"model_version", "gpt-x-2026"},
                            {"requested_model", "gpt"},
                            {"parameters", {{"temperature", 0.2}, {"max_tokens", 64}}},
                            {"usage", {{"input_tokens", 12}, {"output_tokens", 5}}},
                            {"finish_reason", "stop"},
                            {"latency_ms", 2.5},
                            {"outcome", "ok"}};
  Json req = encodeOtlpTraces({s}, OtlpOptions{});
  const Json& span = req["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  std::map<std::string, Json> attrs;
  for (const Json& a : span["attributes"]) attrs[a["key"]] = a["value"];
  EXPECT_EQ(span["name"], "chat gpt-x");
  EXPECT_EQ(attrs["gen_ai.response.model"]["stringValue"], "gpt-x-2026");
  EXPECT_EQ(attrs["gen_ai.request.temperature"]["doubleValue"], 0.2);
  EXPECT_EQ(attrs["gen_ai.request.max_tokens"]["intValue"], "64");
  EXPECT_EQ(attrs["gen_ai.usage.input_tokens"]["intValue"], "12");
  EXPECT_EQ(attrs["gen_ai.usage.output_tokens"]["intValue"], "5");
  EXPECT_EQ(attrs["ward.model.requested"]["stringValue"], "gpt");
  EXPECT_EQ(span["endTimeUnixNano"], "1764000000002500000");
}

TEST(OtlpEncoderTest, SearchBecomesARetrievalSpanAndErrorsSetStatus) {
  StoredTraceEvent s{1, toolCall(0), "plain"};
  s.event.kind = "search";
  s.event.attributes = Json{{"query", "q"},
                            {"k", 5},
                            {"took_ms", 2.5},
                            {"hits", Json::array({{{"doc_id", "d"}, {"chunk_id", 3}}})},
                            {"acl", {{"rule", "document_acl"}, {"candidates_removed", 4}}}};
  StoredTraceEvent err{2, toolCall(1), "plain"};
  err.event.attributes["error"] = "PermissionDenied";
  err.event.attributes["reason"] = "no grant";
  Json req = encodeOtlpTraces({s, err}, OtlpOptions{});
  const Json& spans = req["resourceSpans"][0]["scopeSpans"][0]["spans"];
  ASSERT_EQ(spans.size(), 2u);
  std::map<std::string, Json> attrs;
  for (const Json& a : spans[0]["attributes"]) attrs[a["key"]] = a["value"];
  EXPECT_EQ(spans[0]["name"], "retrieval ward:acme");
  EXPECT_EQ(spans[0]["kind"], 3);  // CLIENT, as the convention asks for retrieval
  EXPECT_EQ(spans[1]["kind"], 1);  // INTERNAL for execute_tool
  EXPECT_EQ(attrs["gen_ai.operation.name"]["stringValue"], "retrieval");
  EXPECT_EQ(attrs["gen_ai.request.top_k"]["doubleValue"], 5.0);
  EXPECT_EQ(attrs["ward.acl.candidates_removed"]["intValue"], "4");
  EXPECT_FALSE(attrs.count("gen_ai.retrieval.query.text"));
  EXPECT_EQ(spans[1]["status"]["code"], 2);
  EXPECT_EQ(spans[1]["status"]["message"], "no grant");
}

TEST(OtlpAddressRuleTest, LoopbackOnlyWhenAllowedAndMetadataNever) {
  OtlpOptions o;
  o.endpoint = "http://127.0.0.1:4318";
  EXPECT_EQ(makeOtlpHttpExporter(o).status().code(), StatusCode::kPermissionDenied);
  o.endpoint = "http://[::1]:4318";
  EXPECT_EQ(makeOtlpHttpExporter(o).status().code(), StatusCode::kPermissionDenied);
  o.allow_loopback = true;
  EXPECT_TRUE(makeOtlpHttpExporter(o).ok());
  o.endpoint = "http://169.254.169.254/";
  EXPECT_EQ(makeOtlpHttpExporter(o).status().code(), StatusCode::kPermissionDenied);
  o.endpoint = "http://10.1.2.3:4318";  // private: an operator's collector network
  EXPECT_TRUE(makeOtlpHttpExporter(o).ok());
  o.endpoint = "ftp://collector:21";
  EXPECT_EQ(makeOtlpHttpExporter(o).status().code(), StatusCode::kInvalidArgument);
  o.endpoint = "http://user:pw@collector:4318";
  EXPECT_EQ(makeOtlpHttpExporter(o).status().code(), StatusCode::kInvalidArgument);
  o.endpoint = "http://collector:4318/?token=x";
  EXPECT_EQ(makeOtlpHttpExporter(o).status().code(), StatusCode::kInvalidArgument);
  o.endpoint = "not a url";
  EXPECT_EQ(makeOtlpHttpExporter(o).status().code(), StatusCode::kInvalidArgument);
}

TEST(OtlpAddressRuleTest, HostnameResolvingToLoopbackIsRefusedAtExport) {
  OtlpOptions o;
  o.endpoint = "http://localhost:9";
  auto exporter = makeOtlpHttpExporter(o);
  ASSERT_TRUE(exporter.ok());  // a name is judged per batch, after resolution
  Status s = (*exporter)->exportBatch({StoredTraceEvent{0, toolCall(0), "plain"}});
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.toString();
}

TEST(OtlpHttpExporterTest, ClosedPortIsUnavailable) {
  OtlpOptions o;
  o.endpoint = "http://127.0.0.1:9";  // discard port: nothing listens
  o.allow_loopback = true;
  o.timeout_ms = 2000;
  auto exporter = makeOtlpHttpExporter(o);
  ASSERT_TRUE(exporter.ok());
  Status s = (*exporter)->exportBatch({StoredTraceEvent{0, toolCall(0), "plain"}});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.toString();
}

class JsonlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/ward_jsonl_XXXXXX";
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<std::string> lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  std::string dir_;
};

TEST_F(JsonlTest, OneObjectPerLine) {
  JsonlOptions o;
  o.path = dir_ + "/audit.jsonl";
  auto exporter = makeJsonlFileExporter(o).value();
  ASSERT_TRUE(exporter->exportBatch({{0, toolCall(0), "plain"}, {1, toolCall(1), "plain"}}).ok());
  auto got = lines(o.path);
  ASSERT_EQ(got.size(), 2u);
  Json first = parseJson(got[0]).value();
  EXPECT_EQ(first["schema"], "ward.audit.event/v1");
  EXPECT_EQ(first["record"], 0);
  EXPECT_EQ(first["kind"], "tool_call");
  EXPECT_EQ(first["principal"], "alice");
  EXPECT_EQ(first["time"], "2025-11-24T16:00:00.000Z");
  EXPECT_EQ(first["attributes"]["tool"], "refund@2");
}

TEST_F(JsonlTest, RotatesBySizeAndKeepsNFiles) {
  JsonlOptions o;
  o.path = dir_ + "/audit.jsonl";
  o.max_bytes = 4096;
  o.keep_files = 2;
  auto exporter = makeJsonlFileExporter(o).value();
  size_t line_bytes = encodeJsonlLine({0, toolCall(0), "plain"}).size() + 1;
  int total = static_cast<int>(4 * 4096 / line_bytes);
  for (int i = 0; i < total; ++i) {
    ASSERT_TRUE(exporter->exportBatch({{static_cast<uint64_t>(i), toolCall(i), "plain"}}).ok());
  }
  EXPECT_TRUE(std::filesystem::exists(o.path + ".1"));
  EXPECT_TRUE(std::filesystem::exists(o.path + ".2"));
  EXPECT_FALSE(std::filesystem::exists(o.path + ".3"));
  for (const std::string& p : {o.path, o.path + ".1", o.path + ".2"}) {
    EXPECT_LE(std::filesystem::file_size(p), 4096u) << p;
  }
  // The newest record is the last line of the active file.
  Json last = parseJson(lines(o.path).back()).value();
  EXPECT_EQ(last["record"], total - 1);
}

TEST_F(JsonlTest, MissingDirectoryIsAClearError) {
  JsonlOptions o;
  o.path = dir_ + "/nope/audit.jsonl";
  auto r = makeJsonlFileExporter(o);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace ward::audit
