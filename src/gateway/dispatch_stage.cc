#include "stages.h"

namespace ward::gateway {

namespace {

// The decision of a call its executor failed (docs/design/gateway.md "Decisions recorded").
// Never `conflict`: that value means an idempotency key reused with other arguments.
CallDecision backendDecision(const CallContext& call, const Status& st) {
  if (call.backend_error) return CallDecision::kBackendError;
  switch (st.code()) {
    case StatusCode::kUnavailable:
      return CallDecision::kBackendUnavailable;
    case StatusCode::kPermissionDenied:
      return CallDecision::kDenied;
    case StatusCode::kInvalidArgument:
      return CallDecision::kInvalid;
    default:
      return CallDecision::kFailed;
  }
}

}  // namespace

void DispatchStage::registerExecutor(std::unique_ptr<Executor> executor) {
  std::string type(executor->type());
  executors_[type] = std::move(executor);
}

StageResult DispatchStage::run(CallContext& call) {
  if (call.request.recorded_result) {
    call.result = *call.request.recorded_result;
    return StageResult::next();
  }
  const std::string& type = call.tool->definition.backend.type;
  auto it = executors_.find(type);
  if (it == executors_.end()) {
    return StageResult::reject(Status::unavailable("no executor for backend type '" + type + "'"));
  }
  auto out = it->second->execute(call);
  if (!out.ok()) {
    // A backend's error text is data from outside: redacted here, before any copy is made.
    Status st = out.status();
    if (redactor_ != nullptr) st = Status(st.code(), redactor_->redactText(st.message()));
    call.decision = backendDecision(call, st);
    call.reason = st.message();
    return StageResult::reject(std::move(st));
  }
  call.result = std::move(*out);
  return StageResult::next();
}

}  // namespace ward::gateway
