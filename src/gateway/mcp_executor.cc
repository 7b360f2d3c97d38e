#include "mcp_executor.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "ward/upstream/upstream_pool.h"

namespace ward::gateway {

namespace {

constexpr size_t kMaxErrorText = 512;

// The first text item of an error result, redacted whole, then shortened (at a UTF-8 boundary):
// upstream text is data, not a message.
std::string errorText(const Json& result, const trace::Redactor* redactor) {
  if (result.contains("content") && result["content"].is_array()) {
    for (const Json& c : result["content"]) {
      if (c.is_object() && c.contains("type") && c["type"] == "text" && c.contains("text") &&
          c["text"].is_string()) {
        std::string t = c["text"].get<std::string>();
        if (redactor != nullptr) t = redactor->redactText(t);
        if (t.size() <= kMaxErrorText) return t;
        size_t end = kMaxErrorText;
        while (end > 0 && (static_cast<unsigned char>(t[end]) & 0xC0) == 0x80) --end;
        return t.substr(0, end) + "...";
      }
    }
  }
  return "(no text)";
}

bool terminalTask(const std::string& status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

std::string taskStatusOf(const Json& task) {
  return task.contains("status") && task["status"].is_string() ? task["status"].get<std::string>()
                                                               : "";
}

// The upstream's pollInterval, clamped (task_link.h): a server cannot make Ward busy-poll it.
int64_t pollMs(const Json& task) {
  int64_t ms = upstream::kDefaultUpstreamPollMs;
  if (task.contains("pollInterval") && task["pollInterval"].is_number_integer()) {
    ms = task["pollInterval"].get<int64_t>();
  }
  return std::clamp(ms, upstream::kMinUpstreamPollMs, upstream::kMaxUpstreamPollMs);
}

}  // namespace

Result<Json> McpExecutor::runAsTask(CallContext& call, upstream::McpClient& client,
                                    upstream::UpstreamTaskLink* link) {
  const Backend& b = call.tool->definition.backend;
  const std::string what = "upstream task of '" + call.tool->definition.name + "'";
  upstream::UpstreamTaskChange change{b.mcp_server, "", "", ""};
  auto note = [&](const std::string& status, const std::string& detail) {
    change.status = status;
    change.detail = detail;
    if (link != nullptr) link->upstreamChanged(change);
  };
  // The task ends without a result: a failed Ward task (through the link), a failed call. The
  // message may quote the upstream's error text: redacted before the Ward task's client sees it.
  auto fail = [&](const std::string& status, const std::string& why) -> Status {
    const std::string shown = redactor_ != nullptr ? redactor_->redactText(why) : why;
    note(status, shown);
    if (link != nullptr) link->upstreamFailed(shown);
    call.backend_error = true;
    return Status::unavailable(shown);
  };
  auto cancelUpstream = [&]() {
    // Best effort: the upstream may have ended it meanwhile (then -32602), or be gone.
    auto r = client.request("tasks/cancel", Json{{"taskId", change.upstream_task_id}});
    note("cancel_sent", r.ok() ? "Ward cancelled the upstream task"
                               : "cancelling the upstream task failed: " + r.status().message());
  };

  auto created = client.createToolTask(b.mcp_tool, call.request.args, upstream::kMaxUpstreamTaskMs);
  if (!created.ok()) {
    return fail("error", what + " could not be created: " + created.status().message());
  }
  Json task = std::move(*created);
  change.upstream_task_id = task["taskId"].get<std::string>();
  std::string status = taskStatusOf(task);
  note(status.empty() ? "working" : status, "created on upstream '" + b.mcp_server + "'");
  // A Ward task may follow it for an hour; a caller waiting for it (a task-required tool called
  // directly) no longer than a synchronous call: the upstream's timeout_ms.
  const int64_t limit_ms =
      link != nullptr ? upstream::kMaxUpstreamTaskMs : client.config().timeout_ms;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limit_ms);
  while (!terminalTask(status)) {
    if (status == "input_required") {
      cancelUpstream();
      return fail("input_required", what +
                                        " asked for input, which Ward does not relay to a "
                                        "task's client; it was cancelled upstream");
    }
    const int64_t wait_ms = pollMs(task);
    bool cancelled = false;
    if (link != nullptr) {
      cancelled = link->waitCancelled(wait_ms);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    }
    if (cancelled) {
      cancelUpstream();
      return Status::unavailable("the task was cancelled; " + what + " was cancelled too");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      cancelUpstream();
      return fail("timed_out", what + " did not end within " + std::to_string(limit_ms) +
                                   " ms; it was cancelled upstream");
    }
    auto got = client.request("tasks/get", Json{{"taskId", change.upstream_task_id}});
    if (!got.ok()) {
      // -32602 is how a server says it does not know the id (SEP-1686): the task is gone.
      if (got.status().code() == StatusCode::kInvalidArgument) {
        return fail("dropped",
                    what + " was dropped by the upstream (" + got.status().message() + ")");
      }
      return fail("error", what + ": polling it failed: " + got.status().message());
    }
    task = std::move(*got);
    const std::string next = taskStatusOf(task);
    if (next.empty()) return fail("error", what + ": the upstream's tasks/get has no status");
    if (next != status) note(next, "");
    status = next;
  }
  if (status == "cancelled") return fail("cancelled", what + " was cancelled by the upstream");
  // completed (the tool's result, possibly isError) or failed (its error result): tasks/result.
  auto result = client.request("tasks/result", Json{{"taskId", change.upstream_task_id}});
  if (status == "failed") {
    std::string why = what + " failed";
    if (result.ok()) why += ": " + errorText(*result, redactor_);
    return fail("failed", why);
  }
  if (!result.ok())
    return fail("error", what + ": tasks/result failed: " + result.status().message());
  return result;
}

Result<Json> McpExecutor::execute(CallContext& call) {
  const ToolDefinition& d = call.tool->definition;
  const Backend& b = d.backend;
  const std::string& tenant = call.request.principal.tenant;
  if (pool_ == nullptr) {
    return Status::unavailable("tool '" + d.name + "' is served by MCP upstream '" + b.mcp_server +
                               "', and no upstreams are configured");
  }
  if (tenant != tenant_) {
    // A tool registered by hand in another tenant may not borrow ward.toml's upstreams (and the
    // secrets they authenticate with).
    return Status::failedPrecondition("tool '" + d.name + "' names MCP upstream '" + b.mcp_server +
                                      "', which belongs to another tenant");
  }
  auto client = pool_->client(b.mcp_server);
  if (!client.ok()) return Status::unavailable(client.status().message());
  // Connect (or restart) first, so a new connection is synced before anything is sent.
  WARD_RETURN_IF_ERROR((*client)->ensureConnected());
  int64_t generation = -1;
  std::string digest = live_->digestOf(tenant, b.mcp_server, b.mcp_tool, &generation);
  if (generation != (*client)->connectionGeneration() || (*client)->takeListChanged()) {
    WARD_RETURN_IF_ERROR(sync_(tenant, b.mcp_server));
    digest = live_->digestOf(tenant, b.mcp_server, b.mcp_tool, &generation);
  }
  if (digest.empty()) {
    return Status::failedPrecondition("upstream '" + b.mcp_server + "' no longer offers tool '" +
                                      b.mcp_tool + "'; its removal awaits an admin's approval");
  }
  if (digest != definitionDigest(d.raw)) {
    return Status::failedPrecondition("tool '" + d.name + "' changed on upstream '" + b.mcp_server +
                                      "'; the change is quarantined until an admin approves it");
  }
  call.backend_contacted = true;
  const auto start = std::chrono::steady_clock::now();
  // A call that runs as a Ward task runs as a task upstream when the tool supports it; a tool
  // that requires tasks always does (the call then waits for the task here).
  const auto support = (*client)->toolTaskSupport(b.mcp_tool);
  std::shared_ptr<upstream::UpstreamTaskLink> link;
  if (call.request.via.is_object() && call.request.via.contains("task_id") &&
      call.request.via["task_id"].is_string()) {
    link = pool_->taskLinks().find(call.request.via["task_id"].get<std::string>(), tenant,
                                   call.request.principal.id);
  }
  const bool as_task = support == upstream::McpClient::TaskSupport::kRequired ||
                       (support == upstream::McpClient::TaskSupport::kOptional && link);
  auto result = as_task
                    ? runAsTask(call, **client, link.get())
                    : (*client)->callTool(b.mcp_tool, call.request.args, call.request.ask_client);
  call.backend_ns +=
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  if (!result.ok()) return result.status();
  if (result->contains("isError") && (*result)["isError"] == true) {
    call.backend_error = true;
    return Status::unavailable("upstream tool '" + d.name +
                               "' reported an error: " + errorText(*result, redactor_));
  }
  Json out = {{"content", result->value("content", Json::array())}};
  if (result->contains("structuredContent"))
    out["structuredContent"] = (*result)["structuredContent"];
  return out;
}

}  // namespace ward::gateway
