// Whether a principal is the subject of a grant (docs/design/gateway.md "Grants"): the one
// matching rule shared by tool grants and the upstream resources_for / prompts_for lists
// (docs/design/upstream.md), so "group:eng" means the same everywhere. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "ward/identity/principal.h"
#include "ward/store/tool_enums.h"

namespace ward::gateway {

// kPrincipal (by name), kGroup (a transitive member), kAgent (an agent by name) or kUsers with
// subject "*" ("users:*": every user and service account of the tenant, never an agent or a
// group; the built-in search and fetch are granted this way, see builtin_tools.h).
bool grantSubjectMatches(store::GrantSubjectKind kind, const std::string& subject,
                         const identity::Principal& p);

// Whether any "<kind>:<subject>" entry names `p`; an entry whose kind is not a
// store::GrantSubjectKind name matches nobody. An empty list names nobody (deny by default).
bool subjectListAllows(const std::vector<std::string>& entries, const identity::Principal& p);

}  // namespace ward::gateway
