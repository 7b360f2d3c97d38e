#include "ward/identity/api_key_cache.h"

#include <optional>

#include "ward/common/hash.h"
#include "ward/common/mutex.h"

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
  // The generation first: a key verified below is kept only under a generation read before its
  // row was, so a revocation committed after that read moves the generation past it.
  WARD_ASSIGN_OR_RETURN(int64_t generation, generation_());
  const bool well_formed = presented.size() == 3 + 16 + 1 + 40 &&
                           presented.compare(0, 3, "wk_") == 0 && presented[19] == '_';
  if (!well_formed) return Status::unauthenticated("invalid API key");
  const std::string key_id = presented.substr(3, 16);
  const std::string secret_hash = sha256Hex(presented.substr(20));
  {
    MutexLock lock(mu_);
    if (generation != seen_) {
      by_id_.clear();
      keys_.clear();
      seen_ = generation;
    }
    auto k = keys_.find(key_id);
    if (k != keys_.end() && constantTimeEquals(k->second.secret_hash, secret_hash)) {
      auto it = by_id_.find(k->second.principal_id);
      if (it != by_id_.end()) return it->second;
    }
  }
  WARD_ASSIGN_OR_RETURN(int64_t id, verifyApiKey(dir_, presented));
  std::optional<Principal> cached;
  {
    MutexLock lock(mu_);
    auto it = by_id_.find(id);
    if (it != by_id_.end()) cached = it->second;
  }
  if (!cached) {
    WARD_ASSIGN_OR_RETURN(Principal who, resolvePrincipalById(dir_, id));
    // Keys are never issued to groups; one that reached a group anyway does not authenticate.
    if (!canAuthenticate(who.kind)) return Status::unauthenticated("invalid API key");
    cached = std::move(who);
  }
  MutexLock lock(mu_);
  // Kept only if nothing moved the generation meanwhile (this resolution may predate the move).
  if (generation == seen_) {
    if (by_id_.size() >= kMaxCachedPrincipals || keys_.size() >= kMaxCachedPrincipals) {
      by_id_.clear();
      keys_.clear();
    }
    by_id_[id] = *cached;
    keys_[key_id] = VerifiedKey{secret_hash, id};
  }
  return *cached;
}

}  // namespace ward::identity
