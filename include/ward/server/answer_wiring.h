// The answer loop over a data dir: shared by `ward ask`, `ward mcp`, `ward eval` and `ward serve`.
#pragma once

#include <memory>

#include "ward/answer/answer_service.h"
#include "ward/server/server_context.h"

namespace ward::server {

// The answer loop over the context's store, search and traces, with [answer] of ward.toml;
// `with_models` adds the [[models]] and the gateway (for the model's tool calls). After
// ctx.open().
Result<std::unique_ptr<answer::AnswerService>> openAnswerService(ServerContext& ctx,
                                                                 bool with_models);

}  // namespace ward::server
