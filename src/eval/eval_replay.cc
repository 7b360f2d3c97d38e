// `ward eval run SUITE --replay`: a suite re-scored from a recorded JSON report's observations;
// the contract (replaySuite) is in include/ward/eval/eval_runner.h.
#include <map>

#include "ward/eval/eval_report.h"
#include "ward/eval/eval_runner.h"

namespace ward::eval {

namespace {

Result<EvalRun> replayRecorded(const EvalSuite& suite, const Json& recorded,
                               const std::string& recorded_path) {
  auto bad = [&](const std::string& what) {
    return Status::invalidArgument(recorded_path + ": " + what);
  };
  if (!recorded.is_object() || recorded.value("schema", "") != kReportSchema ||
      !recorded.contains("schema_version") || !recorded["schema_version"].is_number_integer() ||
      recorded["schema_version"].get<int>() != kReportSchemaVersion) {
    return bad("not a Ward eval report (schema " + std::string(kReportSchema) + " version " +
               std::to_string(kReportSchemaVersion) + ")");
  }
  if (!recorded.contains("cases") || !recorded["cases"].is_array()) return bad("no cases");
  std::map<std::string, const Json*> by_id;
  for (const Json& c : recorded["cases"]) {
    if (c.is_object() && c.contains("id") && c["id"].is_string()) {
      by_id[c["id"].get<std::string>()] = &c;
    }
  }
  EvalRun run;
  run.suite_name = suite.name;
  run.suite_path = suite.path;
  run.thresholds = suite.thresholds;
  run.model = recorded.value("model", "");
  // The judge's recorded verdicts are re-scored; no judge is called again.
  if (recorded.contains("judge") && recorded["judge"].is_object()) {
    run.judge_model = recorded["judge"].value("model", "");
  }
  run.started_at = recorded.value("started_at", "");
  run.replayed_from = recorded_path;
  for (const Json& h : recorded.value("link_hosts", Json::array())) {
    run.link_hosts.push_back(h.get<std::string>());
  }
  const std::vector<std::string>& link_hosts = run.link_hosts;
  const Json repeat = recorded.value("repeat", Json(1));
  run.repeat = repeat.is_number_integer() ? repeat.get<int>() : 1;
  for (const EvalCase& c : suite.cases) {
    auto it = by_id.find(c.id);
    if (it == by_id.end()) return bad("case '" + c.id + "' is not in the recorded run");
    const Json& rc = *it->second;
    if (!rc.contains("run_details") || !rc["run_details"].is_array() || rc["run_details"].empty()) {
      return bad("case '" + c.id + "' has no recorded runs");
    }
    CaseResult result;
    result.spec = c;
    for (const Json& rd : rc["run_details"]) {
      CaseRun r;
      if (!rd.is_object()) return bad("case '" + c.id + "': a run is not an object");
      r.trace_id = rd.value("trace_id", "");
      const Json observed = rd.value("observed", Json());
      if (observed.is_null()) {
        if (!rd.value("error", false)) {
          return bad("case '" + c.id + "': a run recorded no observation (a report written " +
                     "before --replay existed?)");
        }
        // The live run could not observe anything: it stays a run error.
        r.error = true;
        r.mode = rd.value("mode", "");
        const Json failures = rd.value("failures", Json::array());
        for (const Json& f : failures) {
          if (f.is_string()) r.failures.push_back(f.get<std::string>());
        }
        if (r.failures.empty()) r.failures.push_back("run error (recorded)");
      } else {
        Status s = scoreObservation(c, observed, link_hosts, r);
        if (!s.ok()) return bad(s.message());
        r.observed = observed;
        r.passed = r.failures.empty();
      }
      result.runs.push_back(std::move(r));
    }
    run.cases.push_back(std::move(result));
  }
  return run;
}

}  // namespace

Result<EvalRun> replaySuite(const EvalSuite& suite, const Json& recorded,
                            const std::string& recorded_path) {
  // The recorded report is input: a field of the wrong type is an error, not a crash.
  try {
    return replayRecorded(suite, recorded, recorded_path);
  } catch (const std::exception& e) {
    return Status::invalidArgument(recorded_path +
                                   ": not a report this Ward can replay: " + e.what());
  }
}

}  // namespace ward::eval
