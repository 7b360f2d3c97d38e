#include "stages.h"

namespace ward::gateway {

StageResult OutputStage::run(CallContext& call) {
  if (call.tool->output) {
    Status st = call.tool->output->validate(call.result, "output");
    if (!st.ok()) {
      // Never pass a contract violation on: the caller gets an error naming the field.
      call.reason = "backend output violates the output schema";
      return StageResult::reject(Status::internal("tool '" + call.tool->definition.name +
                                                  "' returned output that violates its output "
                                                  "schema: " +
                                                  st.message()));
    }
  }
  if (redactor_ != nullptr) redactor_->redactJson(call.result);
  return StageResult::next();
}

}  // namespace ward::gateway
