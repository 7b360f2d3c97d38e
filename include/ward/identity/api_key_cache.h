// API-key authentication with the resolved principals cached: a request costs the key's row and
// one generation read instead of resolving the principal's groups again (a query per group).
//
// The key's row is read on every call, so a revoked key is refused on the next request. A resolved
// principal is kept only while the directory's identity generation (store::Store::
// identityGeneration: bumped by every principal creation, membership change and agent-scope
// change, in any process) stays where it was when it was resolved; when it moves, every cached
// principal is dropped. Thread-safe.
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

// Resolved principals kept at most (all are dropped when one more would not fit).
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
  Mutex mu_;
  int64_t seen_ WARD_GUARDED_BY(mu_) = -1;  // the generation by_id_ belongs to
  std::map<int64_t, Principal> by_id_ WARD_GUARDED_BY(mu_);
};

}  // namespace ward::identity
