// Private to identity: SCIM resources to and from JSON, and PATCH applied to a resource in memory
// (scim_resource_json.cc, scim_patch.cc).
#pragma once

#include <string>
#include <vector>

#include "ward/identity/scim_directory.h"
#include "ward/identity/scim_service.h"

namespace ward::identity {

// The resource as SCIM shows it; `members` (groups) is left out when null.
Json scimResourceJson(const ScimResource& r, const std::vector<ScimMember>* members,
                      const std::string& base_url);

// Sets `r`'s name, external_id, active and attributes from a full representation (POST, PUT):
// schemas must name the type's core schema, userName / displayName is required. Fills
// `members` (groups) with one kReplaceAll op when the body has "members" (or `always_members`).
ScimReply scimResourceFromJson(const Json& body, ScimResource& r,
                               std::vector<ScimMemberOp>& members, bool always_members);

// The SCIM ids of a "members" value: an array of {"value": id, ...} (at most
// kMaxScimMembersPerRequest, else ResourceExhausted).
ScimReply scimMemberIds(const Json& value, std::vector<std::string>& ids);

// Reads a boolean the way IdPs send it: true/false, or the strings "true"/"false" in any case
// (Entra ID sends "False").
ScimReply scimBoolean(const Json& value, const char* what, bool& out);

// Applies a PatchOp body to `r` (attributes) and appends membership steps to `members`.
ScimReply applyScimPatch(const Json& body, ScimResource& r, std::vector<ScimMemberOp>& members);

}  // namespace ward::identity
