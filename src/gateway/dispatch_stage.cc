#include "stages.h"

namespace ward::gateway {

void DispatchStage::registerExecutor(std::unique_ptr<Executor> executor) {
  std::string type(executor->type());
  executors_[type] = std::move(executor);
}

StageResult DispatchStage::run(CallContext& call) {
  const std::string& type = call.tool->definition.backend.type;
  auto it = executors_.find(type);
  if (it == executors_.end()) {
    return StageResult::reject(Status::unavailable("no executor for backend type '" + type + "'"));
  }
  auto out = it->second->execute(call);
  if (!out.ok()) {
    call.reason = out.status().message();
    return StageResult::reject(out.status());
  }
  call.result = std::move(*out);
  return StageResult::next();
}

}  // namespace ward::gateway
