// The built-in search, fetch and ask every tenant gets once (issue 19, item 26; issue 13):
// callable by every user and service account, never by an agent without its own grant; a
// withdrawal sticks; a tenant's own tool of the same name is kept; `ask` reaches tenants
// provisioned before it existed; a builtin implemented above the gateway runs its handler.
#include "gateway_env.h"

namespace ward::testing {
namespace {

using identity::PrincipalKind;

std::vector<std::string> callable(GatewayEnv& env, const std::string& who) {
  auto tools = env.gateway->callableTools(env.principal(who), nullptr);
  EXPECT_TRUE(tools.ok()) << tools.status().toString();
  std::vector<std::string> names;
  if (tools.ok()) {
    for (const auto& t : *tools) names.push_back(t.name);
  }
  return names;
}

TEST(BuiltinTools, EveryUserCanCallSearchAndFetchAgentsNeedAGrant) {
  GatewayEnv env;
  env.user("alice");
  env.user("ci", PrincipalKind::kServiceAccount);
  env.user("bot", PrincipalKind::kAgent);
  EXPECT_TRUE(callable(env, "alice").empty());  // before provisioning: deny by default
  auto first = env.gateway->provisionBuiltinTools(env.tenant);
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_TRUE(*first);
  const std::vector<std::string> both = {"ask", "fetch", "search"};
  EXPECT_EQ(callable(env, "alice"), both);
  EXPECT_EQ(callable(env, "ci"), both);
  EXPECT_TRUE(callable(env, "bot").empty());
  // A call as the user runs through the whole chain up to the builtin backend.
  (void)env.call("alice", "fetch", Json{{"id", "nothing-here"}});
  EXPECT_EQ(env.lastCall()["stage"], "dispatch") << env.lastCall().dump();
  EXPECT_FALSE(*env.gateway->provisionBuiltinTools(env.tenant));  // once per tenant
}

TEST(BuiltinTools, AWithdrawnBuiltinIsNotAddedAgain) {
  GatewayEnv env;
  env.user("alice");
  ASSERT_TRUE(env.gateway->provisionBuiltinTools(env.tenant).ok());
  Json grants = env.gateway->listGrants(env.tenant).value().toJson()["grants"];
  ASSERT_EQ(grants.size(), 3u) << grants.dump();
  for (const Json& g : grants) {
    EXPECT_EQ(g["subject_kind"], "users");
    EXPECT_EQ(g["subject"], "*");
    if (g["tool"] == "fetch") {
      ASSERT_TRUE(env.gateway->deleteGrant(env.tenant, g["id"].get<int64_t>()).ok());
    }
  }
  const std::vector<std::string> left = {"ask", "search"};
  EXPECT_EQ(callable(env, "alice"), left);
  auto again = env.gateway->provisionBuiltinTools(env.tenant);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(callable(env, "alice"), left);
  EXPECT_EQ(env.gateway->listGrants(env.tenant).value().toJson()["grants"].size(), 2u);
}

TEST(BuiltinTools, ATenantsOwnToolOfTheSameNameIsKept) {
  GatewayEnv env;
  env.tool("search", "read");  // the tenant's own `search` (an MCP backend here)
  ASSERT_TRUE(*env.gateway->provisionBuiltinTools(env.tenant));
  Json tools = env.gateway->listTools(env.tenant, "search").value().toJson()["tools"];
  ASSERT_EQ(tools.size(), 1u);
  ASSERT_EQ(tools[0]["versions"].size(), 1u);
  EXPECT_EQ(tools[0]["versions"][0]["backend"], "mcp");
  EXPECT_EQ(env.gateway->listTools(env.tenant, "fetch").value().tools.size(), 1u);
}

TEST(BuiltinTools, ATenantProvisionedBeforeAskGetsItOnce) {
  GatewayEnv env;
  env.user("alice");
  // A data dir from before `ask`: search and fetch were provisioned, then fetch withdrawn.
  ASSERT_TRUE(*env.tools->provisionOnce(env.tenant, "builtin_tools", {}, {}));
  auto first = env.gateway->provisionBuiltinTools(env.tenant);
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_TRUE(*first);
  EXPECT_EQ(callable(env, "alice"), std::vector<std::string>{"ask"});  // withdrawals stick
  EXPECT_FALSE(*env.gateway->provisionBuiltinTools(env.tenant));
  EXPECT_EQ(env.gateway->listGrants(env.tenant).value().toJson()["grants"].size(), 1u);
}

TEST(BuiltinTools, AskRunsTheRegisteredHandlerAsTheCaller) {
  GatewayEnv env;
  env.user("alice");
  ASSERT_TRUE(env.gateway->provisionBuiltinTools(env.tenant).ok());
  // No handler registered (a process without the answer loop): Unavailable, recorded.
  auto none = env.call("alice", "ask", Json{{"question", "why?"}});
  EXPECT_EQ(none.status().code(), StatusCode::kUnavailable) << none.status().toString();
  std::string seen_reader;
  Json seen_args;
  env.gateway->registerBuiltin("ask", [&](const gateway::BuiltinCall& c) -> Result<Json> {
    seen_reader = c.reader.name;
    seen_args = c.args;
    return Json{{"answer", "because"}, {"trace_id", c.trace.trace_id}};
  });
  auto r = env.call("alice", "ask", Json{{"question", "why?"}, {"k", 3}});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(seen_reader, "alice");
  EXPECT_EQ(seen_args, (Json{{"question", "why?"}, {"k", 3}}));
  EXPECT_EQ(env.lastCall()["decision"], "executed") << env.lastCall().dump();
  EXPECT_EQ(env.lastCall()["result"]["answer"], "because");
  // The input schema applies before the handler: an unknown field never reaches it.
  seen_reader.clear();
  auto bad = env.call("alice", "ask", Json{{"question", "why?"}, {"extra", 1}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(seen_reader.empty());
}

TEST(BuiltinTools, UsersGrantsTakeOnlyTheWildcardSubject) {
  GatewayEnv env;
  auto bad = env.gateway->addGrant(
      env.tenant, {{"subject_kind", "users"}, {"subject", "alice"}, {"tool", "search"}}, "t");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  auto good = env.gateway->addGrant(
      env.tenant, {{"subject_kind", "users"}, {"subject", "*"}, {"tool", "search"}}, "t");
  EXPECT_TRUE(good.ok()) << good.status().toString();
}

}  // namespace
}  // namespace ward::testing
