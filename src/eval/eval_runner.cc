// Running and scoring cases; the contract is in include/ward/eval/eval_runner.h.
#include "ward/eval/eval_runner.h"

#include <algorithm>
#include <set>

#include "ward/answer/answer_service.h"
#include "ward/common/clock.h"
#include "ward/eval/eval_judge.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/ingest/ingest_service.h"
#include "ward/search/search_service.h"
#include "ward/trace/trace.h"

namespace ward::eval {

int CaseResult::passes() const {
  return static_cast<int>(
      std::count_if(runs.begin(), runs.end(), [](const CaseRun& r) { return r.passed; }));
}
bool CaseResult::passed() const {
  return !runs.empty() && passes() == static_cast<int>(runs.size());
}
bool CaseResult::flaky() const { return passes() > 0 && passes() < static_cast<int>(runs.size()); }
bool CaseResult::errored() const {
  return std::any_of(runs.begin(), runs.end(), [](const CaseRun& r) { return r.error; });
}
bool CaseResult::leaked() const {
  return std::any_of(runs.begin(), runs.end(), [](const CaseRun& r) { return r.leak; });
}
bool CaseResult::attacked() const {
  return std::any_of(runs.begin(), runs.end(), [](const CaseRun& r) { return r.attack_success; });
}

std::map<std::string, double> CaseResult::meanMetrics() const {
  std::map<std::string, std::pair<double, int>> sums;
  for (const CaseRun& r : runs) {
    for (const auto& [name, v] : r.metrics) {
      sums[name].first += v;
      sums[name].second += 1;
    }
  }
  std::map<std::string, double> out;
  for (const auto& [name, s] : sums) out[name] = s.first / s.second;
  return out;
}

namespace {

// What the client of an answer receives that scoring reads (docs "Replay": the observation).
Json answerObservation(const answer::AnswerResult& a) {
  Json words = Json::array();  // the answer's own words: the text and each (link-filtered) sentence
  words.push_back(a.answer);
  for (const auto& s : a.sentences) words.push_back(s.text);
  Json quotes = Json::array();  // the sources' verbatim text, shown as quotes
  Json cited = Json::array();   // doc ids of the verified citations shown
  Json chunks = Json::array();  // "doc_id#chunk" of each (the stability comparison's set)
  for (const auto& ci : a.shownCitations()) {
    quotes.push_back(ci.quote);
    cited.push_back(ci.doc_id);
    chunks.push_back(ci.doc_id + "#" + std::to_string(ci.chunk));
  }
  Json calls = Json::array();
  for (const Json& call : a.tool_calls) {
    Json entry = {{"tool", call.value("tool", "")}, {"outcome", call.value("outcome", "")}};
    if (call.contains("arguments")) entry["arguments"] = call["arguments"];
    calls.push_back(std::move(entry));
  }
  Json obs = {{"mode", std::string(answer::answerModeName(a.mode))},
              {"answer", a.answer},
              {"words", std::move(words)},
              {"quotes", std::move(quotes)},
              {"cited", std::move(cited)},
              {"chunks", std::move(chunks)},
              {"format_error", a.format_error},
              {"removed_links", a.removed_links.size()},
              {"tool_calls", std::move(calls)}};
  if (a.citation_precision) obs["citation_precision"] = *a.citation_precision;
  if (a.citation_coverage) obs["citation_coverage"] = *a.citation_coverage;
  return obs;
}

// A snippet as the document says it: the search's «» highlight marks removed.
std::string withoutHighlights(const std::string& snippet) {
  std::string out;
  out.reserve(snippet.size());
  for (size_t i = 0; i < snippet.size(); ++i) {
    if (i + 1 < snippet.size() && snippet[i] == '\xC2' &&
        (snippet[i + 1] == '\xAB' || snippet[i + 1] == '\xBB')) {
      ++i;
      continue;
    }
    out += snippet[i];
  }
  return out;
}

class CaseRunner {
 public:
  CaseRunner(const RunOptions& o, TargetVia via) : o_(o), via_(via) {}

