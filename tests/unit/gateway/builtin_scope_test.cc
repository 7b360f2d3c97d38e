// The builtin fetch as an agent acting for a user: it returns only documents that both the user
// may read and the agent's document scope covers (issue 19, item 22). An agent without a scope
// reads nothing; scope entries by source, group and tag each open exactly their documents.
#include "builtin_executor.h"
#include "gateway_env.h"
#include "ward/identity/document_scope.h"

namespace ward::testing {
namespace {

using identity::PrincipalKind;
using identity::ScopeEntry;
using identity::ScopeKind;

class BuiltinScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.user("eng", PrincipalKind::kGroup);
    env_.user("alice");
    env_.join("alice", "eng");
    env_.user("bot", PrincipalKind::kAgent);
    write("handbook", "wiki", Json{{"public", true}}, Json{{"team", "hr"}});
    write("design", "eng-docs", Json{{"groups", {"eng"}}}, Json::object());
    write("salaries", "wiki", Json{{"users", {"carol"}}}, Json{{"team", "hr"}});
    auto tool = std::make_shared<gateway::ResolvedTool>();
    tool->definition.name = "fetch";
    tool->definition.backend.type = "builtin";
    tool->definition.backend.builtin = "fetch";
    tool_ = tool;
  }

  void write(const std::string& id, const std::string& source, const Json& acl, const Json& meta) {
    store::DocumentWrite w;
    w.tenant = env_.tenant;
    w.ext_id = id;
    w.source = source;
    w.title = id;
    w.content_hash = id;
    w.acl.is_public = acl.value("public", false);
    if (acl.contains("users")) w.acl.users = acl["users"].get<std::vector<std::string>>();
    if (acl.contains("groups")) w.acl.groups = acl["groups"].get<std::vector<std::string>>();
    w.metadata = meta;
    store::ChunkRecord c;
    c.text = "text of " + id;
    c.span_end = static_cast<int64_t>(c.text.size());
    w.chunks.push_back(c);
    std::vector<store::DocumentWrite> batch{std::move(w)};
    ASSERT_TRUE(env_.store->writeDocuments(batch).ok());
  }

  // The ids among `ids` that fetch returns for alice (with `agent` acting for her, if given).
  std::vector<std::string> fetchable(const std::string& agent) {
    gateway::BuiltinExecutor exec(env_.store.get(), nullptr);
    std::vector<std::string> out;
    for (const char* id : {"design", "handbook", "salaries"}) {
      gateway::CallContext call;
      call.tool = tool_;
      call.request.principal = env_.principal("alice");
      if (!agent.empty()) call.request.agent = env_.principal(agent);
      call.request.args = Json{{"id", id}};
      auto r = exec.execute(call);
      if (r.ok()) {
        out.push_back(id);
      } else {
        EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().toString();
      }
    }
    return out;
  }

  void scope(ScopeKind kind, const std::string& value) {
    Status s = env_.store->addScopeEntry(env_.tenant, "bot", ScopeEntry{kind, value}, "test");
    ASSERT_TRUE(s.ok()) << s.toString();
  }

  GatewayEnv env_;
  std::shared_ptr<const gateway::ResolvedTool> tool_;
};

TEST_F(BuiltinScopeTest, AloneTheUserReadsWhatHerAclAllows) {
  EXPECT_EQ(fetchable(""), (std::vector<std::string>{"design", "handbook"}));
}

TEST_F(BuiltinScopeTest, AnAgentWithoutAScopeReadsNothingForHer) {
  EXPECT_EQ(fetchable("bot"), std::vector<std::string>{});
}

TEST_F(BuiltinScopeTest, EachScopeEntryOpensOnlyItsDocumentsTheUserMayRead) {
  scope(ScopeKind::kSource, "wiki");  // salaries is in wiki, but alice may not read it
  EXPECT_EQ(fetchable("bot"), std::vector<std::string>{"handbook"});
  scope(ScopeKind::kGroup, "eng");
  EXPECT_EQ(fetchable("bot"), (std::vector<std::string>{"design", "handbook"}));
  ASSERT_TRUE(
      env_.store->removeScopeEntry(env_.tenant, "bot", ScopeEntry{ScopeKind::kSource, "wiki"})
          .ok());
  EXPECT_EQ(fetchable("bot"), std::vector<std::string>{"design"});
  scope(ScopeKind::kTag, "team=hr");
  EXPECT_EQ(fetchable("bot"), (std::vector<std::string>{"design", "handbook"}));
}

TEST_F(BuiltinScopeTest, ScopeEntriesAreValidatedAndOnlyAgentsHaveOne) {
  auto add = [&](const std::string& who, ScopeKind kind, const std::string& value) {
    return env_.store->addScopeEntry(env_.tenant, who, ScopeEntry{kind, value}, "test").code();
  };
  EXPECT_EQ(add("alice", ScopeKind::kSource, "wiki"), StatusCode::kInvalidArgument);
  EXPECT_EQ(add("nobody", ScopeKind::kSource, "wiki"), StatusCode::kNotFound);
  EXPECT_EQ(add("bot", ScopeKind::kTag, "no-equals"), StatusCode::kInvalidArgument);
  EXPECT_EQ(add("bot", ScopeKind::kGroup, "bad name!"), StatusCode::kInvalidArgument);
  EXPECT_EQ(add("bot", ScopeKind::kSource, "wiki"), StatusCode::kOk);
  EXPECT_EQ(add("bot", ScopeKind::kSource, "wiki"), StatusCode::kAlreadyExists);
  EXPECT_EQ(
      env_.store->removeScopeEntry(env_.tenant, "bot", ScopeEntry{ScopeKind::kGroup, "x"}).code(),
      StatusCode::kNotFound);
  for (size_t i = 1; i < identity::kMaxScopeEntries; ++i) {
    ASSERT_EQ(add("bot", ScopeKind::kSource, "s" + std::to_string(i)), StatusCode::kOk) << i;
  }
  EXPECT_EQ(add("bot", ScopeKind::kSource, "one-too-many"), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace ward::testing
