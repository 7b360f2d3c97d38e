// Roles as groups (see roles.h for why: the approver role already worked this way).
#include "ward/identity/roles.h"

#include <algorithm>
#include <string>

namespace ward::identity {

std::string_view roleName(Role role) {
  switch (role) {
    case Role::kApprover:
      return "approver";
    case Role::kAuditor:
      return "auditor";
    case Role::kReviewer:
      return "reviewer";
    case Role::kScim:
      return "scim";
  }
  return "unknown";
}

Result<Role> parseRole(std::string_view name) {
  for (Role r : {Role::kApprover, Role::kAuditor, Role::kReviewer, Role::kScim}) {
    if (roleName(r) == name) return r;
  }
  return Status::invalidArgument("unknown role '" + std::string(name) +
                                 "' (expected approver, auditor, reviewer or scim)");
}

std::string_view roleGroup(Role role) {
  switch (role) {
    case Role::kApprover:
      return "approvers";
    case Role::kAuditor:
      return "auditors";
    case Role::kReviewer:
      return "reviewers";
    case Role::kScim:
      return "scim-provisioners";
  }
  return "";
}

bool isRoleGroup(std::string_view group) {
  for (Role r : {Role::kApprover, Role::kAuditor, Role::kReviewer, Role::kScim}) {
    if (roleGroup(r) == group) return true;
  }
  return false;
}

bool isRoleMember(const Principal& p, Role role) {
  // p.groups is sorted (Principal contract).
  return std::binary_search(p.groups.begin(), p.groups.end(), std::string(roleGroup(role)));
}

bool hasRole(const Principal& p, Role role) { return p.admin || isRoleMember(p, role); }

bool isServerAdmin(const Principal& p, std::string_view server_tenant) {
  return p.admin && p.tenant == server_tenant;
}

}  // namespace ward::identity
