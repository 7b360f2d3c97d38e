// Approvals: list, get (poll or wait), and the reviewer's decision. An approved call runs
// exactly once: pending -> approved and approved -> executing are each one conditional update,
// so of two concurrent approvals (threads or processes) only one gets to run the call.
#include <algorithm>
#include <chrono>
#include <future>
#include <memory>

#include "gateway_impl.h"
#include "ward/common/log.h"
#include "ward/identity/roles.h"
#include "ward/store/store.h"

namespace ward::gateway {

namespace {

// A reviewer's comment is stored and recorded; longer ones are refused.
constexpr size_t kMaxDecisionCommentBytes = 4096;

}  // namespace

Result<store::ApprovalRecord> ToolGateway::Impl::freshApproval(const std::string& tenant,
                                                               const std::string& id) {
  WARD_ASSIGN_OR_RETURN(store::ApprovalRecord a, options.tools->getApproval(tenant, id));
  if (a.state == store::ApprovalState::kPending && now() >= a.expires_at) {
    store::ApprovalRecord to;
    to.state = store::ApprovalState::kExpired;
    to.decided_at = now();
    auto moved = options.tools->transitionApproval(tenant, id, store::ApprovalState::kPending, to);
    if (moved.ok()) {
      trace::TraceContext trace = trace::TraceContext::generate();
      if (!a.trace_id.empty()) trace.trace_id = a.trace_id;  // joins the call's trace (explain)
      record("tool_decision", nullptr, tenant, a.requester, trace,
             Json{{"decision", "expired"}, {"approval_id", id}, {"tool", a.tool}});
      if (waiters) waiters->wake();
      return moved;
    }
    return options.tools->getApproval(tenant, id);  // someone else moved it first
  }
  return a;
}

namespace {
bool mayView(const identity::Principal& viewer, const store::ApprovalRecord& a) {
  return identity::hasRole(viewer, identity::Role::kApprover) || a.requester == viewer.name ||
         a.agent == viewer.name;
}
}  // namespace

Result<ApprovalList> ToolGateway::listApprovals(const identity::Principal& viewer,
                                                std::optional<store::ApprovalState> state) {
  const std::string& tenant = viewer.tenant;
  WARD_RETURN_IF_ERROR(impl_->options.tools->expireApprovals(impl_->now()).status());
  WARD_ASSIGN_OR_RETURN(std::vector<store::ApprovalRecord> list,
                        impl_->options.tools->listApprovals(tenant, state, 1000));
  ApprovalList out;
  for (const auto& a : list) {
    if (mayView(viewer, a)) out.approvals.push_back(ApprovalView::of(a));
  }
  return out;
}

Result<ToolGateway::ApprovalWait> ToolGateway::waitForApproval(
    const identity::Principal& viewer, const std::string& id, int64_t wait_s,
    std::function<void(Result<ApprovalView>)> done) {
  if (wait_s < 0) return Status::invalidArgument("field 'wait' must be >= 0 seconds");
  wait_s = std::min(wait_s, impl_->options.config.max_wait_s);
  WARD_ASSIGN_OR_RETURN(store::ApprovalRecord a, impl_->freshApproval(viewer.tenant, id));
  if (!mayView(viewer, a)) return Status::notFound("approval '" + id + "' not found");
  if (store::isSettled(a.state) || wait_s == 0) return ApprovalWait{ApprovalView::of(a), 0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  WARD_ASSIGN_OR_RETURN(uint64_t token, impl_->waiters->add(viewer, id, deadline, std::move(done)));
  return ApprovalWait{std::nullopt, token};
}

void ToolGateway::cancelApprovalWait(uint64_t token) { impl_->waiters->cancel(token); }

size_t ToolGateway::approvalWaiters() const { return impl_->waiters->size(); }

Result<ApprovalView> ToolGateway::getApproval(const identity::Principal& viewer,
                                              const std::string& id, int64_t wait_s) {
  auto answer = std::make_shared<std::promise<Result<ApprovalView>>>();
  std::future<Result<ApprovalView>> later = answer->get_future();
  WARD_ASSIGN_OR_RETURN(ApprovalWait w,
                        waitForApproval(viewer, id, wait_s, [answer](Result<ApprovalView> view) {
                          answer->set_value(std::move(view));
                        }));
  if (w.now) return std::move(*w.now);
  return later.get();
}

Json ToolGateway::callResponseAfterWait(Json parked, const ApprovalView& view) {
  if (view.state == store::ApprovalState::kExecuted && !view.result.is_null()) return view.result;
  parked["state"] = std::string(store::toString(view.state));
  return parked;
}

Result<ApprovalView> ToolGateway::Impl::waitedView(const identity::Principal& viewer,
                                                   const std::string& id, bool* settled) {
  WARD_ASSIGN_OR_RETURN(store::ApprovalRecord a, freshApproval(viewer.tenant, id));
  if (!mayView(viewer, a)) return Status::notFound("approval '" + id + "' not found");
  *settled = store::isSettled(a.state);
  return ApprovalView::of(a);
}

namespace {

// An approval that holds one of Ward's own actions rather than a tool call: a sync run held by
// the mass-deletion/exposure guard (ingest's kSyncApprovalTool "ward.sync", rule "sync_guard",
// no sealed arguments). Approving it records the decision and leaves it "approved".
bool holdsWardAction(const store::ApprovalRecord& a) {
  return a.tool == "ward.sync" && a.rule == "sync_guard" && a.sealed_args.empty();
}

}  // namespace

Result<ApprovalView> ToolGateway::decide(const identity::Principal& reviewer, const Decision& d) {
  Impl& g = *impl_;
  const std::string& tenant = reviewer.tenant;
  // Every refused attempt is recorded here, whatever the front door (REST, CLI, MCP): a
  // "tool_decision" event with decision "refused", in the approval's trace when it is known.
  std::string trace_id;
  auto refuse = [&](Status why) -> Status {
    trace::TraceContext trace = trace::TraceContext::generate();
    if (!trace_id.empty()) trace.trace_id = trace_id;
    g.record("tool_decision", nullptr, tenant, reviewer.name, trace,
             Json{{"decision", "refused"},
                  {"approval_id", d.approval_id},
                  {"attempted", d.approve ? "approve" : "deny"},
                  {"reviewer", reviewer.name},
                  {"error", std::string(statusCodeName(why.code()))},
                  {"reason", why.message()}});
    return why;
  };
  if (d.comment.size() > kMaxDecisionCommentBytes) {
    return refuse(Status::invalidArgument("field 'comment' is over " +
                                          std::to_string(kMaxDecisionCommentBytes) + " bytes"));
  }
  if (!identity::hasRole(reviewer, identity::Role::kApprover)) {
    return refuse(Status::permissionDenied("'" + reviewer.name +
                                           "' does not have the approver role (admin, or member "
                                           "of the group 'approvers')"));
  }
  auto fresh = g.freshApproval(tenant, d.approval_id);
  if (!fresh.ok()) return refuse(fresh.status());
  store::ApprovalRecord a = std::move(fresh).value();
  trace_id = a.trace_id;
  if (a.state == store::ApprovalState::kExpired) {
    return refuse(Status::failedPrecondition("approval '" + a.id + "' expired at " +
                                             formatRfc3339(a.expires_at) +
                                             "; the call did not run"));
  }
  if (a.requester == reviewer.name || a.agent == reviewer.name) {
    return refuse(Status::permissionDenied("'" + reviewer.name +
                                           "' asked for this call and cannot review it"));
  }
  if (a.state != store::ApprovalState::kPending) {
    return refuse(Status::failedPrecondition(
        "approval '" + a.id + "' is " + std::string(store::toString(a.state)) + ", not pending"));
  }
  store::ApprovalRecord to;
  to.reviewer = reviewer.name;
  to.comment = d.comment;
  to.decided_at = g.now();
  trace::TraceContext trace = trace::TraceContext::generate();
  if (!a.trace_id.empty()) trace.trace_id = a.trace_id;  // the decision joins the call's trace

  if (!d.approve) {
    to.state = store::ApprovalState::kDenied;
    to.result = Json{{"status", "denied"},
                     {"approval_id", a.id},
                     {"reviewer", reviewer.name},
                     {"comment", d.comment}};
    auto moved =
        g.options.tools->transitionApproval(tenant, a.id, store::ApprovalState::kPending, to);
    if (!moved.ok()) {
      if (moved.status().code() == StatusCode::kFailedPrecondition) return refuse(moved.status());
      return moved.status();
    }
    store::ApprovalRecord denied = std::move(moved).value();
    g.record("tool_decision", nullptr, tenant, reviewer.name, trace,
             Json{{"decision", "denied"},
                  {"approval_id", a.id},
                  {"reviewer", reviewer.name},
                  {"comment", d.comment},
                  {"tool", a.tool + "@" + a.version},
                  {"requester", a.requester}});
    if (!a.idempotency_key.empty()) {
      store::IdempotencyRecord rec{
          tenant, a.requester, a.idempotency_key, a.tool, "", "done", to.result, a.id, 0, 0};
      Status st = g.options.tools->completeIdempotencyKey(rec);
      if (!st.ok()) logWarn("cannot store a denial under its idempotency key: " + st.toString());
    }
    g.waiters->wake();
    return ApprovalView::of(denied);
  }

  to.state = store::ApprovalState::kApproved;
  auto moved =
      g.options.tools->transitionApproval(tenant, a.id, store::ApprovalState::kPending, to);
  if (!moved.ok()) {
    if (moved.status().code() == StatusCode::kFailedPrecondition) return refuse(moved.status());
    return moved.status();
  }
  store::ApprovalRecord approved = std::move(moved).value();
  g.record("tool_decision", nullptr, tenant, reviewer.name, trace,
           Json{{"decision", "approved"},
                {"approval_id", a.id},
                {"reviewer", reviewer.name},
                {"comment", d.comment},
                {"tool", a.tool + "@" + a.version},
                {"requester", a.requester}});
  if (holdsWardAction(a)) {
    // Nothing for the gateway to run: the action that asked (a held sync run) consumes the
    // approval when it runs next (docs/design/gateway.md "Approvals of Ward's own actions").
    g.waiters->wake();
    return ApprovalView::of(approved);
  }
  // Claim the execution: only one caller moves approved -> executing.
  store::ApprovalRecord claim;
  claim.state = store::ApprovalState::kExecuting;
  WARD_ASSIGN_OR_RETURN(approved, g.options.tools->transitionApproval(
                                      tenant, a.id, store::ApprovalState::kApproved, claim));

  CallContext call;
  call.approval = approved;
  call.request.tool = a.tool;
  call.request.version = a.version;
  call.request.idempotency_key = a.idempotency_key;
  call.request.trace = trace;
  // The sealed copy read before the claim; the row's own copy was destroyed by the claim.
  auto raw_args = g.unsealApprovalArgs(a);
  Status run = raw_args.status();
  if (raw_args.ok()) call.request.args = std::move(raw_args).value();
  auto who = g.options.store ? identity::resolvePrincipal(*g.options.store, tenant, a.requester)
                             : Result<identity::Principal>(Status::unavailable("no directory"));
  if (run.ok() && !who.ok()) run = who.status();
  if (run.ok()) {
    call.request.principal = *who;
    if (!a.agent.empty()) {
      auto agent = identity::resolvePrincipal(*g.options.store, tenant, a.agent);
      if (agent.ok())
        call.request.agent = *agent;
      else
        run = agent.status();
    }
  }
  if (run.ok()) {
    auto snap = g.policy->snapshot(tenant);
    if (!snap.ok())
      run = snap.status();
    else {
      call.policy = *snap;
      auto tool = (*snap)->resolve(a.tool, a.version);
      if (!tool.ok())
        run = tool.status();
      else {
        call.tool = *tool;
        run = g.checkCallable(**tool, &call.warnings);
        if (run.ok()) run = g.runChain(call);
      }
    }
  }
  store::ApprovalRecord done;
  done.state = run.ok() ? store::ApprovalState::kExecuted : store::ApprovalState::kFailed;
  done.result = run.ok() ? call.response : Json{{"error", statusToJson(run)}};
  WARD_ASSIGN_OR_RETURN(
      store::ApprovalRecord finished,
      g.options.tools->transitionApproval(tenant, a.id, store::ApprovalState::kExecuting, done));
  if (!a.idempotency_key.empty()) {
    // A retry of the original call with its key now gets the outcome, not "pending".
    store::IdempotencyRecord rec{
        tenant, a.requester, a.idempotency_key, a.tool, "", "done", done.result, a.id, 0, 0};
    Status st = g.options.tools->completeIdempotencyKey(rec);
    if (!st.ok()) logWarn("cannot store an approved call's outcome: " + st.toString());
  }
  g.waiters->wake();
  return ApprovalView::of(finished);
}

}  // namespace ward::gateway
