// The tasks extension on the wire (task_store.h holds the store's contracts): a tools/call that
// runs as a task, and the methods that read, answer and cancel it, in the request's revision.
// - 2026-07-28 (io.modelcontextprotocol/tasks, SEP-2663): the server decides (a fixture declared
//   task-supporting, a gateway call parked for approval, or a call of an upstream tool that runs
//   as a task upstream); a flat CreateTaskResult
//   (resultType "task"); tasks/get inlines result / error / inputRequests; tasks/update answers
//   input requests; tasks/cancel acks; all need the extension in the request's client
//   capabilities (-32021 otherwise); tasks/result and tasks/list do not exist (-32601).
// - 2025-11-25: the client asks with `task` on tools/call; CreateTaskResult {task}; tasks/get,
//   tasks/result (blocks until the task ends, at most kTaskResultWaitS), tasks/list,
//   tasks/cancel (returns the task; a terminal task is -32602).
// A task that follows an approval reads the approval when it is polled: pending → working
// ("waiting for a reviewer's approval"), executed → completed with the tool's result, failed →
// completed with isError, denied or expired → failed with kApprovalRefused.
// A task whose tool is an upstream's task-capable tool runs as a task upstream too (the
// gateway's `mcp` executor follows it through the UpstreamTaskLink registered here; upstream.md
// "Upstream tasks"): each upstream change is an mcp_task event, and an upstream task that ends
// without a result fails this one.
#include <thread>

#include "mcp_impl.h"
#include "ward/common/hash.h"
#include "ward/common/log.h"
#include "ward/common/mutex.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/upstream/upstream_pool.h"

namespace ward::mcp {

namespace {

constexpr int64_t kTaskResultWaitS = 300;  // 2025 tasks/result blocks at most this long
constexpr int64_t kApprovalWaitS = 10;     // one wait on the approval inside tasks/result
constexpr char kRelatedTask[] = "io.modelcontextprotocol/related-task";

std::string approvalMessage(const std::string& id) {
  return "waiting for a reviewer's approval (approval id " + id + ")";
}

Json errorObject(const RpcError& e) {
  Json o = {{"code", e.code}, {"message", e.message}};
  if (!e.data.is_null()) o["data"] = e.data;
  return o;
}

void recordTask(McpServer::Impl& s, const Task& t, const std::string& change,
                const Json& extra = Json()) {
  trace::TraceEvent event;
  event.context = t.trace;
  event.kind = "mcp_task";
  event.tenant = t.owner.tenant;
  event.principal = t.principal_name;
  event.time_us = s.clock->nowMicros();
  Json a = {{"task_id", t.id},
            {"tool", t.tool},
            {"status", taskStatusName(t.status)},
            {"change", change}};
  if (!t.approval_id.empty()) a["approval_id"] = t.approval_id;
  if (t.status == TaskStatus::kFailed && t.error.is_object()) {
    a["error_code"] = t.error.value("code", 0);
  }
  if (!t.owner.session_id.empty()) a["session"] = sha256Hex(t.owner.session_id).substr(0, 16);
  if (extra.is_object()) a.update(extra);
  event.attributes = std::move(a);
  Status st = s.options.traces->record(event);
  if (!st.ok()) logWarn("cannot record mcp_task trace event: " + st.toString());
}

Json createResult(const Task& t, bool v2026) {
  if (!v2026) return Json{{"task", taskWire(t, false)}};
  Json r = taskWire(t, true);
  r["resultType"] = "task";
  return r;
}

// A body's answer becomes the task's outcome (unless it was cancelled meanwhile).
void settle(McpServer::Impl& s, const std::string& id, const Reply& r) {
  s.changeTask(id, [&](Task& t) {
    if (t.cancel_requested) {
      t.status = TaskStatus::kCancelled;
      return;
    }
    if (r.error) {
      t.status = TaskStatus::kFailed;
      t.error = errorObject(*r.error);
      t.status_message = r.error->message;
      return;
    }
    if (!r.result.is_object()) return;  // handed to an approval (followApprovalOf)
    t.status = TaskStatus::kCompleted;
    t.result = r.result;
    t.input_requests = Json::object();
    t.status_message.clear();
  });
}

// Reads the approval a task follows (waiting up to wait_s while it is undecided) and moves the
// task along with it.
Task refreshApproval(McpServer::Impl& s, Exchange& x, Task t, int64_t wait_s) {
  if (t.approval_id.empty() || isTerminal(t.status)) return t;
  auto view = s.options.gateway->getApproval(*x.principal, t.approval_id, wait_s);
  std::function<void(Task&)> change;
  if (!view.ok()) {
    if (view.status().code() != StatusCode::kNotFound) return t;
    change = [&](Task& k) {
      k.status = TaskStatus::kFailed;
      k.error =
          Json{{"code", kApprovalRefused}, {"message", "approval " + k.approval_id + " not found"}};
    };
  } else {
    using store::ApprovalState;
    const ApprovalState state = view->state;
    if (state == ApprovalState::kPending) return t;
    if (state == ApprovalState::kApproved || state == ApprovalState::kExecuting) {
      change = [](Task& k) {
        k.status = TaskStatus::kWorking;
        k.status_message = "approved; running (approval id " + k.approval_id + ")";
      };
    } else if (state == ApprovalState::kExecuted || state == ApprovalState::kFailed) {
      // The tool ran: its result, or its failure as a tool error (completed + isError).
      Reply r = approvalOutcome(s, x, t.tool, Json::object(), *view);
      change = [r](Task& k) {
        k.status = TaskStatus::kCompleted;
        k.result = r.result;
        k.status_message.clear();
      };
    } else {  // denied, expired
      const std::string name(store::toString(state));
      std::string why = "tool call " + name + " (approval " + t.approval_id + ")";
      if (!view->comment.empty()) why += ": " + view->comment;
      Json data = {{"approval_id", t.approval_id}, {"state", name}};
      change = [why, data](Task& k) {
        k.status = TaskStatus::kFailed;
        k.error = Json{{"code", kApprovalRefused}, {"message", why}, {"data", data}};
        k.status_message = why;
      };
    }
  }
  auto updated = s.changeTask(t.id, change);
  return updated ? *updated : t;
}

// The running task as the gateway's `mcp` executor sees it (ward/upstream/task_link.h).
class TaskLink final : public upstream::UpstreamTaskLink {
 public:
  TaskLink(McpServer::Impl& s, std::string id) : s_(s), id_(std::move(id)) {}

