// API-key authentication with verified keys and resolved principals cached per identity
// generation: while the generation (store::Store::identityGeneration: bumped by every principal
// creation, membership change, agent-scope change, key revocation and SCIM deactivation, in any
// process) stays where it was, a request costs one generation read and one SHA-256 of the
// presented secret; the key's row and the principal's groups are read again only when it moves
// (every cached key and principal is then dropped). A revoked key is therefore refused on the next
// request, as the revocation moves the generation. Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/identity/directory.h"

namespace ward::identity {

// Resolved principals (and verified keys) kept at most (all are dropped when one more would not
// fit).
inline constexpr size_t kMaxCachedPrincipals = 10000;

// The principal id of a well-formed, stored, unrevoked key whose secret matches; Unauthenticated
// ("invalid API key", never which part failed) otherwise. authenticateApiKey's check.
Result<int64_t> verifyApiKey(Directory& dir, const std::string& presented);

class ApiKeyCache {
 public:
  using Generation = std::function<Result<int64_t>()>;
  ApiKeyCache(Directory& dir, Generation generation)
      : dir_(dir), generation_(std::move(generation)) {}

  // authenticateApiKey's contract (directory.h), the principal from the cache when still valid.
  Result<Principal> authenticate(const std::string& presented);

 private:
  Directory& dir_;
  Generation generation_;
  // A key verified against its stored row at generation seen_: the SHA-256 of its secret.
  struct VerifiedKey {
    std::string secret_hash;
    int64_t principal_id = 0;
  };
  Mutex mu_;
  int64_t seen_ WARD_GUARDED_BY(mu_) = -1;  // the generation the maps belong to
  std::map<int64_t, Principal> by_id_ WARD_GUARDED_BY(mu_);
  std::map<std::string, VerifiedKey> keys_ WARD_GUARDED_BY(mu_);  // by key id
};

}  // namespace ward::identity
