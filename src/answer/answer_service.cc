// The answer loop; the contract is in include/ward/answer/answer_service.h.
#include "ward/answer/answer_service.h"

#include <set>

#include "answer_record.h"
#include "model_answerer.h"
#include "verify_draft.h"
#include "ward/answer/extractive_answerer.h"
#include "ward/common/clock.h"
#include "ward/common/metrics.h"
#include "ward/identity/directory.h"
#include "ward/models/model_service.h"
#include "ward/search/search_service.h"
#include "ward/store/document_access.h"
#include "ward/store/store.h"

namespace ward::answer {

namespace {

// Re-resolves the reader from the store on first use (memberships, ACLs and agent scopes as they
// are now, not as they were at retrieval) and checks each passage against it.
class ReadableCheck {
 public:
  ReadableCheck(store::Store& store, const identity::Principal& who) : store_(store), who_(who) {}

  bool operator()(const Passage& p) {
    if (!resolved_) resolve();
    if (!now_) return false;
    auto chunk = store_.getChunk(p.chunk_id);
    if (!chunk.ok() || chunk->version != p.version) return false;  // replaced or purged
    auto doc = store_.getDocumentById(chunk->doc_id);
    // now_ is who_ resolved afresh (same tenant): the one read rule, tenant included.
    return doc.ok() && store::mayReadDocument(*now_, *doc);
  }

 private:
  void resolve() {
    resolved_ = true;
    auto user = identity::resolvePrincipalById(store_, who_.id);
    if (!user.ok()) return;
    if (who_.acting_agent.empty()) {
      // An agent reading alone: resolvePrincipal set its own scope already.
      now_ = *user;
      return;
    }
    auto agent = identity::resolvePrincipal(store_, who_.tenant, who_.acting_agent);
    if (!agent.ok()) return;
    auto acting = identity::resolveActingFor(store_, *user, *agent);
    if (acting.ok()) now_ = *acting;
  }

  store::Store& store_;
  const identity::Principal& who_;
  bool resolved_ = false;
  std::optional<identity::Principal> now_;
};

void observeMetrics(const AnswerResult& r) {
  static const bool described = [] {
    const std::vector<double> ratio = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0};
    metrics().describeHistogram("ward_answer_citation_precision",
                                "Verified citations / citations offered, per answer", ratio);
    metrics().describeHistogram("ward_answer_citation_coverage",
                                "Answer sentences with a verified citation / sentences", ratio);
    metrics().describeCounter("ward_answer_citations_dropped_total",
                              "Citations dropped by verification, by the rule that failed");
    metrics().describeCounter("ward_answers_total", "Answers given, by mode");
    return true;
  }();
  (void)described;
  const std::string mode(answerModeName(r.mode));
  metrics().incrementCounter("ward_answers_total", {{"mode", mode}});
  if (r.citation_precision) {
    metrics().observeHistogram("ward_answer_citation_precision", {{"mode", mode}},
                               *r.citation_precision);
  }
  if (r.citation_coverage) {
    metrics().observeHistogram("ward_answer_citation_coverage", {{"mode", mode}},
                               *r.citation_coverage);
  }
  for (const AnswerSentence& s : r.sentences) {
    for (const CheckedCitation& c : s.citations) {
      if (c.failed) {
        metrics().incrementCounter("ward_answer_citations_dropped_total",
                                   {{"rule", std::string(citationRuleName(*c.failed))}});
      }
    }
  }
}

}  // namespace

void verifyDraft(Draft draft, const ReadableNow& readable,
                 const std::vector<std::string>& link_hosts, AnswerResult& result) {
  size_t offered = 0, verified = 0, supported = 0;
  for (DraftSentence& ds : draft.sentences) {
    AnswerSentence s;
    text::FilteredText filtered = text::filterLinks(ds.text, link_hosts);
    s.text = std::move(filtered.text);
    for (const Citation& c : ds.citations) {
      s.citations.push_back(verifyCitation(s.text, c, result.retrieved, readable));
      ++offered;
      if (s.citations.back().verified()) ++verified;
    }
    if (s.supported()) ++supported;
    result.sentences.push_back(std::move(s));
  }
  text::FilteredText shown = text::filterLinks(draft.answer, link_hosts);
  result.answer = std::move(shown.text);
  result.removed_links = std::move(shown.removed);
  if (offered > 0) result.citation_precision = static_cast<double>(verified) / offered;
  if (!result.sentences.empty()) {
    result.citation_coverage = static_cast<double>(supported) / result.sentences.size();
  }
}

