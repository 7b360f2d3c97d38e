// Tools as public APIs (docs/design/gateway.md "Contracts: examples and breaking changes"): a
// version's examples run through the whole chain, schema diffs between versions, and the rule
// that refuses a breaking change under the same major version.
#include <algorithm>
#include <optional>

#include "gateway_impl.h"
#include "ward/gateway/schema_diff.h"
#include "ward/gateway/tool_examples.h"

namespace ward::gateway {

namespace {

// The stored versions of `name` (none when the tool is new).
Result<std::vector<store::ToolRecord>> storedRecords(store::ToolStore& tools,
                                                     const std::string& tenant,
                                                     const std::string& name) {
  auto records = tools.listTools(tenant, name);
  if (!records.ok() && records.status().code() == StatusCode::kNotFound) {
    return std::vector<store::ToolRecord>();
  }
  if (!records.ok()) return records.status();
  std::erase_if(*records, [&name](const store::ToolRecord& r) { return r.name != name; });
  return records;
}

// One stored version, parsed; NotFound when absent (or stored under rules that now refuse it).
Result<ToolDefinition> storedVersion(store::ToolStore& tools, const std::string& tenant,
                                     const std::string& name, const std::string& version) {
  WARD_ASSIGN_OR_RETURN(std::vector<store::ToolRecord> records, storedRecords(tools, tenant, name));
  for (const store::ToolRecord& r : records) {
    if (r.version != version) continue;
    auto def = parseToolDefinition(r.definition);
    if (def.ok()) return std::move(*def);
  }
  return Status::notFound("tool '" + name + "@" + version + "' not found");
}

std::string breakingSummary(const ToolDiff& diff) {
  std::string out;
  for (const SchemaChange& c : diff.changes) {
    if (!c.breaking) continue;
    if (!out.empty()) out += "; ";
    out += c.side + " " + c.pointer + ": " + c.rule + " (" + c.detail + ")";
  }
  return out;
}

}  // namespace

Status checkBreakingChange(store::ToolStore& tools, const std::string& tenant,
                           const ToolDefinition& def, Json* diff_out) {
  WARD_ASSIGN_OR_RETURN(std::vector<store::ToolRecord> records,
                        storedRecords(tools, tenant, def.name));
  // The versions below this one, highest first; only the first that still parses is read.
  std::vector<std::pair<SemVer, const store::ToolRecord*>> lower;
  for (const store::ToolRecord& r : records) {
    if (r.version == def.version) return Status();  // the same version: the store decides
    auto v = SemVer::parse(r.version);
    if (v.ok() && v->compare(def.semver) < 0) lower.emplace_back(*v, &r);
  }
  std::sort(lower.begin(), lower.end(),
            [](const auto& a, const auto& b) { return a.first.compare(b.first) > 0; });
  std::optional<ToolDefinition> previous;
  for (const auto& [v, r] : lower) {
    auto d = parseToolDefinition(r->definition);
    if (d.ok()) {
      previous = std::move(*d);
      break;
    }
  }
  if (!previous) return Status();
  ToolDiff diff = diffToolDefinitions(*previous, def);
  *diff_out = diff.toJson();
  (*diff_out)["from"] = previous->version;
  if (!diff.breaking() || allowsBreakingChange(previous->semver, def.semver)) return Status();
  return Status::failedPrecondition(
      def.name + "@" + def.version + " makes breaking changes to " + previous->version +
      " under the same " + (def.semver.major == 0 ? "0.minor" : "major") +
      " version (register it as a new major version): " + breakingSummary(diff));
}

Result<ToolDiffReport> ToolGateway::diffTools(const std::string& tenant, const std::string& name,
                                              const std::string& from, const std::string& to) {
  store::ToolStore& tools = *impl_->options.tools;
  WARD_ASSIGN_OR_RETURN(ToolDefinition before, storedVersion(tools, tenant, name, from));
  WARD_ASSIGN_OR_RETURN(ToolDefinition after, storedVersion(tools, tenant, name, to));
  ToolDiff diff = diffToolDefinitions(before, after);
  return ToolDiffReport{name, from, to, allowsBreakingChange(before.semver, after.semver),
                        diff.toJson()};
}

Result<ToolTestReport> ToolGateway::testTool(const ToolTestRequest& request) {
  const std::string& tenant = request.principal.tenant;
  WARD_ASSIGN_OR_RETURN(std::shared_ptr<const PolicySnapshot> snap,
                        impl_->policy->snapshot(tenant));
  WARD_ASSIGN_OR_RETURN(std::shared_ptr<const ResolvedTool> tool,
                        snap->resolve(request.tool, request.version));
  const ToolDefinition& def = tool->definition;
  WARD_ASSIGN_OR_RETURN(std::vector<ToolExample> examples, parseToolExamples(def.raw));
  if (examples.empty()) {
    return Status::failedPrecondition(def.name + "@" + def.version +
                                      " has no examples (docs/formats/tool-definition.md)");
  }
  ToolTestReport report;
  report.tool = def.name;
  report.version = def.version;
  report.recorded = request.recorded;
  for (const ToolExample& ex : examples) {
    ToolExampleRun row;
    row.name = ex.name;
    if (request.recorded && ex.decision == CallDecision::kExecuted && !ex.recorded) {
      row.outcome = ToolExampleRun::Outcome::kSkipped;
      row.reason = "no recorded response";
      ++report.skipped;
      report.examples.push_back(std::move(row));
      continue;
    }
    CallRequest call;
    call.principal = request.principal;
    call.agent = request.agent;
    call.tool = def.name;
    call.version = def.version;
    call.args = ex.arguments;
    call.trace = trace::TraceContext::generate();
    if (def.risk != Risk::kRead) call.idempotency_key = "tools-test-" + call.trace.trace_id;
    call.via = {{"front_door", "tools_test"}, {"example", ex.name}, {"recorded", request.recorded}};
    // A recorded run never reaches the backend: an example with no recorded response that
    // still gets to dispatch sees null (and fails its expectation).
    if (request.recorded) call.recorded_result = ex.recorded ? *ex.recorded : Json(nullptr);
    row.trace_id = call.trace.trace_id;
    CallDecision decision = CallDecision::kFailed;
    auto out = callWithDecision(std::move(call), &decision);
    const Json result = out.ok() && out->contains("result") ? (*out)["result"] : Json(nullptr);
    std::string why = judgeToolExample(ex, decision, result);
    if (why.empty() && !out.ok() && decision == CallDecision::kExecuted) {
      why = out.status().message();
    }
    row.decision = decision;
    if (!out.ok()) row.error = out.status().message();
    if (why.empty()) {
      row.outcome = ToolExampleRun::Outcome::kPassed;
      ++report.passed;
    } else {
      row.outcome = ToolExampleRun::Outcome::kFailed;
      row.reason = why;
      ++report.failed;
    }
    report.examples.push_back(std::move(row));
  }
  return report;
}

}  // namespace ward::gateway
