// The one subject-matching rule of tool grants and upstream resources_for / prompts_for.
#include "ward/gateway/grant_subject.h"

#include <gtest/gtest.h>

namespace ward::gateway {
namespace {

identity::Principal principal(const std::string& name, identity::PrincipalKind kind,
                              std::vector<std::string> groups) {
  identity::Principal p;
  p.tenant = "t";
  p.name = name;
  p.kind = kind;
  p.groups = std::move(groups);  // sorted, as resolvePrincipal makes them
  return p;
}

TEST(GrantSubjectTest, ListsAllowOnlyTheSubjectsTheyName) {
  using K = identity::PrincipalKind;
  const auto alice = principal("alice", K::kUser, {"eng", "staff"});
  const auto bot = principal("bot", K::kAgent, {});
  const auto svc = principal("bot", K::kServiceAccount, {});
  struct Case {
    std::vector<std::string> entries;
    const identity::Principal* who;
    bool allowed;
  } cases[] = {
      {{}, &alice, false},  // deny by default
      {{"principal:alice"}, &alice, true},
      {{"principal:bob"}, &alice, false},
      {{"group:eng"}, &alice, true},
      {{"group:en"}, &alice, false},
      {{"group:sales", "group:staff"}, &alice, true},
      {{"agent:bot"}, &bot, true},
      {{"agent:bot"}, &svc, false},  // a service account named like the agent is not it
      {{"agent:alice"}, &alice, false},
      {{"alice"}, &alice, false},       // no kind: names nobody
      {{"user:alice"}, &alice, false},  // unknown kind
      {{"group:*"}, &alice, false},     // no wildcards
      {{"users:*"}, &alice, true},      // every user and service account ...
      {{"users:*"}, &svc, true},
      {{"users:*"}, &bot, false},        // ... but never an agent
      {{"users:alice"}, &alice, false},  // "users" takes only "*"
  };
  for (const Case& c : cases) {
    std::string entries;
    for (const auto& e : c.entries) entries += e + " ";
    EXPECT_EQ(subjectListAllows(c.entries, *c.who), c.allowed) << entries << c.who->name;
  }
}

}  // namespace
}  // namespace ward::gateway
