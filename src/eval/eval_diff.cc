// Baseline comparison; the contract is in include/ward/eval/eval_diff.h.
#include "ward/eval/eval_diff.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "ward/eval/eval_report.h"

namespace ward::eval {

namespace {

constexpr double kEpsilon = 1e-9;  // float noise in means of identical runs

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

Status checkReport(const Json& j, const char* which) {
  if (!j.is_object() || j.value("schema", "") != std::string(kReportSchema)) {
    return Status::invalidArgument(std::string(which) + " is not a Ward eval report (schema " +
                                   kReportSchema + ")");
  }
  if (!j.contains("schema_version") || !j["schema_version"].is_number_integer() ||
      j["schema_version"].get<int>() < 1 || j["schema_version"].get<int>() > kReportSchemaVersion) {
    return Status::invalidArgument(std::string(which) + ": schema_version must be 1.." +
                                   std::to_string(kReportSchemaVersion));
  }
  for (const char* key : {"summary", "cases"}) {
    if (!j.contains(key)) {
      return Status::invalidArgument(std::string(which) + ": missing '" + key + "'");
    }
  }
  if (!j["cases"].is_array() || !j["summary"].is_object()) {
    return Status::invalidArgument(std::string(which) +
                                   ": 'cases' must be an array and "
                                   "'summary' an object");
  }
  return Status::okStatus();
}

double number(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
}

double noiseOf(const Json& report, const std::string& metric) {
  if (!report.contains("noise") || !report["noise"].is_object()) return 0;
  const Json& n = report["noise"];
  return n.contains(metric) && n[metric].is_number() ? n[metric].get<double>() : 0.0;
}

std::map<std::string, const Json*> casesById(const Json& report) {
  std::map<std::string, const Json*> out;
  for (const Json& c : report["cases"]) {
    if (c.is_object() && c.contains("id") && c["id"].is_string()) {
      out[c["id"].get<std::string>()] = &c;
    }
  }
  return out;
}

bool flag(const Json& c, const char* key) {
  return c.contains(key) && c[key].is_boolean() && c[key].get<bool>();
}

std::string firstFailure(const Json& c) {
  if (c.contains("failures") && c["failures"].is_array() && !c["failures"].empty() &&
      c["failures"][0].is_string()) {
    return c["failures"][0].get<std::string>();
  }
  return "failed";
}

}  // namespace

Json DiffResult::toJson() const {
  return {{"regressions", regressions},
          {"improvements", improvements},
          {"notes", notes},
          {"failed", failed()}};
}

Result<DiffResult> diffReports(const Json& baseline, const Json& current) {
  WARD_RETURN_IF_ERROR(checkReport(baseline, "the baseline"));
  WARD_RETURN_IF_ERROR(checkReport(current, "the current report"));
  DiffResult d;
  const Json& bs = baseline["summary"];
  const Json& cs = current["summary"];

  // Leaks and attacks: never averaged away.
  const auto base_cases = casesById(baseline);
  const auto cur_cases = casesById(current);
  for (const auto& [id, c] : cur_cases) {
    if (c->value("kind", "") == "permission" && !flag(*c, "passed") && !flag(*c, "error")) {
      d.regressions.push_back("permission leak: case " + id + ": " + firstFailure(*c));
    }
  }
  const double base_asr = number(bs, "attack_success_rate");
  const double cur_asr = number(cs, "attack_success_rate");
  if (cur_asr > base_asr + kEpsilon) {
    d.regressions.push_back("attack success rate rose from " + fmt(base_asr) + " to " +
                            fmt(cur_asr));
  } else if (cur_asr + kEpsilon < base_asr) {
    d.improvements.push_back("attack success rate fell from " + fmt(base_asr) + " to " +
                             fmt(cur_asr));
  }

  // Aggregates beyond the noise of either run.
  auto compare = [&](const std::string& name, double b, double c) {
    const double noise = std::max(noiseOf(baseline, name), noiseOf(current, name));
    if (c + noise + kEpsilon < b) {
      d.regressions.push_back(name + " fell from " + fmt(b) + " to " + fmt(c) + " (noise " +
                              fmt(noise) + ")");
    } else if (c > b + noise + kEpsilon) {
      d.improvements.push_back(name + " rose from " + fmt(b) + " to " + fmt(c));
    }
  };
  compare("pass_rate", number(bs, "pass_rate"), number(cs, "pass_rate"));
  if (bs.contains("metrics") && bs["metrics"].is_object() && cs.contains("metrics") &&
      cs["metrics"].is_object()) {
    for (const auto& [name, v] : bs["metrics"].items()) {
      if (!v.is_number()) continue;
      if (!cs["metrics"].contains(name) || !cs["metrics"][name].is_number()) {
        d.notes.push_back("metric " + name + " is not in the current report");
        continue;
      }
      compare(name, v.get<double>(), cs["metrics"][name].get<double>());
    }
  }

  // Case by case: a case that passed and now fails, unless either run found it flaky.
  for (const auto& [id, b] : base_cases) {
    auto it = cur_cases.find(id);
    if (it == cur_cases.end()) {
      d.notes.push_back("case " + id + " is not in the current report");
      continue;
    }
    const Json& c = *it->second;
    const bool was = flag(*b, "passed");
    const bool is = flag(c, "passed");
    if (was && !is) {
      if (flag(*b, "flaky") || flag(c, "flaky")) {
        d.notes.push_back("case " + id + " is flaky: " + firstFailure(c));
      } else if (c.value("kind", "") != "permission") {  // leaks are listed above
        d.regressions.push_back("case " + id + " now fails: " + firstFailure(c));
      }
    } else if (!was && is) {
      d.improvements.push_back("case " + id + " now passes");
    }
  }
  for (const auto& [id, c] : cur_cases) {
    if (!base_cases.count(id)) d.notes.push_back("case " + id + " is new");
  }
  return d;
}

}  // namespace ward::eval
