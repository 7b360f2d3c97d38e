// The call path: resolve the tool, run the stage chain, record the decision.
#include <chrono>
#include <thread>

#include "builtin_executor.h"
#include "gateway_impl.h"
#include "http_executor.h"
#include "ward/common/hash.h"
#include "mcp_executor.h"
#include "ward/common/log.h"
#include "ward/common/metrics.h"
#include "ward/upstream/upstream_pool.h"

namespace ward::gateway {

namespace {

const char* verdictName(Verdict v) {
  switch (v) {
    case Verdict::kContinue:
      return "continue";
    case Verdict::kStop:
      return "stop";
    case Verdict::kReject:
      return "reject";
  }
  return "reject";
}

CallDecision decisionFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kPermissionDenied:
      return CallDecision::kDenied;
    case StatusCode::kResourceExhausted:
      return CallDecision::kRateLimited;
    case StatusCode::kInvalidArgument:
      return CallDecision::kInvalid;
    case StatusCode::kFailedPrecondition:
      return CallDecision::kConflict;
    default:
      return CallDecision::kFailed;
  }
}

}  // namespace

ToolGateway::Impl::Impl(const GatewayOptions& o)
    : options(o), clock(o.clock ? o.clock : &SystemClock::instance()) {
  policy = std::make_unique<PolicyCache>(*o.tools);
  waiters = std::make_unique<ApprovalWaiters>(
      [this](const identity::Principal& viewer, const std::string& id, bool* settled) {
        return waitedView(viewer, id, settled);
      });
  const GatewayConfig& c = o.config;
  auto dispatch = std::make_unique<DispatchStage>(o.redactor);
  dispatch->registerExecutor(std::make_unique<HttpExecutor>(
      c, *clock,
      [this](const std::string& tenant, const std::string& name) {
        return secretPlaintext(tenant, name);
      },
      o.redactor));
  dispatch->registerExecutor(std::make_unique<BuiltinExecutor>(o.store, o.search, &builtins));
  dispatch->registerExecutor(std::make_unique<McpExecutor>(
      o.upstreams, &live,
      [this](const std::string& tenant, const std::string& upstream) {
        return owner->syncUpstream(tenant, upstream).status();
      },
      o.config_tenant, o.redactor));
  // The chain, in order (DESIGN.md "Tool call"); adding a stage is one line here.
  stages.push_back(std::make_unique<AuthorizeStage>());
  stages.push_back(std::make_unique<ModeStage>());
  stages.push_back(std::make_unique<ValidateStage>(c.max_args_bytes));
  stages.push_back(std::make_unique<RateLimitStage>(*clock));
  stages.push_back(std::make_unique<IdempotencyStage>(*o.tools, *clock, c.idempotency_ttl_s));
  ApprovalStage::ArgsKeeping keeping{
      [this](const Json& args) { return redactedCopy(args); },
      [this](const std::string& tenant, const std::string& id, const Json& args) {
        return sealApprovalArgs(tenant, id, args);
      }};
  auto approval = std::make_unique<ApprovalStage>(*o.tools, *clock, c.approval_ttl_s,
                                                  o.approve_risk, std::move(keeping));
  // create() refused a bad gate configuration before this runs.
  if (auto g = UntrustedGate::create(o.untrusted); g.ok()) gate = std::move(g).value();
  stages.push_back(std::make_unique<UntrustedContentStage>(gate, *approval));
  stages.push_back(std::move(approval));
  stages.push_back(std::move(dispatch));
  stages.push_back(std::make_unique<OutputStage>(o.redactor));
  metrics().describeCounter("ward_gateway_stage_total", "Stage verdicts of tool calls");
  metrics().describeCounter("ward_gateway_calls_total", "Tool calls by final decision");
  metrics().describeHistogram("ward_gateway_overhead_seconds",
                              "Gateway time per call, excluding the backend",
                              {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.1, 1});
}

