// ApiKeyCache (api_key_cache.h): a principal is resolved once per identity generation, a revoked
// key is refused on the next request, and a membership change (which moves the generation) is
// seen on the next request. A directory in memory counts the lookups.
#include "ward/identity/api_key_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "ward/common/hash.h"

namespace ward::identity {
namespace {

class MemoryDirectory : public Directory {
 public:
  Result<PrincipalRecord> findPrincipal(const std::string& tenant,
                                        const std::string& name) override {
    ++lookups;
    for (const auto& [id, p] : principals) {
      if (p.tenant == tenant && p.name == name) return p;
    }
    return Status::notFound("no principal " + name);
  }
  Result<PrincipalRecord> findPrincipalById(int64_t id) override {
    ++lookups;
    auto it = principals.find(id);
    if (it == principals.end()) return Status::notFound("no principal");
    return it->second;
  }
  Result<std::vector<std::string>> directGroupsOf(int64_t id) override {
    ++lookups;
    return groups[id];
  }
  Result<ApiKeyRecord> findApiKey(const std::string& key_id) override {
    ++key_reads;
    auto it = keys.find(key_id);
    if (it == keys.end()) return Status::notFound("no key");
    return it->second;
  }
  Result<std::vector<ScopeEntry>> agentScope(const std::string&, const std::string&) override {
    ++lookups;
    return std::vector<ScopeEntry>{};
  }

  // Adds a principal; what store::Store does, generation bump included.
  int64_t add(const std::string& name, PrincipalKind kind) {
    PrincipalRecord r;
    r.id = static_cast<int64_t>(principals.size()) + 1;
    r.tenant = "default";
    r.name = name;
    r.kind = kind;
    principals[r.id] = r;
    ++generation;
    return r.id;
  }
  std::string addKey(int64_t principal_id) {
    NewApiKey k = generateApiKey();
    keys[k.key_id] = ApiKeyRecord{k.key_id, principal_id, k.secret_hash, 0, false};
    return k.plaintext;
  }

  std::map<int64_t, PrincipalRecord> principals;
  std::map<int64_t, std::vector<std::string>> groups;
  std::map<std::string, ApiKeyRecord> keys;
  int64_t generation = 0;
  int lookups = 0;    // principal, group and scope lookups
  int key_reads = 0;  // findApiKey
};

class ApiKeyCacheTest : public ::testing::Test {
 protected:
  ApiKeyCacheTest() : cache(dir, [this] { return Result<int64_t>(dir.generation); }) {
    alice = dir.add("alice", PrincipalKind::kUser);
    dir.add("ml", PrincipalKind::kGroup);
    key = dir.addKey(alice);
  }
  MemoryDirectory dir;
  ApiKeyCache cache;
  int64_t alice = 0;
  std::string key;
};

TEST_F(ApiKeyCacheTest, APrincipalIsResolvedOncePerGeneration) {
  auto first = cache.authenticate(key);
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_EQ(first->name, "alice");
  const int after_first = dir.lookups;
  EXPECT_GT(after_first, 0);
  auto second = cache.authenticate(key);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->name, "alice");
  EXPECT_EQ(second->acl_tokens, first->acl_tokens);
  EXPECT_EQ(dir.lookups, after_first);  // from the cache
  EXPECT_EQ(dir.key_reads, 1);          // the verified key too: its row is not read again
}

TEST_F(ApiKeyCacheTest, ARevokedKeyIsRefusedOnTheNextRequest) {
  ASSERT_TRUE(cache.authenticate(key).ok());
  ASSERT_TRUE(cache.authenticate(key).ok());
  // ward key revoke: the store marks the row and moves the identity generation (one transaction).
  dir.keys.begin()->second.revoked = true;
  ++dir.generation;
  auto refused = cache.authenticate(key);
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(refused.status().message(), "invalid API key");
  EXPECT_EQ(dir.key_reads, 2);  // read again once the generation moved
}

TEST_F(ApiKeyCacheTest, AWrongSecretIsRefusedEvenWithTheKeyCached) {
  ASSERT_TRUE(cache.authenticate(key).ok());
  std::string forged = key;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(cache.authenticate(forged).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(cache.authenticate("wk_nonsense").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(ApiKeyCacheTest, AMembershipChangeIsSeenOnTheNextRequest) {
  auto before = cache.authenticate(key);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->groups.empty());
  dir.groups[alice] = {"ml"};  // ward group add-member: the store bumps the generation
  ++dir.generation;
  auto after = cache.authenticate(key);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->groups, std::vector<std::string>{"ml"});
  // and removed again
  dir.groups[alice].clear();
  ++dir.generation;
  auto removed = cache.authenticate(key);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed->groups.empty());
}

TEST_F(ApiKeyCacheTest, AKeyOfAGroupDoesNotAuthenticate) {
  const std::string group_key = dir.addKey(dir.findPrincipal("default", "ml")->id);
  EXPECT_EQ(cache.authenticate(group_key).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(cache.authenticate(group_key).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(ApiKeyCacheTest, AGenerationReadFailureFailsTheRequest) {
  ApiKeyCache failing(dir, [] { return Result<int64_t>(Status::unavailable("store down")); });
  EXPECT_EQ(failing.authenticate(key).status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace ward::identity
