// What SCIM provisioning stores: a SCIM resource (User or Group) mapped onto one Ward principal,
// and the interface the SCIM service writes through. The store implements it
// (store/scim_store.h), so identity stays below the store, as with Directory.
//
// Every write is one transaction, bumps the identity generation (so cached principals, and with
// them every API key's groups, are resolved again on the next request) and touches only SCIM
// resources: principals and memberships created by Ward admins are never changed or listed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::identity {

enum class ScimResourceType { kUser, kGroup };
std::string_view scimResourceTypeName(ScimResourceType type);  // "User", "Group"

// The attributes a list filter may compare (with `eq`).
enum class ScimFilterAttribute { kId, kExternalId, kUserName, kDisplayName };

struct ScimResource {
  ScimResourceType type = ScimResourceType::kUser;
  std::string id;  // SCIM id: 32 hex characters chosen by Ward at creation
  std::string tenant;
  int64_t principal_id = 0;
  std::string principal;  // the Ward principal's name, fixed at creation (ACLs name it)
  // userName (users) or displayName (groups): unique among the tenant's live resources of the
  // type, compared case-insensitively.
  std::string name;
  std::string external_id;           // the IdP's id ("" when none)
  bool active = true;                // users only: false disables the principal
  Json attributes = Json::object();  // everything else the client sent (name, emails, ...)
  int64_t created_at = 0;            // micros
  int64_t modified_at = 0;           // micros
};

// A member of a group as SCIM shows it: only members that are SCIM resources themselves.
struct ScimMember {
  std::string id;
  ScimResourceType type = ScimResourceType::kUser;
  std::string display;  // the member's userName or displayName
};

// One step of a membership change, applied in order inside the write's transaction.
struct ScimMemberOp {
  enum class Kind { kAdd, kRemove, kReplaceAll };
  Kind kind = Kind::kAdd;
  std::vector<std::string> ids;  // SCIM ids (kReplaceAll: the new complete set)
};

struct ScimListQuery {
  std::string tenant;
  ScimResourceType type = ScimResourceType::kUser;
  std::optional<ScimFilterAttribute> attribute;  // none: every resource of the type
  std::string value;   // compared with eq (case-insensitively for userName and displayName)
  int64_t offset = 0;  // 0-based
  int64_t limit = 100;
};

struct ScimPage {
  int64_t total = 0;  // resources matching, before paging
  std::vector<ScimResource> resources;
};

// Thread-safe implementations required.
class ScimDirectory {
 public:
  virtual ~ScimDirectory() = default;
  // Creates the principal `r.principal` (a user or a group, never an admin) and its SCIM row,
  // choosing r.id and the times; then applies `members` (groups). AlreadyExists when the name is
  // taken by a live resource or the principal name by a principal SCIM did not create (a
  // principal of a deleted SCIM resource is taken over again); InvalidArgument for a member id
  // that is not a resource of the tenant.
  virtual Result<ScimResource> createResource(const ScimResource& r,
                                              const std::vector<ScimMemberOp>& members) = 0;
  // NotFound when the tenant has no live resource of that type and id.
  virtual Result<ScimResource> getResource(const std::string& tenant, ScimResourceType type,
                                           const std::string& id) = 0;
  // Sorted by creation.
  virtual Result<ScimPage> listResources(const ScimListQuery& q) = 0;
  // Stores r's name, external_id, active and attributes (the principal is disabled while a user
  // is inactive), then applies `members` in order. Same errors as createResource.
  virtual Result<ScimResource> updateResource(const ScimResource& r,
                                              const std::vector<ScimMemberOp>& members) = 0;
  virtual Result<std::vector<ScimMember>> groupMembers(const std::string& tenant,
                                                       const std::string& group_id) = 0;
  // The resource leaves SCIM (NotFound afterwards): its memberships, as member and as group, are
  // dropped, a user's principal is disabled and its API keys revoked. The principal row stays
  // (documents' ACLs and the audit trail name it); a later create of the same name takes it over.
  virtual Status deleteResource(const std::string& tenant, ScimResourceType type,
                                const std::string& id) = 0;
};

}  // namespace ward::identity
