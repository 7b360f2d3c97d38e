// ward agent scope add | rm | list: an agent's document scope (identity/document_scope.h), the
// sources, groups and tags whose documents it may read, alone or for a user. An agent without
// scope entries reads nothing. Each change is recorded as an `admin_change` trace event.
#include <iostream>

#include "commands.h"
#include "ward/identity/document_scope.h"

namespace ward::cli {

namespace {

struct ScopeArgs {
  std::string agent, source, group, tag;
};

// Exactly one of --source, --group, --tag.
Result<identity::ScopeEntry> entryOf(const ScopeArgs& a) {
  int given = !a.source.empty() + !a.group.empty() + !a.tag.empty();
  if (given != 1) return Status::invalidArgument("give exactly one of --source, --group, --tag");
  identity::ScopeEntry e;
  if (!a.source.empty()) e = {identity::ScopeKind::kSource, a.source};
  if (!a.group.empty()) e = {identity::ScopeKind::kGroup, a.group};
  if (!a.tag.empty()) e = {identity::ScopeKind::kTag, a.tag};
  WARD_RETURN_IF_ERROR(identity::validateScopeEntry(e));
  return e;
}

int printScope(CliContext& ctx, const std::string& agent) {
  auto rec = ctx.store().findPrincipal(ctx.tenant(), agent);
  if (!rec.ok()) return fail(rec.status());
  if (rec->kind != identity::PrincipalKind::kAgent) {
    return fail(
        Status::invalidArgument("'" + agent + "' is not an agent: only agents have a scope"));
  }
  auto scope = ctx.store().agentScope(ctx.tenant(), agent);
  if (!scope.ok()) return fail(scope.status());
  if (scope->empty())
    std::cout << "agent " << agent << " has no document scope: it reads nothing\n";
  for (const identity::ScopeEntry& e : *scope) {
    std::cout << identity::scopeKindName(e.kind) << "\t" << e.value << "\n";
  }
  return 0;
}

int runChange(CliContext& ctx, const ScopeArgs& a, bool add) {
  auto entry = entryOf(a);
  if (!entry.ok()) return fail(entry.status());
  Status s = ctx.open();
  if (!s.ok()) return fail(s);
  s = add ? ctx.store().addScopeEntry(ctx.tenant(), a.agent, *entry, "cli")
          : ctx.store().removeScopeEntry(ctx.tenant(), a.agent, *entry);
  if (!s.ok()) return fail(s);
  s = ctx.recordAdminChange(add ? "agent_scope_add" : "agent_scope_remove",
                            {{"subject", a.agent},
                             {"scope_kind", std::string(identity::scopeKindName(entry->kind))},
                             {"value", entry->value}});
  if (!s.ok()) return fail(s);
  return printScope(ctx, a.agent);
}

void addEntryOptions(CLI::App* cmd, ScopeArgs& a) {
  cmd->add_option("AGENT", a.agent, "The agent")->required();
  cmd->add_option("--source", a.source, "Every document of this source");
  cmd->add_option("--group", a.group, "Documents whose ACL names this group");
  cmd->add_option("--tag", a.tag, "Documents whose metadata has KEY=VALUE");
}

}  // namespace

void registerAgentCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* agent = app.add_subcommand("agent", "Agent settings: the documents an agent may read");
  agent->require_subcommand(1);
  auto* scope = agent->add_subcommand(
      "scope", "An agent's document scope (it reads only documents inside it, also for a user)");
  scope->require_subcommand(1);
  static ScopeArgs args;
  auto* add = scope->add_subcommand("add", "Add a source, group or tag to AGENT's scope");
  addEntryOptions(add, args);
  add->callback([&ctx, &slot] { slot.run = [&ctx] { return runChange(ctx, args, true); }; });
  auto* rm = scope->add_subcommand("rm", "Remove a source, group or tag from AGENT's scope");
  addEntryOptions(rm, args);
  rm->callback([&ctx, &slot] { slot.run = [&ctx] { return runChange(ctx, args, false); }; });
  auto* list = scope->add_subcommand("list", "Show AGENT's scope");
  list->add_option("AGENT", args.agent, "The agent")->required();
  list->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      return printScope(ctx, args.agent);
    };
  });
}

}  // namespace ward::cli
