// ScimService over the SQLite SCIM store (a real ward.db in a temp dir): the request shapes Okta
// and Entra ID send, and what they do to Ward's principals: a member removed at the IdP is gone
// from the principal's groups (resolvePrincipal, what every search resolves) at once, an inactive
// user's API keys are refused, names are unique, filters and paging follow RFC 7644.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "ward/identity/directory.h"
#include "ward/identity/scim_service.h"
#include "ward/store/scim_store.h"
#include "ward/store/store.h"

namespace ward::identity {
namespace {

class ScimServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/ward_scim_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto store = store::openSqliteStore(dir_ + "/ward.db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    auto scim = store::openSqliteScimStore(dir_ + "/ward.db");
    ASSERT_TRUE(scim.ok()) << scim.status().message();
    scim_dir_ = std::move(*scim);
    service_ = std::make_unique<ScimService>(*scim_dir_);
  }
  void TearDown() override {
    service_.reset();
    scim_dir_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  ScimReply createUser(const std::string& user_name, const Json& extra = Json::object()) {
    Json body = {{"schemas", {std::string(kScimUserSchema)}}, {"userName", user_name}};
    for (const auto& [k, v] : extra.items()) body[k] = v;
    return service_->create(call_, ScimResourceType::kUser, body);
  }
  ScimReply createGroup(const std::string& name, const std::vector<std::string>& members) {
    Json list = Json::array();
    for (const auto& m : members) list.push_back({{"value", m}});
    return service_->create(
        call_, ScimResourceType::kGroup,
        {{"schemas", {std::string(kScimGroupSchema)}}, {"displayName", name}, {"members", list}});
  }
  ScimReply patch(ScimResourceType type, const std::string& id, const Json& ops) {
    return service_->patch(call_, type, id,
                           {{"schemas", {std::string(kScimPatchOpSchema)}}, {"Operations", ops}});
  }
  std::vector<std::string> groupsOf(const std::string& name) {
    auto p = resolvePrincipal(*store_, "acme", name);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? p->groups : std::vector<std::string>{};
  }
  static bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ScimDirectory> scim_dir_;
  std::unique_ptr<ScimService> service_;
  ScimCall call_{"acme", "http://ward.test/scim/v2"};
};

TEST_F(ScimServiceTest, UserRoundTrip) {
  ScimReply r = createUser("alice@example.com",
                           {{"externalId", "00u1"},
                            {"name", {{"givenName", "Alice"}, {"familyName", "Liddell"}}},
                            {"emails", {{{"type", "work"}, {"value", "alice@example.com"}}}},
                            {"password", "never stored"}});
  ASSERT_TRUE(r.ok()) << r.status.message();
  EXPECT_EQ(r.body["userName"], "alice@example.com");
  EXPECT_EQ(r.body["externalId"], "00u1");
  EXPECT_EQ(r.body["active"], true);
  EXPECT_EQ(r.body["name"]["givenName"], "Alice");
  EXPECT_FALSE(r.body.contains("password"));
  EXPECT_EQ(r.body["id"].get<std::string>().size(), 32u);
  EXPECT_EQ(r.body["meta"]["resourceType"], "User");
  EXPECT_EQ(r.body["meta"]["location"],
            "http://ward.test/scim/v2/Users/" + r.body["id"].get<std::string>());
  // A Ward principal of the tenant, never an admin.
  auto rec = store_->findPrincipal("acme", "alice@example.com");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->kind, PrincipalKind::kUser);
  EXPECT_FALSE(rec->admin);
  ScimReply got = service_->get(call_, ScimResourceType::kUser, r.body["id"]);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.body, r.body);
}

