// Registry, grants, modes and secrets: the admin side of the gateway.
#include "gateway_impl.h"
#include "ward/identity/roles.h"
#include "ward/gateway/grant_subject.h"
#include "ward/store/store.h"

namespace ward::gateway {

Result<std::string> stringOf(const Json& j, const std::string& key, bool required) {
  if (!j.contains(key)) {
    if (required) return Status::invalidArgument("field '" + key + "' is required");
    return std::string();
  }
  if (!j[key].is_string()) return Status::invalidArgument("field '" + key + "' must be a string");
  return j[key].get<std::string>();
}

Result<ToolAdded> ToolGateway::addTool(const std::string& tenant, const Json& definition,
                                       bool from_upstream) {
  WARD_ASSIGN_OR_RETURN(ToolDefinition def, parseToolDefinition(definition));
  // An upstream's definitions follow the upstream (pinning and quarantine guard them); an
  // admin's new version must not break the one before it under the same major version.
  Json diff;
  if (!from_upstream) {
    Status breaking = checkBreakingChange(*impl_->options.tools, tenant, def, &diff);
    if (!breaking.ok()) {
      impl_->record("tool_registry", nullptr, tenant, "", trace::TraceContext::generate(),
                    Json{{"tool", def.name},
                         {"version", def.version},
                         {"outcome", "refused"},
                         {"reason", breaking.message()},
                         {"diff", diff}});
      return breaking;
    }
  }
  store::ToolRecord rec;
  rec.tenant = tenant;
  rec.name = def.name;
  rec.version = def.version;
  rec.definition = def.raw;
  rec.canonical_hash = def.canonicalHash();
  rec.created_at = impl_->now();
  WARD_ASSIGN_OR_RETURN(store::ToolPutOutcome outcome,
                        impl_->options.tools->putTool(rec, from_upstream));
  ToolAdded out{def.name, def.version, rec.canonical_hash, outcome, std::move(diff)};
  impl_->record("tool_registry", nullptr, tenant, "", trace::TraceContext::generate(),
                out.toJson());
  return out;
}

Result<ToolList> ToolGateway::listTools(const std::string& tenant, const std::string& name) {
  WARD_ASSIGN_OR_RETURN(std::vector<store::ToolRecord> records,
                        impl_->options.tools->listTools(tenant, name));
  ToolList out;
  for (store::ToolRecord& r : records) {
    auto def = parseToolDefinition(r.definition);
    if (out.tools.empty() || out.tools.back().name != r.name) {
      out.tools.push_back(ToolVersions{r.name, {}});
    }
    ToolVersionView v{std::move(r), std::nullopt};
    if (def.ok()) v.definition = std::move(def).value();
    out.tools.back().versions.push_back(std::move(v));
  }
  return out;
}

Status ToolGateway::deprecateTool(const std::string& tenant, const std::string& name,
                                  const std::string& version, bool deprecated) {
  return impl_->options.tools->setDeprecated(tenant, name, version, deprecated);
}

Status ToolGateway::pinTool(const std::string& tenant, const std::string& name,
                            const std::string& version, bool pin) {
  return impl_->options.tools->setPinned(tenant, name, version, pin);
}

Status ToolGateway::approveDefinition(const std::string& tenant, const std::string& name,
                                      const std::string& version) {
  return impl_->options.tools->approveDefinition(tenant, name, version, impl_->now());
}

Result<GrantView> ToolGateway::addGrant(const std::string& tenant, const Json& grant,
                                        const std::string& by) {
  if (!grant.is_object()) return Status::invalidArgument("grant must be a JSON object");
  for (const auto& [k, v] : grant.items()) {
    if (k != "subject_kind" && k != "subject" && k != "tool" && k != "constraints") {
      return Status::invalidArgument("field '" + k + "': unknown field");
    }
  }
  store::GrantRecord g;
  g.tenant = tenant;
  WARD_ASSIGN_OR_RETURN(std::string kind, stringOf(grant, "subject_kind", true));
  WARD_ASSIGN_OR_RETURN(g.subject, stringOf(grant, "subject", true));
  WARD_ASSIGN_OR_RETURN(g.tool, stringOf(grant, "tool", true));
  auto parsed_kind = store::parseGrantSubjectKind(kind);
  if (!parsed_kind.ok()) {
    return Status::invalidArgument("field 'subject_kind' must be principal, group, agent or users");
  }
  g.subject_kind = *parsed_kind;
  const bool every_user = g.subject_kind == store::GrantSubjectKind::kUsers;
  if (every_user && g.subject != "*") {
    return Status::invalidArgument("field 'subject': subject_kind 'users' takes subject '*'");
  }
  if (g.tool != "*") WARD_RETURN_IF_ERROR(identity::validateName("tool", g.tool));
  if (impl_->options.store != nullptr && !every_user) {
    auto p = impl_->options.store->findPrincipal(tenant, g.subject);
    if (!p.ok()) {
      if (p.status().code() == StatusCode::kNotFound) {
        return Status::invalidArgument("field 'subject': no " + kind + " '" + g.subject +
                                       "' in tenant '" + tenant + "'");
      }
      return p.status();
    }
    bool is_group = p->kind == identity::PrincipalKind::kGroup;
    bool is_agent = p->kind == identity::PrincipalKind::kAgent;
    if ((g.subject_kind == store::GrantSubjectKind::kGroup) != is_group ||
        (g.subject_kind == store::GrantSubjectKind::kAgent && !is_agent)) {
      return Status::invalidArgument("field 'subject': '" + g.subject + "' is a " +
                                     std::string(identity::principalKindName(p->kind)) +
                                     ", not a " + kind);
    }
  }
  g.constraints = grant.contains("constraints") ? grant["constraints"] : Json::object();
  WARD_RETURN_IF_ERROR(validateConstraints(g.constraints));
  g.created_by = by;
  g.created_at = impl_->now();
  WARD_ASSIGN_OR_RETURN(store::GrantRecord stored, impl_->options.tools->addGrant(g));
  GrantView out = GrantView::of(stored);
  impl_->record("tool_grant", nullptr, tenant, by, trace::TraceContext::generate(),
                out.toAddedJson());
  return out;
}

Result<GrantList> ToolGateway::listGrants(const std::string& tenant) {
  WARD_ASSIGN_OR_RETURN(std::vector<store::GrantRecord> grants,
                        impl_->options.tools->listGrants(tenant));
  GrantList out;
  for (const store::GrantRecord& g : grants) out.grants.push_back(GrantView::of(g));
  return out;
}

Status ToolGateway::deleteGrant(const std::string& tenant, int64_t id) {
  return impl_->options.tools->deleteGrant(tenant, id);
}

Status ToolGateway::setReadOnly(store::ModeScope scope, const std::string& tenant,
                                const std::string& subject, bool read_only,
                                const identity::Principal& by) {
  using store::ModeScope;
  const std::string& server_tenant = impl_->options.config_tenant;
  const std::string scope_name(store::toString(scope));
  // A refusal is recorded, whatever the front door, in the caller's tenant and in the one the
  // switch would have changed (the server's own for the server scope).
  auto refuse = [&](Status why) -> Status {
    const trace::TraceContext trace = trace::TraceContext::generate();
    const std::string target = scope == ModeScope::kServer ? server_tenant : tenant;
    std::vector<std::string> trails = {by.tenant};
    if (target != by.tenant) trails.push_back(target);
    for (const std::string& trail : trails) {
      impl_->record("tool_mode", nullptr, trail, by.name, trace,
                    Json{{"decision", "denied"},
                         {"scope", scope_name},
                         {"tenant", tenant},
                         {"subject", subject},
                         {"read_only", read_only},
                         {"by_tenant", by.tenant},
                         {"reason", why.message()}});
    }
    return why;
  };
  store::ModeRecord m;
  m.scope = scope;
  m.read_only = read_only;
  m.set_by = by.name;
  m.updated_at = impl_->now();
  if (scope == ModeScope::kServer) {
    // tenant and subject stay empty: the switch applies to every tenant of the server.
    if (!identity::isServerAdmin(by, server_tenant)) {
      return refuse(Status::permissionDenied(
          "the server's read-only mode applies to every tenant: it needs a server admin (an "
          "admin of the server's tenant '" +
          server_tenant + "'); a tenant admin switches its own tenant (scope 'tenant')"));
    }
  } else {
    if (!(by.admin && by.tenant == tenant) && !identity::isServerAdmin(by, server_tenant)) {
      return refuse(
          Status::permissionDenied("'" + by.name + "' is not an admin of tenant '" + tenant + "'"));
    }
    m.tenant = tenant;
    if (scope == ModeScope::kAgent) {
      m.subject = subject;
      if (impl_->options.store != nullptr) {
        auto p = impl_->options.store->findPrincipal(tenant, subject);
        if (!p.ok() || p->kind != identity::PrincipalKind::kAgent) {
          return Status::invalidArgument("field 'agent': no agent '" + subject + "' in tenant '" +
                                         tenant + "'");
        }
      }
    }
  }
  WARD_RETURN_IF_ERROR(impl_->options.tools->setMode(m));
  // A server-wide switch belongs to the server's own trail; the others to the tenant's.
  impl_->record("tool_mode", nullptr, scope == ModeScope::kServer ? server_tenant : tenant, by.name,
                trace::TraceContext::generate(),
                Json{{"decision", "changed"},
                     {"scope", scope_name},
                     {"subject", subject},
                     {"read_only", read_only},
                     {"by_tenant", by.tenant}});
  return Status();
}

Result<ModeList> ToolGateway::listModes(const std::string& tenant) {
  WARD_ASSIGN_OR_RETURN(std::vector<store::ModeRecord> modes,
                        impl_->options.tools->listModes(tenant));
  return ModeList{std::move(modes)};
}

Status ToolGateway::putSecret(const std::string& tenant, const std::string& name,
                              const std::string& value) {
  WARD_RETURN_IF_ERROR(identity::validateName("secret", name));
  if (value.empty() || value.size() > 8192) {
    return Status::invalidArgument("field 'value' must be 1..8192 bytes");
  }
  if (value.find_first_of("\r\n") != std::string::npos) {
    return Status::invalidArgument("field 'value' must not contain CR or LF");
  }
  if (!impl_->secrets) return Status::failedPrecondition("no secrets key configured");
  WARD_ASSIGN_OR_RETURN(std::string sealed, impl_->secrets->seal(value, tenant + "/" + name));
  WARD_RETURN_IF_ERROR(impl_->options.tools->putSecret(tenant, name, sealed));
  impl_->record("tool_secret", nullptr, tenant, "", trace::TraceContext::generate(),
                Json{{"secret", name}, {"action", "stored"}});  // the name only, never the value
  return Status();
}

Status ToolGateway::deleteSecret(const std::string& tenant, const std::string& name) {
  WARD_RETURN_IF_ERROR(identity::validateName("secret", name));
  WARD_RETURN_IF_ERROR(impl_->options.tools->deleteSecret(tenant, name));
  {
    MutexLock lock(impl_->unsealed_mu);
    impl_->unsealed.erase(tenant + "/" + name);  // no plaintext kept past its deletion
  }
  impl_->record("tool_secret", nullptr, tenant, "", trace::TraceContext::generate(),
                Json{{"secret", name}, {"action", "deleted"}});
  return Status();
}

Result<SecretNames> ToolGateway::listSecrets(const std::string& tenant) {
  WARD_ASSIGN_OR_RETURN(std::vector<std::string> names,
                        impl_->options.tools->listSecretNames(tenant));
  return SecretNames{std::move(names)};
}

Result<std::string> ToolGateway::secretValue(const std::string& tenant, const std::string& name) {
  return impl_->secretPlaintext(tenant, name);
}

Result<std::string> ToolGateway::Impl::secretPlaintext(const std::string& tenant,
                                                       const std::string& name) {
  if (!secrets) return Status::failedPrecondition("no secrets key configured");
  WARD_ASSIGN_OR_RETURN(std::string sealed, options.tools->getSecret(tenant, name));
  const std::string context = tenant + "/" + name;
  {
    MutexLock lock(unsealed_mu);
    auto it = unsealed.find(context);
    if (it != unsealed.end() && it->second.sealed == sealed) return it->second.plain;
  }
  WARD_ASSIGN_OR_RETURN(std::string plain, secrets->unseal(sealed, context));
  MutexLock lock(unsealed_mu);
  if (unsealed.size() >= kMaxUnsealedSecrets) unsealed.clear();
  unsealed[context] = UnsealedSecret{std::move(sealed), plain};
  return plain;
}

}  // namespace ward::gateway