Result<std::unique_ptr<ToolGateway>> ToolGateway::create(const GatewayOptions& options) {
  if (options.tools == nullptr || options.traces == nullptr) {
    return Status::failedPrecondition("ToolGateway needs a tool store and a trace sink");
  }
  if (options.approve_risk != "" && options.approve_risk != "write" &&
      options.approve_risk != "destructive") {
    return Status::invalidArgument("approve_risk must be '', 'write' or 'destructive'");
  }
  WARD_ASSIGN_OR_RETURN(UntrustedGate gate, UntrustedGate::create(options.untrusted));
  if (!gate.enabled()) {
    logWarn(
        "!!! gateway.untrusted_gate = \"off\": the untrusted-content gate is DISABLED; write and "
        "destructive tool calls after untrusted content run unapproved. This setting exists for "
        "tests only (docs/design/gateway.md \"Untrusted content\"); never use it in production.");
  }
  auto impl = std::make_unique<Impl>(options);
  if (!options.secrets_key_path.empty()) {
    WARD_ASSIGN_OR_RETURN(impl->secrets, SecretBox::open(options.secrets_key_path));
  }
  WARD_RETURN_IF_ERROR(impl->convertRawApprovalArgs());
  return std::unique_ptr<ToolGateway>(new ToolGateway(std::move(impl)));
}

ToolGateway::ToolGateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->owner = this;
  if (impl_->options.upstreams != nullptr) {
    // Header and env values of upstreams may name tenant secrets ("${secret:NAME}").
    impl_->options.upstreams->setSecretResolver(
        [this](const std::string& tenant, const std::string& name) {
          return impl_->secretPlaintext(tenant, name);
        },
        impl_->options.config_tenant);
  }
}
ToolGateway::~ToolGateway() = default;

const std::string& ToolGateway::configTenant() const { return impl_->options.config_tenant; }

namespace {

// The result (already validated and redacted by the output stage) goes into the trace so a call
// can be replayed; past kMaxRecordedResultBytes only its hash is kept.
constexpr size_t kMaxRecordedResultBytes = 64 * 1024;

void addResult(const Json& result, Json& attributes) {
  if (result.is_null()) return;
  std::string text = dumpJson(result);
  attributes["result_sha256"] = sha256Hex(text);
  if (text.size() <= kMaxRecordedResultBytes) {
    attributes["result"] = result;
  } else {
    attributes["result_truncated"] = true;
  }
}

// One stage's verdict with the policy that decided it, where there is one.
Json stageEntry(const Stage& stage, const StageResult& r, const CallContext& call) {
  Json e = {{"stage", std::string(stage.name())}, {"verdict", verdictName(r.verdict)}};
  if (stage.name() == "authorize" && !call.grant_ids.empty()) {
    Json ids = Json::array();
    for (int64_t id : call.grant_ids) ids.push_back("grant:" + std::to_string(id));
    e["policy"] = ids;
  }
  if ((stage.name() == "approval" || stage.name() == "untrusted_content") &&
      r.verdict == Verdict::kStop && call.response.contains("approval_id")) {
    e["policy"] = "approval:" + call.response["approval_id"].get<std::string>();
  }
  if (r.verdict == Verdict::kReject) e["error"] = r.status.message();
  return e;
}

}  // namespace

Json ToolGateway::Impl::redactedCopy(const Json& value) const {
  Json copy = value;
  if (options.redactor != nullptr) options.redactor->redactJson(copy);
  return copy;
}

