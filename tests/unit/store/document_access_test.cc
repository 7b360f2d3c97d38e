// The one read rule (store::mayReadDocument), case by case: each row names a reader, a document
// and whether the reader may read it, and why.
#include "ward/store/document_access.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ward/identity/document_scope.h"

namespace ward::store {
namespace {

identity::Principal user(const std::string& tenant, const std::string& name,
                         const std::vector<std::string>& groups, bool admin = false) {
  identity::Principal p;
  p.tenant = tenant;
  p.name = name;
  p.admin = admin;
  p.groups = groups;
  p.acl_tokens = {identity::userToken(tenant, name), identity::publicToken(tenant)};
  for (const std::string& g : groups) p.acl_tokens.push_back(identity::groupToken(tenant, g));
  if (admin) p.acl_tokens.push_back(identity::adminToken(tenant));
  std::sort(p.acl_tokens.begin(), p.acl_tokens.end());
  return p;
}

DocumentRecord document(const std::string& tenant, const std::string& source, Acl acl,
                        Json metadata = Json::object()) {
  DocumentRecord d;
  d.tenant = tenant;
  d.ext_id = "doc-1";
  d.source = source;
  d.acl = std::move(acl);
  d.metadata = std::move(metadata);
  return d;
}

// alice (group eng) acting through an agent whose scope is the source "wiki".
identity::Principal aliceViaWikiAgent() {
  identity::Principal agent = user("acme", "bot", {});
  return identity::actingFor(user("acme", "alice", {"eng"}), agent,
                             {{identity::ScopeKind::kSource, "wiki"}});
}

struct Case {
  const char* name;
  identity::Principal who;
  DocumentRecord doc;
  bool deleted;
  bool readable;
};

TEST(DocumentAccessTest, OneRuleForEveryReadPath) {
  const Acl eng{{}, {"eng"}, false};
  const std::vector<Case> cases = {
      {"allowed: the ACL names the reader's group", user("acme", "alice", {"eng"}),
       document("acme", "wiki", eng), false, true},
      {"allowed: the ACL names the reader", user("acme", "alice", {}),
       document("acme", "wiki", Acl{{"alice"}, {}, false}), false, true},
      {"allowed: public in the tenant", user("acme", "bob", {}),
       document("acme", "wiki", Acl{{}, {}, true}), false, true},
      {"allowed: a tenant admin reads every document of the tenant",
       user("acme", "root", {}, /*admin=*/true), document("acme", "wiki", eng), false, true},
      {"refused: deleted", user("acme", "alice", {"eng"}), document("acme", "wiki", eng), true,
       false},
      {"refused: deleted, even for an admin", user("acme", "root", {}, true),
       document("acme", "wiki", Acl{{}, {}, true}), true, false},
      {"refused: no ACL match", user("acme", "bob", {"sales"}), document("acme", "wiki", eng),
       false, false},
      {"refused: no ACL entries means admins only", user("acme", "alice", {"eng"}),
       document("acme", "wiki", Acl{}), false, false},
      {"refused: another tenant, same group name", user("acme", "alice", {"eng"}),
       document("globex", "wiki", eng), false, false},
      {"refused: another tenant's public document", user("acme", "alice", {}),
       document("globex", "wiki", Acl{{}, {}, true}), false, false},
      {"refused: another tenant's admin", user("globex", "root", {}, true),
       document("acme", "wiki", eng), false, false},
      {"allowed: an agent's scope covers the source", aliceViaWikiAgent(),
       document("acme", "wiki", eng), false, true},
      {"refused: the agent's scope narrows the user's ACL", aliceViaWikiAgent(),
       document("acme", "hr", eng), false, false},
      {"refused: in the agent's scope, outside the user's ACL", aliceViaWikiAgent(),
       document("acme", "wiki", Acl{{"carol"}, {}, false}), false, false},
      {"refused: an agent with an empty scope reads nothing",
       identity::actingFor(user("acme", "alice", {"eng"}), user("acme", "bot", {}), {}),
       document("acme", "wiki", eng), false, false},
  };
  for (const Case& c : cases) {
    DocumentRecord doc = c.doc;
    doc.deleted = c.deleted;
    EXPECT_EQ(mayReadDocument(c.who, doc), c.readable) << c.name;
    // Change notices follow the same rule with deletion left out: a deleted document's notice
    // reaches exactly those who could read it live.
    DocumentRecord live = c.doc, gone = c.doc;
    live.deleted = false;
    gone.deleted = true;
    EXPECT_EQ(mayReadDocumentIgnoringDeletion(c.who, gone), mayReadDocument(c.who, live)) << c.name;
    EXPECT_EQ(mayReadDocumentIgnoringDeletion(c.who, live), mayReadDocument(c.who, live)) << c.name;
  }
}

TEST(DocumentAccessTest, TenantIsComparedEvenWhenTokensWouldMatch) {
  // A reader holding a token spelled like the document's, in another tenant: refused by the
  // tenant comparison on its own.
  identity::Principal who = user("acme", "alice", {"eng"});
  DocumentRecord doc = document("globex", "wiki", Acl{{}, {}, false});
  who.acl_tokens = doc.tokens();
  EXPECT_FALSE(mayReadDocument(who, doc));
  who.tenant = "globex";
  EXPECT_TRUE(mayReadDocument(who, doc));
}

TEST(DocumentAccessTest, TagScopeMatchesMetadata) {
  identity::Principal who =
      identity::actingFor(user("acme", "alice", {"eng"}), user("acme", "bot", {}),
                          {{identity::ScopeKind::kTag, "team=search"}});
  const Acl eng{{}, {"eng"}, false};
  EXPECT_TRUE(mayReadDocument(who, document("acme", "wiki", eng, Json{{"team", "search"}})));
  EXPECT_FALSE(mayReadDocument(who, document("acme", "wiki", eng, Json{{"team", "infra"}})));
}

}  // namespace
}  // namespace ward::store
