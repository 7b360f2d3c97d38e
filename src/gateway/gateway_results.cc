// The JSON form of the gateway's typed results: the exact fields and order the REST API, MCP and
// the CLI have always answered (docs/api/openapi.yaml); tests/integration holds them.
#include "ward/gateway/gateway_results.h"

#include "ward/common/clock.h"

namespace ward::gateway {

Result<std::optional<store::ApprovalState>> approvalStateFilter(const std::string& state) {
  if (state.empty()) return std::optional<store::ApprovalState>();
  auto parsed = store::parseApprovalState(state);
  if (!parsed.ok()) {
    return Status::invalidArgument(
        "field 'state' must be one of pending, approved, executing, "
        "executed, failed, denied, expired");
  }
  return std::optional<store::ApprovalState>(*parsed);
}

Result<store::ModeScope> modeScopeField(const std::string& scope) {
  auto parsed = store::parseModeScope(scope);
  if (!parsed.ok()) return Status::invalidArgument("field 'scope' must be server, tenant or agent");
  return *parsed;
}

ApprovalView ApprovalView::of(const store::ApprovalRecord& a) {
  ApprovalView v;
  v.id = a.id;
  v.tool = a.tool;
  v.version = a.version;
  v.requester = a.requester;
  v.agent = a.agent;
  v.args = a.args;
  v.rule = a.rule;
  v.reason = a.reason;
  v.state = a.state;
  v.trace_id = a.trace_id;
  v.reviewer = a.reviewer;
  v.comment = a.comment;
  v.result = a.result;
  v.created_at = a.created_at;
  v.expires_at = a.expires_at;
  v.decided_at = a.decided_at;
  return v;
}

Json ApprovalView::toJson() const {
  Json j = {{"id", id},
            {"tool", tool},
            {"version", version},
            {"requester", requester},
            {"args", args},
            {"rule", rule},
            {"reason", reason},
            {"state", std::string(store::toString(state))},
            {"trace_id", trace_id},
            {"created_at", formatRfc3339(created_at)},
            {"expires_at", formatRfc3339(expires_at)}};
  if (!agent.empty()) j["agent"] = agent;
  if (!reviewer.empty()) j["reviewer"] = reviewer;
  if (!comment.empty()) j["comment"] = comment;
  if (decided_at != 0) j["decided_at"] = formatRfc3339(decided_at);
  if (!result.is_null()) j["result"] = result;
  return j;
}

Json ApprovalList::toJson() const {
  Json list = Json::array();
  for (const ApprovalView& a : approvals) list.push_back(a.toJson());
  return Json{{"approvals", std::move(list)}};
}

GrantView GrantView::of(const store::GrantRecord& g) {
  return GrantView{g.id,          g.subject_kind, g.subject,   g.tool,
                   g.constraints, g.created_by,   g.created_at};
}

Json GrantView::toAddedJson() const {
  return Json{{"id", id},
              {"subject_kind", std::string(store::toString(subject_kind))},
              {"subject", subject},
              {"tool", tool},
              {"constraints", constraints},
              {"created_by", created_by}};
}

Json GrantView::toJson() const {
  Json j = toAddedJson();
  j["created_at"] = formatRfc3339(created_at);
  return j;
}

Json GrantList::toJson() const {
  Json list = Json::array();
  for (const GrantView& g : grants) list.push_back(g.toJson());
  return Json{{"grants", std::move(list)}};
}

Json ModeList::toJson() const {
  Json list = Json::array();
  for (const store::ModeRecord& m : modes) {
    Json j = {{"scope", std::string(store::toString(m.scope))},
              {"read_only", m.read_only},
              {"set_by", m.set_by},
              {"updated_at", formatRfc3339(m.updated_at)}};
    if (m.scope == store::ModeScope::kAgent) j["agent"] = m.subject;
    if (m.scope != store::ModeScope::kServer) j["tenant"] = m.tenant;
    list.push_back(std::move(j));
  }
  return Json{{"modes", std::move(list)},
              {"note", "agents without an agent row are read-only (new agents start read-only)"}};
}

bool ToolVersionView::deprecated() const {
  return record.deprecated || (definition && definition->deprecation.deprecated);
}

Json ToolVersionView::toJson() const {
  const store::ToolRecord& r = record;
  Json v = {{"version", r.version},
            {"hash", r.canonical_hash},
            {"pinned", !r.pinned_hash.empty()},
            {"deprecated", r.deprecated},
            {"quarantined", r.quarantined},
            {"created_at", formatRfc3339(r.created_at)}};
  if (r.quarantined) v["pending_hash"] = r.pending_hash;
  if (definition) {
    const ToolDefinition& d = *definition;
    v["description"] = d.description;
    v["risk"] = riskName(d.risk);
    v["backend"] = d.backend.type;
    v["input_schema"] = d.input_schema;
    v["output_schema"] = d.output_schema;
    if (schemaOptionsOf(d).format_assertion) v["format_assertion"] = true;
    if (d.deprecation.deprecated) v["deprecated"] = true;
    if (d.deprecation.sunset_us != 0) v["sunset"] = formatRfc3339(d.deprecation.sunset_us);
    if (!d.deprecation.replacement.empty()) v["replacement"] = d.deprecation.replacement;
  }
  return v;
}

Json ToolVersions::toJson() const {
  Json list = Json::array();
  for (const ToolVersionView& v : versions) list.push_back(v.toJson());
  return Json{{"name", name}, {"versions", std::move(list)}};
}

Json ToolList::toJson() const {
  Json list = Json::array();
  for (const ToolVersions& t : tools) list.push_back(t.toJson());
  return Json{{"tools", std::move(list)}};
}

Json ToolAdded::toJson() const {
  Json out = {{"tool", tool},
              {"version", version},
              {"hash", hash},
              {"outcome", std::string(store::toolPutOutcomeName(outcome))}};
  if (!diff.is_null()) out["diff"] = diff;
  return out;
}

std::string ToolDiffReport::classification() const { return diff.value("classification", ""); }

Json ToolDiffReport::toJson() const {
  Json out = diff;
  out["tool"] = tool;
  out["from"] = from;
  out["to"] = to;
  out["breaking_allowed"] = breaking_allowed;
  return out;
}

Json DelegationView::toJson() const {
  return Json{{"user", user},
              {"agent", agent},
              {"created_by", created_by},
              {"created_at", formatRfc3339(created_at)}};
}

Json DelegationList::toJson() const {
  Json list = Json::array();
  for (const DelegationView& d : delegations) list.push_back(d.toJson());
  return Json{{"delegations", std::move(list)}};
}

Json SecretNames::toJson() const { return Json{{"secrets", names}}; }

std::string_view ToolExampleRun::outcomeName(Outcome o) {
  switch (o) {
    case Outcome::kPassed:
      return "passed";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kSkipped:
      return "skipped";
  }
  return "failed";
}

Json ToolExampleRun::toJson() const {
  Json row = {{"name", name}, {"outcome", std::string(outcomeName(outcome))}};
  if (decision) row["decision"] = std::string(toString(*decision));
  if (!reason.empty()) row["reason"] = reason;
  if (error) row["error"] = *error;
  if (!trace_id.empty()) row["trace_id"] = trace_id;
  return row;
}

Json ToolTestReport::toJson() const {
  Json rows = Json::array();
  for (const ToolExampleRun& ex : examples) rows.push_back(ex.toJson());
  return Json{
      {"tool", tool},     {"version", version}, {"recorded", recorded},       {"passed", passed},
      {"failed", failed}, {"skipped", skipped}, {"examples", std::move(rows)}};
}

}  // namespace ward::gateway
