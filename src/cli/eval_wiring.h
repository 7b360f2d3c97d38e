// What `ward eval run` and `ward eval stability` share: the eval::RunOptions of a suite over the
// data dir's services (search, answer loop, ingest, the gateway when a case calls tools, the
// proxy target when the suite's tool cases run through the proxy), the principal resolver and
// the progress lines.
#pragma once

#include <memory>
#include <string>

#include "cli_context.h"
#include "eval_proxy_target.h"
#include "ward/answer/answer_service.h"
#include "ward/eval/eval_runner.h"

namespace ward::cli {

struct EvalWiring {
  std::unique_ptr<answer::AnswerService> answers;
  std::unique_ptr<EvalProxyTarget> proxy;  // target.via = "proxy" only
  eval::RunOptions options;                // borrows the above and the context
};

// After ctx.open(). `model` is --model (else the suite's target.model), `repeat` the runs per
// case (1..kMaxRepeat), `quiet` turns the progress lines off.
Result<std::unique_ptr<EvalWiring>> openEvalWiring(CliContext& ctx, const eval::EvalSuite& suite,
                                                   const std::string& model, int repeat,
                                                   bool quiet);

// Exit status 2 of `ward eval` commands, after printing the error.
int runError(const Status& s);

// Writes a report file whole (truncating); Unavailable naming the path on any failure.
Status writeFile(const std::string& path, const std::string& text);

}  // namespace ward::cli
