#include "ward/identity/directory.h"

#include <algorithm>
#include <set>

#include "ward/common/hash.h"
#include "ward/identity/api_key_cache.h"

namespace ward::identity {

namespace {

constexpr int kMaxGroupDepth = 32;

Result<Principal> expand(Directory& dir, const PrincipalRecord& rec) {
  Principal p;
  p.tenant = rec.tenant;
  p.id = rec.id;
  p.name = rec.name;
  p.kind = rec.kind;
  p.admin = rec.admin;

  std::set<std::string> groups;
  std::vector<std::pair<int64_t, int>> frontier{{rec.id, 0}};
  std::set<int64_t> visited{rec.id};
  while (!frontier.empty()) {
    auto [id, depth] = frontier.back();
    frontier.pop_back();
    if (depth >= kMaxGroupDepth) continue;
    WARD_ASSIGN_OR_RETURN(std::vector<std::string> direct, dir.directGroupsOf(id));
    for (const std::string& g : direct) {
      groups.insert(g);
      auto group_rec = dir.findPrincipal(rec.tenant, g);
      if (!group_rec.ok()) continue;  // a dangling membership grants nothing more
      if (visited.insert(group_rec->id).second) frontier.push_back({group_rec->id, depth + 1});
    }
  }
  p.groups.assign(groups.begin(), groups.end());
  p.acl_tokens.push_back(publicToken(rec.tenant));
  p.acl_tokens.push_back(userToken(rec.tenant, rec.name));
  if (rec.kind == PrincipalKind::kGroup) p.acl_tokens.push_back(groupToken(rec.tenant, rec.name));
  for (const auto& g : p.groups) p.acl_tokens.push_back(groupToken(rec.tenant, g));
  if (rec.admin) p.acl_tokens.push_back(adminToken(rec.tenant));
  std::sort(p.acl_tokens.begin(), p.acl_tokens.end());
  p.acl_tokens.erase(std::unique(p.acl_tokens.begin(), p.acl_tokens.end()), p.acl_tokens.end());
  if (rec.kind == PrincipalKind::kAgent) {
    // An agent reads only inside its document scope, alone or for a user (deny by default).
    WARD_ASSIGN_OR_RETURN(std::vector<ScopeEntry> scope, dir.agentScope(rec.tenant, rec.name));
    p.scope_tokens = scopeTokens(rec.tenant, scope);
  }
  return p;
}

}  // namespace

Result<Principal> resolvePrincipal(Directory& dir, const std::string& tenant,
                                   const std::string& name) {
  WARD_ASSIGN_OR_RETURN(PrincipalRecord rec, dir.findPrincipal(tenant, name));
  return expand(dir, rec);
}

Result<Principal> resolvePrincipalById(Directory& dir, int64_t id) {
  WARD_ASSIGN_OR_RETURN(PrincipalRecord rec, dir.findPrincipalById(id));
  return expand(dir, rec);
}

Result<Principal> resolveActingFor(Directory& dir, const Principal& user, const Principal& agent) {
  if (agent.kind != PrincipalKind::kAgent || agent.tenant != user.tenant) {
    return Status::invalidArgument("'" + agent.name + "' is not an agent of tenant '" +
                                   user.tenant + "'");
  }
  WARD_ASSIGN_OR_RETURN(std::vector<ScopeEntry> scope, dir.agentScope(agent.tenant, agent.name));
  return actingFor(user, agent, scope);
}

NewApiKey generateApiKey() {
  NewApiKey k;
  k.key_id = randomHex(8);
  std::string secret = randomHex(20);
  k.secret_hash = sha256Hex(secret);
  k.plaintext = "wk_" + k.key_id + "_" + secret;
  return k;
}

Result<Principal> authenticateApiKey(Directory& dir, const std::string& presented) {
  WARD_ASSIGN_OR_RETURN(int64_t id, verifyApiKey(dir, presented));
  WARD_ASSIGN_OR_RETURN(Principal who, resolvePrincipalById(dir, id));
  // Keys are never issued to groups; one that reached a group anyway does not authenticate.
  if (!canAuthenticate(who.kind)) return Status::unauthenticated("invalid API key");
  return who;
}

}  // namespace ward::identity
