// What every command works through: the data dir opened by the server module
// (include/ward/server/server_context.h), the server module's names the commands use, and the
// CLI's own error printing.
#pragma once

#include <string>
#include <vector>

#include "ward/common/status.h"
#include "ward/server/answer_wiring.h"
#include "ward/server/audit_retention.h"
#include "ward/server/index_follower.h"
#include "ward/server/mcp_wiring.h"
#include "ward/server/server_context.h"

namespace ward::cli {

using CliContext = server::ServerContext;
using server::applyAuditRetention;
using server::IndexFollower;
using server::indexFollowInterval;
using server::isLoopbackListen;
using server::openAnswerService;
using server::openConfiguredToolStore;
using server::openMcpServer;
using server::RetentionLoop;

// Prints "error: <message>" to stderr and returns the exit code for a failed command.
int fail(const Status& status);
// Splits "a,b,c" (empty parts dropped).
std::vector<std::string> splitList(const std::string& s);

}  // namespace ward::cli
