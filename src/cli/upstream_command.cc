// ward upstream list|sync|show|approve-prompt: the upstream MCP servers of ward.toml, their
// imported tools and pinned prompts.
#include <iostream>

#include "commands.h"
#include "ward/gateway/tool_gateway.h"

namespace ward::cli {

namespace {

Result<gateway::ToolGateway*> openUpstreams(CliContext& ctx) {
  WARD_RETURN_IF_ERROR(ctx.open());
  return ctx.gateway();
}

int printSync(const Json& report) {
  std::cout << "upstream " << report["upstream"].get<std::string>()
            << (report["first_import"].get<bool>() ? " (first import: tool set pinned)" : "")
            << "\n";
  for (const Json& t : report["tools"]) {
    std::cout << "  " << t["outcome"].get<std::string>() << " " << t["tool"].get<std::string>()
              << "\n";
  }
  for (const Json& s : report["skipped"]) {
    std::cout << "  skipped " << s["tool"].get<std::string>() << ": "
              << s["reason"].get<std::string>() << "\n";
  }
  return 0;
}

}  // namespace

void registerUpstreamCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* up = app.add_subcommand("upstream", "Upstream MCP servers (ward.toml [[upstreams]])");
  up->require_subcommand(1);

  auto* list = up->add_subcommand("list", "List upstreams and their imported tools");
  static bool list_json = false;
  list->add_flag("--json", list_json, "Print JSON");
  list->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      auto gw = openUpstreams(ctx);
      if (!gw.ok()) return fail(gw.status());
      auto out = (*gw)->listUpstreams(ctx.tenant());
      if (!out.ok()) return fail(out.status());
      if (list_json) {
        std::cout << out->dump(2) << "\n";
        return 0;
      }
      for (const Json& u : (*out)["upstreams"]) {
        int quarantined = 0;
        for (const Json& t : u["tools"]) quarantined += t["quarantined"].get<bool>() ? 1 : 0;
        std::cout << u["name"].get<std::string>() << "\t" << u["transport"].get<std::string>()
                  << "\t" << (u["trusted"].get<bool>() ? "trusted" : "untrusted") << "\t"
                  << u["tools"].size() << " tools";
        if (quarantined > 0) std::cout << ", " << quarantined << " quarantined";
        std::cout << "\n";
      }
      return 0;
    };
  });

  auto* sync = up->add_subcommand(
      "sync", "Connect, list tools and import them (pinned); quarantine changes since the pin");
  static std::vector<std::string> sync_names;
  sync->add_option("NAME", sync_names, "Upstreams to sync (default: all)");
  sync->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      auto gw = openUpstreams(ctx);
      if (!gw.ok()) return fail(gw.status());
      std::vector<std::string> names = sync_names;
      if (names.empty() && ctx.upstreams() != nullptr) names = ctx.upstreams()->names();
      if (names.empty()) return fail(Status::notFound("no upstreams in ward.toml"));
      int code = 0;
      for (const std::string& n : names) {
        auto report = (*gw)->syncUpstream(ctx.tenant(), n);
        if (!report.ok()) {
          code = fail(report.status());  // the others are still synced
          continue;
        }
        printSync(*report);
      }
      return code;
    };
  });

  auto* show = up->add_subcommand("show", "Connection state and tools of one upstream");
  static std::string show_name;
  show->add_option("NAME", show_name, "Upstream name")->required();
  show->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      auto gw = openUpstreams(ctx);
      if (!gw.ok()) return fail(gw.status());
      auto out = (*gw)->listUpstreams(ctx.tenant());
      if (!out.ok()) return fail(out.status());
      for (const Json& u : (*out)["upstreams"]) {
        if (u["name"] == show_name) {
          std::cout << u.dump(2) << "\n";
          return 0;
        }
      }
      return fail(Status::notFound("no upstream '" + show_name + "' in ward.toml"));
    };
  });

  auto* approve = up->add_subcommand(
      "approve-prompt", "Pin the pending (changed or added) definition of an upstream prompt");
  static std::string approve_name;
  approve->add_option("PROMPT", approve_name, "<upstream>.<prompt>, as MCP clients see it")
      ->required();
  static std::string approve_hash;
  approve->add_option("--hash", approve_hash,
                      "the pending_hash you reviewed (ward upstream show): refused if the "
                      "pending definition has changed since");
  approve->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      auto gw = openUpstreams(ctx);
      if (!gw.ok()) return fail(gw.status());
      const size_t dot = approve_name.find('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == approve_name.size()) {
        return fail(Status::invalidArgument("PROMPT must be <upstream>.<prompt>"));
      }
      const std::string upstream = approve_name.substr(0, dot);
      const std::string prompt = approve_name.substr(dot + 1);
      Status st = (*gw)->approveUpstreamPrompt(ctx.tenant(), upstream, prompt,
                                               approve_hash);  // recorded
      if (!st.ok()) return fail(st);
      std::cout << "approved " << approve_name << "\n";
      return 0;
    };
  });
}

}  // namespace ward::cli
