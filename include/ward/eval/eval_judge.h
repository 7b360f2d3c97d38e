// The opt-in LLM judge (`ward eval run SUITE --judge MODEL`, docs/formats/eval-suite.md "LLM
// judge"): after an answer case's run, a rubric prompt goes to a [[models]] model through Ward's
// own model layer (ModelService: the case principal's grant, budgets, the `model_call` record in
// the case's trace). The verdict is parsed strictly; one that is not {"score", "reason"} is a run
// error, never a pass. Never the default: without --judge no judge is called.
//
// Ownership: LlmJudge borrows the ModelService (it must outlive the judge). Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/eval/eval_suite.h"
#include "ward/identity/principal.h"
#include "ward/trace/trace.h"

namespace ward::models {
class ModelService;
}

namespace ward::eval {

// The longest judge reply read (bytes); a longer one is an unparseable verdict.
constexpr size_t kMaxJudgeReplyBytes = 4096;
// The longest `reason` kept from a verdict (bytes).
constexpr size_t kMaxJudgeReasonBytes = 1000;

struct JudgeVerdict {
  double score = 0;  // 0..1
  std::string reason;
};

// The judge's instructions (the system message): the rubric, the verdict's exact shape.
std::string_view judgeSystemPrompt();

// The user message of the rubric: the case's question, its checks, an optional case `rubric`,
// then the answer the principal received and the quotes of its verified citations, fenced under
// `marker` as data (the answer can carry text planted in a document).
std::string judgeUserPrompt(const EvalCase& c, const Json& observed, const std::string& marker);

// Strict: `reply`, trimmed of white space, is exactly one JSON object with the keys "score" (a
// number 0..1) and "reason" (a non-empty string of at most kMaxJudgeReasonBytes), and no other.
// InvalidArgument naming what is wrong otherwise (a fenced block, prose, a missing key, ...).
Result<JudgeVerdict> parseJudgeVerdict(std::string_view reply);

class LlmJudge {
 public:
  LlmJudge(models::ModelService& models, std::string model);

  const std::string& model() const { return model_; }

  // Judges one answer case's observation as `who` (the case's principal: the judge reads only
  // what that principal was shown) in the case's trace. Returns {"model": the [[models]] name
  // asked for, "served_model": the model the provider says answered, "score", "reason"}.
  // The model layer's error (not granted, budget, upstream) or an unparseable verdict is an
  // error naming the judge.
  Result<Json> judge(const identity::Principal& who, const EvalCase& c, const Json& observed,
                     const trace::TraceContext& trace) const;

 private:
  models::ModelService& models_;
  std::string model_;
};

}  // namespace ward::eval
