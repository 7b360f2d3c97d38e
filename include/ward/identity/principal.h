// Principals and the request context that carries their resolved ACL tokens.
//
// An ACL token is an opaque string the index matches documents by. Tokens are tenant-scoped, so a
// principal of one tenant can never hold a token that selects another tenant's documents:
//   "<tenant>/u:<user>"   a user (or service account) by name
//   "<tenant>/g:<group>"  a group, held by every transitive member
//   "<tenant>/*"          public-in-tenant documents, held by every principal of the tenant
//   "<tenant>/#admin"     every document of the tenant, held only by admins
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/status.h"

namespace ward::identity {

enum class PrincipalKind { kUser, kGroup, kServiceAccount, kAgent };

std::string_view principalKindName(PrincipalKind kind);
Result<PrincipalKind> parsePrincipalKind(std::string_view name);

// A stored principal.
struct PrincipalRecord {
  int64_t id = 0;
  std::string tenant;
  std::string name;
  PrincipalKind kind = PrincipalKind::kUser;
  bool admin = false;
  int64_t created_at = 0;  // micros since epoch
};

// Who is asking, with every ACL token they hold. Built by resolvePrincipal; immutable after.
struct Principal {
  std::string tenant;
  int64_t id = 0;
  std::string name;
  PrincipalKind kind = PrincipalKind::kUser;
  bool admin = false;
  std::vector<std::string> groups;      // every group, transitively, sorted
  std::vector<std::string> acl_tokens;  // sorted, unique
  // Set for an agent (its own document scope) and when an agent acts for this principal
  // (identity::actingFor): scope tokens, sorted and unique (empty = reads nothing). Every read path
  // then returns only documents matching acl_tokens AND scope_tokens (identity::mayRead).
  std::string acting_agent;  // the agent acting for this principal ("" when none)
  std::optional<std::vector<std::string>> scope_tokens;
};

// Whether a principal of this kind may authenticate (API key, bearer JWT): users, service
// accounts and agents. A group is a set of principals, never someone who is asking.
bool canAuthenticate(PrincipalKind kind);

std::string userToken(std::string_view tenant, std::string_view user);
std::string groupToken(std::string_view tenant, std::string_view group);
std::string publicToken(std::string_view tenant);
std::string adminToken(std::string_view tenant);

// Names: 1-64 chars of [A-Za-z0-9._@-], not starting with '.' or '-'.
Status validateName(std::string_view what, std::string_view name);

}  // namespace ward::identity
