// The answer loop (docs/design/answer.md): retrieve as the user through the ACL-scoped search,
// draft an answer (extractive by default, or a granted model), verify every citation, strip
// exfiltration links, record one `answer` trace event. One implementation for every front door
// (`ward ask`, POST /v1/answers, the MCP tool `ask`).
//
// Ownership: borrows everything in AnswerServiceOptions (it must outlive the service).
// Thread-safe (no mutable state of its own).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ward/answer/answer_config.h"
#include "ward/answer/citation.h"
#include "ward/audit/trace.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/identity/principal.h"
#include "ward/text/link_filter.h"

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

// The longest question accepted (bytes); longer ones are InvalidArgument.
constexpr size_t kMaxQuestionBytes = 4096;

enum class AnswerMode { kExtractive, kModel };
std::string_view answerModeName(AnswerMode mode);  // "extractive", "model"

struct AnswerServiceOptions {
  store::Store* store = nullptr;            // required: the readable-now re-check
  search::SearchService* search = nullptr;  // required: retrieval as the user
  audit::TraceSink* traces = nullptr;       // required: one `answer` event per answer
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

  // {answer, mode, model?, citations:[verified, numbered], sentences:[...], unsupported:[...],
  //  dropped_citations:[...], removed_links:[...], citation_precision, citation_coverage,
  //  trace_id} (docs/formats/answer.md).
  Json toJson() const;
  // The verified citations in the order they appear, without duplicates.
  std::vector<Citation> shownCitations() const;
};

class AnswerService {
 public:
  explicit AnswerService(AnswerServiceOptions options);

  // InvalidArgument for an empty or oversize question or k out of 1..answer.max_k; NotFound for
  // a model that is not configured or not granted (ModelService's answer). An empty retrieval
  // answers "no readable sources" without citations.
  Result<AnswerResult> ask(const identity::Principal& who, const AnswerRequest& request,
                           const audit::TraceContext& trace);

  // Parses the body of POST /v1/answers: {"question", "k"?, "model"?}; unknown fields refused.
  static Result<AnswerRequest> requestFromJson(const Json& body);

  const AnswerConfig& config() const { return options_.config; }

 private:
  AnswerServiceOptions options_;
};

}  // namespace ward::answer