// The promise: a membership removed at the IdP is gone from the next resolution.
TEST_F(ScimServiceTest, MembershipChangesReachTheResolvedPrincipal) {
  std::string alice = createUser("alice").body["id"];
  std::string bob = createUser("bob").body["id"];
  ScimReply g = createGroup("Engineering Team", {alice});
  ASSERT_TRUE(g.ok()) << g.status.message();
  const std::string eng = g.body["id"];
  EXPECT_EQ(g.body["members"].size(), 1u);
  EXPECT_EQ(g.body["members"][0]["display"], "alice");
  EXPECT_TRUE(has(groupsOf("alice"), "Engineering_Team"));
  EXPECT_FALSE(has(groupsOf("bob"), "Engineering_Team"));

  auto gen = store_->identityGeneration();
  // Okta: add, then remove with a value filter in the path.
  ASSERT_TRUE(patch(ScimResourceType::kGroup, eng,
                    {{{"op", "add"}, {"path", "members"}, {"value", {{{"value", bob}}}}}})
                  .ok());
  EXPECT_GT(*store_->identityGeneration(), *gen);
  EXPECT_TRUE(has(groupsOf("bob"), "Engineering_Team"));
  ScimReply removed = patch(ScimResourceType::kGroup, eng,
                            {{{"op", "remove"}, {"path", "members[value eq \"" + alice + "\"]"}}});
  ASSERT_TRUE(removed.ok()) << removed.status.message();
  EXPECT_FALSE(has(groupsOf("alice"), "Engineering_Team"));
  EXPECT_TRUE(has(groupsOf("bob"), "Engineering_Team"));
  // Entra ID: capitalised ops, members to remove in the value.
  ASSERT_TRUE(patch(ScimResourceType::kGroup, eng,
                    {{{"op", "Remove"}, {"path", "members"}, {"value", {{{"value", bob}}}}},
                     {{"op", "Add"}, {"path", "members"}, {"value", {{{"value", alice}}}}}})
                  .ok());
  EXPECT_FALSE(has(groupsOf("bob"), "Engineering_Team"));
  EXPECT_TRUE(has(groupsOf("alice"), "Engineering_Team"));
  // Removing every member (no value), and a member that is already gone, are not errors.
  ASSERT_TRUE(patch(ScimResourceType::kGroup, eng, {{{"op", "remove"}, {"path", "members"}}}).ok());
  EXPECT_FALSE(has(groupsOf("alice"), "Engineering_Team"));
  EXPECT_TRUE(patch(ScimResourceType::kGroup, eng,
                    {{{"op", "remove"}, {"path", "members[value eq \"" + alice + "\"]"}}})
                  .ok());
  // Adding an unknown member is refused, and changes nothing.
  ScimReply unknown =
      patch(ScimResourceType::kGroup, eng,
            {{{"op", "add"}, {"path", "members"}, {"value", {{{"value", bob}}}}},
             {{"op", "add"}, {"path", "members"}, {"value", {{{"value", "nope"}}}}}});
  EXPECT_EQ(unknown.error_type, ScimErrorType::kInvalidValue);
  EXPECT_FALSE(has(groupsOf("bob"), "Engineering_Team"));
}

TEST_F(ScimServiceTest, ReplaceKeepsMembershipsWardAdminsMade) {
  std::string alice = createUser("alice").body["id"];
  ASSERT_TRUE(store_->createPrincipal("acme", "carol", PrincipalKind::kUser, false).ok());
  std::string eng = createGroup("eng", {alice}).body["id"];
  ASSERT_TRUE(store_->addMembership("acme", "carol", "eng").ok());
  ScimReply put =
      service_->replace(call_, ScimResourceType::kGroup, eng,
                        {{"schemas", {std::string(kScimGroupSchema)}}, {"displayName", "eng"}});
  ASSERT_TRUE(put.ok()) << put.status.message();
  EXPECT_EQ(put.body["members"].size(), 0u);
  EXPECT_FALSE(has(groupsOf("alice"), "eng"));
  EXPECT_TRUE(has(groupsOf("carol"), "eng"));  // not SCIM's to remove
}

