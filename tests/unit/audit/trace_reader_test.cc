// audit: TraceReader (grouping, filters, pagination, leaf hashes, tenants) and TraceService
// (who may read, what every read records, feedback and span permissions).
#include "ward/audit/trace_reader.h"

#include <gtest/gtest.h>

#include "ward/audit/audit_log.h"
#include "ward/audit/audit_trace_sink.h"
#include "ward/audit/trace_service.h"
#include "ward/identity/roles.h"
#include "ward/io/mem_file_system.h"

namespace ward::audit {
namespace {

constexpr const char* kDir = "/data/audit";

std::string traceId(int n) {
  std::string s = std::to_string(n);
  return std::string(32 - s.size(), 'a') + s;
}

trace::TraceEvent event(int trace, const std::string& kind, const std::string& principal,
                        int64_t time_us, Json attrs = Json::object(),
                        const std::string& tenant = "t1") {
  trace::TraceEvent e;
  e.context.trace_id = traceId(trace);
  e.context.span_id = "00000000000000" + std::to_string(10 + trace);
  e.kind = kind;
  e.tenant = tenant;
  e.principal = principal;
  e.time_us = time_us;
  e.attributes = std::move(attrs);
  return e;
}

class TraceReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = io::newMemFileSystem();
    AuditLogOptions o;
    o.dir = kDir;
    o.fs = fs_.get();
    log_ = std::move(AuditLog::open(o)).value();
    // Trace 1: alice searches then calls a tool that is executed.
    append(event(1, "search", "alice", 1000, {{"query", "refund"}}));
    append(
        event(1, "tool_call", "alice", 1100, {{"tool", "refund@1.0.0"}, {"decision", "executed"}}));
    // Trace 2: bob's call is denied.
    append(event(2, "tool_call", "bob", 2000, {{"tool", "refund@1.0.0"}, {"decision", "denied"}}));
    // Trace 3: an agent acting for carol; another tenant's event shares the trace id.
    append(event(3, "tool_call", "carol", 3000,
                 {{"tool", "lookup@2.0.0"},
                  {"decision", "pending"},
                  {"principal_chain", {"carol", "helper"}}}));
    append(event(3, "search", "mallory", 3100, {{"query", "x"}}, "t2"));
    // Trace 4: a search in the future.
    append(event(4, "search", "alice", 9000));
  }

  void append(const trace::TraceEvent& e) { ASSERT_TRUE(log_->append(encodeTraceEvent(e)).ok()); }

  std::vector<std::string> ids(const TracePage& p) {
    std::vector<std::string> out;
    for (const auto& t : p.traces) out.push_back(t.trace_id);
    return out;
  }

  TracePage list(TraceQuery q) {
    TraceReader reader(kDir, fs_.get());
    auto page = reader.list(q);
    EXPECT_TRUE(page.ok()) << page.status().toString();
    return page.ok() ? *page : TracePage{};
  }

