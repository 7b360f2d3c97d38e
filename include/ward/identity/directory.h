// The directory of tenants, principals, memberships and API keys. An interface so that identity
// sits below the store: the store implements it (SQLite, and later PostgreSQL).
#pragma once

#include <string>
#include <vector>

#include "ward/common/status.h"
#include "ward/identity/document_scope.h"
#include "ward/identity/principal.h"

namespace ward::identity {

struct ApiKeyRecord {
  std::string key_id;  // public part, shown in listings
  int64_t principal_id = 0;
  std::string secret_hash;  // sha256 hex of the secret part; the secret itself is never stored
  int64_t created_at = 0;
  bool revoked = false;
};

// Thread-safe implementations required.
class Directory {
 public:
  virtual ~Directory() = default;
  virtual Result<PrincipalRecord> findPrincipal(const std::string& tenant,
                                                const std::string& name) = 0;
  virtual Result<PrincipalRecord> findPrincipalById(int64_t id) = 0;
  // Names of the groups `principal_id` is a direct member of.
  virtual Result<std::vector<std::string>> directGroupsOf(int64_t principal_id) = 0;
  virtual Result<ApiKeyRecord> findApiKey(const std::string& key_id) = 0;
  // The document scope of agent `agent` in `tenant` (empty when it has none), sorted.
  virtual Result<std::vector<ScopeEntry>> agentScope(const std::string& tenant,
                                                     const std::string& agent) = 0;
};

// Resolves a principal by name, expanding its groups transitively (cycles are tolerated, depth is
// capped at 32) and computing its ACL tokens. NotFound if the principal does not exist.
Result<Principal> resolvePrincipal(Directory& dir, const std::string& tenant,
                                   const std::string& name);
Result<Principal> resolvePrincipalById(Directory& dir, int64_t id);

// The reader when `agent` acts for `user` (actingFor with the agent's stored scope).
// InvalidArgument when `agent` is not an agent of the user's tenant.
Result<Principal> resolveActingFor(Directory& dir, const Principal& user, const Principal& agent);

// API keys look like "wk_<key id: 16 hex>_<secret: 40 hex>".
struct NewApiKey {
  std::string key_id;
  std::string secret_hash;
  std::string plaintext;  // shown once to the creator, never stored
};
NewApiKey generateApiKey();
// Verifies a presented key; Unauthenticated on any mismatch (without saying which part failed),
// also for a key whose principal cannot authenticate (a group: canAuthenticate).
Result<Principal> authenticateApiKey(Directory& dir, const std::string& presented);

}  // namespace ward::identity
