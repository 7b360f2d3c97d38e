// Model-backed drafts (docs/design/answer.md, "Model-backed answers"): the `answer` template as
// the system message, the retrieved passages fenced as data under a per-turn random marker, a
// strict JSON-schema reply, the model's tool calls routed through the gateway as the user (and
// agent) with the turn marked untrusted, at most kMaxToolSteps rounds.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "answer_record.h"
#include "ward/answer/citation.h"
#include "ward/answer/extractive_answerer.h"
#include "ward/audit/trace.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/identity/principal.h"

namespace ward::models {
class ModelService;
}
namespace ward::gateway {
class ToolGateway;
}

namespace ward::answer {

// kMaxToolSteps (rounds of model tool calls) is in ward/answer/answer_service.h: the proxy's
// tool loop shares it.
// Tries at drawing a fence marker that no passage, title or question contains.
constexpr int kMaxMarkerTries = 8;

struct ModelDraftInput {
  const identity::Principal& who;
  const audit::TraceContext& trace;
  const std::string& model;
  const std::string& question;
  const std::vector<Passage>& passages;
  gateway::ToolGateway* gateway = nullptr;     // null: no tools offered
  const identity::Principal* agent = nullptr;  // the agent acting for the user, if any
};

struct ModelDraft {
  Draft draft;
  TemplateUse template_use;
  Json tool_calls = Json::array();  // {tool, outcome} per routed call, for the record
  bool format_error = false;        // the reply was not the JSON asked for
};

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

Result<ModelDraft> modelAnswer(models::ModelService& models, const ModelDraftInput& in);

}  // namespace ward::answer