  CaseRun run(const EvalCase& c, const Reader& reader) {
    CaseRun r;
    const trace::TraceContext trace = trace::TraceContext::generate();
    r.trace_id = trace.trace_id;
    const int64_t start = SystemClock::instance().monotonicNanos();
    auto observed = observe(c, reader, trace);
    Status s = observed.ok() ? scoreObservation(c, *observed, o_.link_hosts, r) : observed.status();
    if (observed.ok()) r.observed = std::move(*observed);
    if (!s.ok()) {
      r.error = true;
      r.failures.insert(r.failures.begin(), "run error: " + s.message());
    }
    r.passed = !r.error && r.failures.empty();
    r.took_ms = static_cast<double>(SystemClock::instance().monotonicNanos() - start) / 1e6;
    return r;
  }

 private:
  Result<Json> observe(const EvalCase& c, const Reader& reader, const trace::TraceContext& trace) {
    switch (c.kind) {
      case CaseKind::kRetrieval:
        return retrieval(c, reader, trace);
      case CaseKind::kPermission:
        return permission(c, reader, trace);
      case CaseKind::kInjection:
        return injection(c, reader, trace);
      case CaseKind::kFreshness:
        return freshness(c, reader, trace);
      case CaseKind::kTool:
        if (via_ == TargetVia::kProxy) return proxyTool(c, reader, trace);
        break;
      case CaseKind::kAnswer:
      case CaseKind::kRefusal:
      case CaseKind::kStability:
        break;
    }
    WARD_ASSIGN_OR_RETURN(auto a, ask(c, reader, trace));
    Json obs = answerObservation(a);
    if (c.kind == CaseKind::kAnswer && o_.judge != nullptr) {
      WARD_ASSIGN_OR_RETURN(obs["judge"], o_.judge->judge(reader.who, c, obs, trace));
    }
    return obs;
  }

  Result<search::SearchResponse> search(const std::string& query, int k, const Reader& reader,
                                        const trace::TraceContext& trace) {
    search::SearchRequest req;
    req.query = query;
    req.k = k;
    return o_.search->search(reader.who, req, trace);
  }

  Result<answer::AnswerResult> ask(const EvalCase& c, const Reader& reader,
                                   const trace::TraceContext& trace) {
    answer::AnswerRequest req;
    req.question = c.question;
    req.model = o_.model;
    req.k = o_.answer_k;
    req.agent = reader.agent;
    req.template_override = o_.template_override;
    return o_.answers->ask(reader.who, req, trace);
  }

  // A tool case through the proxy's execute loop: what the gateway did is read back from the
  // case's trace (its `tool_call` events from the proxy front door), not from the response.
  Result<Json> proxyTool(const EvalCase& c, const Reader& reader,
                         const trace::TraceContext& trace) {
    WARD_ASSIGN_OR_RETURN(Json resp, o_.proxy(reader.who, o_.model, c.question, trace));
    WARD_ASSIGN_OR_RETURN(Json shown, o_.read_trace(trace.trace_id));
    Json calls = Json::array();
    for (const Json& e : shown.value("events", Json::array())) {
      const Json attrs = e.value("attributes", Json::object());
      if (e.value("kind", "") != "tool_call" || !attrs.is_object() ||
          attrs.value("via", Json::object()).value("front_door", "") != "proxy") {
        continue;
      }
      std::string tool = attrs.value("tool", "");
      tool = tool.substr(0, tool.find('@'));  // "name@version" once resolved
      const std::string decision = attrs.value("decision", "");
      calls.push_back(
          {{"tool", tool},
           {"arguments", attrs.value("args", Json::object())},
           {"outcome",
            decision == "executed" || decision == "replayed" ? std::string("ok") : decision},
           {"decision", decision}});
    }
    std::string text;
    const Json choices = resp.value("choices", Json::array());
    if (choices.is_array() && !choices.empty() && choices[0].contains("message") &&
        choices[0]["message"].value("content", Json()).is_string()) {
      text = choices[0]["message"]["content"].get<std::string>();
    }
    return Json{{"mode", "proxy"},
                {"answer", text},
                {"words", Json::array({text})},
                {"tool_calls", std::move(calls)}};
  }

  Result<Json> retrieval(const EvalCase& c, const Reader& reader,
                         const trace::TraceContext& trace) {
    const int k = std::min(std::max(c.k, 10), o_.search_max_k);
    WARD_ASSIGN_OR_RETURN(auto resp, search(c.question, k, reader, trace));
    Json ranked = Json::array();
    std::set<std::string> seen;
    for (const auto& h : resp.hits) {
      if (seen.insert(h.doc_id).second) ranked.push_back(h.doc_id);
    }
    return Json{{"mode", "search"}, {"ranked", std::move(ranked)}};
  }

