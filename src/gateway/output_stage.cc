#include "stages.h"

namespace ward::gateway {

StageResult OutputStage::run(CallContext& call) {
  if (call.tool->output) {
    Status st = call.tool->output->validate(call.result, "output");
    if (!st.ok()) {
      // Never pass a contract violation on: the caller gets an error naming the field.
      call.reason = "backend output violates the output schema";
      // The message quotes names from the backend's answer: redacted like the answer itself.
      std::string why = redactor_ != nullptr ? redactor_->redactText(st.message()) : st.message();
      return StageResult::reject(Status::internal("tool '" + call.tool->definition.name +
                                                  "' returned output that violates its output "
                                                  "schema: " +
                                                  why));
    }
  }
  if (redactor_ != nullptr) redactor_->redactJson(call.result);
  return StageResult::next();
}

}  // namespace ward::gateway
