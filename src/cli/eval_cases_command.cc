// ward eval cases from-trace TRACE_ID [--kind answer|retrieval] [--expect-from-override]
// [--as READER]: one JSONL case from a recorded trace (eval_from_trace.h), printed for a
// reviewer to edit and add to a suite.
#include <iostream>

#include "commands.h"
#include "trace_access.h"
#include "ward/eval/eval_from_trace.h"

namespace ward::cli {

void registerEvalCasesCommands(CLI::App* eval, CliContext& ctx, CommandSlot& slot) {
  auto* cases = eval->add_subcommand("cases", "Make eval cases");
  cases->require_subcommand(1);
  auto* from = cases->add_subcommand(
      "from-trace", "Print one JSONL case made from a recorded trace (an answer or a search)");
  static std::string trace_id, kind = "auto", as;
  static bool from_override = false;
  from->add_option("TRACE_ID", trace_id, "The 32-hex trace id")->required();
  from->add_option("--kind", kind, "answer, retrieval or auto (answer when the trace has one)")
      ->check(CLI::IsMember({"auto", "answer", "retrieval"}));
  from->add_flag("--expect-from-override", from_override,
                 "The expectation comes from the reviewer's corrected answer recorded on the "
                 "trace (ward trace feedback TRACE --override --corrected-answer TEXT)");
  from->add_option("--as", as, "Read the trace as this principal (needs the auditor role)");
  from->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      const eval::FromTraceKind k = kind == "answer"      ? eval::FromTraceKind::kAnswer
                                    : kind == "retrieval" ? eval::FromTraceKind::kRetrieval
                                                          : eval::FromTraceKind::kAuto;
      if (from_override && k == eval::FromTraceKind::kRetrieval) {
        return fail(Status::invalidArgument(
            "--expect-from-override makes an answer (or refusal) case: not with --kind retrieval"));
      }
      return withService(ctx, as, [&](audit::TraceService& svc, const audit::TraceAccess& a) {
        // Reading the trace needs the auditor role; a refusal is recorded (TraceService).
        auto trace = svc.show(a, trace_id);
        if (!trace.ok()) return fail(trace.status());
        auto c = from_override ? eval::caseFromOverride(*trace) : eval::caseFromTrace(*trace, k);
        if (!c.ok()) return fail(c.status());
        std::cout << dumpJson(*c) << "\n";
        return 0;
      });
    };
  });
}

}  // namespace ward::cli
