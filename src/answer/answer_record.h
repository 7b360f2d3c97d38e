// The `answer` trace event (docs/formats/answer.md, "Trace event").
#pragma once

#include <optional>
#include <string>

#include "ward/answer/answer_service.h"
#include "ward/trace/trace.h"

namespace ward::answer {

// The prompt template a model-backed answer was rendered from.
struct TemplateUse {
  std::string name;
  int version = 0;
  std::string sha256;
  bool override = false;  // AnswerRequest::template_override, not a built-in template
};

struct AnswerRecordInput {
  const identity::Principal& who;
  const trace::TraceContext& trace;
  const std::string& question;
  int k = 0;
  const AnswerResult& result;
  const std::optional<TemplateUse>& template_use;
  double took_ms = 0;  // Ward's own time: retrieval, verification, filtering (not the model's)
};

trace::TraceEvent answerEvent(const AnswerRecordInput& in);

// What AnswerService::finish() (verify, filter, record) needs besides the draft and the result.
struct FinishInput {
  const identity::Principal& who;
  const trace::TraceContext& trace;
  const std::string& question;
  int k = 0;
  const std::optional<TemplateUse>& template_use;
  const Json& tool_calls;
  bool format_error = false;
  int64_t started_nanos = 0;      // when Ward's own work began (monotonic)
  int64_t model_nanos = 0;        // the model's time inside it, not Ward's
  std::string front_door;         // "" for ask(); "proxy" for a grounded conversation
  std::string marker;             // the per-turn fence marker (recorded for replay); "" = none
  int model_steps = 0;            // model calls made (0 = extractive)
  bool native_citations = false;  // the provider's own citations (Anthropic), not JSON schema
};

}  // namespace ward::answer
