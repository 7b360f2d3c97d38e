// What the trace-reading commands share (trace_command.cc, replay_command.cc): the reader
// (--as NAME, or the local operator "cli", an admin of the configured tenant), the data dir
// opened with the trace service, and the --as/--json options.
#pragma once

#include <functional>
#include <string>

#include "commands.h"

namespace ward::cli {

struct ReadOptions {
  std::string as;
  bool json = false;
};

// The reader: --as NAME, or the local operator.
Result<identity::Principal> reader(CliContext& ctx, const std::string& as);

// Opens the data dir and runs `fn` with the service and this command's access.
int withService(CliContext& ctx, const std::string& as,
                const std::function<int(audit::TraceService&, const audit::TraceAccess&)>& fn);

void addReadOptions(CLI::App* cmd, ReadOptions& o);

// `ward replay` (replay_command.cc), registered with the trace commands.
void registerReplayCommand(CLI::App& app, CliContext& ctx, CommandSlot& slot);

}  // namespace ward::cli