  bool waitCancelled(int64_t ms) override {
    auto t = s_.tasks.waitUntil(
        id_, [](const Task& k) { return k.cancel_requested; }, ms);
    return !t || t->cancel_requested;
  }

  void upstreamChanged(const upstream::UpstreamTaskChange& c) override {
    // The client sees Ward's words only; the upstream's id and status are in the record.
    auto t = s_.changeTask(id_, [&](Task& k) {
      if (k.approval_id.empty() && k.status == TaskStatus::kWorking) {
        k.status_message = "running as a task on upstream '" + c.upstream + "' (" + c.status + ")";
      }
    });
    if (!t) return;
    Json extra = {{"upstream", c.upstream},
                  {"upstream_task_id", c.upstream_task_id},
                  {"upstream_status", c.status}};
    if (!c.detail.empty()) extra["detail"] = c.detail;
    recordTask(s_, *t, "upstream " + c.status, extra);
  }

  void upstreamFailed(const std::string& message) override {
    MutexLock lock(mu_);
    failure_ = message;
  }

  std::string failure() {
    MutexLock lock(mu_);
    return failure_;
  }

 private:
  McpServer::Impl& s_;
  const std::string id_;
  Mutex mu_;
  std::string failure_ WARD_GUARDED_BY(mu_);
};

Reply notFound(const std::string& id) {
  return Reply::fail(kInvalidParams, "task '" + id + "' not found");
}

}  // namespace

bool McpServer::Impl::tasksNegotiated(const Message& m, const Exchange& x) const {
  if (x.stateless) {
    const Json& c = x.client_capabilities;
    return c.is_object() && c.contains("extensions") && c["extensions"].is_object() &&
           c["extensions"].contains(kTasksExtension);
  }
  return x.version == "2025-11-25" && m.method == "tools/call" && m.params.contains("task") &&
         m.params["task"].is_object();
}

bool McpServer::Impl::runsAsUpstreamTask(const Exchange& x, const std::string& tool) const {
  if (options.upstreams == nullptr || options.gateway == nullptr) return false;
  auto backend = options.gateway->backendTypeOf(x.principal->tenant, tool);
  if (!backend.ok() || *backend != "mcp") return false;
  // Imported tools are named "<upstream>.<tool>" (upstream.md "Import").
  const size_t dot = tool.find('.');
  if (dot == std::string::npos) return false;
  auto client = options.upstreams->client(tool.substr(0, dot));
  return client.ok() && (*client)->toolTaskSupport(tool.substr(dot + 1)) !=
                            upstream::McpClient::TaskSupport::kNone;
}

TaskOwner McpServer::Impl::taskOwner(const Exchange& x) const {
  return TaskOwner{x.principal->tenant, x.principal->id, x.session ? x.session->id : ""};
}

std::optional<Task> McpServer::Impl::changeTask(const std::string& id,
                                                const std::function<void(Task&)>& f) {
  TaskStatus before = TaskStatus::kWorking;
  auto t = tasks.update(id, [&](Task& k) {
    before = k.status;
    f(k);
  });
  if (t && t->status != before) recordTask(*this, *t, "status");
  return t;
}

Reply McpServer::Impl::startTask(const Message& m, Exchange& x, const std::string& tool,
                                 TaskBody body) {
  Task t;
  t.owner = taskOwner(x);
  t.principal_name = x.principal->name;
  t.tool = tool;
  t.trace = x.trace;
  if (!x.stateless && m.params.contains("task")) {  // 2025-11-25: the client's ttl (capped)
    const Json& hint = m.params["task"];
    if (hint.contains("ttl") && hint["ttl"].is_number_integer()) {
      t.ttl_ms = hint["ttl"].get<int64_t>();
    }
  }
  auto created = tasks.create(std::move(t));
  if (!created.ok()) {
    return Reply::fail(kInternalError, created.status().message(),
                       Json{{"max_tasks_per_principal", kMaxTasksPerPrincipal}},
                       StatusCode::kResourceExhausted);
  }
  recordTask(*this, *created, "created");
  const std::string id = created->id;
  auto principal = std::make_shared<identity::Principal>(*x.principal);
  Exchange tx = x;
  tx.principal = principal.get();
  tx.channel.reset();  // the request is answered: nothing streams back to the client
  tx.notifications.clear();
  tx.progress_token = nullptr;
  tx.log_level.clear();
  tx.recorded = false;
  if (!enterWorker()) {
    settle(*this, id, Reply::fail(kInternalError, "Ward is shutting down"));
  } else {
    std::thread([this, id, body, principal, tx]() mutable {
      // The call may follow an upstream task: the executor finds this link through `via`.
      tx.task_id = id;
      auto link = std::make_shared<TaskLink>(*this, id);
      if (options.upstreams != nullptr) {
        options.upstreams->taskLinks().add(id, tx.principal->tenant, tx.principal->id, link);
      }
      Reply r;
      try {
        r = body(tx, id);
      } catch (const std::exception& e) {
        logError("mcp task " + id + " threw: " + e.what());
        r = Reply::fail(kInternalError, "internal error");
      }
      if (options.upstreams != nullptr) options.upstreams->taskLinks().remove(id);
      // The upstream task ended without a result: this task fails (not a tool error).
      if (const std::string why = link->failure(); !why.empty() && !r.error) {
        r = Reply::fail(kInternalError, why);
      }
      settle(*this, id, r);
      leaveWorker();
    }).detach();
  }
  return Reply::ok(createResult(*created, x.stateless));
}

Reply McpServer::Impl::taskForApproval(const Message& m, Exchange& x, const std::string& tool,
                                       const std::string& approval_id) {
  Task t;
  t.owner = taskOwner(x);
  t.principal_name = x.principal->name;
  t.tool = tool;
  t.trace = x.trace;
  t.approval_id = approval_id;
  t.status_message = approvalMessage(approval_id);
  auto created = tasks.create(std::move(t));
  if (!created.ok()) {
    // The approval itself is stored: the pending answer still names it.
    return Reply::fail(
        kInternalError,
        created.status().message() + "; the call waits for approval " + approval_id +
            " (GET /v1/approvals/" + approval_id + ")",
        Json{{"max_tasks_per_principal", kMaxTasksPerPrincipal}, {"approval_id", approval_id}},
        StatusCode::kResourceExhausted);
  }
  recordTask(*this, *created, "created for approval");
  return Reply::ok(createResult(*created, x.stateless));
}

void McpServer::Impl::followApprovalOf(const std::string& task_id, const std::string& approval_id) {
  auto t = changeTask(task_id, [&](Task& k) {
    k.approval_id = approval_id;
    k.status_message = approvalMessage(approval_id);
  });
  if (t) recordTask(*this, *t, "parked for approval");
}

Reply McpServer::Impl::tasksMethod(const Message& m, Exchange& x) {
  const std::string& method = m.method;
  const bool v2026 = x.stateless;
  // Which tasks/* methods exist in which revision is the method table's (mcp_server.cc).
  if (v2026 && !tasksNegotiated(m, x)) {
    return Reply::fail(
        kMissingClientCapability,
        method + " needs the client capability extensions['" + std::string(kTasksExtension) + "']",
        Json{{"requiredCapabilities", {{"extensions", {{kTasksExtension, Json::object()}}}}}},
        StatusCode::kInvalidArgument);
  }
  const TaskOwner owner = taskOwner(x);
  if (method == "tasks/list") {
    Json items = Json::array();
    for (Task& t : tasks.list(owner)) {
      items.push_back(taskWire(refreshApproval(*this, x, std::move(t), 0), false));
    }
    Json result = Json::object();
    if (auto err = paginate(m.params, items, result)) return Reply{nullptr, *err};
    result["tasks"] = std::move(items);
    return Reply::ok(std::move(result));
  }
  if (!m.params.contains("taskId") || !m.params["taskId"].is_string()) {
    return Reply::fail(kInvalidParams, method + ": field 'taskId' must be a string");
  }
  const std::string id = m.params["taskId"].get<std::string>();
  auto found = tasks.get(owner, id);
  if (!found.ok()) return notFound(id);  // another owner's task reads the same as none

  if (method == "tasks/get") {
    Task t = refreshApproval(*this, x, std::move(*found), 0);
    Json r = taskWire(t, v2026);
    if (v2026) {
      if (t.status == TaskStatus::kCompleted) r["result"] = t.result;
      if (t.status == TaskStatus::kFailed) r["error"] = t.error;
      if (t.status == TaskStatus::kInputRequired) r["inputRequests"] = t.input_requests;
    }
    return Reply::ok(std::move(r));
  }
  if (method == "tasks/update") {
    const Json& responses =
        m.params.contains("inputResponses") ? m.params["inputResponses"] : Json();
    if (!responses.is_object()) {
      return Reply::fail(kInvalidParams, "tasks/update: field 'inputResponses' must be an object");
    }
    // Answers to requests the task is waiting on are taken; other keys are ignored.
    changeTask(id, [&](Task& t) {
      if (t.status != TaskStatus::kInputRequired) return;
      for (const auto& [key, value] : responses.items()) {
        if (!t.input_requests.contains(key)) continue;
        t.input_responses[key] = value;
        t.input_requests.erase(key);
      }
      if (t.input_requests.empty()) {
        t.status = TaskStatus::kWorking;
        t.status_message.clear();
      }
    });
    return Reply::ok(Json::object());
  }
  if (method == "tasks/cancel") {
    if (!v2026 && isTerminal(found->status)) {
      return Reply::fail(kInvalidParams, "task '" + id + "' is already " +
                                             taskStatusName(found->status) +
                                             " and cannot be cancelled");
    }
    auto t = changeTask(id, [](Task& k) {
      k.cancel_requested = true;
      if (isTerminal(k.status)) return;
      k.status = TaskStatus::kCancelled;
      k.status_message = "cancelled by the client";
      k.input_requests = Json::object();
    });
    if (v2026) return Reply::ok(Json::object());  // an empty ack; tasks/get shows the status
    return Reply::ok(taskWire(t ? *t : *found, false));
  }
  // tasks/result (2025-11-25): blocks until the task ends, bounded.
  const int64_t deadline = clock->nowMicros() + kTaskResultWaitS * 1000000;
  Task t = std::move(*found);
  while (!isTerminal(t.status) && clock->nowMicros() < deadline) {
    if (!t.approval_id.empty()) {
      t = refreshApproval(*this, x, std::move(t), kApprovalWaitS);
      if (isTerminal(t.status)) break;
    }
    auto next = tasks.waitUntil(
        id, [](const Task& k) { return isTerminal(k.status); }, 1000);
    if (!next) return notFound(id);
    t = std::move(*next);
  }
  if (t.status == TaskStatus::kCompleted) {
    Json r = t.result;
    r["_meta"][kRelatedTask] = Json{{"taskId", t.id}};
    return Reply::ok(std::move(r));
  }
  if (t.status == TaskStatus::kFailed) {
    return Reply::fail(t.error.value("code", kInternalError), t.error.value("message", "failed"),
                       t.error.contains("data") ? t.error["data"] : Json());
  }
  if (t.status == TaskStatus::kCancelled) {
    return Reply::fail(kInvalidRequest, "task '" + id + "' was cancelled");
  }
  return Reply::fail(kInternalError, "task '" + id + "' is still " + taskStatusName(t.status) +
                                         " after " + std::to_string(kTaskResultWaitS) +
                                         " s; poll tasks/get");
}

}  // namespace ward::mcp
