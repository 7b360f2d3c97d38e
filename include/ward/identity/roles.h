// Roles: a principal holds a role when it is an admin of its tenant or a member (directly or
// through nested groups) of the role's group. Roles are tenant-scoped because principals are.
//   approver  group "approvers"  decides parked tool calls (gateway)
//   auditor   group "auditors"   reads traces, explanations and stored prompts
//   reviewer  group "reviewers"  records feedback overrides on traces
//   scim      group "scim-provisioners"  provisions users and groups over /scim/v2 (members
//             only: an admin without the group is refused, see scim_service.h)
// Grant one with `ward role grant PRINCIPAL ROLE` (joins the group, creating it if needed).
//
// Server-wide settings (the server's read-only switch) need a server admin: an admin of the
// server's own tenant (`tenant` in ward.toml, default "default"; the CLI operator acts as one).
// An admin of any other tenant administers only that tenant.
#pragma once

#include <string_view>

#include "ward/common/status.h"
#include "ward/identity/principal.h"

namespace ward::identity {

enum class Role { kApprover, kAuditor, kReviewer, kScim };

std::string_view roleName(Role role);
// InvalidArgument naming the accepted roles.
Result<Role> parseRole(std::string_view name);
// The group whose members hold the role.
std::string_view roleGroup(Role role);
// Whether `group` is some role's group (no sync source may manage one).
bool isRoleGroup(std::string_view group);

// Admin, or a member of roleGroup(role).
bool hasRole(const Principal& p, Role role);
// A member of roleGroup(role), admin or not (for what even admins must be granted explicitly,
// such as reading stored prompts).
bool isRoleMember(const Principal& p, Role role);

// An admin of the server's own tenant (`server_tenant`: ward.toml's `tenant`).
bool isServerAdmin(const Principal& p, std::string_view server_tenant);

}  // namespace ward::identity
