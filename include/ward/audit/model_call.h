// Recording model calls: the `model_call` trace event (provider, model, version, parameters,
// tools offered) and its prompt (template id + SHA-256 in the span; the rendered prompt,
// redacted, in the PromptStore under its own access control). The answer loop of a later issue
// calls recordModelCall; `POST /v1/traces/{id}/spans` lets an outside producer do the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ward/audit/prompt_store.h"
#include "ward/common/json.h"
#include "ward/trace/redactor.h"
#include "ward/trace/trace.h"

namespace ward::audit {

// Limits (docs/design/audit.md, "Model calls").
inline constexpr size_t kMaxModelFieldBytes = 256;
inline constexpr size_t kMaxToolsOffered = 128;

struct ModelCall {
  std::string provider;       // "openai", "anthropic", ... (required)
  std::string model;          // required
  std::string model_version;  // optional
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> max_tokens;
  std::optional<int64_t> seed;
  std::vector<std::string> tools_offered;  // tool names, "name@version" where known
  std::string prompt_template_id;          // optional
  std::string rendered_prompt;             // optional; redacted and stored apart, never in the span
  std::string finish_reason;               // optional
  // Set by the models module for calls through Ward (docs/design/models.md "The trace"); REST
  // spans leave them empty. Each is written only when set.
  std::string requested_model;  // the [[models]] name the caller asked for
  std::string outcome;          // "ok", "denied" or "error"
  std::string error;            // why it failed or was refused
  Json parameters_extra;        // further sampling parameters ({name: value}), beside the four
  Json usage;                   // {input_tokens, output_tokens, cached_input_tokens, ...}
  int64_t latency_us = -1;      // from request to the last byte, retries included
  std::optional<bool> stream;
  Json claims;      // client-asserted user / metadata, recorded and never trusted
  Json attempts;    // [{model, provider, status, error, retry_after_ms, ...}], fallbacks included
  Json tool_calls;  // [{id, name, arguments}] returned by the model
  // The rendered prompt already redacted and stored by preparePrompt() (the models module does
  // it while the provider answers): recordModelCall then writes this digest instead of redacting
  // and storing rendered_prompt again. Empty: rendered_prompt is handled by recordModelCall.
  std::string prepared_prompt_sha256;
  bool prepared_prompt_stored = false;
};

// From a request body ({"provider", "model", "model_version"?, "parameters"?: {temperature,
// top_p, max_tokens, seed}, "tools_offered"?, "prompt"?: {"template_id", "rendered"},
// "finish_reason"?}); InvalidArgument naming the bad field.
Result<ModelCall> parseModelCall(const Json& body);

struct ModelCallRecording {
  trace::TraceSink* sink = nullptr;  // required
  PromptStore* prompts = nullptr;    // null: the rendered prompt is not kept (only hashed)
  // Applied to the rendered prompt before hash and store.
  const trace::Redactor* redactor = nullptr;
  trace::TraceContext context;  // the trace the call belongs to (a new span id is used)
  std::string tenant;
  std::string principal;
  int64_t time_us = 0;
  // Recorded after the model_call event in the same durable append (one sync for all): the front
  // door's response_sent of the answer (trace_batch.h).
  std::vector<trace::TraceEvent> also;
};

// The prompt's part of a record done ahead of it: `rendered` redacted (where.redactor), put in
// where.prompts (when set) and its SHA-256 returned in call.prepared_prompt_sha256 /
// prepared_prompt_stored; call.rendered_prompt is cleared. Nothing is recorded in the trace: a
// prompt stored this way and never referenced (its call's record failed) is the same as one
// recordModelCall stored before an append that failed.
Status preparePrompt(const ModelCallRecording& where, ModelCall& call);

// Records the model_call event and returns its attributes (as written before the sink's own
// redaction). The span never carries the rendered prompt, only {template_id, sha256, stored}.
Result<Json> recordModelCall(const ModelCallRecording& where, const ModelCall& call);

}  // namespace ward::audit
