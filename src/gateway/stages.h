// The stages of the chain (stage.h), one class each, one .cc file each. Private to the gateway;
// tests reach them through the test target's include path.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "executor.h"
#include "rate_limiter.h"
#include "ward/common/clock.h"
#include "ward/common/config.h"
#include "ward/gateway/stage.h"
#include "ward/gateway/untrusted_gate.h"
#include "ward/store/tool_store.h"
#include "ward/trace/redactor.h"

namespace ward::gateway {

// Deny by default: the principal (directly or through a group) needs a grant for the tool whose
// constraints the arguments meet; an agent acting for it needs one too (the intersection).
class AuthorizeStage final : public Stage {
 public:
  std::string_view name() const override { return "authorize"; }
  StageResult run(CallContext& call) override;
};

// Checks one grant's constraints against arguments; "" when they hold, else why not.
std::string constraintViolation(const Json& constraints, const Json& args);
// Checks that constraints are well-formed ({"arg": {"max"|"min"|"enum": ...}}).
Status validateConstraints(const Json& constraints);
// Whether some grant for `tool` names this principal (directly, by group or as agent), whatever
// its constraints: what a tool listing shows (the call itself still checks the constraints).
bool hasGrantFor(const PolicySnapshot& policy, const identity::Principal& p,
                 const std::string& tool);

// Read-only switches (server, tenant, agent; agents without a row are read-only): write and
// destructive tools are refused.
class ModeStage final : public Stage {
 public:
  std::string_view name() const override { return "mode"; }
  StageResult run(CallContext& call) override;
};

// Arguments: a JSON object within the size limit, valid against the input schema.
class ValidateStage final : public Stage {
 public:
  explicit ValidateStage(size_t max_args_bytes) : max_args_bytes_(max_args_bytes) {}
  std::string_view name() const override { return "validate"; }
  StageResult run(CallContext& call) override;

 private:
  size_t max_args_bytes_;
};

// Token buckets per (tenant, tool), (tenant, principal), (tenant, principal, tool).
class RateLimitStage final : public Stage {
 public:
  explicit RateLimitStage(const Clock& clock) : limiter_(clock) {}
  std::string_view name() const override { return "rate_limit"; }
  StageResult run(CallContext& call) override;

 private:
  RateLimiter limiter_;
};

// Write and destructive calls need a key; a retry replays, a concurrent duplicate waits, other
// arguments under the same key are refused. finish() stores the outcome.
class IdempotencyStage final : public Stage {
 public:
  IdempotencyStage(store::ToolStore& tools, const Clock& clock, int64_t ttl_s)
      : tools_(tools), clock_(clock), ttl_s_(ttl_s) {}
  std::string_view name() const override { return "idempotency"; }
  StageResult run(CallContext& call) override;
  void finish(CallContext& call, const Status& final) override;

 private:
  store::ToolStore& tools_;
  const Clock& clock_;
  int64_t ttl_s_;
};

// Parks calls that a rule marks for review: by tool ("always"), by argument condition, or by
// risk (GatewayOptions::approve_risk).
class ApprovalStage final : public Stage {
 public:
  // What a parked call keeps of its arguments: `redact` gives the form reviewers see, `seal`
  // the copy only execution opens (tenant, approval id, raw args).
  struct ArgsKeeping {
    std::function<Json(const Json&)> redact;
    std::function<Result<std::string>(const std::string&, const std::string&, const Json&)> seal;
  };
  ApprovalStage(store::ToolStore& tools, const Clock& clock, int64_t ttl_s,
                std::string approve_risk, ArgsKeeping keeping)
      : tools_(tools),
        clock_(clock),
        ttl_s_(ttl_s),
        approve_risk_(std::move(approve_risk)),
        keeping_(std::move(keeping)) {}
  std::string_view name() const override { return "approval"; }
  StageResult run(CallContext& call) override;
  // Parks the call as a pending approval under `rule` (the untrusted-content stage parks
  // through it too): stop with the pending response, or reject when it cannot be stored.
  StageResult park(CallContext& call, const std::string& rule, const std::string& reason);

 private:
  store::ToolStore& tools_;
  const Clock& clock_;
  int64_t ttl_s_;
  std::string approve_risk_;
  ArgsKeeping keeping_;
};

// The untrusted-content gate (untrusted_gate.h): a write or destructive call from a turn that
// read untrusted content is parked through the approval stage or rejected (PermissionDenied),
// per gateway.untrusted_writes. A resumed (approved) call passes.
class UntrustedContentStage final : public Stage {
 public:
  UntrustedContentStage(const UntrustedGate& gate, ApprovalStage& approvals)
      : gate_(gate), approvals_(approvals) {}
  std::string_view name() const override { return "untrusted_content"; }
  StageResult run(CallContext& call) override;

 private:
  const UntrustedGate& gate_;
  ApprovalStage& approvals_;
};

// Runs the call on its backend's executor. Every executor failure leaves the gateway redacted
// (its message reaches the caller over REST and MCP, the trace and the server log) and with a
// decision of its own: `backend_error` when the backend answered with an error (HTTP >= 300, an
// MCP isError result), `backend_unavailable` when it gave no usable answer (unreachable,
// timeout, circuit open, oversized or malformed answer), else denied / invalid / failed.
class DispatchStage final : public Stage {
 public:
  // `redactor` may be null (nothing is redacted).
  explicit DispatchStage(const trace::Redactor* redactor = nullptr) : redactor_(redactor) {}
  std::string_view name() const override { return "dispatch"; }
  // Registers an executor under its type(); adding a backend kind is one line.
  void registerExecutor(std::unique_ptr<Executor> executor);
  StageResult run(CallContext& call) override;

 private:
  const trace::Redactor* redactor_;
  std::map<std::string, std::unique_ptr<Executor>, std::less<>> executors_;
};

// Output checked against the output schema (a violation fails the call, never passes silently),
// then redacted when a redactor is configured.
class OutputStage final : public Stage {
 public:
  explicit OutputStage(const trace::Redactor* redactor) : redactor_(redactor) {}
  std::string_view name() const override { return "output"; }
  StageResult run(CallContext& call) override;

 private:
  const trace::Redactor* redactor_;
};

// A Status as stored JSON and back ({"code": "not_found", "message": "..."}).
Json statusToJson(const Status& s);
Status statusFromJson(const Json& j);

}  // namespace ward::gateway
