// The answer loop (docs/design/answer.md): retrieve as the user through the ACL-scoped search,
// draft an answer (extractive by default, or a granted model), verify every citation, strip
// exfiltration links, record one `answer` trace event. One implementation for every front door
// (`ward ask`, POST /v1/answers, the MCP tool `ask`).
//
// Ownership: borrows everything in AnswerServiceOptions (it must outlive the service).
// Thread-safe (no mutable state of its own).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ward/answer/answer_config.h"
#include "ward/answer/citation.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/identity/principal.h"
#include "ward/text/link_filter.h"
#include "ward/trace/trace.h"

namespace ward::store {
class Store;
}
namespace ward::search {
class SearchService;
}
namespace ward::models {
class ModelService;
}
namespace ward::gateway {
class ToolGateway;
}

namespace ward::answer {

struct PromptTemplate;  // prompt_templates.h

// The longest question accepted (bytes); longer ones are InvalidArgument.
constexpr size_t kMaxQuestionBytes = 4096;
// Rounds of model tool calls one answer (or one proxy call with ward.tools = "execute") may run;
// the call after the last round offers no tools.
constexpr int kMaxToolSteps = 4;

enum class AnswerMode { kExtractive, kModel };
std::string_view answerModeName(AnswerMode mode);  // "extractive", "model"

struct AnswerServiceOptions {
  store::Store* store = nullptr;            // required: the readable-now re-check
  search::SearchService* search = nullptr;  // required: retrieval as the user
  trace::TraceSink* traces = nullptr;       // required: one `answer` event per answer
  models::ModelService* models = nullptr;   // null: only extractive answers
  gateway::ToolGateway* gateway = nullptr;  // null: the model is offered no tools
  AnswerConfig config;
};

struct AnswerRequest {
  std::string question;
  std::optional<int> k;  // passages to retrieve; none = answer.default_k
  std::string model;     // a [[models]] name; "" = answer.model, and "" there = extractive
  // The agent acting for the user (front doors' --agent): the reader passed to ask() is already
  // identity::actingFor(user, agent); the agent is named again for the model's tool calls.
  std::optional<identity::Principal> agent;
  // Replaces the built-in system prompt template of a model-backed answer (`ward eval
  // stability`'s ablations; no front door sets it). Its `name` must be the template the model's
  // citation mode uses ("answer", or "answer_native" for a native-citations provider), else the
  // answer is FailedPrecondition; its text is rendered with the same {{placeholders}}. The
  // answer event records it as `template: {name, version, sha256, override: true}`. Null = the
  // built-in template.
  std::shared_ptr<const PromptTemplate> template_override;
};

// One answer sentence with the citations that survived verification.
struct AnswerSentence {
  std::string text;
  std::vector<CheckedCitation> citations;  // every citation offered, verified or not
  bool supported() const;                  // at least one verified citation
};

struct AnswerResult {
  std::string answer;  // the text shown, after link filtering
  AnswerMode mode = AnswerMode::kExtractive;
  std::string model;  // the [[models]] name for kModel
  std::vector<AnswerSentence> sentences;
  std::vector<Passage> retrieved;
  std::vector<text::RemovedLink> removed_links;
  std::optional<double> citation_precision;  // verified / offered; none when none offered
  std::optional<double> citation_coverage;   // supported sentences / sentences; none when none
  std::string trace_id;
  // The model's tool calls as routed and recorded ({step, id, tool, arguments, outcome, ...},
  // outcome "ok" when the gateway ran it); [] for extractive answers. Not in toJson().
  Json tool_calls = Json::array();
  // The model's reply was not the JSON the template asks for (it became one unsupported
  // sentence); always false for extractive answers. Not in toJson().
  bool format_error = false;

  // {answer, mode, model?, citations:[verified, numbered], sentences:[...], unsupported:[...],
  //  dropped_citations:[...], removed_links:[...], citation_precision, citation_coverage,
  //  trace_id} (docs/formats/answer.md).
  Json toJson() const;
  // The verified citations in the order they appear, without duplicates.
  std::vector<Citation> shownCitations() const;
};

// The proxy's opt-in retrieval (`ward.retrieval` on POST /v1/chat/completions, docs/design/
// answer.md "Front doors"): the answer loop's own retrieval and fence around a conversation the
// client drives; the reply is verified by verifyReply.
struct Grounding {
  std::string query;  // what was searched (the last user message)
  int k = 0;
  std::vector<Passage> passages;  // retrieved as the user, in rank order
  std::string system_text;        // the `answer` template rendered with this turn's fence marker
  std::string data_text;          // the passages fenced under the marker, then "Question: ..."
  Json response_format;           // the strict json_schema reply the verifier reads
  std::string template_name;
  int template_version = 0;
  std::string template_sha256;
};

struct Draft;        // extractive_answerer.h
struct FinishInput;  // answer_service.cc

class AnswerService {
 public:
  explicit AnswerService(AnswerServiceOptions options);

  // InvalidArgument for an empty or oversize question or k out of 1..answer.max_k; NotFound for
  // a model that is not configured or not granted (ModelService's answer). An empty retrieval
  // answers "no readable sources" without citations.
  Result<AnswerResult> ask(const identity::Principal& who, const AnswerRequest& request,
                           const trace::TraceContext& trace);

  // Parses the body of POST /v1/answers: {"question", "k"?, "model"?}; unknown fields refused.
  static Result<AnswerRequest> requestFromJson(const Json& body);

  const AnswerConfig& config() const { return options_.config; }

  // Retrieves as `who` with `query` (the same validation as ask(): not blank, at most
  // kMaxQuestionBytes; k in 1..answer.max_k, default answer.default_k; the search is recorded in
  // `trace`) and renders the fence (grounding.cc).
  Result<Grounding> ground(const identity::Principal& who, const std::string& query,
                           std::optional<int> k, const trace::TraceContext& trace);
  // Verifies a model's reply to a grounded conversation as ask() verifies a model draft (the
  // reply is the JSON of Grounding::response_format; anything else is one unsupported sentence),
  // filters links, records one `answer` event (mode "model", `front_door`) and returns the result.
  Result<AnswerResult> verifyReply(const identity::Principal& who, const Grounding& grounding,
                                   const std::string& model, const std::string& reply,
                                   const trace::TraceContext& trace, const std::string& front_door);

 private:
  // The question's and k's checks (ask(), ground()); returns k.
  Result<int> validated(const std::string& question, std::optional<int> k) const;
  Result<std::vector<Passage>> retrieve(const identity::Principal& who, const std::string& query,
                                        int k, const trace::TraceContext& trace);
  // Steps 3-5 of the loop: verify, filter links, record, metrics.
  Status finish(const FinishInput& in, Draft& draft, AnswerResult& result);

  AnswerServiceOptions options_;
};

}  // namespace ward::answer
