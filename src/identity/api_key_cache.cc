#include "ward/common/mutex.h"
#include "ward/identity/api_key_cache.h"

#include "ward/common/hash.h"

namespace ward::identity {

Result<int64_t> verifyApiKey(Directory& dir, const std::string& presented) {
  const Status bad = Status::unauthenticated("invalid API key");
  if (presented.size() != 3 + 16 + 1 + 40 || presented.compare(0, 3, "wk_") != 0 ||
      presented[19] != '_') {
    return bad;
  }
  std::string key_id = presented.substr(3, 16);
  std::string secret = presented.substr(20);
  auto rec = dir.findApiKey(key_id);
  if (!rec.ok()) return bad;
  if (rec->revoked || !constantTimeEquals(rec->secret_hash, sha256Hex(secret))) return bad;
  return rec->principal_id;
}

Result<Principal> ApiKeyCache::authenticate(const std::string& presented) {
  WARD_ASSIGN_OR_RETURN(int64_t id, verifyApiKey(dir_, presented));
  WARD_ASSIGN_OR_RETURN(int64_t generation, generation_());
  {
    MutexLock lock(mu_);
    if (generation != seen_) {
      by_id_.clear();
      seen_ = generation;
    }
    auto it = by_id_.find(id);
    if (it != by_id_.end()) return it->second;
  }
  WARD_ASSIGN_OR_RETURN(Principal who, resolvePrincipalById(dir_, id));
  // Keys are never issued to groups; one that reached a group anyway does not authenticate.
  if (!canAuthenticate(who.kind)) return Status::unauthenticated("invalid API key");
  MutexLock lock(mu_);
  // Kept only if nothing moved the generation meanwhile (this resolution may predate the move).
  if (generation == seen_) {
    if (by_id_.size() >= kMaxCachedPrincipals) by_id_.clear();
    by_id_[id] = who;
  }
  return who;
}

}  // namespace ward::identity