TEST_F(ScimServiceTest, InactiveUsersKeysAreRefused) {
  std::string alice = createUser("alice").body["id"];
  auto rec = store_->findPrincipal("acme", "alice");
  NewApiKey key = generateApiKey();
  ASSERT_TRUE(store_->storeApiKey({key.key_id, rec->id, key.secret_hash, 0, false}).ok());
  EXPECT_TRUE(authenticateApiKey(*store_, key.plaintext).ok());
  // Entra ID sends the boolean as a string.
  ScimReply off = patch(ScimResourceType::kUser, alice,
                        {{{"op", "Replace"}, {"path", "active"}, {"value", "False"}}});
  ASSERT_TRUE(off.ok()) << off.status.message();
  EXPECT_EQ(off.body["active"], false);
  EXPECT_EQ(authenticateApiKey(*store_, key.plaintext).status().code(),
            StatusCode::kUnauthenticated);
  // Nothing resolves a disabled principal (bearer JWTs, `--as`): it is not found.
  EXPECT_EQ(resolvePrincipal(*store_, "acme", "alice").status().code(), StatusCode::kNotFound);
  // Okta: replace without a path.
  ASSERT_TRUE(patch(ScimResourceType::kUser, alice,
                    {{{"op", "replace"}, {"value", {{"id", alice}, {"active", true}}}}})
                  .ok());
  EXPECT_TRUE(authenticateApiKey(*store_, key.plaintext).ok());
  // Deleted: gone from SCIM, memberships dropped, keys refused; the name can come back.
  std::string eng = createGroup("eng", {alice}).body["id"];
  ASSERT_TRUE(service_->remove(call_, ScimResourceType::kUser, alice).ok());
  EXPECT_EQ(service_->get(call_, ScimResourceType::kUser, alice).status.code(),
            StatusCode::kNotFound);
  EXPECT_FALSE(authenticateApiKey(*store_, key.plaintext).ok());
  EXPECT_FALSE(resolvePrincipal(*store_, "acme", "alice").ok());
  EXPECT_EQ(service_->get(call_, ScimResourceType::kGroup, eng).body["members"].size(), 0u);
  ScimReply again = createUser("alice");
  ASSERT_TRUE(again.ok()) << again.status.message();
  EXPECT_NE(again.body["id"], alice);
  EXPECT_EQ(store_->findPrincipal("acme", "alice")->id, rec->id);
  EXPECT_TRUE(groupsOf("alice").empty());  // the deletion dropped its memberships
  EXPECT_FALSE(authenticateApiKey(*store_, key.plaintext).ok());  // revoked with the deletion
  NewApiKey fresh = generateApiKey();
  ASSERT_TRUE(store_->storeApiKey({fresh.key_id, rec->id, fresh.secret_hash, 0, false}).ok());
  EXPECT_TRUE(authenticateApiKey(*store_, fresh.plaintext).ok());
}

TEST_F(ScimServiceTest, Uniqueness) {
  ASSERT_TRUE(createUser("alice").ok());
  ScimReply dup = createUser("ALICE");  // userName is case-insensitive (RFC 7643 4.1.1)
  EXPECT_EQ(dup.status.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.error_type, ScimErrorType::kUniqueness);
  ASSERT_TRUE(store_->createPrincipal("acme", "root", PrincipalKind::kUser, true).ok());
  ScimReply taken = createUser("root");  // a principal SCIM did not make is never taken over
  EXPECT_EQ(taken.error_type, ScimErrorType::kUniqueness);
  EXPECT_TRUE(store_->findPrincipal("acme", "root")->admin);
  std::string bob = createUser("bob").body["id"];
  ScimReply rename = patch(ScimResourceType::kUser, bob,
                           {{{"op", "replace"}, {"path", "userName"}, {"value", "alice"}}});
  EXPECT_EQ(rename.error_type, ScimErrorType::kUniqueness);
  ScimReply reserved = createGroup("scim-provisioners", {});
  EXPECT_EQ(reserved.error_type, ScimErrorType::kInvalidValue);
}

