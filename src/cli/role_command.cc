// ward role grant | revoke | list: roles are groups (include/ward/identity/roles.h); granting
// creates the role's group when it does not exist yet. Each change is recorded as an
// `admin_change` trace event.
#include <iostream>

#include "commands.h"
#include "ward/identity/directory.h"
#include "ward/identity/roles.h"

namespace ward::cli {

namespace {

int runRole(CliContext& ctx, const std::string& principal, const std::string& role_name,
            bool grant) {
  auto role = identity::parseRole(role_name);
  if (!role.ok()) return fail(role.status());
  Status s = ctx.open();
  if (!s.ok()) return fail(s);
  const std::string group(identity::roleGroup(*role));
  if (grant) {
    auto existing = ctx.store().findPrincipal(ctx.tenant(), group);
    if (!existing.ok()) {
      if (existing.status().code() != StatusCode::kNotFound) return fail(existing.status());
      auto created =
          ctx.store().createPrincipal(ctx.tenant(), group, identity::PrincipalKind::kGroup, false);
      if (!created.ok()) return fail(created.status());
    } else if (existing->kind != identity::PrincipalKind::kGroup) {
      return fail(Status::failedPrecondition("'" + group + "' exists but is not a group"));
    }
    s = ctx.store().addMembership(ctx.tenant(), principal, group);
  } else {
    s = ctx.store().removeMembership(ctx.tenant(), principal, group);
  }
  if (!s.ok()) return fail(s);
  s = ctx.recordAdminChange(
      grant ? "role_grant" : "role_revoke",
      {{"subject", principal}, {"role", std::string(identity::roleName(*role))}, {"group", group}});
  if (!s.ok()) return fail(s);
  std::cout << (grant ? "granted " : "revoked ") << role_name << (grant ? " to " : " from ")
            << principal << " (group " << group << ")\n";
  return 0;
}

}  // namespace

void registerRoleCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* role =
      app.add_subcommand("role", "Grant or revoke roles (approver, auditor, reviewer, scim)");
  role->require_subcommand(1);
  static std::string principal, name;
  auto* grant = role->add_subcommand("grant", "Give PRINCIPAL the role (joins its group)");
  grant->add_option("PRINCIPAL", principal, "User, service account or group")->required();
  grant->add_option("ROLE", name, "approver, auditor, reviewer or scim")->required();
  grant->callback(
      [&ctx, &slot] { slot.run = [&ctx] { return runRole(ctx, principal, name, true); }; });
  auto* revoke = role->add_subcommand("revoke", "Take the role away (leaves its group)");
  revoke->add_option("PRINCIPAL", principal, "User, service account or group")->required();
  revoke->add_option("ROLE", name, "approver, auditor, reviewer or scim")->required();
  revoke->callback(
      [&ctx, &slot] { slot.run = [&ctx] { return runRole(ctx, principal, name, false); }; });
}

}  // namespace ward::cli
