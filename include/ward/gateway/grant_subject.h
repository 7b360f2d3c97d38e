// Whether a principal is the subject of a grant (docs/design/gateway.md "Grants"): the one
// matching rule shared by tool grants and the upstream resources_for / prompts_for lists
// (docs/design/upstream.md), so "group:eng" means the same everywhere. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "ward/identity/principal.h"

namespace ward::gateway {

// The kind of the grant subject "users:*": every user and service account of the tenant, never an
// agent or a group (the built-in search and fetch are granted this way, see builtin_tools.h).
inline constexpr char kEveryUserKind[] = "users";

// kind "principal" (by name), "group" (a transitive member), "agent" (an agent by name) or
// "users" with subject "*" (every user and service account); any other kind matches nobody.
bool grantSubjectMatches(const std::string& kind, const std::string& subject,
                         const identity::Principal& p);

// Whether any "<kind>:<subject>" entry names `p`. An empty list names nobody (deny by default).
bool subjectListAllows(const std::vector<std::string>& entries, const identity::Principal& p);

}  // namespace ward::gateway