std::string_view answerModeName(AnswerMode mode) {
  return mode == AnswerMode::kModel ? "model" : "extractive";
}

bool AnswerSentence::supported() const {
  for (const auto& c : citations) {
    if (c.verified()) return true;
  }
  return false;
}

AnswerService::AnswerService(AnswerServiceOptions options) : options_(std::move(options)) {}

Result<AnswerRequest> AnswerService::requestFromJson(const Json& body) {
  if (!body.is_object()) return Status::invalidArgument("the body must be a JSON object");
  AnswerRequest r;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& key = it.key();
    if (key == "question") {
      if (!it->is_string()) return Status::invalidArgument("'question' must be a string");
      r.question = it->get<std::string>();
    } else if (key == "k") {
      if (!it->is_number_integer()) return Status::invalidArgument("'k' must be an integer");
      int64_t k = it->get<int64_t>();
      if (k < 1 || k > kAnswerMaxKCeiling) {
        return Status::invalidArgument("'k' must be between 1 and " +
                                       std::to_string(kAnswerMaxKCeiling));
      }
      r.k = static_cast<int>(k);
    } else if (key == "model") {
      if (!it->is_string()) return Status::invalidArgument("'model' must be a string");
      r.model = it->get<std::string>();
    } else {
      return Status::invalidArgument("unknown field '" + key + "'");
    }
  }
  if (!body.contains("question")) return Status::invalidArgument("'question' is required");
  return r;
}

Result<AnswerResult> AnswerService::ask(const identity::Principal& who,
                                        const AnswerRequest& request,
                                        const trace::TraceContext& trace) {
  const AnswerConfig& config = options_.config;
  WARD_ASSIGN_OR_RETURN(const int k, validated(request.question, request.k));
  const std::string model = request.model.empty() ? config.model : request.model;
  if (!model.empty() && options_.models == nullptr) {
    return Status::notFound("model '" + model + "' is not configured");
  }
  const int64_t started = SystemClock::instance().monotonicNanos();

  // 1. Retrieve as the user: the same ACL-scoped (and agent-scoped) search.
  AnswerResult result;
  result.trace_id = trace.trace_id;
  WARD_ASSIGN_OR_RETURN(result.retrieved, retrieve(who, request.question, k, trace));

  // 2. Draft: a model when one is named and granted, else extractive.
  Draft draft;
  std::optional<TemplateUse> template_use;
  Json tool_calls = Json::array();
  bool format_error = false;
  std::string marker;
  int model_steps = 0;
  bool native_citations = false;
  int64_t model_nanos = 0;
  if (!model.empty() && !result.retrieved.empty()) {
    ModelDraftInput in{who,
                       trace,
                       model,
                       request.question,
                       result.retrieved,
                       options_.gateway,
                       request.agent ? &*request.agent : nullptr};
    in.template_override = request.template_override.get();
    const int64_t model_started = SystemClock::instance().monotonicNanos();
    WARD_ASSIGN_OR_RETURN(ModelDraft md, modelAnswer(*options_.models, in));
    model_nanos = SystemClock::instance().monotonicNanos() - model_started;
    draft = std::move(md.draft);
    template_use = md.template_use;
    tool_calls = std::move(md.tool_calls);
    format_error = md.format_error;
    marker = md.marker;
    model_steps = md.steps;
    native_citations = md.native_citations;
    result.mode = AnswerMode::kModel;
    result.model = model;
  } else {
    if (!model.empty()) {
      // Nothing to send the model, but a model that is not configured or not granted is still
      // refused, as when passages were found.
      models::ChatCall probe;
      probe.principal = who;
      probe.trace = trace;
      probe.request.model = model;
      WARD_RETURN_IF_ERROR(options_.models->authorize(probe));
    }
    draft = extractiveAnswer(request.question, result.retrieved);
  }

  result.tool_calls = tool_calls;
  result.format_error = format_error;
  FinishInput fin{who,        trace,        request.question, k,           template_use,
                  tool_calls, format_error, started,          model_nanos, std::string(),
                  marker,     model_steps,  native_citations};
  WARD_RETURN_IF_ERROR(finish(fin, draft, result));
  return result;
}