  Result<Json> permission(const EvalCase& c, const Reader& reader,
                          const trace::TraceContext& trace) {
    WARD_ASSIGN_OR_RETURN(auto resp, search(c.question, o_.search_max_k, reader, trace));
    WARD_ASSIGN_OR_RETURN(auto a, ask(c, reader, trace));
    // Everything the principal's client receives: hits (ids, titles, snippets, citations), the
    // count, the whole answer object, and the passages the answer read.
    Json seen = Json::object();
    Json hits = Json::array();
    for (const auto& h : resp.hits) hits.push_back(h.toJson());
    seen["search"] = {{"hits", hits}, {"total_matches", resp.total_matches}};
    seen["answer"] = a.toJson();
    Json passages = Json::array();
    for (const auto& p : a.retrieved) passages.push_back({p.doc_id, p.title, p.text});
    seen["passages"] = passages;
    // Document ids where the client gets them: hits, passages read, every citation offered.
    std::set<std::string> ids;
    for (const auto& h : resp.hits) ids.insert(h.doc_id);
    for (const auto& p : a.retrieved) ids.insert(p.doc_id);
    for (const auto& sentence : a.sentences) {
      for (const auto& ci : sentence.citations) ids.insert(ci.citation.doc_id);
    }
    return Json{{"mode", std::string(answer::answerModeName(a.mode))},
                {"as", reader.who.name},
                {"seen", std::move(seen)},
                {"seen_ids", ids},
                {"total_matches", resp.total_matches},
                {"hits", resp.hits.size()},
                {"k", o_.search_max_k}};
  }

  // A runner's own call through the gateway (setup or a check): its result, or an error naming
  // the call when it did not run.
  Result<Json> environmentCall(const EnvironmentCall& e, const Reader& reader,
                               const trace::TraceContext& trace) {
    if (o_.gateway == nullptr) {
      return Status::invalidArgument("the case calls " + e.tool +
                                     " but the run has no tool gateway");
    }
    gateway::CallRequest req;
    req.principal = reader.who;
    req.agent = reader.agent;
    req.tool = e.tool;
    req.args = e.arguments;
    req.trace = trace;
    // Write tools need a key; one per runner call (a repeat is a new trace, so a new key).
    req.idempotency_key = "eval-" + trace.trace_id + "-" + std::to_string(++env_calls_);
    req.via = {{"eval", "environment"}};
    auto out = o_.gateway->call(std::move(req));
    if (!out.ok()) return Status::failedPrecondition(e.tool + ": " + out.status().message());
    if (out->value("status", "") != "ok") {
      return Status::failedPrecondition(e.tool + " did not run: " + dumpJson(*out));
    }
    return out->contains("result") ? (*out)["result"] : Json();
  }

  Result<Json> injection(const EvalCase& c, const Reader& reader,
                         const trace::TraceContext& trace) {
    for (const auto& e : c.setup) {
      WARD_ASSIGN_OR_RETURN(Json ignored, environmentCall(e, reader, trace));
      (void)ignored;
    }
    WARD_ASSIGN_OR_RETURN(auto a, ask(c, reader, trace));
    Json obs = answerObservation(a);
    // The checks' results, in order: scoring compares them with each `expect`.
    for (auto [key, list] :
         {std::pair{"utility", &c.utility_checks}, std::pair{"attack", &c.attack_checks}}) {
      if (list->empty()) continue;
      Json results = Json::array();
      for (const auto& e : *list) {
        WARD_ASSIGN_OR_RETURN(Json result, environmentCall(e, reader, trace));
        results.push_back(std::move(result));
      }
      obs[key] = std::move(results);
    }
    return obs;
  }

