#include <cstdlib>
#include <iostream>

#include "commands.h"

namespace ward::cli {

int runCli(int argc, char** argv) {
  CLI::App app{"ward: permission-aware knowledge, fenced tools and audit-grade traces for AI "
               "products"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every subcommand");
  CliContext ctx;
  const char* env = std::getenv("WARD_DATA");
  ctx.data_dir = env && *env ? env : "./ward-data";
  app.add_option("--data", ctx.data_dir, "Data directory (default $WARD_DATA or ./ward-data)");

  CommandSlot slot;
  using Registration = void (*)(CLI::App&, CliContext&, CommandSlot&);
  static const Registration kCommands[] = {
      registerAdminCommands, registerIngestCommands, registerSearchCommands,
      registerEvalCommands,  registerServeCommand,   registerAuditCommands,
      registerTraceCommands, registerRedactCommand,  registerToolsCommands,
      registerApprovalCommands,
      registerRoleCommands,
      registerAgentCommands,
      registerMcpCommand,
      registerAuditEraseCommands,
      registerUpstreamCommands,
  };
  for (Registration r : kCommands) r(app, ctx, slot);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!slot.run) return 0;
  try {
    return slot.run();
  } catch (const std::exception& e) {
    std::cerr << "error: internal: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace ward::cli