Result<int> AnswerService::validated(const std::string& question, std::optional<int> k) const {
  const AnswerConfig& config = options_.config;
  if (question.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::invalidArgument("'question' must not be empty");
  }
  if (question.size() > kMaxQuestionBytes) {
    return Status::invalidArgument("'question' is longer than " +
                                   std::to_string(kMaxQuestionBytes) + " bytes");
  }
  const int n = k.value_or(config.default_k);
  if (n < 1 || n > config.max_k) {
    return Status::invalidArgument("k must be between 1 and " + std::to_string(config.max_k) +
                                   " (answer.max_k)");
  }
  return n;
}

Result<std::vector<Passage>> AnswerService::retrieve(const identity::Principal& who,
                                                     const std::string& query, int k,
                                                     const trace::TraceContext& trace) {
  search::SearchRequest sr;
  sr.query = query;
  sr.k = k;
  WARD_ASSIGN_OR_RETURN(search::SearchResponse found, options_.search->search(who, sr, trace));
  std::vector<Passage> out;
  for (const search::Hit& h : found.hits) {
    auto chunk = options_.store->getChunk(h.chunk_id);
    if (!chunk.ok()) continue;  // purged since the search
    Passage p;
    p.doc_id = h.doc_id;
    p.version = h.version;
    p.chunk_id = h.chunk_id;
    p.chunk = h.ordinal;
    p.rank = static_cast<int>(out.size()) + 1;
    p.score = h.score;
    p.title = h.title;
    p.text = std::move(chunk->text);
    out.push_back(std::move(p));
  }
  return out;
}

Status AnswerService::finish(const FinishInput& in, Draft& draft, AnswerResult& result) {
  const AnswerConfig& config = options_.config;
  const identity::Principal& who = in.who;
  // 3. Verify every citation; 4. strip links to hosts not on the allow-list.
  ReadableCheck readable(*options_.store, who);
  verifyDraft(
      std::move(draft), [&readable](const Passage& p) { return readable(p); }, config.link_hosts,
      result);
  const double took_ms = static_cast<double>(SystemClock::instance().monotonicNanos() -
                                             in.started_nanos - in.model_nanos) /
                         1e6;

  // 5. One `answer` event in the same trace as the search (and the model call).
  AnswerRecordInput rec{who, in.trace, in.question, in.k, result, in.template_use, took_ms};
  trace::TraceEvent event = answerEvent(rec);
  if (!in.tool_calls.empty()) event.attributes["tool_calls"] = in.tool_calls;
  if (in.format_error) event.attributes["format_error"] = true;
  if (!in.front_door.empty()) event.attributes["front_door"] = in.front_door;
  if (!in.marker.empty()) event.attributes["fence_marker"] = in.marker;
  if (in.model_steps > 0) {
    event.attributes["model_steps"] = in.model_steps;
    event.attributes["citation_mode"] = in.native_citations ? "native" : "json_schema";
  }
  WARD_RETURN_IF_ERROR(options_.traces->record(event));
  observeMetrics(result);
  return Status();
}

std::vector<Citation> AnswerResult::shownCitations() const {
  std::vector<Citation> out;
  std::set<std::tuple<std::string, int64_t, int, int64_t, int64_t>> seen;
  for (const AnswerSentence& s : sentences) {
    for (const CheckedCitation& c : s.citations) {
      if (!c.verified()) continue;
      const Citation& x = c.citation;
      if (seen.insert({x.doc_id, x.version, x.chunk, x.char_start, x.char_end}).second) {
        out.push_back(x);
      }
    }
  }
  return out;
}

}  // namespace ward::answer