  // The write through the ingest path, then, with no wait, the search (docs: Ward indexes before
  // the write returns, so the freshness SLO is 0).
  Result<Json> freshness(const EvalCase& c, const Reader& reader,
                         const trace::TraceContext& trace) {
    if (o_.ingest == nullptr) {
      return Status::invalidArgument("a freshness case needs the ingest service");
    }
    Json update;
    if (!c.record.is_null()) {
      WARD_ASSIGN_OR_RETURN(auto report,
                            o_.ingest->ingestRecords(o_.tenant, Json::array({c.record}),
                                                     kFreshnessSource, trace, kEvalWriter));
      if (report.results.empty()) {
        return Status::invalidArgument("the record was not written");
      }
      update = {{"action", "upsert"}, {"record_id", c.record["id"]}};
    } else {
      Status s = o_.ingest->removeDocument(o_.tenant, c.delete_doc, trace, kEvalWriter);
      if (!s.ok()) return Status(s.code(), "delete " + c.delete_doc + ": " + s.message());
      update = {{"action", "delete"}, {"doc_id", c.delete_doc}};
    }
    const int k = std::min(std::max(c.k, 10), o_.search_max_k);
    WARD_ASSIGN_OR_RETURN(auto resp, search(c.question, k, reader, trace));
    Json ranked = Json::array();
    Json texts = Json::array();  // each hit's title and snippet, without the «highlights»
    std::set<std::string> seen;
    for (const auto& h : resp.hits) {
      if (seen.insert(h.doc_id).second) ranked.push_back(h.doc_id);
      texts.push_back(h.title);
      texts.push_back(withoutHighlights(h.snippet));
    }
    return Json{{"mode", "search"}, {"update", update}, {"ranked", ranked}, {"texts", texts}};
  }

  static constexpr const char* kFreshnessSource = "eval";  // records without a `source`
  static constexpr const char* kEvalWriter = "eval";       // the writer the ingest records

  const RunOptions& o_;
  const TargetVia via_;
  int env_calls_ = 0;  // numbers the runner's own gateway calls (idempotency keys)
};

}  // namespace

Result<EvalRun> runSuite(const EvalSuite& suite, const RunOptions& options) {
  if (options.repeat < 1 || options.repeat > kMaxRepeat) {
    return Status::invalidArgument("--repeat must be between 1 and " + std::to_string(kMaxRepeat));
  }
  if (options.search == nullptr || options.answers == nullptr || !options.resolve) {
    return Status::invalidArgument(
        "runSuite needs a search service, an answer service and a resolver");
  }
  // Every principal first: a misspelt user is a broken suite, not a failed case.
  std::map<std::pair<std::string, std::string>, Reader> readers;
  for (const EvalCase& c : suite.cases) {
    if (suite.via == TargetVia::kProxy && c.kind == CaseKind::kTool) {
      if (!options.proxy || !options.read_trace) {
        return Status::invalidArgument("target.via = \"proxy\" needs the proxy target");
      }
      if (options.model.empty()) {
        return Status::invalidArgument(
            "target.via = \"proxy\": tool cases need a model (target.model or --model)");
      }
      if (!c.agent.empty()) {
        return Status::invalidArgument(c.where + ": case '" + c.id +
                                       "': target.via = \"proxy\" runs as the principal an API "
                                       "key names: 'agent' is not supported there");
      }
    }
    auto key = std::make_pair(c.as, c.agent);
    if (readers.count(key)) continue;
    auto reader = options.resolve(c.as, c.agent);
    if (!reader.ok()) {
      return Status::invalidArgument(c.where + ": case '" + c.id +
                                     "': " + reader.status().message());
    }
    readers.emplace(key, std::move(*reader));
  }
  EvalRun run;
  run.suite_name = suite.name;
  run.suite_path = suite.path;
  run.model = options.model;
  run.repeat = options.repeat;
  run.thresholds = suite.thresholds;
  run.link_hosts = options.link_hosts;
  if (options.judge != nullptr) run.judge_model = options.judge->model();
  run.started_at = formatRfc3339(SystemClock::instance().nowMicros());
  const int64_t start = SystemClock::instance().monotonicNanos();
  CaseRunner runner(options, suite.via);
  run.cases.reserve(suite.cases.size());
  for (const EvalCase& c : suite.cases) {
    CaseResult result;
    result.spec = c;
    const Reader& reader = readers.at({c.as, c.agent});
    for (int i = 0; i < options.repeat; ++i) result.runs.push_back(runner.run(c, reader));
    run.cases.push_back(std::move(result));
    if (options.progress) options.progress(run.cases.size(), suite.cases.size());
  }
  run.took_ms = static_cast<double>(SystemClock::instance().monotonicNanos() - start) / 1e6;
  return run;
}

}  // namespace ward::eval
