// Unit tests of the gateway's parts: each stage's own decision, the rate limiter and circuit
// breaker on a fake clock, the address policy, the secret box, definitions and semver.
#include "stages.h"
#include <atomic>
#include <thread>

#include "address_policy.h"
#include "circuit_breaker.h"
#include "gateway_env.h"
#include "http_executor.h"
#include "rate_limiter.h"
#include "secret_box.h"
#include "ward/common/hash.h"
#include "ward/common/metrics.h"

namespace ward::testing {
namespace {

using gateway::RateSpec;

TEST(RateLimiter, BurstThenRefillOnTheClock) {
  FakeClock clock;
  gateway::RateLimiter limiter(clock);
  RateSpec spec{2.0, 3.0};  // 2/s, burst 3
  EXPECT_EQ(limiter.tryTake("k", spec), 0);
  EXPECT_EQ(limiter.tryTake("k", spec), 0);
  EXPECT_EQ(limiter.tryTake("k", spec), 0);
  int64_t wait = limiter.tryTake("k", spec);
  EXPECT_EQ(wait, 500'000);  // one token at 2/s
  clock.advanceMicros(499'999);
  EXPECT_GT(limiter.tryTake("k", spec), 0);
  clock.advanceMicros(1);
  EXPECT_EQ(limiter.tryTake("k", spec), 0);
  EXPECT_EQ(limiter.tryTake("other", spec), 0);  // buckets are independent
}

TEST(RateLimitStage, RejectsWithRetryAfter) {
  GatewayEnv env;
  env.user("alice");
  env.tool("t", "read", {{"rate_limit", {{"per_principal", {{"rate", 0.5}, {"burst", 1}}}}}});
  ASSERT_TRUE(env.gateway
                  ->addGrant(env.tenant,
                             {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", "t"}},
                             "t")
                  .ok());
  (void)env.call("alice", "t", Json::object());
  auto r = env.call("alice", "t", Json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().retryAfterSeconds(), 2);
  EXPECT_EQ(env.lastCall()["decision"], "rate_limited");
  env.clock.advanceMicros(2'000'000);
  (void)env.call("alice", "t", Json::object());
  EXPECT_EQ(env.lastCall()["stage"], "dispatch");
}

TEST(CircuitBreaker, OpensAfterFailuresAndHalfOpensLater) {
  FakeClock clock;
  gateway::CircuitBreakers b(clock, 3, 10'000'000);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(b.admit("x").ok());
    b.recordFailure("x");
  }
  Status open = b.admit("x");
  EXPECT_EQ(open.code(), StatusCode::kUnavailable);
  EXPECT_EQ(open.retryAfterSeconds(), 10);
  EXPECT_TRUE(b.admit("y").ok());  // per backend
  clock.advanceMicros(10'000'000);
  EXPECT_TRUE(b.admit("x").ok());   // the trial
  EXPECT_FALSE(b.admit("x").ok());  // only one trial at a time
  b.recordSuccess("x");
  EXPECT_TRUE(b.admit("x").ok());
}

TEST(AddressPolicy, RefusesEveryNonPublicRange) {
  const char* kRefused[] = {"127.0.0.1",
                            "10.1.2.3",
                            "172.16.0.1",
                            "192.168.1.1",
                            "169.254.169.254",
                            "100.64.0.1",
                            "0.0.0.0",
                            "224.0.0.1",
                            "255.255.255.255",
                            "::1",
                            "::",
                            "fe80::1",
                            "fc00::1",
                            "fd12::1",
                            "ff02::1",
                            "::ffff:127.0.0.1",
                            "::ffff:10.0.0.1",
                            "64:ff9b::a00:1",
                            "2002:7f00:1::",
                            "192.0.2.1"};
  for (const char* ip : kRefused) EXPECT_NE(gateway::classifyAddressText(ip), "public") << ip;
  EXPECT_EQ(gateway::classifyAddressText("::ffff:169.254.169.254"), "link-local");
  EXPECT_EQ(gateway::classifyAddressText("100.64.0.1"), "cgnat");
  const char* kPublic[] = {"8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"};
  for (const char* ip : kPublic) EXPECT_EQ(gateway::classifyAddressText(ip), "public") << ip;
  EXPECT_EQ(gateway::classifyAddressText("not-an-ip"), "invalid");
}

TEST(HttpExecutor, UrlTemplateEncodesArguments) {
  auto u = gateway::HttpExecutor::expandUrl("http://h/x/{id}/y?q={q}", {{"id", "a/b c"}, {"q", 5}});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, "http://h/x/a%2Fb%20c/y?q=5");
  EXPECT_FALSE(gateway::HttpExecutor::expandUrl("http://h/{missing}", Json::object()).ok());
  EXPECT_FALSE(gateway::HttpExecutor::expandUrl("http://h/{o}", {{"o", {{"a", 1}}}}).ok());
}

TEST(SecretBox, SealsBoundToContextAndKeyFileIsPrivate) {
  TempDir dir;
  auto box = gateway::SecretBox::open(dir.file("k"));
  ASSERT_TRUE(box.ok()) << box.status().toString();
  auto sealed = (*box)->seal("hunter2", "default/billing");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("hunter2"), std::string::npos);
  EXPECT_EQ((*box)->unseal(*sealed, "default/billing").value(), "hunter2");
  EXPECT_FALSE((*box)->unseal(*sealed, "other/billing").ok());
  std::string tampered = *sealed;
  tampered[10] = tampered[10] == 'a' ? 'b' : 'a';
  EXPECT_FALSE((*box)->unseal(tampered, "default/billing").ok());
  EXPECT_EQ(std::filesystem::status(dir.file("k")).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto again = gateway::SecretBox::open(dir.file("k"));  // same key on reopen
  EXPECT_EQ((*again)->unseal(*sealed, "default/billing").value(), "hunter2");
}

TEST(ToolDefinition, ParsesAndNamesBadFields) {
  Json d = {{"name", "t"},
            {"version", "1.2.3-rc.1"},
            {"description", "d"},
            {"risk", "read"},
            {"input_schema", {{"type", "object"}}},
            {"backend", {{"type", "builtin"}, {"name", "search"}}}};
  auto ok = gateway::parseToolDefinition(d);
  ASSERT_TRUE(ok.ok()) << ok.status().toString();
  EXPECT_EQ(ok->semver.prerelease, "rc.1");
  auto bad = [&](const char* key, Json v, const char* needle) {
    Json x = d;
    x[key] = v;
    auto r = gateway::parseToolDefinition(x);
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  bad("version", "1.2", "version");
  bad("risk", "maybe", "risk");
  bad("backend", {{"type", "http"}, {"url", "ftp://x"}}, "backend.url");
  bad("input_schema", {{"type", "object"}, {"properties", {{"a", {{"type", "strnig"}}}}}},
      "input_schema");
  bad("surprise", 1, "surprise");
  bad("approval", Json::array({{{"name", "x"}, {"when", {{"arg", "a"}, {"op", "~"}}}}}),
      "approval[0].when.op");
  // The canonical hash ignores key order and non-contract fields.
  Json reordered = Json::parse(d.dump());
  reordered["rate_limit"] = {{"per_tool", {{"rate", 1}}}};
  EXPECT_EQ(gateway::parseToolDefinition(reordered)->canonicalHash(), ok->canonicalHash());
}

TEST(SemVer, OrdersByPrecedence) {
  auto v = [](const char* s) { return gateway::SemVer::parse(s).value(); };
  EXPECT_LT(v("1.0.0").compare(v("1.0.1")), 0);
  EXPECT_LT(v("1.9.0").compare(v("1.10.0")), 0);
  EXPECT_LT(v("1.0.0-rc.1").compare(v("1.0.0")), 0);
  EXPECT_EQ(v("1.0.0+build").compare(v("1.0.0")), 0);
  EXPECT_FALSE(gateway::SemVer::parse("01.0.0").ok());
}

TEST(JsonSchema, StrictTypesAndPointers) {
  auto s = gateway::JsonSchema::compile(
      {{"type", "object"},
       {"properties", {{"items", {{"type", "array"}, {"items", {{"type", "integer"}}}}}}}},
      "schema");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE((*s)->validate({{"items", {1, 2}}}, "args").ok());
  Status st = (*s)->validate({{"items", {1, "2"}}}, "args");
  EXPECT_NE(st.message().find("/items/1"), std::string::npos) << st.message();
  EXPECT_FALSE((*s)->validate({{"items", {1.5}}}, "args").ok());
  EXPECT_FALSE(gateway::JsonSchema::compile({{"$ref", "http://example.com/s.json"}}, "s").ok());
}

TEST(IdempotencyStage, ReplaysAndRefusesOtherArguments) {
  GatewayEnv env;
  env.user("alice");
  env.tool("w", "write");
  ASSERT_TRUE(env.gateway
                  ->addGrant(env.tenant,
                             {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", "w"}},
                             "t")
                  .ok());
  auto missing = env.call("alice", "w", {{"amount", 1}});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  // The MCP backend is not connected: nothing reached a backend, so the key is released and
  // a retry runs the chain again rather than replaying.
  (void)env.call("alice", "w", {{"amount", 1}}, "", "k");
  EXPECT_EQ(env.lastCall()["stage"], "dispatch");
  (void)env.call("alice", "w", {{"amount", 1}}, "", "k");
  EXPECT_EQ(env.lastCall()["stage"], "dispatch");
  // A stored outcome is replayed; other arguments under the key are a conflict.
  const int64_t now = env.clock.nowMicros();
  store::IdempotencyRecord rec{env.tenant, "alice", "k2", "w", "other-args",
                               "",         Json(),  "",   now, now + 60'000'000};
  bool inserted = false;
  auto held = env.tools->claimIdempotencyKey(rec, env.clock.nowMicros(), &inserted);
  ASSERT_TRUE(held.ok());
  auto conflict = env.call("alice", "w", {{"amount", 2}}, "", "k2");
  EXPECT_EQ(conflict.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(env.lastCall()["decision"], "conflict");
  // A stored outcome comes back without running anything.
  rec.key = "k3";
  rec.args_hash = sha256Hex("w\n" + gateway::canonicalJson({{"amount", 3}}));
  ASSERT_TRUE(env.tools->claimIdempotencyKey(rec, now, &inserted).ok());
  rec.response = {{"status", "ok"}, {"result", {{"stored", true}}}};
  ASSERT_TRUE(env.tools->completeIdempotencyKey(rec).ok());
  auto replay = env.call("alice", "w", {{"amount", 3}}, "", "k3");
  ASSERT_TRUE(replay.ok()) << replay.status().toString();
  EXPECT_EQ((*replay)["replayed"], true);
  EXPECT_EQ((*replay)["result"]["stored"], true);
  EXPECT_EQ(env.lastCall()["stage"], "idempotency");
}

TEST(ApprovalFlow, ExpiresOnTheFakeClockAndRunsOnce) {
  GatewayEnv env;
  env.user("alice");
  env.user("rita", identity::PrincipalKind::kUser, true);
  env.tool("w", "write", {{"approval", Json::array({{{"name", "all"}, {"always", true}}})}});
  ASSERT_TRUE(env.gateway
                  ->addGrant(env.tenant,
                             {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", "w"}},
                             "t")
                  .ok());
  auto parked = env.call("alice", "w", {{"amount", 1}}, "", "k1");
  ASSERT_TRUE(parked.ok()) << parked.status().toString();
  ASSERT_EQ((*parked)["status"], "pending");
  const std::string id = (*parked)["approval_id"];
  env.clock.advanceMicros(86400LL * 1'000'000 + 1);
  gateway::Decision d{id, true, "", 0};
  auto late = env.gateway->decide(env.principal("rita"), d);
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(late.status().message().find("expired"), std::string::npos);

  auto again = env.call("alice", "w", {{"amount", 2}}, "", "k2");
  const std::string id2 = (*again)["approval_id"];
  auto self = env.gateway->decide(env.principal("alice"), {id2, true, "", 0});
  EXPECT_EQ(self.status().code(), StatusCode::kPermissionDenied);
  auto done = env.gateway->decide(env.principal("rita"), {id2, true, "fine", 0});
  ASSERT_TRUE(done.ok()) << done.status().toString();
  EXPECT_EQ(done->state,
            store::ApprovalState::kFailed);  // the MCP upstream is not connected: ran, and failed
  EXPECT_EQ(env.lastCall()["reviewer"], "rita");
  auto twice = env.gateway->decide(env.principal("rita"), {id2, true, "", 0});
  EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);
}

// A simple but real Redactor: replaces every string value that looks like an email address.
class EmailRedactor final : public trace::Redactor {
 public:
  std::string redactText(std::string_view text, trace::RedactionStats* stats) const override {
    if (text.find('@') == std::string_view::npos) return std::string(text);
    if (stats) ++stats->values_redacted;
    return "[REDACTED:email:000000000000]";
  }
  void redactJson(Json& value, trace::RedactionStats* stats) const override {
    if (value.is_string()) {
      value = redactText(value.get<std::string>(), stats);
    } else if (value.is_structured()) {
      for (auto& v : value) redactJson(v, stats);
    }
  }
};

TEST(OutputStage, ValidatesThenRedacts) {
  EmailRedactor redactor;
  gateway::OutputStage stage(&redactor);
  auto tool = std::make_shared<gateway::ResolvedTool>();
  tool->definition.name = "t";
  tool->output = gateway::JsonSchema::compile(
                     {{"type", "object"}, {"required", Json::array({"email"})}}, "output_schema")
                     .value();
  gateway::CallContext call;
  call.tool = tool;
  call.result = {{"email", "ceo@example.com"}, {"n", 1}};
  EXPECT_EQ(stage.run(call).verdict, gateway::Verdict::kContinue);
  EXPECT_EQ(call.result["email"], "[REDACTED:email:000000000000]");
  call.result = {{"name", "x"}};
  auto r = stage.run(call);
  EXPECT_EQ(r.verdict, gateway::Verdict::kReject);
  EXPECT_NE(r.status.message().find("email"), std::string::npos) << r.status.message();
}

TEST(Recording, ArgumentsAreRedactedInEvents) {
  EmailRedactor redactor;
  GatewayEnv env(&redactor);
  env.user("alice");
  env.tool("t", "read");
  ASSERT_TRUE(env.gateway
                  ->addGrant(env.tenant,
                             {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", "t"}},
                             "t")
                  .ok());
  (void)env.call("alice", "t", {{"currency", "bob@example.com"}});
  Json last = env.lastCall();
  EXPECT_EQ(last["args"]["currency"], "[REDACTED:email:000000000000]");
  EXPECT_EQ(last["principal_chain"], Json::array({"alice"}));
}

TEST(Registry, UpstreamChangeQuarantinedWhenPinned) {
  GatewayEnv env;
  Json d = env.tool("t", "read");
  d["description"] = "changed";
  EXPECT_EQ(env.gateway->addTool(env.tenant, d, false).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(env.gateway->addTool(env.tenant, d, true)->outcome,
            store::ToolPutOutcome::kReplaced);  // not pinned
  ASSERT_TRUE(env.gateway->pinTool(env.tenant, "t", "1.0.0", true).ok());
  d["description"] = "changed again";
  EXPECT_EQ(env.gateway->addTool(env.tenant, d, true)->outcome,
            store::ToolPutOutcome::kQuarantined);
  auto listed = env.gateway->listTools(env.tenant, "t");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->tools[0].versions[0].record.quarantined);
  ASSERT_TRUE(env.gateway->approveDefinition(env.tenant, "t", "1.0.0").ok());
  listed = env.gateway->listTools(env.tenant, "t");
  ASSERT_TRUE(listed.ok());
  const gateway::ToolVersionView& v = listed->tools[0].versions[0];
  ASSERT_TRUE(v.definition.has_value());
  EXPECT_EQ(v.definition->description, "changed again");
  EXPECT_FALSE(v.record.pinned_hash.empty());
  EXPECT_EQ(v.toJson()["pinned"], true);
}

TEST(Metrics, EveryStageCountsItsVerdicts) {
  GatewayEnv env;
  env.user("alice");
  env.tool("t", "read");
  double before = metrics().counterValue("ward_gateway_stage_total",
                                         {{"stage", "authorize"}, {"verdict", "reject"}});
  (void)env.call("alice", "t", Json::object());
  EXPECT_EQ(metrics().counterValue("ward_gateway_stage_total",
                                   {{"stage", "authorize"}, {"verdict", "reject"}}),
            before + 1);
}

}  // namespace
}  // namespace ward::testing

namespace ward::testing {
namespace {

TEST(Tenancy, AnotherTenantSeesNoToolsAndNoGrants) {
  GatewayEnv env;
  env.user("alice");
  env.tool("t", "read");
  ASSERT_TRUE(env.gateway
                  ->addGrant(env.tenant,
                             {{"subject_kind", "group"}, {"subject", "alice"}, {"tool", "t"}}, "x")
                  .status()
                  .code() == StatusCode::kInvalidArgument);  // alice is not a group
  ASSERT_TRUE(env.gateway
                  ->addGrant(env.tenant,
                             {{"subject_kind", "principal"}, {"subject", "*"}, {"tool", "t"}}, "x")
                  .status()
                  .code() == StatusCode::kInvalidArgument);  // no such principal
  ASSERT_TRUE(env.store->ensureTenant("acme").ok());
  ASSERT_TRUE(
      env.store->createPrincipal("acme", "alice", identity::PrincipalKind::kUser, true).ok());
  gateway::CallRequest r;
  r.principal = identity::resolvePrincipal(*env.store, "acme", "alice").value();
  r.tool = "t";
  r.trace = trace::TraceContext::generate();
  auto out = env.gateway->call(r);
  EXPECT_EQ(out.status().code(), StatusCode::kNotFound);  // default's tool does not exist in acme
  auto listed = env.gateway->listTools("acme", "");
  EXPECT_TRUE(listed->tools.empty());
  // An agent of another tenant cannot act for a user.
  r.principal = env.principal("alice");
  r.agent = identity::resolvePrincipal(*env.store, "acme", "alice").value();
  EXPECT_EQ(env.gateway->call(r).status().code(), StatusCode::kPermissionDenied);
}

TEST(ApprovalFlow, ConcurrentApprovalsRunTheCallOnce) {
  GatewayEnv env;
  env.user("alice");
  env.user("rita", identity::PrincipalKind::kUser, true);
  env.user("sam", identity::PrincipalKind::kUser, true);
  env.tool("w", "write", {{"approval", Json::array({{{"name", "all"}, {"always", true}}})}});
  ASSERT_TRUE(env.gateway
                  ->addGrant(env.tenant,
                             {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", "w"}},
                             "t")
                  .ok());
  for (int round = 0; round < 5; ++round) {
    auto parked = env.call("alice", "w", {{"amount", round}}, "", "k" + std::to_string(round));
    ASSERT_TRUE(parked.ok());
    const std::string id = (*parked)["approval_id"];
    std::atomic<int> ran{0}, refused{0};
    auto approve = [&](const std::string& who) {
      auto r = env.gateway->decide(env.principal(who), {id, true, "", 0});
      if (r.ok())
        ++ran;
      else if (r.status().code() == StatusCode::kFailedPrecondition)
        ++refused;
    };
    std::thread a(approve, "rita"), b(approve, "sam");
    a.join();
    b.join();
    EXPECT_EQ(ran.load(), 1);
    EXPECT_EQ(refused.load(), 1);
    auto stored = audit::readTraceEvents(env.dir.file("audit")).value();
    int runs = 0;
    for (const auto& s : stored) {
      const trace::TraceEvent& e = s.event;
      if (e.kind == "tool_call" && e.attributes.value("approval_id", "") == id &&
          e.attributes.value("stage", "") == "dispatch") {
        ++runs;
      }
    }
    EXPECT_EQ(runs, 1) << "round " << round;
  }
}

TEST(ModeStage, AgentsStartReadOnly) {
  GatewayEnv env;
  env.user("alice");
  env.user("bot", identity::PrincipalKind::kAgent);
  env.tool("w", "write");
  for (const char* who : {"alice", "bot"}) {
    ASSERT_TRUE(env.gateway
                    ->addGrant(env.tenant,
                               {{"subject_kind", "principal"}, {"subject", who}, {"tool", "w"}},
                               "t")
                    .ok());
  }
  identity::Principal alice = identity::resolvePrincipal(*env.store, env.tenant, "alice").value();
  ASSERT_TRUE(env.gateway->addDelegation(alice, {{"user", "alice"}, {"agent", "bot"}}).ok());
  auto r = env.call("alice", "w", {{"amount", 1}}, "bot", "k1");
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("read-only"), std::string::npos) << r.status().message();
  ASSERT_TRUE(
      env.gateway
          ->setReadOnly(store::ModeScope::kAgent, env.tenant, "bot", false, env.serverAdmin())
          .ok());
  (void)env.call("alice", "w", {{"amount", 1}}, "bot", "k1");
  EXPECT_EQ(env.lastCall()["stage"], "dispatch");
  EXPECT_EQ(env.lastCall()["principal_chain"], Json::array({"alice", "bot"}));
}

TEST(AuthorizeStage, AnAgentActsOnlyForUsersWhoDelegatedToIt) {
  GatewayEnv env;
  env.user("alice");
  env.user("bob");
  env.user("eng", identity::PrincipalKind::kGroup);
  env.user("bot", identity::PrincipalKind::kAgent);
  env.tool("r", "read");
  for (const char* who : {"alice", "bob", "bot"}) {
    ASSERT_TRUE(env.gateway
                    ->addGrant(env.tenant,
                               {{"subject_kind", "principal"}, {"subject", who}, {"tool", "r"}},
                               "t")
                    .ok());
  }
  auto resolve = [&](const char* name) {
    return identity::resolvePrincipal(*env.store, env.tenant, name).value();
  };
  identity::Principal alice = resolve("alice"), bob = resolve("bob");

  auto r = env.call("alice", "r", Json::object(), "bot");
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("has not delegated to agent 'bot'"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(env.lastCall()["stage"], "authorize");

  // Only the user themself (or an admin) may delegate; kinds are checked.
  EXPECT_EQ(env.gateway->addDelegation(bob, {{"user", "alice"}, {"agent", "bot"}}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(
      env.gateway->addDelegation(alice, {{"user", "alice"}, {"agent", "bob"}}).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(env.gateway->addDelegation(alice, {{"user", "alice"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      env.gateway->addDelegation(alice, {{"user", "alice"}, {"agent", "nobody"}}).status().code(),
      StatusCode::kInvalidArgument);
  ASSERT_TRUE(env.gateway->addDelegation(alice, {{"user", "alice"}, {"agent", "bot"}}).ok());
  EXPECT_EQ(
      env.gateway->addDelegation(alice, {{"user", "alice"}, {"agent", "bot"}}).status().code(),
      StatusCode::kAlreadyExists);

  (void)env.call("alice", "r", Json::object(), "bot");
  EXPECT_EQ(env.lastCall()["stage"], "dispatch");
  r = env.call("bob", "r", Json::object(), "bot");
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << "bob never delegated";

  // Listings: alice sees hers, bob sees none; withdrawing takes effect on the next call.
  EXPECT_EQ(env.gateway->listDelegations(alice).value().delegations.size(), 1u);
  EXPECT_EQ(env.gateway->listDelegations(bob).value().delegations.size(), 0u);
  EXPECT_EQ(env.gateway->deleteDelegation(bob, "alice", "bot").code(),
            StatusCode::kPermissionDenied);
  ASSERT_TRUE(env.gateway->deleteDelegation(alice, "alice", "bot").ok());
  EXPECT_EQ(env.gateway->deleteDelegation(alice, "alice", "bot").code(), StatusCode::kNotFound);
  r = env.call("alice", "r", Json::object(), "bot");
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace ward::testing
