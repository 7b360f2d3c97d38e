// The built-in search and fetch every tenant gets once (issue 19, item 26): callable by every
// user and service account, never by an agent without its own grant; a withdrawal sticks; a
// tenant's own tool of the same name is kept.
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
  const std::vector<std::string> both = {"fetch", "search"};
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
  Json grants = env.gateway->listGrants(env.tenant).value()["grants"];
  ASSERT_EQ(grants.size(), 2u) << grants.dump();
  for (const Json& g : grants) {
    EXPECT_EQ(g["subject_kind"], "users");
    EXPECT_EQ(g["subject"], "*");
    if (g["tool"] == "fetch") {
      ASSERT_TRUE(env.gateway->deleteGrant(env.tenant, g["id"].get<int64_t>()).ok());
    }
  }
  EXPECT_EQ(callable(env, "alice"), std::vector<std::string>{"search"});
  auto again = env.gateway->provisionBuiltinTools(env.tenant);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(callable(env, "alice"), std::vector<std::string>{"search"});
  EXPECT_EQ(env.gateway->listGrants(env.tenant).value()["grants"].size(), 1u);
}

TEST(BuiltinTools, ATenantsOwnToolOfTheSameNameIsKept) {
  GatewayEnv env;
  env.tool("search", "read");  // the tenant's own `search` (an MCP backend here)
  ASSERT_TRUE(*env.gateway->provisionBuiltinTools(env.tenant));
  Json tools = env.gateway->listTools(env.tenant, "search").value()["tools"];
  ASSERT_EQ(tools.size(), 1u);
  ASSERT_EQ(tools[0]["versions"].size(), 1u);
  EXPECT_EQ(tools[0]["versions"][0]["backend"], "mcp");
  EXPECT_EQ(env.gateway->listTools(env.tenant, "fetch").value()["tools"].size(), 1u);
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