void ToolGateway::Impl::record(const std::string& kind, const CallContext* call,
                               const std::string& tenant, const std::string& principal,
                               const trace::TraceContext& trace, Json attributes) {
  trace::TraceEvent event;
  event.context = trace;
  event.kind = kind;
  event.tenant = tenant;
  event.principal = principal;
  event.time_us = now();
  if (call != nullptr) {
    const CallRequest& r = call->request;
    attributes["tool"] = r.tool;
    if (call->tool) {
      attributes["tool"] = call->tool->definition.name + "@" + call->tool->definition.version;
      attributes["risk"] = riskName(call->tool->definition.risk);
    }
    attributes["principal_chain"] =
        r.agent ? Json::array({r.principal.name, r.agent->name}) : Json::array({r.principal.name});
    if (r.agent) attributes["agent"] = r.agent->name;
    attributes["args"] = redactedCopy(r.args);
    if (!r.via.is_null()) attributes["via"] = r.via;
    if (!call->exfil_suspect.is_null()) attributes["exfil_suspect"] = call->exfil_suspect;
    if (!call->grant_ids.empty()) attributes["grants"] = call->grant_ids;
    if (!r.idempotency_key.empty()) attributes["idempotency_key"] = r.idempotency_key;
    if (call->approval) {
      attributes["approval_id"] = call->approval->id;
      attributes["reviewer"] = call->approval->reviewer;
    }
    if (call->backend_status != 0) attributes["backend_status"] = call->backend_status;
    // The untrusted-content gate's view of the turn: its sources, the rule and the decision.
    const Risk risk = call->tool ? call->tool->definition.risk : Risk::kRead;
    Json untrusted = gate.record(r.taint, gate.decide(r.taint, risk));
    if (!untrusted.is_null()) attributes["untrusted"] = std::move(untrusted);
    addResult(call->result, attributes);
  }
  event.attributes = std::move(attributes);
  Status st = options.traces->record(event);
  if (!st.ok()) logWarn("cannot record " + kind + " trace event: " + st.toString());
}

Status ToolGateway::Impl::checkCallable(const ResolvedTool& tool,
                                        std::vector<std::string>* warnings) const {
  const ToolDefinition& d = tool.definition;
  const std::string id = d.name + "@" + d.version;
  if (d.deprecation.sunset_us != 0 && now() >= d.deprecation.sunset_us) {
    return Status::failedPrecondition(
        "tool '" + id + "' was sunset on " + formatRfc3339(d.deprecation.sunset_us) +
        (d.deprecation.replacement.empty() ? "" : "; use " + d.deprecation.replacement));
  }
  if (tool.record.quarantined) {
    return Status::failedPrecondition("tool '" + id +
                                      "' has a changed definition awaiting an "
                                      "admin's approval (quarantined)");
  }
  if (!tool.record.pinned_hash.empty() && tool.record.pinned_hash != tool.record.canonical_hash) {
    return Status::failedPrecondition("tool '" + id + "' does not match its pinned hash");
  }
  if (tool.record.deprecated || d.deprecation.deprecated) {
    std::string w = "tool '" + id + "' is deprecated";
    if (d.deprecation.sunset_us != 0) w += "; sunset " + formatRfc3339(d.deprecation.sunset_us);
    if (!d.deprecation.replacement.empty()) w += "; use " + d.deprecation.replacement;
    warnings->push_back(w);
  }
  return Status();
}

