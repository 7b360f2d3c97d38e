// The SCIM 2.0 front door under /scim/v2 (RFC 7644; docs/design/identity.md, "SCIM"): Users and
// Groups, and the discovery documents, over an identity::ScimService. Every route needs an API key
// (or bearer JWT) of a principal holding the `scim` role (a member of group scim-provisioners;
// being an admin is not enough). Errors are SCIM error bodies
// (urn:ietf:params:scim:api:messages:2.0:Error with status and scimType); refusals are recorded
// as `authz_denied` events and every change as an `admin_change` event.
#pragma once

#include <vector>

#include "ward/http/router.h"

namespace ward::trace {
class TraceSink;
}
namespace ward::identity {
class ScimService;
}

namespace ward::http {

// The routes; `scim` and `traces` must outlive the server that serves them.
std::vector<Route> scimRoutes(identity::ScimService& scim, trace::TraceSink& traces);

}  // namespace ward::http
