// The services an eval run drives; the contract is in eval_wiring.h.
#include "eval_wiring.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "ward/answer/answer_config.h"
#include "ward/identity/directory.h"

namespace ward::cli {

Result<std::unique_ptr<EvalWiring>> openEvalWiring(CliContext& ctx, const eval::EvalSuite& suite,
                                                   const std::string& model, int repeat,
                                                   bool quiet) {
  auto w = std::make_unique<EvalWiring>();
  WARD_ASSIGN_OR_RETURN(answer::AnswerConfig config, answer::loadAnswerConfig(ctx.configPath()));
  eval::RunOptions& o = w->options;
  o.model = model;
  o.repeat = repeat;
  o.answer_k = suite.answer_k;
  o.search_max_k = ctx.config().search.max_k;
  o.link_hosts = config.link_hosts;
  WARD_ASSIGN_OR_RETURN(w->answers,
                        openAnswerService(ctx, !o.model.empty() || !config.model.empty()));
  o.search = &ctx.search();
  o.answers = w->answers.get();
  o.ingest = &ctx.ingest();
  o.tenant = ctx.tenant();
  if (std::any_of(suite.cases.begin(), suite.cases.end(), [](const eval::EvalCase& c) {
        return !c.setup.empty() || !c.utility_checks.empty() || !c.attack_checks.empty();
      })) {
    WARD_ASSIGN_OR_RETURN(o.gateway, ctx.gateway());
  }
  if (suite.via == eval::TargetVia::kProxy &&
      std::any_of(suite.cases.begin(), suite.cases.end(),
                  [](const eval::EvalCase& c) { return c.kind == eval::CaseKind::kTool; })) {
    WARD_ASSIGN_OR_RETURN(w->proxy, EvalProxyTarget::open(ctx));
    const EvalProxyTarget* proxy = w->proxy.get();
    o.proxy = [proxy](const identity::Principal& who, const std::string& m,
                      const std::string& question, const trace::TraceContext& trace) {
      return proxy->send(who, m, question, trace);
    };
    o.read_trace = [proxy](const std::string& trace_id) { return proxy->readTrace(trace_id); };
  }
  o.resolve = [&ctx](const std::string& as, const std::string& agent) -> Result<eval::Reader> {
    WARD_ASSIGN_OR_RETURN(identity::Principal who, ctx.principal(as));
    eval::Reader r;
    if (agent.empty()) {
      r.who = std::move(who);
      return r;
    }
    WARD_ASSIGN_OR_RETURN(identity::Principal a, ctx.principal(agent));
    WARD_ASSIGN_OR_RETURN(r.who, identity::resolveActingFor(ctx.store(), who, a));
    r.agent = std::move(a);
    return r;
  };
  if (!quiet) {
    const auto start = std::chrono::steady_clock::now();
    o.progress = [start](size_t done, size_t all) {
      const size_t step = std::max<size_t>(1, all / 10);
      if (all < eval::kProgressMinCases || (done % step != 0 && done != all)) return;
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cerr << "eval: " << done << "/" << all << " cases (" << static_cast<int>(secs)
                << " s)\n";
    };
  }
  return w;
}

constexpr int kExitRunError = 2;

int runError(const Status& s) {
  std::cerr << "error: " << s.message() << "\n";
  return kExitRunError;
}

Status writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::unavailable("cannot write " + path);
  out << text;
  out.close();
  if (!out) return Status::unavailable("cannot write " + path);
  return Status::okStatus();
}

}  // namespace ward::cli
