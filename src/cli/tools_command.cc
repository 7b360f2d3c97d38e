// tools, grants, mode, secrets: the gateway's registry and policy from the command line.
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "ward/common/yaml.h"
#include "ward/gateway/json_schema.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::cli {

namespace {

// Opens the data dir and the gateway, or prints the error; returns null on failure.
gateway::ToolGateway* openGateway(CliContext& ctx, int* code) {
  Status s = ctx.open();
  if (!s.ok()) {
    *code = fail(s);
    return nullptr;
  }
  auto gw = ctx.gateway();
  if (!gw.ok()) {
    *code = fail(gw.status());
    return nullptr;
  }
  return *gw;
}

int printJson(const Result<Json>& r) {
  if (!r.ok()) return fail(r.status());
  std::cout << r->dump(2) << "\n";
  return 0;
}

// A gateway's typed result, printed as the JSON the REST API answers.
template <typename T>
int printView(const Result<T>& r) {
  if (!r.ok()) return printJson(r.status());
  return printJson(r->toJson());
}

// `tools call --explain`: every rule of the tool's input schema that `args` breaks, on stderr
// (the version named, else the newest listed).
void explainArgs(gateway::ToolGateway* gw, const std::string& tenant, const std::string& name,
                 const std::string& version, const Json& args) {
  auto listed = gw->listTools(tenant, name);
  if (!listed.ok() || listed->tools.empty()) return;
  const gateway::ToolVersionView* chosen = nullptr;
  for (const gateway::ToolVersionView& v : listed->tools[0].versions) {
    if (version.empty() || v.record.version == version) chosen = &v;
  }
  if (chosen == nullptr || !chosen->definition) return;
  const gateway::ToolDefinition& def = *chosen->definition;
  auto schema =
      gateway::JsonSchema::compile(def.input_schema, "input_schema", gateway::schemaOptionsOf(def));
  if (!schema.ok()) return;
  for (const auto& v : (*schema)->explain(args)) {
    std::cerr << "  " << (v.instance_pointer.empty() ? "/" : v.instance_pointer) << ": "
              << v.message << " (" << v.rule << " at " << v.schema_pointer << ")\n";
  }
}

// A tool definition file: YAML when named *.yaml or *.yml, JSON otherwise.
Result<Json> readDefinitionFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::notFound("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  const bool yaml = path.ends_with(".yaml") || path.ends_with(".yml");
  auto j = yaml ? parseYaml(ss.str()) : parseJson(ss.str());
  if (!j.ok()) return Status::invalidArgument(path + ": " + j.status().message());
  return j;
}

}  // namespace

void onGateway(CLI::App* cmd, CliContext& ctx, CommandSlot& slot,
               std::function<int(gateway::ToolGateway*)> body) {
  cmd->callback([&ctx, &slot, body] {
    slot.run = [&ctx, body] {
      int code = 0;
      gateway::ToolGateway* gw = openGateway(ctx, &code);
      return gw ? body(gw) : code;
    };
  });
}

void registerToolsCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* tools = app.add_subcommand("tools", "Tool registry and calls through the gateway");
  tools->require_subcommand(1);

  auto* add =
      tools->add_subcommand("add", "Add tool definitions from JSON or YAML (.yaml/.yml) files");
  static std::vector<std::string> files;
  static bool upstream = false;
  add->add_option("FILE", files, "Tool definition files (docs/formats/tool-definition.md)")
      ->required();
  add->add_flag("--upstream", upstream,
                "Treat as coming from an upstream (a changed pinned version is quarantined)");
  onGateway(add, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    for (const std::string& f : files) {
      auto def = readDefinitionFile(f);
      if (!def.ok()) return fail(def.status());
      auto out = gw->addTool(ctx.tenant(), *def, upstream);
      if (!out.ok()) return fail(Status(out.status().code(), f + ": " + out.status().message()));
      std::cout << store::toolPutOutcomeName(out->outcome) << " " << out->tool << "@"
                << out->version << " sha256:" << out->hash.substr(0, 16) << "\n";
    }
    return 0;
  });

  auto* list = tools->add_subcommand("list", "List tools and their versions");
  static bool list_json = false;
  list->add_flag("--json", list_json, "Print JSON");
  onGateway(list, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    auto out = gw->listTools(ctx.tenant(), "");
    if (!out.ok() || list_json) return printView(out);
    for (const gateway::ToolVersions& t : out->tools) {
      for (const gateway::ToolVersionView& v : t.versions) {
        const gateway::ToolDefinition* d = v.definition ? &*v.definition : nullptr;
        std::cout << t.name << "@" << v.record.version << "\t"
                  << (d ? std::string(gateway::riskName(d->risk)) : "?") << "\t"
                  << (d ? d->backend.type : "?") << (v.deprecated() ? "\tdeprecated" : "")
                  << (v.record.pinned_hash.empty() ? "" : "\tpinned")
                  << (v.record.quarantined ? "\tQUARANTINED" : "") << "\n";
      }
    }
    return 0;
  });

  auto* call = tools->add_subcommand("call", "Call a tool as a principal (the full stage chain)");
  static std::string c_name, c_as, c_agent, c_args = "{}", c_key, c_version;
  static int64_t c_wait = 0;
  static bool c_explain = false;
  call->add_option("NAME", c_name, "Tool name")->required();
  call->add_option("--as", c_as, "The principal whose call it is")->required();
  call->add_option("--agent", c_agent, "The agent acting for it");
  call->add_option("--args", c_args, "Arguments as a JSON object");
  call->add_option("--idempotency-key", c_key, "Required for write and destructive tools");
  call->add_option("--version", c_version, "Tool version (default: newest not deprecated)");
  call->add_option("--wait", c_wait, "Seconds to wait for an approval decision");
  call->add_flag("--explain", c_explain, "On invalid args, list every failing schema rule");
  onGateway(call, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    gateway::CallRequest req;
    auto who = ctx.principal(c_as);
    if (!who.ok()) return fail(who.status());
    req.principal = *who;
    if (!c_agent.empty()) {
      auto agent = ctx.principal(c_agent);
      if (!agent.ok()) return fail(agent.status());
      req.agent = *agent;
    }
    auto args = parseJson(c_args);
    if (!args.ok()) return fail(Status::invalidArgument("--args: " + args.status().message()));
    req.tool = c_name;
    req.version = c_version;
    req.args = *args;
    req.idempotency_key = c_key;
    req.wait_s = c_wait;
    req.trace = trace::TraceContext::generate();
    auto result = gw->call(std::move(req));
    if (c_explain && result.status().code() == StatusCode::kInvalidArgument) {
      explainArgs(gw, ctx.tenant(), c_name, c_version, *args);
    }
    return printJson(result);
  });

  static std::string v_name, v_version;
  static bool v_off = false;
  auto versionCommand = [&](const char* name, const char* help, const char* off_help, int op) {
    auto* cmd = tools->add_subcommand(name, help);
    cmd->add_option("NAME", v_name, "Tool name")->required();
    cmd->add_option("VERSION", v_version, "Tool version")->required();
    if (off_help) cmd->add_flag("--off", v_off, off_help);
    onGateway(cmd, ctx, slot, [&ctx, op](gateway::ToolGateway* gw) {
      Status s = op == 0   ? gw->deprecateTool(ctx.tenant(), v_name, v_version, !v_off)
                 : op == 1 ? gw->pinTool(ctx.tenant(), v_name, v_version, !v_off)
                           : gw->approveDefinition(ctx.tenant(), v_name, v_version);
      if (!s.ok()) return fail(s);
      std::cout << "ok " << v_name << "@" << v_version << "\n";
      return 0;
    });
  };
  versionCommand("deprecate", "Mark a tool version deprecated (calls warn)", "Undo", 0);
  versionCommand("pin", "Pin a tool version's canonical hash", "Unpin", 1);
  versionCommand("approve-definition", "Accept a quarantined changed definition", nullptr, 2);

  // --- grants ---
  auto* grants = app.add_subcommand("grants", "Who may call which tool (deny by default)");
  grants->require_subcommand(1);
  auto* gadd = grants->add_subcommand("add", "Grant a tool to a principal, group or agent");
  static std::string g_tool, g_principal, g_group, g_agent, g_constraints;
  gadd->add_option("--tool", g_tool, "Tool name, or * for every tool")->required();
  auto* gp = gadd->add_option("--principal", g_principal, "A user or service account");
  auto* gg = gadd->add_option("--group", g_group, "A group (members transitively)");
  auto* ga = gadd->add_option("--agent", g_agent, "An agent");
  static bool g_all_users = false;
  auto* gu = gadd->add_flag("--all-users", g_all_users,
                            "Every user and service account of the tenant (not agents)");
  gp->excludes(gg)->excludes(ga)->excludes(gu);
  gg->excludes(ga)->excludes(gu);
  ga->excludes(gu);
  gadd->add_option("--constraints", g_constraints,
                   "JSON {\"amount\":{\"max\":100},\"currency\":{\"enum\":[\"EUR\"]}}");
  onGateway(gadd, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    Json grant = {{"tool", g_tool}};
    if (!g_principal.empty())
      grant.update({{"subject_kind", "principal"}, {"subject", g_principal}});
    else if (!g_group.empty())
      grant.update({{"subject_kind", "group"}, {"subject", g_group}});
    else if (!g_agent.empty())
      grant.update({{"subject_kind", "agent"}, {"subject", g_agent}});
    else if (g_all_users)
      grant.update({{"subject_kind", "users"}, {"subject", "*"}});
    else
      return fail(
          Status::invalidArgument("one of --principal, --group, --agent, --all-users is required"));
    if (!g_constraints.empty()) {
      auto c = parseJson(g_constraints);
      if (!c.ok()) return fail(Status::invalidArgument("--constraints: " + c.status().message()));
      grant["constraints"] = *c;
    }
    auto added = gw->addGrant(ctx.tenant(), grant, "cli");
    if (!added.ok()) return printJson(added.status());
    return printJson(added->toAddedJson());
  });
  auto* glist = grants->add_subcommand("list", "List grants");
  onGateway(glist, ctx, slot,
            [&ctx](gateway::ToolGateway* gw) { return printView(gw->listGrants(ctx.tenant())); });
  auto* grm = grants->add_subcommand("rm", "Remove a grant");
  static int64_t g_id = 0;
  grm->add_option("ID", g_id, "Grant id")->required();
  onGateway(grm, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    Status s = gw->deleteGrant(ctx.tenant(), g_id);
    if (!s.ok()) return fail(s);
    std::cout << "removed grant " << g_id << "\n";
    return 0;
  });

  // --- delegations ---
  auto* dels = app.add_subcommand("delegations", "Which agents may call tools for which users");
  dels->require_subcommand(1);
  static std::string d_user, d_agent;
  // The CLI acts as the tenant's administrator.
  auto cliAdmin = [&ctx] {
    identity::Principal p;
    p.tenant = ctx.tenant();
    p.name = "cli";
    p.admin = true;
    return p;
  };
  auto* dadd = dels->add_subcommand("add", "Let AGENT call tools on USER's behalf");
  dadd->add_option("USER", d_user, "A user or service account")->required();
  dadd->add_option("AGENT", d_agent, "An agent")->required();
  onGateway(dadd, ctx, slot, [&ctx, cliAdmin](gateway::ToolGateway* gw) {
    return printView(gw->addDelegation(cliAdmin(), Json{{"user", d_user}, {"agent", d_agent}}));
  });
  auto* dlist = dels->add_subcommand("list", "List delegations");
  onGateway(dlist, ctx, slot, [&ctx, cliAdmin](gateway::ToolGateway* gw) {
    return printView(gw->listDelegations(cliAdmin()));
  });
  auto* drm = dels->add_subcommand("rm", "Withdraw AGENT's right to act for USER");
  drm->add_option("USER", d_user, "A user or service account")->required();
  drm->add_option("AGENT", d_agent, "An agent")->required();
  onGateway(drm, ctx, slot, [&ctx, cliAdmin](gateway::ToolGateway* gw) {
    Status s = gw->deleteDelegation(cliAdmin(), d_user, d_agent);
    if (!s.ok()) return fail(s);
    std::cout << "removed delegation " << d_user << " -> " << d_agent << "\n";
    return 0;
  });

  // --- mode ---
  auto* mode = app.add_subcommand("mode", "Read-only switches (server, tenant, agent)");
  mode->require_subcommand(1);
  auto* ro = mode->add_subcommand("read-only", "Turn read-only on or off");
  static std::string m_state, m_tenant, m_agent;
  ro->add_option("STATE", m_state, "on | off")->required()->check(CLI::IsMember({"on", "off"}));
  auto* mt = ro->add_option("--tenant", m_tenant, "A tenant (default: the whole server)");
  auto* ma = ro->add_option("--agent", m_agent, "An agent of the configured tenant");
  mt->excludes(ma);
  onGateway(ro, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    const bool on = m_state == "on";
    using store::ModeScope;
    const ModeScope scope = !m_agent.empty()    ? ModeScope::kAgent
                            : !m_tenant.empty() ? ModeScope::kTenant
                                                : ModeScope::kServer;
    std::string tenant = m_tenant.empty() ? ctx.tenant() : m_tenant;
    identity::Principal cli_operator;  // a server admin (identity/roles.h)
    cli_operator.tenant = ctx.tenant();
    cli_operator.name = "cli";
    cli_operator.admin = true;
    Status s = gw->setReadOnly(scope, tenant, m_agent, on, cli_operator);
    if (!s.ok()) return fail(s);
    std::cout << "read-only " << m_state << " for " << store::toString(scope)
              << (scope == ModeScope::kAgent    ? " " + m_agent
                  : scope == ModeScope::kTenant ? " " + tenant
                                                : "")
              << "\n";
    return 0;
  });
  auto* mlist = mode->add_subcommand("list", "Show the read-only switches");
  onGateway(mlist, ctx, slot,
            [&ctx](gateway::ToolGateway* gw) { return printView(gw->listModes(ctx.tenant())); });

  // --- secrets ---
  auto* secrets = app.add_subcommand("secrets", "Tenant service-account secrets for backends");
  secrets->require_subcommand(1);
  auto* sset = secrets->add_subcommand("set", "Store a secret encrypted (value read from stdin)");
  static std::string s_name;
  sset->add_option("NAME", s_name, "Secret name (used in backend.auth.secret)")->required();
  onGateway(sset, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    std::string value;
    std::getline(std::cin, value);
    Status s = gw->putSecret(ctx.tenant(), s_name, value);
    if (!s.ok()) return fail(s);
    std::cout << "stored secret " << s_name << "\n";
    return 0;
  });
  auto* sdel = secrets->add_subcommand("delete", "Delete a stored secret");
  static std::string d_secret;
  sdel->add_option("NAME", d_secret, "Secret name")->required();
  onGateway(sdel, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    Status s = gw->deleteSecret(ctx.tenant(), d_secret);
    if (!s.ok()) return fail(s);
    std::cout << "deleted secret " << d_secret << "\n";
    return 0;
  });
  auto* slist = secrets->add_subcommand("list", "List secret names (never values)");
  onGateway(slist, ctx, slot,
            [&ctx](gateway::ToolGateway* gw) { return printView(gw->listSecrets(ctx.tenant())); });
}

void registerApprovalCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* approvals = app.add_subcommand("approvals", "Parked tool calls awaiting a reviewer");
  approvals->require_subcommand(1);
  auto* list = approvals->add_subcommand("list", "List approvals (pending by default)");
  static std::string a_state = "pending", a_as = "admin";
  list->add_option("--state", a_state, "pending, executed, denied, expired, ... ('' = all)");
  list->add_option("--as", a_as, "View as this principal (default admin)");
  onGateway(list, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    auto who = ctx.principal(a_as);
    if (!who.ok()) return fail(who.status());
    auto state = gateway::approvalStateFilter(a_state);
    if (!state.ok()) return printJson(state.status());
    return printView(gw->listApprovals(*who, *state));
  });
  auto* show = approvals->add_subcommand("show", "Show one approval");
  static std::string d_id, d_as, d_comment;
  show->add_option("ID", d_id, "Approval id")->required();
  show->add_option("--as", a_as, "View as this principal (default admin)");
  onGateway(show, ctx, slot, [&ctx](gateway::ToolGateway* gw) {
    auto who = ctx.principal(a_as);
    if (!who.ok()) return fail(who.status());
    return printView(gw->getApproval(*who, d_id, 0));
  });
  for (bool approve : {true, false}) {
    auto* cmd =
        approvals->add_subcommand(approve ? "approve" : "deny",
                                  approve ? "Approve a call (it runs once, now)" : "Deny a call");
    cmd->add_option("ID", d_id, "Approval id")->required();
    cmd->add_option("--as", d_as, "The reviewer (admin or member of 'approvers')")->required();
    cmd->add_option("--comment", d_comment, "Why");
    onGateway(cmd, ctx, slot, [&ctx, approve](gateway::ToolGateway* gw) {
      auto who = ctx.principal(d_as);
      if (!who.ok()) return fail(who.status());
      gateway::Decision d;
      d.approval_id = d_id;
      d.approve = approve;
      d.comment = d_comment;
      return printView(gw->decide(*who, d));
    });
  }
}

}  // namespace ward::cli
