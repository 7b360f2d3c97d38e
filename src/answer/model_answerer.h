// Model-backed drafts (docs/design/answer.md, "Model-backed answers"): the `answer` template as
// the system message, the retrieved passages fenced as data under a per-turn random marker, a
// strict JSON-schema reply, the model's tool calls routed through the gateway as the user (and
// agent) with the turn marked untrusted, at most kMaxToolSteps rounds.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "answer_record.h"
#include "ward/answer/citation.h"
#include "ward/answer/extractive_answerer.h"
#include "ward/answer/tool_route.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/identity/principal.h"
#include "ward/trace/trace.h"

namespace ward::models {
class ModelService;
struct ChatCall;
struct ChatResponse;
struct Message;
struct ToolCall;
struct ToolSpec;
}  // namespace ward::models
namespace ward::gateway {
class ToolGateway;
}

namespace ward::answer {

// kMaxToolSteps (rounds of model tool calls) is in ward/answer/answer_service.h: the proxy's
// tool loop shares it.
// Tries at drawing a fence marker that no passage, title or question contains.
constexpr int kMaxMarkerTries = 8;
// The largest tool reply (the tool message text sent to the model) the `answer` record keeps
// verbatim for replay; a larger one keeps only its SHA-256 (the gateway's own cap, audit.md).
constexpr size_t kMaxRecordedToolReplyBytes = 64 * 1024;

struct ModelDraftInput {
  const identity::Principal& who;
  const trace::TraceContext& trace;
  const std::string& model;
  const std::string& question;
  const std::vector<Passage>& passages;
  gateway::ToolGateway* gateway = nullptr;     // null: no tools offered
  const identity::Principal* agent = nullptr;  // the agent acting for the user, if any
  // Native citations (the model's provider is kNativeCitationsProvider): the passages go as
  // search_result blocks with citations enabled and the reply's citations are mapped back;
  // otherwise the strict JSON-schema reply.
  bool native_citations = false;
  // AnswerRequest::template_override: used instead of the built-in template (null = built-in).
  const PromptTemplate* template_override = nullptr;
};

// The provider whose own citations Ward uses (Anthropic search results).
inline constexpr std::string_view kNativeCitationsProvider = "anthropic";

struct ModelDraft {
  Draft draft;
  TemplateUse template_use;
  // Per routed call, for the record and replay: {step, id, tool, arguments, outcome,
  // reply_sha256, reply? (the tool message text, up to kMaxRecordedToolReplyBytes)}.
  Json tool_calls = Json::array();
  bool format_error = false;      // the reply was not the JSON asked for
  std::string marker;             // the fence marker of this turn (replay renders the same prompt)
  int steps = 0;                  // model calls made
  bool native_citations = false;  // the reply is parsed by parseNativeReply
};

// What the loop's model calls and tool calls go through: ModelService and the gateway for a
// live answer, the recording (or a fork) for `ward replay`. `step` is the 0-based model call.
struct AnswerLoopIo {
  std::function<Result<models::ChatResponse>(const models::ChatCall&, int step)> chat;
  std::function<ToolReply(const models::ToolCall&, int step)> tool;  // null: no tools offered
};

// One tool call routed through the gateway as `in.who` (with `in.agent`), in `in.trace`, the
// turn marked untrusted (its sources: the passages' documents); the reply is the result JSON or
// {"error"} text. Needs `in.gateway`.
ToolReply routeToolCall(const ModelDraftInput& in, const models::ToolCall& tc);

// The first call of the loop: the template with `marker` as the system message, the fenced
// passages and question as the user message, the strict JSON-schema reply, `tools` offered.
// Native citations: the answer_native template, the passages as search_result blocks then the
// question, no response_format.
Result<models::ChatCall> buildAnswerCall(const ModelDraftInput& in, const std::string& marker,
                                         const std::vector<models::ToolSpec>& tools);

// Runs the loop from `call`: at most kMaxToolSteps rounds of tool calls answered by `io.tool`,
// then the reply parsed (parseModelReply). `out` carries the template and marker through.
// `passages` are what a native reply's citations point into.
Result<ModelDraft> runAnswerLoop(models::ChatCall call, const AnswerLoopIo& io, ModelDraft out,
                                 const std::vector<Passage>& passages = {});

// The fence marker: "ward-data " + 16 random hex digits not found in any of `texts`.
Result<std::string> drawFenceMarker(const std::vector<std::string_view>& texts);

// The user message: the passages fenced under `marker`, then the question.
std::string renderPassages(const std::string& marker, const std::vector<Passage>& passages,
                           const std::string& question);

// Parses the model's JSON reply {answer, claims:[{text, citations:[{doc_id, chunk, quote}]}]};
// anything else becomes one unsupported sentence with format_error set.
ModelDraft parseModelReply(const std::string& content);

// The JSON schema the reply must match (response_format json_schema, strict).
Json answerReplySchema();

// A passage's search_result source: "ward://doc/<doc_id>@<version>#chunk=<n>".
std::string passageSource(const Passage& p);

// A native reply: the message's text blocks (message.opaque.anthropic.text_blocks, as the
// Anthropic adapter keeps them) each become a sentence; each search_result_location citation
// becomes {doc_id, version, chunk, quote = cited_text} from its source (else from
// search_result_index into `passages`). A reply without cited blocks is its text, unsupported.
ModelDraft parseNativeReply(const models::Message& message, const std::vector<Passage>& passages);

Result<ModelDraft> modelAnswer(models::ModelService& models, const ModelDraftInput& in);

}  // namespace ward::answer
