// Approvals and read-only switches under an adversary (issue 19 items 4, 5, 11, 12): refused
// decisions are recorded by the gateway itself, the server-wide switch needs a server admin,
// parked arguments are stored redacted with a sealed copy destroyed once the call settles, and
// waiting for a decision holds no thread and is bounded per principal.
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <vector>

#include "gateway_env.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::testing {
namespace {

const char kSecret[] = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

// Replaces every string holding kSecret, as the tenant's redaction rules would.
class SecretRedactor final : public trace::Redactor {
 public:
  std::string redactText(std::string_view text, trace::RedactionStats* stats) const override {
    if (text.find(kSecret) == std::string_view::npos) return std::string(text);
    if (stats) ++stats->values_redacted;
    return "[REDACTED:api_key:000000000000]";
  }
  void redactJson(Json& value, trace::RedactionStats* stats) const override {
    if (value.is_string()) {
      value = redactText(value.get<std::string>(), stats);
    } else if (value.is_structured()) {
      for (auto& v : value) redactJson(v, stats);
    }
  }
};

// Events of one kind, in order.
std::vector<trace::TraceEvent> eventsOf(GatewayEnv& env, const std::string& kind) {
  std::vector<trace::TraceEvent> out;
  auto events = audit::readTraceEvents(env.dir.file("audit"));
  if (!events.ok()) return out;
  for (const auto& e : *events) {
    if (e.event.kind == kind) out.push_back(e.event);
  }
  return out;
}

// One column of the approvals row, read straight from ward.db.
std::string approvalColumn(GatewayEnv& env, const std::string& id, const std::string& column) {
  sqlite3* db = nullptr;
  std::string out = "<missing>";
  if (sqlite3_open_v2(env.dir.file("ward.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    std::string sql = "SELECT " + column + " FROM approvals WHERE id=?";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char* t = sqlite3_column_text(st, 0);
        out = t ? reinterpret_cast<const char*>(t) : "";
      }
      sqlite3_finalize(st);
    }
  }
  sqlite3_close(db);
  return out;
}

void execSql(GatewayEnv& env, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(env.dir.file("ward.db").c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

// A write tool that always needs approval; its schema accepts only the real token, so a call
// resumed with anything but the raw arguments fails validation instead of reaching dispatch.
void parkedTool(GatewayEnv& env) {
  env.user("alice");
  env.user("rita", identity::PrincipalKind::kUser, true);
  env.user("bob");
  Json schema = {{"type", "object"},
                 {"properties", {{"token", {{"enum", Json::array({kSecret})}}}}}};
  env.tool(
      "w", "write",
      {{"input_schema", schema}, {"approval", Json::array({{{"name", "all"}, {"always", true}}})}});
  ASSERT_TRUE(env.gateway
                  ->addGrant(env.tenant,
                             {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", "w"}},
                             "t")
                  .ok());
}

std::string park(GatewayEnv& env, const std::string& key) {
  auto parked = env.call("alice", "w", {{"token", kSecret}}, "", key);
  EXPECT_TRUE(parked.ok()) << parked.status().toString();
  if (!parked.ok()) return "";
  EXPECT_EQ((*parked)["status"], "pending");
  return (*parked)["approval_id"].get<std::string>();
}

// --- item 12: every refused decision is recorded, whatever the front door ---

TEST(ApprovalRefusals, EveryRefusedDecisionIsRecordedByTheGateway) {
  GatewayEnv env;
  parkedTool(env);
  const std::string id = park(env, "k1");
  auto bob = env.gateway->decide(env.principal("bob"), {id, true, "", 0});
  EXPECT_EQ(bob.status().code(), StatusCode::kPermissionDenied);
  auto self = env.gateway->decide(env.principal("alice"), {id, false, "", 0});
  EXPECT_EQ(self.status().code(), StatusCode::kPermissionDenied);
  auto unknown = env.gateway->decide(env.principal("rita"), {"apr_nope", true, "", 0});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(env.gateway->decide(env.principal("rita"), {id, false, "no", 0}).ok());
  auto twice = env.gateway->decide(env.principal("rita"), {id, true, "", 0});
  EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);

  std::vector<Json> refused;
  for (const auto& e : eventsOf(env, "tool_decision")) {
    if (e.attributes.value("decision", "") == "refused") refused.push_back(e.attributes);
  }
  ASSERT_EQ(refused.size(), 4u);
  EXPECT_EQ(refused[0]["reviewer"], "bob");
  EXPECT_EQ(refused[0]["approval_id"], id);
  EXPECT_EQ(refused[0]["attempted"], "approve");
  EXPECT_EQ(refused[0]["error"], "permission_denied");
  EXPECT_EQ(refused[1]["reviewer"], "alice");
  EXPECT_EQ(refused[1]["attempted"], "deny");
  EXPECT_EQ(refused[2]["error"], "not_found");
  EXPECT_EQ(refused[3]["error"], "failed_precondition");
}

// A sync run held by the ingest guard is approved through the same approvals; the gateway only
// records the decision (there is no tool to run) and leaves it "approved" for `ward sync`.
TEST(ApprovalRefusals, ApprovingAHeldSyncRunRecordsTheDecisionAndRunsNothing) {
  GatewayEnv env;
  parkedTool(env);
  store::ApprovalRecord held;
  held.id = "apr_000000000000000000000001";
  held.tenant = env.tenant;
  held.tool = "ward.sync";
  held.version = "docs";
  held.requester = "ward-sync";
  held.args = Json{{"source", "docs"}, {"run_id", "run_1"}};
  held.rule = "sync_guard";
  held.reason = "the run would delete 30% of the source";
  held.state = store::ApprovalState::kPending;
  held.created_at = 1;
  held.expires_at = INT64_MAX;
  ASSERT_TRUE(env.tools->createApproval(held).ok());
  auto decided = env.gateway->decide(env.principal("rita"), {held.id, true, "ok", 0});
  ASSERT_TRUE(decided.ok()) << decided.status().toString();
  EXPECT_EQ(decided->state, store::ApprovalState::kApproved);
  EXPECT_EQ(approvalColumn(env, held.id, "state"), "approved");
  bool recorded = false;
  for (const auto& e : eventsOf(env, "tool_decision")) {
    recorded |= e.attributes.value("decision", "") == "approved" &&
                e.attributes.value("approval_id", "") == held.id;
  }
  EXPECT_TRUE(recorded);
}

// --- item 4: the server-wide read-only switch needs a server admin ---

TEST(ReadOnlyModes, ATenantAdminSwitchesOnlyItsTenant) {
  GatewayEnv env;
  ASSERT_TRUE(env.store->ensureTenant("acme").ok());
  ASSERT_TRUE(
      env.store->createPrincipal("acme", "carol", identity::PrincipalKind::kUser, true).ok());
  identity::Principal carol = identity::resolvePrincipal(*env.store, "acme", "carol").value();
  ASSERT_TRUE(carol.admin);

  Status server = env.gateway->setReadOnly(store::ModeScope::kServer, "acme", "", true, carol);
  EXPECT_EQ(server.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(server.message().find("server admin"), std::string::npos) << server.message();
  Status other = env.gateway->setReadOnly(store::ModeScope::kTenant, "default", "", true, carol);
  EXPECT_EQ(other.code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(env.gateway->setReadOnly(store::ModeScope::kTenant, "acme", "", true, carol).ok());
  identity::Principal plain;
  plain.tenant = "default";
  plain.name = "dave";
  EXPECT_EQ(env.gateway->setReadOnly(store::ModeScope::kTenant, "default", "", true, plain).code(),
            StatusCode::kPermissionDenied);

  auto modes = env.tools->listModes("default");
  ASSERT_TRUE(modes.ok());
  for (const auto& m : *modes)
    EXPECT_NE(m.scope, store::ModeScope::kServer) << "a tenant admin switched it";

  EXPECT_TRUE(
      env.gateway->setReadOnly(store::ModeScope::kServer, "default", "", true, env.serverAdmin())
          .ok());
  // Refusals go to the caller's trail and to the trail of what it tried to switch.
  auto events = eventsOf(env, "tool_mode");
  ASSERT_EQ(events.size(), 7u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"denied", "acme"},  {"denied", "default"}, {"denied", "acme"},    {"denied", "default"},
      {"changed", "acme"}, {"denied", "default"}, {"changed", "default"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(events[i].attributes["decision"], expected[i].first) << i;
    EXPECT_EQ(events[i].tenant, expected[i].second) << i;
  }
  EXPECT_EQ(events[0].principal, "carol");
  EXPECT_EQ(events[1].attributes["scope"], "server");
  EXPECT_EQ(events[1].attributes["by_tenant"], "acme");
  EXPECT_EQ(events[6].attributes["scope"], "server");  // a change in the server's own trail
}

// --- item 11: parked arguments stored redacted; the sealed copy dies with the call ---

TEST(ApprovalArgs, ReviewersSeeRedactedArgumentsAndTheCallRunsWithTheRealOnes) {
  SecretRedactor redactor;
  GatewayEnv env(&redactor);
  parkedTool(env);
  const std::string id = park(env, "k1");

  auto view = env.gateway->getApproval(env.principal("rita"), id, 0);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->args["token"], "[REDACTED:api_key:000000000000]");
  auto list = env.gateway->listApprovals(env.principal("rita"), std::nullopt);
  ASSERT_TRUE(list.ok());
  const std::string listed = list->toJson().dump();
  EXPECT_EQ(listed.find(kSecret), std::string::npos) << listed;
  EXPECT_EQ(approvalColumn(env, id, "args").find(kSecret), std::string::npos);
  const std::string sealed = approvalColumn(env, id, "sealed_args");
  EXPECT_TRUE(sealed.starts_with("v1:")) << sealed;
  EXPECT_EQ(sealed.find(kSecret), std::string::npos);

  auto done = env.gateway->decide(env.principal("rita"), {id, true, "ok", 0});
  ASSERT_TRUE(done.ok()) << done.status().toString();
  // Validation passed (the real token), so the call reached its backend (not connected here).
  EXPECT_EQ(done->state, store::ApprovalState::kFailed);
  EXPECT_EQ(done->result["error"]["code"], "unavailable") << done->result.dump();
  EXPECT_EQ(approvalColumn(env, id, "sealed_args"), "");
}

TEST(ApprovalArgs, TheSealedCopyIsDestroyedOnDenialAndExpiry) {
  SecretRedactor redactor;
  GatewayEnv env(&redactor);
  parkedTool(env);
  const std::string denied = park(env, "k1");
  const std::string expired = park(env, "k2");
  ASSERT_NE(approvalColumn(env, denied, "sealed_args"), "");
  ASSERT_TRUE(env.gateway->decide(env.principal("rita"), {denied, false, "", 0}).ok());
  EXPECT_EQ(approvalColumn(env, denied, "sealed_args"), "");
  env.clock.advanceMicros(86400LL * 1'000'000 + 1);
  auto list = env.gateway->listApprovals(env.principal("rita"), store::ApprovalState::kExpired);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(approvalColumn(env, expired, "state"), "expired");
  EXPECT_EQ(approvalColumn(env, expired, "sealed_args"), "");
}

// Expiry by the gateway's clock (a FakeClock: no sleep, and the boundary is exact): one
// microsecond before its TTL a parked destructive call is still pending; at the TTL a reviewer's
// approval is refused naming the expiry (HTTP 409), the expiry is recorded, and the call never
// runs (had it run, the unconnected backend would have left it "failed").
TEST(ApprovalExpiry, AtItsTtlAnApprovalExpiresByTheClockAndTheCallNeverRuns) {
  GatewayEnv env(nullptr, "destructive");
  env.gateway.reset();
  env.options.config.approval_ttl_s = 60;
  auto reopened = gateway::ToolGateway::create(env.options);
  ASSERT_TRUE(reopened.ok()) << reopened.status().toString();
  env.gateway = std::move(reopened).value();
  env.user("alice");
  env.user("rita", identity::PrincipalKind::kUser, true);
  env.tool("delete_customer", "destructive");
  ASSERT_TRUE(
      env.gateway
          ->addGrant(
              env.tenant,
              {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", "delete_customer"}},
              "t")
          .ok());
  auto parked = env.call("alice", "delete_customer", {{"amount", 1}}, "", "del-1");
  ASSERT_TRUE(parked.ok()) << parked.status().toString();
  ASSERT_EQ((*parked)["status"], "pending") << parked->dump();
  const std::string id = (*parked)["approval_id"].get<std::string>();

  env.clock.advanceMicros(60LL * 1'000'000 - 1);
  auto before = env.gateway->getApproval(env.principal("rita"), id, 0);
  ASSERT_TRUE(before.ok()) << before.status().toString();
  EXPECT_EQ(before->state, store::ApprovalState::kPending);

  env.clock.advanceMicros(1);
  auto late = env.gateway->decide(env.principal("rita"), {id, true, "too late", 0});
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition) << late.status().toString();
  EXPECT_NE(late.status().message().find("expired"), std::string::npos) << late.status().toString();
  EXPECT_EQ(approvalColumn(env, id, "state"), "expired");
  EXPECT_EQ(approvalColumn(env, id, "sealed_args"), "");
  auto expired = eventsOf(env, "tool_decision");
  ASSERT_FALSE(expired.empty());
  EXPECT_EQ(expired.back().attributes["decision"], "refused") << expired.back().attributes.dump();
  bool recorded = false;
  for (const auto& e : expired) recorded |= e.attributes.value("decision", "") == "expired";
  EXPECT_TRUE(recorded);
  // A denial after the expiry is refused too; the approval stays expired.
  auto deny = env.gateway->decide(env.principal("rita"), {id, false, "", 0});
  EXPECT_EQ(deny.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(approvalColumn(env, id, "state"), "expired");
}

TEST(ApprovalArgs, RowsFromBeforeTheMigrationAreRedactedAndSealedOnOpen) {
  SecretRedactor redactor;
  GatewayEnv env(&redactor);
  parkedTool(env);
  const std::string pending = park(env, "k1");
  const std::string denied = park(env, "k2");
  ASSERT_TRUE(env.gateway->decide(env.principal("rita"), {denied, false, "", 0}).ok());
  // As schema 4 left them: raw arguments, no sealed copy.
  const std::string raw = std::string("{\"token\":\"") + kSecret + "\"}";
  execSql(env, "UPDATE approvals SET args='" + raw + "',sealed_args='',args_redacted=0");
  ASSERT_NE(approvalColumn(env, pending, "args").find(kSecret), std::string::npos);

  gateway::GatewayOptions o;
  o.store = env.store.get();
  o.tools = env.tools.get();
  o.traces = env.traces.get();
  o.clock = &env.clock;
  o.redactor = &redactor;
  o.secrets_key_path = env.dir.file("secrets.key");
  auto reopened = gateway::ToolGateway::create(o);
  ASSERT_TRUE(reopened.ok()) << reopened.status().toString();
  for (const std::string& id : {pending, denied}) {
    EXPECT_EQ(approvalColumn(env, id, "args").find(kSecret), std::string::npos) << id;
    EXPECT_EQ(approvalColumn(env, id, "args_redacted"), "1");
  }
  EXPECT_EQ(approvalColumn(env, denied, "sealed_args"), "");
  EXPECT_TRUE(approvalColumn(env, pending, "sealed_args").starts_with("v1:"));
  auto done = (*reopened)->decide(env.principal("rita"), {pending, true, "", 0});
  ASSERT_TRUE(done.ok()) << done.status().toString();
  EXPECT_EQ(done->result["error"]["code"], "unavailable") << done->result.dump();
}

TEST(ApprovalArgs, ASchema4DatabaseIsMigratedAndItsRawArgumentsConverted) {
  TempDir dir;
  const std::string db_path = dir.file("ward.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
    // The approvals table as schema step 2 made it, with one raw row, at schema 4.
    const std::string raw = std::string("{\"token\":\"") + kSecret + "\"}";
    const std::string sql =
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES('schema','4'),('identity_generation','0'),"
        "('tool_generation','0');"
        "CREATE TABLE approvals(id TEXT PRIMARY KEY, tenant TEXT NOT NULL, tool TEXT NOT NULL,"
        " version TEXT NOT NULL, requester TEXT NOT NULL, agent TEXT NOT NULL, args TEXT NOT NULL,"
        " rule TEXT NOT NULL, reason TEXT NOT NULL, idempotency_key TEXT NOT NULL,"
        " trace_id TEXT NOT NULL, state TEXT NOT NULL, reviewer TEXT NOT NULL DEFAULT '',"
        " comment TEXT NOT NULL DEFAULT '', result TEXT NOT NULL DEFAULT '',"
        " created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
        " decided_at INTEGER NOT NULL DEFAULT 0);"
        "INSERT INTO approvals(id,tenant,tool,version,requester,agent,args,rule,reason,"
        "idempotency_key,trace_id,state,created_at,expires_at) VALUES('apr_old','default','w',"
        "'1.0.0','alice','','" +
        raw + "','all','r','','','pending',1,9223372036854775807);";
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
    sqlite3_close(db);
  }
  auto store = store::openSqliteStore(db_path);
  ASSERT_TRUE(store.ok()) << store.status().toString();
  auto tools = store::openSqliteToolStore(db_path);
  ASSERT_TRUE(tools.ok()) << tools.status().toString();
  audit::AuditSinkOptions audit_options;
  audit_options.log.dir = dir.file("audit");
  auto traces = audit::openAuditLogSink(audit_options);
  ASSERT_TRUE(traces.ok());
  SecretRedactor redactor;
  gateway::GatewayOptions o;
  o.store = store->get();
  o.tools = tools->get();
  o.traces = traces->get();
  o.redactor = &redactor;
  o.secrets_key_path = dir.file("secrets.key");
  auto gw = gateway::ToolGateway::create(o);
  ASSERT_TRUE(gw.ok()) << gw.status().toString();
  auto row = (*tools)->getApproval("default", "apr_old");
  ASSERT_TRUE(row.ok()) << row.status().toString();
  EXPECT_EQ(row->args["token"], "[REDACTED:api_key:000000000000]");
  EXPECT_TRUE(row->sealed_args.starts_with("v1:")) << row->sealed_args;
  EXPECT_EQ((*tools)->listApprovalsWithRawArgs()->size(), 0u);
}

// --- item 5: waiting holds no thread and is bounded per principal ---

// Collects the answers of waits, for event-driven checks (generous deadlines only).
struct Answers {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Result<gateway::ApprovalView>> got;
  std::function<void(Result<gateway::ApprovalView>)> sink() {
    return [this](Result<gateway::ApprovalView> r) {
      std::lock_guard<std::mutex> lock(mu);
      got.push_back(std::move(r));
      cv.notify_all();
    };
  }
  bool waitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60), [&] { return got.size() >= n; });
  }
};

TEST(ApprovalWaits, WaitsHoldNoThreadAndAreBoundedPerPrincipal) {
  GatewayEnv env;
  parkedTool(env);
  const std::string id = park(env, "k1");
  Answers answers;
  std::vector<uint64_t> tokens;
  for (int i = 0; i < gateway::kMaxApprovalWaitersPerPrincipal; ++i) {
    auto w = env.gateway->waitForApproval(env.principal("alice"), id, 3600, answers.sink());
    ASSERT_TRUE(w.ok()) << w.status().toString();
    EXPECT_FALSE(w->now.has_value());  // returned at once: nothing blocks the caller
    tokens.push_back(w->token);
  }
  auto over = env.gateway->waitForApproval(env.principal("alice"), id, 3600, answers.sink());
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_GT(over.status().retryAfterSeconds(), 0);
  // The synchronous form counts against the same bound.
  EXPECT_EQ(env.gateway->getApproval(env.principal("alice"), id, 5).status().code(),
            StatusCode::kResourceExhausted);
  // Another principal has its own allowance; a withdrawn wait frees its slot and never answers.
  auto rita = env.gateway->waitForApproval(env.principal("rita"), id, 3600, answers.sink());
  ASSERT_TRUE(rita.ok());
  env.gateway->cancelApprovalWait(tokens.back());
  EXPECT_EQ(env.gateway->approvalWaiters(),
            static_cast<size_t>(gateway::kMaxApprovalWaitersPerPrincipal));
  auto again = env.gateway->waitForApproval(env.principal("alice"), id, 3600, answers.sink());
  ASSERT_TRUE(again.ok()) << again.status().toString();

  ASSERT_TRUE(env.gateway->decide(env.principal("rita"), {id, false, "no", 0}).ok());
  const size_t expected = gateway::kMaxApprovalWaitersPerPrincipal + 1;
  ASSERT_TRUE(answers.waitFor(expected));
  std::lock_guard<std::mutex> lock(answers.mu);
  EXPECT_EQ(answers.got.size(), expected);
  for (const auto& r : answers.got) {
    ASSERT_TRUE(r.ok()) << r.status().toString();
    EXPECT_EQ(r->state, store::ApprovalState::kDenied);
  }
  EXPECT_EQ(env.gateway->approvalWaiters(), 0u);
  // Settled: answered at once, without a waiter.
  auto settled = env.gateway->waitForApproval(env.principal("alice"), id, 3600, answers.sink());
  ASSERT_TRUE(settled.ok());
  ASSERT_TRUE(settled->now.has_value());
  EXPECT_EQ(settled->now->state, store::ApprovalState::kDenied);
}

TEST(ApprovalWaits, AWaitEndsAtItsDeadlineWithThePendingView) {
  GatewayEnv env;
  parkedTool(env);
  const std::string id = park(env, "k1");
  Answers answers;
  auto w = env.gateway->waitForApproval(env.principal("alice"), id, 1, answers.sink());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(answers.waitFor(1));
  std::lock_guard<std::mutex> lock(answers.mu);
  ASSERT_TRUE(answers.got[0].ok());
  EXPECT_EQ(answers.got[0]->state, store::ApprovalState::kPending);
  EXPECT_EQ(env.gateway->approvalWaiters(), 0u);
  EXPECT_EQ(
      env.gateway->waitForApproval(env.principal("bob"), id, 1, answers.sink()).status().code(),
      StatusCode::kNotFound);
}

TEST(ApprovalWaits, TheDocumentedLimitsAreTheOnesEnforced) {
  std::ifstream in(std::string(WARD_GATEWAY_CASES_DIR) + "/../../../docs/design/gateway.md");
  ASSERT_TRUE(in.good());
  std::stringstream doc;
  doc << in.rdbuf();
  std::smatch m;
  const std::string text = doc.str();
  ASSERT_TRUE(std::regex_search(
      text, m,
      std::regex(R"(at most (\d+) waiting requests\s+per\s+principal[^;]*and (\d+) in all)")));
  EXPECT_EQ(std::stoi(m[1].str()), gateway::kMaxApprovalWaitersPerPrincipal);
  EXPECT_EQ(std::stoi(m[2].str()), gateway::kMaxApprovalWaiters);
}

}  // namespace
}  // namespace ward::testing
