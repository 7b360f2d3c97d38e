// Delegations: a user's consent that an agent may call tools on their behalf. Without one, an
// agent naming the user (on_behalf_of) is denied in the authorize stage, whatever the grants.
#include "gateway_impl.h"
#include "ward/store/store.h"

namespace ward::gateway {

namespace {

Result<identity::PrincipalKind> kindOf(store::Store* store, const std::string& tenant,
                                       const std::string& field, const std::string& name) {
  WARD_RETURN_IF_ERROR(identity::validateName(field, name));
  if (store == nullptr) return Status::unavailable("the gateway has no principal directory");
  auto p = store->findPrincipal(tenant, name);
  if (p.ok()) return p->kind;
  if (p.status().code() == StatusCode::kNotFound) {
    return Status::invalidArgument("field '" + field + "': no principal '" + name +
                                   "' in tenant '" + tenant + "'");
  }
  return p.status();
}

// Only an admin, or the user giving (or taking back) their own consent.
Status mayManage(const identity::Principal& by, const std::string& user) {
  if (by.admin || by.name == user) return Status();
  return Status::permissionDenied("only an admin or user '" + user +
                                  "' may change the agents acting for '" + user + "'");
}

}  // namespace

Result<DelegationView> ToolGateway::addDelegation(const identity::Principal& by,
                                                  const Json& delegation) {
  if (!delegation.is_object()) return Status::invalidArgument("body must be a JSON object");
  for (const auto& [k, v] : delegation.items()) {
    if (k != "user" && k != "agent") return Status::invalidArgument("field '" + k + "': unknown");
  }
  store::DelegationRecord d;
  d.tenant = by.tenant;
  WARD_ASSIGN_OR_RETURN(d.user, stringOf(delegation, "user", true));
  WARD_ASSIGN_OR_RETURN(d.agent, stringOf(delegation, "agent", true));
  WARD_RETURN_IF_ERROR(mayManage(by, d.user));
  WARD_ASSIGN_OR_RETURN(identity::PrincipalKind user_kind,
                        kindOf(impl_->options.store, d.tenant, "user", d.user));
  if (user_kind != identity::PrincipalKind::kUser &&
      user_kind != identity::PrincipalKind::kServiceAccount) {
    return Status::invalidArgument("field 'user': '" + d.user + "' is a " +
                                   std::string(identity::principalKindName(user_kind)) +
                                   ", not a user or service account");
  }
  WARD_ASSIGN_OR_RETURN(identity::PrincipalKind agent_kind,
                        kindOf(impl_->options.store, d.tenant, "agent", d.agent));
  if (agent_kind != identity::PrincipalKind::kAgent) {
    return Status::invalidArgument("field 'agent': '" + d.agent + "' is a " +
                                   std::string(identity::principalKindName(agent_kind)) +
                                   ", not an agent");
  }
  d.created_by = by.name;
  d.created_at = impl_->now();
  WARD_RETURN_IF_ERROR(impl_->options.tools->addDelegation(d));
  impl_->record("tool_delegation", nullptr, d.tenant, by.name, trace::TraceContext::generate(),
                Json{{"action", "add"}, {"user", d.user}, {"agent", d.agent}});
  return DelegationView{d.user, d.agent, d.created_by, d.created_at};
}

Result<DelegationList> ToolGateway::listDelegations(const identity::Principal& viewer) {
  WARD_ASSIGN_OR_RETURN(std::vector<store::DelegationRecord> all,
                        impl_->options.tools->listDelegations(viewer.tenant));
  DelegationList out;
  for (const store::DelegationRecord& d : all) {
    if (!viewer.admin && d.user != viewer.name && d.agent != viewer.name) continue;
    out.delegations.push_back(DelegationView{d.user, d.agent, d.created_by, d.created_at});
  }
  return out;
}

Status ToolGateway::deleteDelegation(const identity::Principal& by, const std::string& user,
                                     const std::string& agent) {
  WARD_RETURN_IF_ERROR(mayManage(by, user));
  WARD_RETURN_IF_ERROR(impl_->options.tools->deleteDelegation(by.tenant, user, agent));
  impl_->record("tool_delegation", nullptr, by.tenant, by.name, trace::TraceContext::generate(),
                Json{{"action", "remove"}, {"user", user}, {"agent", agent}});
  return Status();
}

}  // namespace ward::gateway
