// Whether a principal is the subject of a grant (docs/design/gateway.md "Grants"): the one
// matching rule shared by tool grants and the upstream resources_for / prompts_for lists
// (docs/design/upstream.md), so "group:eng" means the same everywhere. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "ward/identity/principal.h"

namespace ward::gateway {

// kind "principal" (by name), "group" (a transitive member) or "agent" (an agent by name);
// any other kind matches nobody.
bool grantSubjectMatches(const std::string& kind, const std::string& subject,
                         const identity::Principal& p);

// Whether any "<kind>:<subject>" entry names `p`. An empty list names nobody (deny by default).
bool subjectListAllows(const std::vector<std::string>& entries, const identity::Principal& p);

}  // namespace ward::gateway