  std::unique_ptr<io::FileSystem> fs_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(TraceReaderTest, ListGroupsEventsByTraceNewestFirst) {
  TraceQuery q;
  q.tenant = "t1";
  TracePage page = list(q);
  ASSERT_EQ(ids(page), (std::vector<std::string>{traceId(4), traceId(3), traceId(2), traceId(1)}));
  const TraceSummary& t1 = page.traces[3];
  EXPECT_EQ(t1.events, 2u);
  EXPECT_EQ(t1.first_record, 0u);
  EXPECT_EQ(t1.last_record, 1u);
  EXPECT_EQ(t1.started_us, 1000);
  EXPECT_EQ(t1.ended_us, 1100);
  EXPECT_EQ(t1.kinds, (std::vector<std::string>{"search", "tool_call"}));
  EXPECT_EQ(t1.tools, (std::vector<std::string>{"refund@1.0.0"}));
  EXPECT_EQ(t1.decisions, (std::vector<std::string>{"executed"}));
  EXPECT_EQ(page.records_scanned, 6u);
  EXPECT_EQ(page.next_before, 0u);
  // Trace 3 seen from tenant t1 leaves out t2's event.
  EXPECT_EQ(page.traces[1].events, 1u);
  EXPECT_EQ(page.traces[1].principals, (std::vector<std::string>{"carol"}));
}

TEST_F(TraceReaderTest, EachFilterIsMetBySomeEventOfTheTrace) {
  TraceQuery q;
  q.tenant = "t1";
  q.decision = "denied";
  EXPECT_EQ(ids(list(q)), (std::vector<std::string>{traceId(2)}));
  q = TraceQuery{};
  q.tenant = "t1";
  q.tool = "refund";  // by name
  EXPECT_EQ(ids(list(q)), (std::vector<std::string>{traceId(2), traceId(1)}));
  q.tool = "lookup@2.0.0";  // by name@version
  EXPECT_EQ(ids(list(q)), (std::vector<std::string>{traceId(3)}));
  q = TraceQuery{};
  q.tenant = "t1";
  q.principal = "helper";  // the agent, through the principal chain
  EXPECT_EQ(ids(list(q)), (std::vector<std::string>{traceId(3)}));
  q.principal = "alice";
  q.kind = "tool_call";  // alice's search trace also has a tool call
  EXPECT_EQ(ids(list(q)), (std::vector<std::string>{traceId(1)}));
  q = TraceQuery{};
  q.tenant = "t1";
  q.since_us = 2000;
  q.until_us = 9000;
  EXPECT_EQ(ids(list(q)), (std::vector<std::string>{traceId(3), traceId(2)}));
  q = TraceQuery{};
  q.tenant = "t1";
  q.principal = "mallory";  // another tenant's principal
  EXPECT_TRUE(list(q).traces.empty());
}

TEST_F(TraceReaderTest, PagesWithLimitAndBefore) {
  TraceQuery q;
  q.tenant = "t1";
  q.limit = 3;
  TracePage p1 = list(q);
  ASSERT_EQ(p1.traces.size(), 3u);
  EXPECT_EQ(p1.next_before, p1.traces.back().first_record);
  q.before = p1.next_before;
  TracePage p2 = list(q);
  EXPECT_EQ(ids(p2), (std::vector<std::string>{traceId(1)}));
  EXPECT_EQ(p2.next_before, 0u);
  q.limit = 0;
  TraceReader reader(kDir, fs_.get());
  EXPECT_EQ(reader.list(q).status().code(), StatusCode::kInvalidArgument);
  q.limit = kMaxTraceListLimit + 1;
  EXPECT_EQ(reader.list(q).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TraceReaderTest, TraceEventsCarryTheirRecordsLeafHash) {
  TraceReader reader(kDir, fs_.get());
  auto t = reader.trace(traceId(1), "t1");
  ASSERT_TRUE(t.ok()) << t.status().toString();
  ASSERT_EQ(t->events.size(), 2u);
  for (const auto& r : t->events) {
    auto leaf = log_->leafAt(r.index);
    ASSERT_TRUE(leaf.ok());
    EXPECT_EQ(r.leaf, *leaf) << "record " << r.index;
  }
  EXPECT_EQ(t->events[1].event.kind, "tool_call");
  Json j = traceRecordJson(t->events[0]);
  EXPECT_EQ(j["record"], 0);
  EXPECT_EQ(j["leaf_hash"], hashHex(t->events[0].leaf));
  EXPECT_EQ(j["attributes"]["query"], "refund");
}

TEST_F(TraceReaderTest, TraceIsScopedToTheTenant) {
  TraceReader reader(kDir, fs_.get());
  EXPECT_EQ(reader.trace(traceId(1), "t2").status().code(), StatusCode::kNotFound);
  auto t3 = reader.trace(traceId(3), "t2");
  ASSERT_TRUE(t3.ok());
  ASSERT_EQ(t3->events.size(), 1u);
  EXPECT_EQ(t3->events[0].event.principal, "mallory");
  EXPECT_EQ(reader.trace("XYZ", "t1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.record(4, "t1").status().code(), StatusCode::kNotFound);  // t2's record
  EXPECT_EQ(reader.record(99, "t1").status().code(), StatusCode::kNotFound);
  auto r2 = reader.record(2, "t1");
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->event.principal, "bob");
}

TEST_F(TraceReaderTest, EventsMatchEveryFilterOnTheSameEvent) {
  TraceReader reader(kDir, fs_.get());
  TraceQuery q;
  q.tenant = "t1";
  q.principal = "alice";
  q.kind = "tool_call";
  auto events = reader.events(q);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].index, 1u);
  q.before = 1;
  EXPECT_TRUE(reader.events(q)->empty());
}

// --- TraceService ---

identity::Principal principal(const std::string& name, std::vector<std::string> groups = {},
                              bool admin = false) {
  identity::Principal p;
  p.tenant = "t1";
  p.name = name;
  p.admin = admin;
  p.groups = std::move(groups);
  return p;
}

class TraceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = io::newMemFileSystem();
    AuditSinkOptions o;
    o.log.dir = kDir;
    o.log.fs = fs_.get();
    sink_ = std::move(openAuditLogSink(o)).value();
    ASSERT_TRUE(sink_->record(event(1, "search", "alice", 1000, {{"query", "q"}})).ok());
    reader_ = std::make_unique<TraceReader>(kDir, fs_.get());
    prompts_ = std::make_unique<PromptStore>("/data/prompts", fs_.get());
    TraceServiceOptions so;
    so.reader = reader_.get();
    so.sink = sink_.get();
    so.prompts = prompts_.get();
    service_ = std::make_unique<TraceService>(so);
  }

  // Events of `kind` recorded after the setup's search.
  std::vector<trace::TraceEvent> recorded(const std::string& kind) {
    std::vector<trace::TraceEvent> out;
    TraceQuery q;
    q.kind = kind;
    auto events = reader_->events(q);
    EXPECT_TRUE(events.ok()) << events.status().toString();
    if (!events.ok()) return out;
    for (auto& r : events.value()) out.push_back(r.event);
    return out;
  }

  TraceAccess as(const identity::Principal& p) { return {&p, trace::TraceContext::generate()}; }

  std::unique_ptr<io::FileSystem> fs_;
  std::unique_ptr<trace::TraceSink> sink_;
  std::unique_ptr<TraceReader> reader_;
  std::unique_ptr<PromptStore> prompts_;
  std::unique_ptr<TraceService> service_;
};

