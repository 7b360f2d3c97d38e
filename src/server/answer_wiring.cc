// The answer loop's wiring; the contract is in include/ward/server/answer_wiring.h.
#include "ward/server/answer_wiring.h"

#include "ward/answer/answer_config.h"

namespace ward::server {

// The model path (and the gateway, for the model's tool calls) only when a model is asked for.
Result<std::unique_ptr<answer::AnswerService>> openAnswerService(ServerContext& ctx,
                                                                 bool with_models) {
  answer::AnswerServiceOptions options;
  options.store = &ctx.store();
  options.search = &ctx.search();
  options.traces = &ctx.traces();
  WARD_ASSIGN_OR_RETURN(options.config, answer::loadAnswerConfig(ctx.configPath()));
  if (with_models) {
    WARD_ASSIGN_OR_RETURN(options.models, ctx.models());
    WARD_ASSIGN_OR_RETURN(options.gateway, ctx.gateway());
  }
  return std::make_unique<answer::AnswerService>(std::move(options));
}

}  // namespace ward::server
