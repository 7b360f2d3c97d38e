#include "stages.h"

namespace ward::gateway {

StageResult ValidateStage::run(CallContext& call) {
  const Json& args = call.request.args;
  if (!args.is_object()) {
    return StageResult::reject(Status::invalidArgument("field 'args' must be a JSON object"));
  }
  const size_t size = dumpJson(args).size();
  if (size > max_args_bytes_) {
    return StageResult::reject(Status::invalidArgument(
        "field 'args' is " + std::to_string(size) + " bytes, more than gateway.max_args_bytes (" +
        std::to_string(max_args_bytes_) + ")"));
  }
  Status st = call.tool->input->validate(args, "args");
  if (!st.ok()) {
    call.reason = st.message();
    return StageResult::reject(std::move(st));
  }
  return StageResult::next();
}

}  // namespace ward::gateway
