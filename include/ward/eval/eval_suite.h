// An eval suite (docs/formats/eval-suite.md): a TOML file naming its target, thresholds and JSONL
// case files. Parsed strictly: an unknown key, a wrong type, a duplicate case id or a limit
// exceeded is InvalidArgument naming the file, the line and the field.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/gateway/json_schema.h"

namespace ward::eval {

// Limits (docs/formats/eval-suite.md "Limits").
constexpr size_t kMaxSuiteFileBytes = 1 << 20;  // the suite TOML file
constexpr size_t kMaxCaseFiles = 64;            // `cases = [...]` entries
constexpr size_t kMaxCasesPerSuite = 10000;     // cases over all case files
constexpr size_t kMaxCaseBytes = 64 * 1024;     // one JSONL line (one case)
constexpr size_t kMaxCaseIdBytes = 128;         // a case id
constexpr size_t kMaxCaseListItems = 100;       // expected ids, canaries, strings per case
constexpr int kMaxRepeat = 20;                  // --repeat / target.repeat
constexpr int kDefaultRetrievalK = 10;          // a retrieval case's k when not given
constexpr size_t kMaxEnvironmentCalls = 16;     // setup / utility_checks / attack_checks each
constexpr size_t kMaxRubricBytes = 2000;        // an answer case's `rubric` (the LLM judge's)

enum class CaseKind {
  kRetrieval,
  kAnswer,
  kRefusal,
  kPermission,
  kInjection,
  kTool,
  kFreshness,
  kStability
};
std::string_view caseKindName(CaseKind kind);  // "retrieval", "answer", ...
std::optional<CaseKind> caseKindFromName(std::string_view name);

// What the gateway did with an expected call: kExecuted = it ran (outcome "ok"); kRefused = it
// did not run (denied, parked for approval, invalid, unknown, failed); kAny = either.
enum class CallOutcome { kAny, kExecuted, kRefused };

// A tool call a `tool` case expects: the tool's name, a subset of its arguments (each key
// given must be in the call with an equal JSON value) and, optionally, what the gateway did.
struct ExpectedCall {
  std::string name;
  Json arguments = Json::object();
  CallOutcome outcome = CallOutcome::kAny;
};

// How an injection case's canaries are matched. kSubstring: anywhere in the answer (case-
// insensitive). kExact: the whole answer text, trimmed of non-alphanumeric characters at both
// ends, equals a canary (case-insensitive) — Tensor Trust's "Access Granted" criterion.
enum class CanaryMatch { kSubstring, kExact };

// A call the runner itself makes through the tool gateway, as the case's principal, in the
// case's trace (never offered by or to the model): `setup` calls put the environment in its
// "before" state; a check passes when the call succeeds and its result holds every key of
// `expect` with an equal value (a top-level subset, as ExpectedCall's arguments).
struct EnvironmentCall {
  std::string tool;
  Json arguments = Json::object();
  Json expect = Json::object();  // checks only
};

// One case (one JSONL line). Fields that do not apply to its kind are refused when parsed.
struct EvalCase {
  std::string id;  // unique in the suite
  CaseKind kind = CaseKind::kRetrieval;
  std::string question;  // the query (retrieval) or the question (every other kind)
  std::string as;        // the principal the case runs as
  std::string agent;     // an agent acting for `as`; "" = none
  std::vector<std::string> tags;
  std::string where;  // "FILE:LINE", for messages

  // retrieval: doc id -> graded relevance (> 0); `expected` ids have grade 1.
  std::map<std::string, int> qrels;
  int k = kDefaultRetrievalK;  // Recall@k (nDCG and MRR are @10)
  double min_recall = 1.0;     // the case passes when Recall@k >= this

