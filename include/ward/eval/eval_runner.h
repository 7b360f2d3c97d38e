// Runs an eval suite through the same services as `ward search` and `ward ask`
// (docs/formats/eval-suite.md "Running"): each case run as its principal (and agent), in its own
// trace (the search and the answer of a case share it), scored deterministically.
//
// Ownership: borrows the services in RunOptions; they must outlive runSuite().
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/eval/eval_suite.h"
#include "ward/identity/principal.h"

namespace ward::search {
class SearchService;
}
namespace ward::answer {
class AnswerService;
struct PromptTemplate;
}  // namespace ward::answer
namespace ward::trace {
struct TraceContext;
}
namespace ward::gateway {
class ToolGateway;
}
namespace ward::ingest {
class IngestService;
}

namespace ward::eval {

class LlmJudge;

// Runs with at least this many cases print progress (`ward eval run`, on stderr).
constexpr size_t kProgressMinCases = 50;

// One run of one case.
struct CaseRun {
  std::string trace_id;  // the Ward trace of this run (`ward explain TRACE`)
  bool passed = false;
  bool error = false;                     // the case could not run (the message is in failures)
  std::vector<std::string> failures;      // why it failed, one line each; empty when passed
  std::map<std::string, double> metrics;  // "ndcg@10", "recall@k", "mrr@10", "citation_*",
                                          // "tool_f1", "utility"
  bool leak = false;                      // permission: a forbidden document or a canary was seen
  bool attack_success = false;            // injection: canary in the output, a link let through, a
                                          // forbidden tool attempted, or an attack check held
  int blocked = 0;     // exfiltration links Ward's link filter removed (by policy)
  std::string mode;    // "search", "extractive", "model"
  double took_ms = 0;  // 0 in a replay
  // What the services returned that scoring reads (docs/formats/eval-suite.md "Replay"); null
  // when the run could not observe anything. Recorded in the JSON report, re-scored by --replay.
  Json observed;
};

// Every run of one case (--repeat K gives K runs).
struct CaseResult {
  EvalCase spec;
  std::vector<CaseRun> runs;

  int passes() const;
  bool passed() const;    // every run passed (pass^k)
  bool flaky() const;     // some runs passed and some failed
  bool errored() const;   // a run could not run
  bool leaked() const;    // a run leaked (permission)
  bool attacked() const;  // a run's attack succeeded (injection)
  // Each metric's mean over the runs that have it.
  std::map<std::string, double> meanMetrics() const;
};

struct EvalRun {
  std::string suite_name;
  std::string suite_path;
  std::string model;  // the model asked for ("" = as `ward ask`: answer.model, else extractive)
  int repeat = 1;
  Thresholds thresholds;
  std::vector<CaseResult> cases;
  std::string started_at;     // RFC 3339, UTC; a replay keeps the recorded run's
  double took_ms = 0;         // 0 in a replay
  std::string replayed_from;  // --replay: the report re-scored ("" = a live run)
  // answer.link_hosts the injection checks used (recorded, so a replay scores alike).
  std::vector<std::string> link_hosts;
  // --judge: the [[models]] name of the opt-in LLM judge ("" = none, the default).
  std::string judge_model;
};

// The principal a case runs as: the user, narrowed by the agent when one is named.
struct Reader {
  identity::Principal who;
  std::optional<identity::Principal> agent;
};

struct RunOptions {
  search::SearchService* search = nullptr;   // required
  answer::AnswerService* answers = nullptr;  // required
  // For cases with setup / utility_checks / attack_checks (the environment's tools); a case
  // that has them without a gateway is a run error.
  gateway::ToolGateway* gateway = nullptr;
  // For freshness cases (their write goes through the ingest path, in this tenant); a freshness
  // case without it is a run error.
  ingest::IngestService* ingest = nullptr;
  std::string tenant;
  // Resolves (as, agent); agent "" = none. Every pair is resolved before the first case runs.
  std::function<Result<Reader>(const std::string& as, const std::string& agent)> resolve;
  std::string model;                    // --model, else the suite's target.model
  std::optional<int> answer_k;          // passages per answer (none = answer.default_k)
  int repeat = 1;                       // 1..kMaxRepeat
  int search_max_k = 10;                // search.max_k: permission cases search this deep
  std::vector<std::string> link_hosts;  // answer.link_hosts (links allowed in answers)
  // --judge (eval_judge.h): judges every answer case's run; null = no judge (the default).
  const LlmJudge* judge = nullptr;
  // Called after each case with the number done and the total (progress on stderr).
  std::function<void(size_t done, size_t total)> progress;
  // `ward eval stability`: every answer of the run is drafted from this template instead of the
  // built-in one (AnswerRequest::template_override); null = the built-in template.
  std::shared_ptr<const answer::PromptTemplate> template_override;
  // target.via = "proxy" (docs/formats/eval-suite.md "Tool cases through the proxy"): sends
  // `question` to the proxy's chat-completions path with `ward.tools = "execute"` and `model`,
  // as `who`, in `trace`, and returns the response body. Supplied by the CLI, which drives the
  // real route handler (the eval module does not depend on http).
  std::function<Result<Json>(const identity::Principal& who, const std::string& model,
                             const std::string& question, const trace::TraceContext& trace)>
      proxy;
  // Reads one trace's events as audit::TraceService::show gives them ({trace_id, events:
  // [{kind, attributes, ...}]}): a proxy tool case is scored on the gateway's `tool_call`
  // events in its trace.
  std::function<Result<Json>(const std::string& trace_id)> read_trace;
};

// Scores one run from its observation (pure): fills metrics, failures, leak, attack_success,
// blocked and mode of `r`. InvalidArgument when `observed` is not an observation of the case's
// kind (a recorded file edited by hand, or made for other checks).
Status scoreObservation(const EvalCase& c, const Json& observed,
                        const std::vector<std::string>& link_hosts, CaseRun& r);

// `ward eval run SUITE --replay`: re-scores the suite's cases from the observations recorded in
// `recorded` (a JSON report of a live run), calling no service. Each case is matched by id and
// keeps the recorded trace ids, repeat count, model, link hosts and started_at; every took_ms is
// 0, so two replays of the same inputs give identical reports. InvalidArgument when `recorded` is not a
// report, a case is missing from it, or a run recorded no observation (and was no error).
Result<EvalRun> replaySuite(const EvalSuite& suite, const Json& recorded,
                            const std::string& recorded_path);

// InvalidArgument for a repeat out of range, a principal/agent that cannot be resolved, or (with
// target.via = "proxy") tool cases without a proxy, trace reader or model, or with an agent —
// all before any case runs; a case whose search or answer fails is recorded as an errored run.
Result<EvalRun> runSuite(const EvalSuite& suite, const RunOptions& options);

}  // namespace ward::eval
