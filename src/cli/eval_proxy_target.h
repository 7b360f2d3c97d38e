// The proxy as an eval target (`target.via = "proxy"`, docs/formats/eval-suite.md "Tool cases
// through the proxy"): a tool case's question goes to the real POST /v1/chat/completions route
// handler with `ward.tools = "execute"` — Ward's own route table (http::wardRouter) over the
// data dir's services, called in-process as the case's principal (already resolved, as every
// eval case is; no API key) in the case's trace — and the case's trace is read back for the
// gateway's tool_call events. Nothing of Ward's interface is mocked.
//
// Ownership: borrows the CliContext (opened); owns the answer service and the route table.
#pragma once

#include <memory>
#include <string>

#include "cli_context.h"
#include "ward/answer/answer_service.h"
#include "ward/http/router.h"
#include "ward/http/services.h"

namespace ward::cli {

class EvalProxyTarget {
 public:
  // After ctx.open(): the gateway, the models and the trace service must open.
  static Result<std::unique_ptr<EvalProxyTarget>> open(CliContext& ctx);

  // The chat-completions response body; the route's error (a 4xx or 5xx Status) otherwise.
  Result<Json> send(const identity::Principal& who, const std::string& model,
                    const std::string& question, const trace::TraceContext& trace) const;
  // The trace's events as `ward trace show --json` gives them, read as the local operator
  // (the read is recorded in the trace itself, as every trace read is).
  Result<Json> readTrace(const std::string& trace_id) const;

 private:
  EvalProxyTarget() = default;

  std::unique_ptr<answer::AnswerService> answers_;
  http::Services services_;
  http::Router router_;
  identity::Principal operator_;
};

}  // namespace ward::cli
