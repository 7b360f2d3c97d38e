// Each file registers its subcommands on the app; main.cc lists the registrations in one table.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "cli_context.h"
#include "ward/answer/answer_service.h"

namespace ward::cli {

// A registered command sets `run` to what it does; main calls it after parsing.
struct CommandSlot {
  std::function<int()> run;
};

void registerAdminCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerIngestCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerSearchCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerEvalCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerServeCommand(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerRedactCommand(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerAuditCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerTraceCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerToolsCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
// After registerToolsCommands: adds `tools test` and `tools diff` (tool_contract_commands.cc).
void registerToolContractCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
// Sets `cmd` to open the data dir and the gateway, then run `body` with it (or fail with the
// reason it could not be opened). (tools_command.cc)
void onGateway(CLI::App* cmd, CliContext& ctx, CommandSlot& slot,
               std::function<int(gateway::ToolGateway*)> body);
void registerApprovalCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerRoleCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerAgentCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerMcpCommand(CLI::App& app, CliContext& ctx, CommandSlot& slot);
// After registerAuditCommands: adds `audit erase` and `audit retention`.
void registerAuditEraseCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
void registerUpstreamCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);
// `ask` and `prompts` (ask_command.cc).
void registerAskCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot);

// Runs the whole CLI; returns the process exit code.
int runCli(int argc, char** argv);

}  // namespace ward::cli
