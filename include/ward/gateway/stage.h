// The stage chain (docs/design/gateway.md): every tool call passes authorize -> mode -> validate
// -> rate limit -> idempotency -> approval -> dispatch -> output, then the gateway records the
// decision. Each stage is one small class implementing Stage; it returns continue, stop (the call
// ends here without error: parked as pending, or a stored result replayed) or reject (an error
// Status naming why). Stages that continued get finish() in reverse order once the call is over,
// so the idempotency stage can store the outcome.
//
// Stages are shared by every call: run() and finish() must be thread-safe; per-call state lives
// in the CallContext.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/gateway/call_decision.h"
#include "ward/gateway/json_schema.h"
#include "ward/gateway/tool_definition.h"
#include "ward/identity/principal.h"
#include "ward/store/tool_store.h"
#include "ward/trace/trace.h"

namespace ward::gateway {

struct PolicySnapshot;  // the tenant's tools, grants and modes (src/gateway/policy_cache.h)

// A tool version ready to call: the stored record, its parsed definition, compiled schemas.
struct ResolvedTool {
  store::ToolRecord record;
  ToolDefinition definition;
  std::shared_ptr<const JsonSchema> input;
  std::shared_ptr<const JsonSchema> output;  // null = any output
};

// What untrusted content the turn behind a call has read: retrieved documents, tool results,
// upstream MCP content (docs/design/gateway.md, "Untrusted content").
// Private text the turn retrieved (a passage of a document), kept for the exfiltration check
// (exfil_check.h): tool arguments that carry a long verbatim run of it are flagged.
struct TurnText {
  std::string source;  // "doc:<id>"
  std::string text;
};

struct TurnTaint {
  bool untrusted = false;            // the turn has read untrusted content
  std::vector<std::string> sources;  // what it read, for the record: "doc:<id>", "tool:<name>", ...
  std::vector<TurnText> texts;       // the private text it read (answer loop, proxy retrieval)
};

// What a caller asks for.
struct CallRequest {
  identity::Principal principal;             // whose call it is (tenant = principal.tenant)
  std::optional<identity::Principal> agent;  // the agent acting for it, if any
  std::string tool;
  std::string version;  // "" = newest non-deprecated
  Json args = Json::object();
  std::string idempotency_key;
  trace::TraceContext trace;
  int64_t wait_s = 0;  // how long to wait for an approval decision before answering "pending"
  // Front-door context recorded in the call's trace event under "via" (the MCP request: method,
  // transport, the client's self-reported clientInfo), so one durable record covers both.
  Json via;
  // Asks the caller's MCP client (elicitation/create, sampling/createMessage) on behalf of an
  // upstream MCP server while the call runs; null when the front door has no live stream to the
  // client. Whether an upstream may ask at all is its `allow_*` configuration.
  std::function<Result<Json>(const std::string& method, const Json& params)> ask_client;
  // The turn's untrusted reads. A write or destructive call from a tainted turn needs approval
  // (or is denied) by the untrusted-content gate.
  TurnTaint taint;
  // A recorded backend response the dispatch stage returns instead of contacting the backend
  // (`ward tools test --recorded`: a tool's contract tests without its backend). Set only by
  // Ward's own test runner, never from a request body; the call's "via" says so.
  std::optional<Json> recorded_result;
};

// One call travelling through the chain.
struct CallContext {
  CallRequest request;
  std::shared_ptr<const ResolvedTool> tool;
  std::shared_ptr<const PolicySnapshot> policy;
  std::vector<int64_t> grant_ids;                 // the grants that allowed the call
  std::optional<store::ApprovalRecord> approval;  // set when resuming an approved call
  std::string args_hash;                          // sha256 of tool name + canonical args
  bool idempotency_claimed = false;               // this call holds the idempotency key
  bool backend_contacted = false;                 // the backend may have acted
  Json result;                           // the backend's output (after validation and redaction)
  Json response;                         // what the caller gets when the chain stops or completes
  std::vector<std::string> warnings;     // deprecation and similar, returned to the caller
  std::string decided_by;                // the stage that stopped or rejected the call
  std::optional<CallDecision> decision;  // none until a stage or the chain decides
  std::string reason;                    // human text of the decision
  int64_t backend_ns = 0;                // time spent in the backend (for the overhead metric)
  int backend_status = 0;                // HTTP status of an http backend
  bool backend_error = false;  // the backend answered with an error (HTTP >= 300, isError)
  Json exfil_suspect;          // set when the args carry retrieved text verbatim (exfil_check.h)
};

enum class Verdict { kContinue, kStop, kReject };

struct StageResult {
  Verdict verdict = Verdict::kContinue;
  Status status;  // the error for kReject

  static StageResult next() { return {}; }
  static StageResult stop() { return {Verdict::kStop, Status()}; }
  static StageResult reject(Status s) { return {Verdict::kReject, std::move(s)}; }
};

class Stage {
 public:
  virtual ~Stage() = default;
  // Stable name: the metrics label and the "stage" of trace events.
  virtual std::string_view name() const = 0;
  virtual StageResult run(CallContext& call) = 0;
  // Called after the chain ended (final = the call's Status) if this stage returned continue.
  virtual void finish(CallContext& call, const Status& final) {}
};

}  // namespace ward::gateway