Status ToolGateway::Impl::runChain(CallContext& call) {
  const int64_t start = clock->monotonicNanos();
  std::vector<Stage*> continued;
  Status final;
  bool completed = true;
  Json stage_log = Json::array();  // each stage's decision, for explain and replay
  for (const auto& stage : stages) {
    StageResult r = stage->run(call);
    metrics().incrementCounter("ward_gateway_stage_total", {{"stage", std::string(stage->name())},
                                                            {"verdict", verdictName(r.verdict)}});
    stage_log.push_back(stageEntry(*stage, r, call));
    if (r.verdict == Verdict::kContinue) {
      continued.push_back(stage.get());
      continue;
    }
    completed = false;
    call.decided_by = std::string(stage->name());
    if (r.verdict == Verdict::kReject) {
      final = r.status;
      if (!call.decision || call.decision == CallDecision::kReplayed) {
        call.decision = decisionFor(final);
      }
      if (call.reason.empty()) call.reason = final.message();
    }
    break;
  }
  const ToolDefinition& def = call.tool->definition;
  if (completed) {
    call.decision = CallDecision::kExecuted;
    call.decided_by = "dispatch";
    call.response = Json{
        {"status", "ok"}, {"tool", def.name}, {"version", def.version}, {"result", call.result}};
    if (call.approval) call.response["approval_id"] = call.approval->id;
  }
  if (final.ok()) {
    if (!call.response.contains("trace_id"))
      call.response["trace_id"] = call.request.trace.trace_id;
    if (!call.warnings.empty()) call.response["warnings"] = call.warnings;
  }
  for (auto it = continued.rbegin(); it != continued.rend(); ++it) (*it)->finish(call, final);

  const int64_t total = clock->monotonicNanos() - start;
  // Every path above decides; a stop without a decision of its own would be a stage's bug.
  const std::string decision(toString(call.decision.value_or(CallDecision::kFailed)));
  metrics().incrementCounter("ward_gateway_calls_total", {{"decision", decision}});
  metrics().observeHistogram("ward_gateway_overhead_seconds", {},
                             static_cast<double>(total - call.backend_ns) / 1e9);
  Json attrs = {{"decision", decision}, {"stage", call.decided_by}};
  if (!call.reason.empty()) attrs["reason"] = call.reason;
  if (!final.ok()) attrs["error"] = std::string(statusCodeName(final.code()));
  if (call.response.contains("approval_id")) attrs["approval_id"] = call.response["approval_id"];
  attrs["stages"] = std::move(stage_log);
  attrs["duration_us"] = total / 1000;
  attrs["backend_us"] = call.backend_ns / 1000;
  record("tool_call", &call, call.request.principal.tenant, call.request.principal.name,
         call.request.trace, std::move(attrs));
  return final;
}

Result<Json> ToolGateway::call(CallRequest request) {
  CallDecision decision = CallDecision::kFailed;
  return callWithDecision(std::move(request), &decision);
}

Result<Json> ToolGateway::callWithDecision(CallRequest request, CallDecision* decision) {
  Impl& g = *impl_;
  const std::string tenant = request.principal.tenant;
  if (request.agent && request.agent->tenant != tenant) {
    return Status::permissionDenied("agent and principal belong to different tenants");
  }
  if (request.agent && request.agent->kind != identity::PrincipalKind::kAgent) {
    return Status::invalidArgument("'" + request.agent->name + "' is not an agent");
  }
  WARD_ASSIGN_OR_RETURN(std::shared_ptr<const PolicySnapshot> snap, g.policy->snapshot(tenant));
  CallContext call;
  call.policy = snap;
  call.request = std::move(request);
  auto tool = snap->resolve(call.request.tool, call.request.version);
  Status pre = tool.ok() ? g.checkCallable(**tool, &call.warnings) : tool.status();
  if (!pre.ok()) {
    *decision =
        pre.code() == StatusCode::kNotFound ? CallDecision::kUnknownTool : CallDecision::kRefused;
    call.decision = *decision;
    const std::string name(toString(*decision));
    Json attrs = {{"decision", name}, {"stage", "resolve"}, {"reason", pre.message()}};
    g.record("tool_call", &call, tenant, call.request.principal.name, call.request.trace,
             std::move(attrs));
    metrics().incrementCounter("ward_gateway_calls_total", {{"decision", name}});
    return pre;
  }
  call.tool = *tool;
  Status chained = g.runChain(call);
  *decision = call.decision.value_or(CallDecision::kFailed);
  WARD_RETURN_IF_ERROR(chained);
  if (call.decision == CallDecision::kPending && call.request.wait_s > 0) {
    const std::string id = call.response.value("approval_id", "");
    WARD_ASSIGN_OR_RETURN(ApprovalView view,
                          getApproval(call.request.principal, id, call.request.wait_s));
    return callResponseAfterWait(std::move(call.response), view);
  }
  return call.response;
}

}  // namespace ward::gateway