TEST_F(ScimServiceTest, FiltersAndPaging) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        createUser("user" + std::to_string(i), {{"externalId", "x" + std::to_string(i)}}).ok());
  }
  ASSERT_TRUE(createGroup("Sales", {}).ok());
  auto list = [&](ScimResourceType t, ScimListParams p) { return service_->list(call_, t, p); };
  ScimReply one = list(ScimResourceType::kUser, {"userName eq \"USER3\"", "", "", ""});
  ASSERT_TRUE(one.ok()) << one.status.message();
  EXPECT_EQ(one.body["totalResults"], 1);
  EXPECT_EQ(one.body["Resources"][0]["userName"], "user3");
  EXPECT_EQ(one.body["schemas"][0], std::string(kScimListSchema));
  EXPECT_EQ(list(ScimResourceType::kUser, {"externalId eq \"x4\"", "", "", ""})
                .body["Resources"][0]["userName"],
            "user4");
  EXPECT_EQ(
      list(ScimResourceType::kUser, {"userName eq \"nobody\"", "", "", ""}).body["totalResults"],
      0);
  EXPECT_EQ(
      list(ScimResourceType::kGroup, {"displayName eq \"sales\"", "", "", ""}).body["totalResults"],
      1);
  ScimReply page = list(ScimResourceType::kUser, {"", "2", "2", ""});
  EXPECT_EQ(page.body["totalResults"], 5);
  EXPECT_EQ(page.body["startIndex"], 2);
  EXPECT_EQ(page.body["itemsPerPage"], 2);
  EXPECT_EQ(page.body["Resources"][0]["userName"], "user1");
  EXPECT_EQ(list(ScimResourceType::kUser, {"", "0", "-3", ""}).body["itemsPerPage"], 0);
  EXPECT_EQ(list(ScimResourceType::kUser, {"", "", "x", ""}).error_type,
            ScimErrorType::kInvalidValue);
  for (const char* bad : {"userName eq", "userName co \"u\"", "title eq \"x\"",
                          "displayName eq \"x\"", "userName eq \"a\" and active eq true"}) {
    ScimReply r = list(ScimResourceType::kUser, {bad, "", "", ""});
    EXPECT_EQ(r.error_type, ScimErrorType::kInvalidFilter) << bad;
    EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST_F(ScimServiceTest, PatchAttributes) {
  std::string alice =
      createUser("alice", {{"emails", {{{"type", "work"}, {"value", "a@old.example"}}}}})
          .body["id"];
  ScimReply r = patch(
      ScimResourceType::kUser, alice,
      {{{"op", "Replace"}, {"path", "emails[type eq \"work\"].value"}, {"value", "a@new.example"}},
       {{"op", "Add"}, {"path", "name.givenName"}, {"value", "Alice"}},
       {{"op", "Add"},
        {"path", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},
        {"value", "R&D"}},
       {{"op", "Replace"}, {"path", "externalId"}, {"value", "e-1"}}});
  ASSERT_TRUE(r.ok()) << r.status.message();
  EXPECT_EQ(r.body["emails"][0]["value"], "a@new.example");
  EXPECT_EQ(r.body["name"]["givenName"], "Alice");
  EXPECT_EQ(r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
            "R&D");
  EXPECT_EQ(r.body["externalId"], "e-1");
  // Errors carry their scimType; nothing of a failed PATCH is stored.
  EXPECT_EQ(patch(ScimResourceType::kUser, alice, {{{"op", "remove"}}}).error_type,
            ScimErrorType::kNoTarget);
  EXPECT_EQ(patch(ScimResourceType::kUser, alice, {{{"op", "remove"}, {"path", "emails[type"}}})
                .error_type,
            ScimErrorType::kInvalidPath);
  EXPECT_EQ(patch(ScimResourceType::kUser, alice, {{{"op", "move"}, {"path", "x"}}}).error_type,
            ScimErrorType::kInvalidSyntax);
  EXPECT_EQ(patch(ScimResourceType::kUser, alice,
                  {{{"op", "replace"}, {"path", "externalId"}, {"value", "e-2"}},
                   {{"op", "replace"}, {"path", "id"}, {"value", "x"}}})
                .error_type,
            ScimErrorType::kMutability);
  EXPECT_EQ(service_->get(call_, ScimResourceType::kUser, alice).body["externalId"], "e-1");
  EXPECT_EQ(
      patch(ScimResourceType::kUser, "nope", {{{"op", "remove"}, {"path", "title"}}}).status.code(),
      StatusCode::kNotFound);
}

TEST_F(ScimServiceTest, Limits) {
  std::string eng = createGroup("eng", {}).body["id"];
  Json many = Json::array();
  for (size_t i = 0; i <= kMaxScimMembersPerRequest; ++i) many.push_back({{"value", "m"}});
  ScimReply r =
      patch(ScimResourceType::kGroup, eng, {{{"op", "add"}, {"path", "members"}, {"value", many}}});
  EXPECT_EQ(r.status.code(), StatusCode::kResourceExhausted);
  Json ops = Json::array();
  for (size_t i = 0; i <= kMaxScimPatchOperations; ++i) {
    ops.push_back({{"op", "replace"}, {"path", "externalId"}, {"value", "x"}});
  }
  EXPECT_EQ(patch(ScimResourceType::kGroup, eng, ops).status.code(),
            StatusCode::kResourceExhausted);
  ScimReply big = service_->list(call_, ScimResourceType::kUser, {"", "", "100000", ""});
  EXPECT_TRUE(big.ok());
  EXPECT_EQ(big.body["itemsPerPage"], 0);  // capped at kMaxScimPageSize; there are none
}

}  // namespace
}  // namespace ward::identity