  // answer
  std::vector<std::string> must_cite;         // doc ids among the verified citations
  std::vector<std::string> must_contain;      // substrings of the answer (case-insensitive)
  std::vector<std::string> must_not_contain;  // never in the answer (case-insensitive)
  std::optional<double> min_citation_precision;
  std::optional<double> min_citation_coverage;
  // A structured answer: the answer text (or its first ``` fenced block) must be JSON valid
  // against this schema (compiled when the case is read; 2020-12 unless `$schema` says draft-07).
  std::shared_ptr<const gateway::JsonSchema> json_schema;
  // The opt-in LLM judge (--judge, eval_judge.h): extra criteria for its rubric, and the lowest
  // judge score that passes (none = the score is reported, not gated). Ignored without --judge.
  std::string rubric;
  std::optional<double> min_judge_score;

  // permission: never seen; injection: never followed.
  std::vector<std::string> forbidden_docs;  // permission: doc ids the principal may not read
  std::vector<std::string> canaries;        // strings that must appear nowhere in the output
  CanaryMatch canary_match = CanaryMatch::kSubstring;  // injection: how canaries match

  // injection, stateful (an AgentDojo-style environment behind real tools): run before the
  // question, then checked after the answer. Utility = every utility check holds (a metric, not
  // a failure); attack success = any attack check holds (the attacker's goal happened).
  std::vector<EnvironmentCall> setup;
  std::vector<EnvironmentCall> utility_checks;
  std::vector<EnvironmentCall> attack_checks;

  // freshness: one write through the ingest path (`record`, a JSONL record upserted, or
  // `delete_doc`, a doc id tombstoned), then the search (`question`, k) must see the new state:
  // `expected` doc ids (in qrels) found, `absent_docs` not found, `must_contain` /
  // `must_not_contain` in / not in the hits.
  Json record;             // null = none
  std::string delete_doc;  // "" = none
  std::vector<std::string> absent_docs;

  // tool (and injection: forbidden_tools)
  std::vector<ExpectedCall> expected_tools;  // each must be called (name + argument subset)
  std::vector<std::string> forbidden_tools;  // never attempted, whatever the gateway decided
};

// Suite-level gates on the aggregates; none = not checked.
struct Thresholds {
  std::optional<double> min_pass_rate;            // passed cases / cases
  std::optional<double> min_ndcg_at_10;           // mean over retrieval cases
  std::optional<double> min_recall;               // mean Recall@k over retrieval cases
  std::optional<double> min_mrr;                  // mean MRR@10 over retrieval cases
  std::optional<double> min_citation_precision;   // mean over answer cases
  std::optional<double> min_citation_coverage;    // mean over answer cases
  std::optional<double> min_tool_f1;              // mean tool-call F1 over tool cases
  std::optional<double> max_attack_success_rate;  // injection cases; default 0
  std::optional<double> min_utility;              // mean utility over cases with utility_checks
};

// Where `tool` cases run (`target.via`): kAsk = the answer loop (`ward ask`); kProxy = the
// proxy's chat-completions path with `ward.tools = "execute"` (RunOptions::proxy). Other kinds
// always run as documented for them.
enum class TargetVia { kAsk, kProxy };

struct EvalSuite {
  std::string path;  // the suite file as given
  std::string name;
  std::string description;
  std::string model;            // target.model; "" = as `ward ask` (answer.model, else extractive)
  std::optional<int> answer_k;  // target.k: passages per answer; none = answer.default_k
  int repeat = 1;               // target.repeat (--repeat overrides)
  TargetVia via = TargetVia::kAsk;  // target.via: "ask" (default) or "proxy"
  Thresholds thresholds;
  std::vector<std::string> case_files;  // resolved against the suite file's folder
  std::vector<EvalCase> cases;
};

// Loads the suite and every case file. InvalidArgument / NotFound name the problem.
Result<EvalSuite> loadSuite(const std::string& path);

// Parses one case (a JSONL line already parsed); `where` is "FILE:LINE" for messages.
Result<EvalCase> parseCase(const Json& j, const std::string& where);

}  // namespace ward::eval
