#include <cstdlib>
#include <iostream>

#include "commands.h"

namespace ward::cli {

namespace {

// An unknown command or a stray argument: exit 2, as InvalidArgument (cli.md "Exit codes").
constexpr int kUsageExitCode = 2;

// The deepest subcommand the parser entered ("" path parts for the app itself).
const CLI::App* deepestParsed(const CLI::App& app, std::string* path) {
  for (const CLI::App* sub : app.get_subcommands()) {
    *path += " " + sub->get_name();
    return deepestParsed(*sub, path);
  }
  return &app;
}

// CLI11 answers `ward no-such --help` with the parent's help and exit 0, and `ward no-such`
// with "A subcommand is required": a word that names no command must be an error naming it.
// Returns the exit code when `app` was left with such a word, else -1.
int refuseUnknownCommand(const CLI::App& app) {
  const std::vector<std::string> rest = app.remaining(true);
  if (rest.empty()) return -1;
  std::string path = "ward";
  const CLI::App* at = deepestParsed(app, &path);
  const bool has_commands = !at->get_subcommands({}).empty();
  std::cerr << "error: " << (has_commands ? "unknown command '" : "unexpected argument '")
            << rest.front() << "' for '" << path << "' (see '" << path << " --help')\n";
  return kUsageExitCode;
}

}  // namespace

// `sync`, `sources` and `jobs` (sync_command.cc).
void registerSyncCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
// `migrate` (migrate_command.cc).
void registerMigrateCommand(CLI::App& app, CliContext& ctx, CommandSlot& slot);

int runCli(int argc, char** argv) {
  CLI::App app{
      "ward: permission-aware knowledge, fenced tools and audit-grade traces for AI "
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
      registerAdminCommands,    registerIngestCommands,       registerSearchCommands,
      registerEvalCommands,     registerServeCommand,         registerAuditCommands,
      registerTraceCommands,    registerRedactCommand,        registerToolsCommands,
      registerApprovalCommands, registerRoleCommands,         registerAgentCommands,
      registerMcpCommand,       registerAuditEraseCommands,   registerUpstreamCommands,
      registerAskCommands,      registerToolContractCommands, registerSyncCommands,
      registerMigrateCommand,
  };
  for (Registration r : kCommands) r(app, ctx, slot);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help for a command that does not exist is not help: it is a mistyped command.
    const int unknown = refuseUnknownCommand(app);
    if (unknown >= 0) return unknown;
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
