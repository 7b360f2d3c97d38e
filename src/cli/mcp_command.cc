// ward mcp: Ward's MCP server over stdio for one principal (an API key, or --as for local use by
// whoever can read the data dir); the server's wiring is server::openMcpServer.
#include <iostream>

#include "commands.h"
#include "ward/answer/ask_tool.h"
#include "ward/identity/directory.h"

namespace ward::cli {

void registerMcpCommand(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("mcp", "Serve MCP over stdio (one JSON-RPC message per line)");
  static std::string as, key, agent;
  cmd->add_option("--as", as,
                  "Act as this principal (local use: anyone who can read the data dir)");
  cmd->add_option("--agent", agent,
                  "An agent acting for --as USER: it reads only what both may read (the agent's "
                  "document scope) and calls only tools both are granted");
  cmd->add_option("--key", key, "Authenticate with this API key (default $WARD_API_KEY)");
  cmd->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      const char* env = std::getenv("WARD_API_KEY");
      std::string presented = !key.empty() ? key : (env != nullptr ? env : "");
      if (as.empty() == presented.empty()) {
        return fail(Status::invalidArgument("give exactly one of --as USER or --key KEY"));
      }
      auto who =
          as.empty() ? identity::authenticateApiKey(ctx.store(), presented) : ctx.principal(as);
      if (!who.ok()) return fail(who.status());
      if (!agent.empty()) {
        if (as.empty()) return fail(Status::invalidArgument("--agent needs --as USER"));
        auto a = ctx.principal(agent);
        if (!a.ok()) return fail(a.status());
        who = identity::resolveActingFor(ctx.store(), *who, *a);
        if (!who.ok()) return fail(who.status());
      }
      auto server = openMcpServer(ctx, /*fixtures=*/false, /*loopback=*/false);
      if (!server.ok()) return fail(server.status());
      // The builtin `ask` runs the same answer loop as `ward ask` and `ward serve`.
      auto answers = openAnswerService(ctx, /*with_models=*/true);
      if (!answers.ok()) return fail(answers.status());
      auto gw = ctx.gateway();
      if (!gw.ok()) return fail(gw.status());
      (*gw)->registerBuiltin(answer::kAskToolName, answer::askToolHandler(**answers));
      // stdout carries only protocol messages; diagnostics go to stderr.
      std::ios::sync_with_stdio(false);
      Status st = (*server)->serveStdio(*who, std::cin, std::cout);
      return st.ok() ? 0 : fail(st);
    };
  });
}

}  // namespace ward::cli