TEST_F(TraceServiceTest, OnlyAdminsAndAuditorsReadAndEveryReadIsRecorded) {
  auto bob = principal("bob");
  EXPECT_EQ(service_->explain(as(bob), traceId(1)).status().code(), StatusCode::kPermissionDenied);
  auto denied = recorded("authz_denied");
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].principal, "bob");
  EXPECT_EQ(denied[0].attributes["action"], "explain");
  EXPECT_EQ(denied[0].attributes["decision"], "denied");

  auto audra = principal("audra", {"auditors"});
  auto x = service_->explain(as(audra), traceId(1));
  ASSERT_TRUE(x.ok()) << x.status().toString();
  EXPECT_EQ((*x)["asked_by"][0]["principal"], "alice");
  ASSERT_TRUE(service_->list(as(principal("root", {}, true)), TraceQuery{}).ok());
  auto reads = recorded("trace_read");
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].principal, "audra");
  EXPECT_EQ(reads[0].attributes["target_trace_id"], traceId(1));
  EXPECT_EQ(reads[1].attributes["action"], "list");
  // The read is its own trace, not part of the one read.
  EXPECT_NE(reads[0].context.trace_id, traceId(1));
}

TEST_F(TraceServiceTest, OtherTenantsTracesAreNotFound) {
  auto auditor = principal("audra", {"auditors"});
  auditor.tenant = "t2";
  EXPECT_EQ(service_->show(as(auditor), traceId(1)).status().code(), StatusCode::kNotFound);
  auto page = service_->list(as(auditor), TraceQuery{});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->traces.empty());
}

TEST_F(TraceServiceTest, FeedbackByParticipantsOverridesByReviewers) {
  Json fb = {{"rating", 4}, {"reason", "ok"}};
  EXPECT_TRUE(service_->feedback(as(principal("alice")), traceId(1), fb).ok());
  EXPECT_EQ(service_->feedback(as(principal("bob")), traceId(1), fb).status().code(),
            StatusCode::kNotFound);
  Json over = {{"override", true}, {"corrected_answer", "42"}};
  EXPECT_EQ(service_->feedback(as(principal("alice")), traceId(1), over).status().code(),
            StatusCode::kPermissionDenied);
  auto rita = principal("rita", {"reviewers"});
  auto out = service_->feedback(as(rita), traceId(1), over);
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ((*out)["reviewer"], "rita");
  auto events = recorded("feedback");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].context.trace_id, traceId(1));  // joins the trace it is about
  EXPECT_EQ(events[1].attributes["override"], true);
  EXPECT_EQ(events[1].attributes["reviewer_roles"], Json::array({"reviewer"}));
  for (const Json& bad : {Json::object(), Json{{"rating", 0}}, Json{{"rating", "5"}},
                          Json{{"rating", 3}, {"extra", 1}}, Json::array()}) {
    EXPECT_EQ(service_->feedback(as(rita), traceId(1), bad).status().code(),
              StatusCode::kInvalidArgument)
        << bad.dump();
  }
}

TEST_F(TraceServiceTest, JoiningATraceWithTraceparentDoesNotMakeAParticipant) {
  // Issue 19 item 15: mallory sends alice's trace id in `traceparent`; her request's events are
  // linked into the trace (with the incoming span as parent) but the trace is not hers.
  trace::TraceEvent joined = event(1, "search", "mallory", 2000, {{"query", "x"}});
  joined.context =
      trace::TraceContext::fromTraceparent("00-" + traceId(1) + "-00f067aa0ba902b7-01");
  ASSERT_EQ(joined.context.trace_id, traceId(1));
  ASSERT_TRUE(sink_->record(joined).ok());
  Json fb = {{"rating", 1}};
  EXPECT_EQ(service_->feedback(as(principal("mallory")), traceId(1), fb).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(recorded("authz_denied").size(), 1u);
  EXPECT_TRUE(service_->feedback(as(principal("alice")), traceId(1), fb).ok());
  // Feedback recorded into the trace does not make its author a participant either.
  auto rita = principal("rita", {"reviewers"});
  ASSERT_TRUE(service_->feedback(as(rita), traceId(1), fb).ok());
  rita.groups.clear();
  EXPECT_EQ(service_->feedback(as(rita), traceId(1), fb).status().code(), StatusCode::kNotFound);

  // A client's own trace id, brought to Ward first by dave's request, is dave's trace.
  trace::TraceEvent own = event(7, "search", "dave", 3000);
  own.context = trace::TraceContext::fromTraceparent("00-" + traceId(7) + "-b7ad6b7169203331-01");
  ASSERT_TRUE(sink_->record(own).ok());
  EXPECT_TRUE(service_->feedback(as(principal("dave")), traceId(7), fb).ok());
}

TEST_F(TraceServiceTest, SpansNeedAnAdminOrServiceAccountPromptsNeedTheAuditorsGroup) {
  Json span = {{"provider", "openai"},
               {"model", "m"},
               {"prompt", {{"template_id", "t@1"}, {"rendered", "hello"}}}};
  EXPECT_EQ(service_->recordSpan(as(principal("bob")), traceId(1), span).status().code(),
            StatusCode::kPermissionDenied);
  auto svc = principal("svc");
  svc.kind = identity::PrincipalKind::kServiceAccount;
  auto out = service_->recordSpan(as(svc), traceId(1), span);
  ASSERT_TRUE(out.ok()) << out.status().toString();
  const std::string sha = (*out)["prompt"]["sha256"];
  EXPECT_EQ(service_->recordSpan(as(svc), std::string(32, '0'), span).status().code(),
            StatusCode::kInvalidArgument);
  auto calls = recorded("model_call");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].context.trace_id, traceId(1));
  EXPECT_FALSE(calls[0].attributes.dump().find("hello") != std::string::npos);
  // Admins hold the auditor role for traces but must join the group for prompts.
  EXPECT_EQ(service_->prompt(as(principal("root", {}, true)), sha).status().code(),
            StatusCode::kPermissionDenied);
  auto p = service_->prompt(as(principal("audra", {"auditors"})), sha);
  ASSERT_TRUE(p.ok()) << p.status().toString();
  EXPECT_EQ(p->text, "hello");
}

TEST(RolesTest, RolesAreGroupsAdminsHoldThemAll) {
  EXPECT_EQ(*identity::parseRole("auditor"), identity::Role::kAuditor);
  EXPECT_EQ(identity::parseRole("janitor").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(identity::roleGroup(identity::Role::kReviewer), "reviewers");
  auto p = principal("p", {"auditors", "finance"});
  EXPECT_TRUE(identity::hasRole(p, identity::Role::kAuditor));
  EXPECT_FALSE(identity::hasRole(p, identity::Role::kReviewer));
  auto admin = principal("a", {}, true);
  EXPECT_TRUE(identity::hasRole(admin, identity::Role::kReviewer));
  EXPECT_FALSE(identity::isRoleMember(admin, identity::Role::kAuditor));
}

}  // namespace
}  // namespace ward::audit
