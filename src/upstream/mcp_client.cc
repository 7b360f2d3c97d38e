#include "ward/common/mutex.h"
#include "ward/upstream/mcp_client.h"

#include <algorithm>
#include <thread>

#include "transport.h"
#include "ward/common/encoding.h"
#include "ward/common/log.h"

namespace ward::upstream {

std::string stringMember(const Json& message, const char* key) {
  if (!message.is_object()) return "";
  auto it = message.find(key);
  return it != message.end() && it->is_string() ? it->get<std::string>() : "";
}

Json objectMember(const Json& message, const char* key) {
  if (!message.is_object()) return Json::object();
  auto it = message.find(key);
  return it != message.end() && it->is_object() ? *it : Json::object();
}

Json idOf(const Json& message) {
  if (!message.is_object()) return nullptr;
  auto it = message.find("id");
  return it != message.end() ? *it : Json(nullptr);
}

Json defaultServerReply(const Json& request) {
  Json reply = {{"jsonrpc", "2.0"}, {"id", idOf(request)}};
  if (stringMember(request, "method") == "ping") {
    reply["result"] = Json::object();
  } else {
    reply["error"] = {{"code", -32601}, {"message", "method not supported by Ward"}};
  }
  return reply;
}

namespace {

constexpr const char* kModern = "2026-07-28";
constexpr const char* kLegacyDefault = "2025-11-25";
constexpr int64_t kBackoffBaseMs = 250;
constexpr int64_t kBackoffMaxMs = 30000;
constexpr int64_t kProbeTimeoutMs = 5000;     // server/discover to a server that may not know it
constexpr int64_t kQuickExitUs = 10'000'000;  // a server that dies sooner is crash-looping
constexpr int kFreeQuickRestarts = 2;         // restarted at once; later ones back off
constexpr int kMaxListPages = 100;
constexpr size_t kMaxListBytes = 16 << 20;  // the items of one listing, serialized
constexpr int kMaxInputRounds = 8;          // input_required rounds relayed for one stateless call
constexpr size_t kMaxInputRequests = 8;     // inputRequests relayed in one round
constexpr size_t kMaxTools = 1000;
constexpr size_t kMaxErrorText = 512;

const Json& clientInfo() {
  static const Json info = {{"name", "ward"}, {"version", "0.1.0"}};
  return info;
}

// What Ward declares as a client: only what this upstream may forward to Ward's callers.
Json capabilitiesFor(const UpstreamConfig& c) {
  Json caps = Json::object();
  if (c.allow_sampling) caps["sampling"] = Json::object();
  if (c.allow_elicitation) caps["elicitation"] = Json::object();
  return caps;
}

// Forwards one request of the upstream to the caller's client, if allowed.
Result<Json> forwardToCaller(const UpstreamConfig& c, const std::string& method, const Json& params,
                             const McpClient::ClientAsk& ask) {
  const bool allowed = (method == "sampling/createMessage" && c.allow_sampling) ||
                       (method == "elicitation/create" && c.allow_elicitation);
  if (!allowed) {
    return Status::permissionDenied(
        "Ward does not forward " + (method.empty() ? "a request without a method" : method) +
        " from upstream '" + c.name + "' (not allowed in its configuration)");
  }
  if (!ask) {
    return Status::failedPrecondition(
        "the caller cannot be asked: it is not connected over MCP with a live stream (" + method +
        " from upstream '" + c.name + "')");
  }
  return ask(method, params.is_object() ? params : Json::object());
}

// The reply to a request of the upstream: ping answered; sampling and elicitation forwarded to
// `ask` when the configuration allows them (refused when it is null); anything else refused.
Json replyToServer(const UpstreamConfig& c, const Json& m, const McpClient::ClientAsk& ask) {
  const std::string what = stringMember(m, "method");
  if (what == "ping") return defaultServerReply(m);
  Json reply = {{"jsonrpc", "2.0"}, {"id", idOf(m)}};
  auto r = forwardToCaller(c, what, objectMember(m, "params"), ask);
  if (r.ok()) {
    reply["result"] = *r;
  } else {
    const int code = r.status().code() == StatusCode::kPermissionDenied ? -32601 : -32603;
    reply["error"] = {{"code", code}, {"message", r.status().message()}};
  }
  return reply;
}

// An Mcp-Name header value (2026-07-28 Streamable HTTP, "Value Encoding"): the name or URI as
// is when it is visible ASCII with inner spaces only, else "=?base64?<Base64 of the UTF-8>?=";
// also encoded when it looks like that form itself. Names and URIs come from callers and
// upstreams, so this is also what keeps CR/LF out of the request.
std::string mcpNameHeader(const std::string& v) {
  bool plain = v.empty() || (v.front() != ' ' && v.back() != ' ');
  for (unsigned char c : v) plain = plain && c >= 0x20 && c <= 0x7e;
  if (plain && !(v.starts_with("=?base64?") && v.ends_with("?="))) return v;
  return "=?base64?" + base64Encode(v) + "?=";
}

// Text from an upstream is data: shortened so it cannot flood an error message or a log.
std::string clip(std::string s) {
  if (s.size() > kMaxErrorText) s = s.substr(0, kMaxErrorText) + "...";
  return s;
}

Status rpcError(const std::string& upstream, const Json& error) {
  int64_t code = error.contains("code") && error["code"].is_number_integer()
                     ? error["code"].get<int64_t>()
                     : 0;
  std::string text = error.contains("message") && error["message"].is_string()
                         ? error["message"].get<std::string>()
                         : "(no message)";
  std::string msg = "upstream '" + upstream + "' error " + std::to_string(code) + ": " + clip(text);
  if (code == -32602) return Status::invalidArgument(msg);
  if (code == -32601) return Status::invalidArgument(msg + " (method not found)");
  return Status::unavailable(msg);
}

// "${secret:NAME}" -> the secret; everything else unchanged.
Result<std::string> expand(const std::string& value, const SecretResolver& secrets,
                           const std::string& where) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t start = value.find("${secret:", pos);
    if (start == std::string::npos) break;
    size_t end = value.find('}', start);
    if (end == std::string::npos)
      return Status::invalidArgument(where + ": unterminated ${secret:");
    out += value.substr(pos, start - pos);
    const std::string name = value.substr(start + 9, end - start - 9);
    if (!secrets) return Status::failedPrecondition(where + ": no secrets are available");
    auto v = secrets(name);
    // The value is never echoed; only the name of the missing secret.
    if (!v.ok()) {
      const std::string& m = v.status().message();
      const std::string named = "secret '" + name + "'";
      return Status::failedPrecondition(
          where + ": " + (m.find(named) == std::string::npos ? named + ": " : "") + m);
    }
    out += *v;
    pos = end + 1;
  }
  out += value.substr(pos);
  return out;
}

}  // namespace

McpClient::McpClient(UpstreamConfig config, SecretResolver secrets, const Clock* clock)
    : config_(std::move(config)),
      secrets_(std::move(secrets)),
      clock_(clock ? clock : &SystemClock::instance()) {}

McpClient::~McpClient() { close(); }

void McpClient::close() {
  std::shared_ptr<Transport> t;
  {
    MutexLock lock(mu_);
    t = std::move(transport_);
    era_.clear();
  }
  if (t) t->close();
}

Result<std::shared_ptr<Transport>> McpClient::connection() {
  MutexLock lock(mu_);
  if (transport_ && transport_->alive() && !era_.empty()) return transport_;
  const int64_t now = clock_->nowMicros();
  if (transport_ && !transport_->alive() && next_attempt_us_ == 0) {
    // A server that exits soon after each start is a crash loop: after a few immediate
    // restarts, its restarts back off like failed starts.
    quick_exits_ = now - connected_at_us_ < kQuickExitUs ? quick_exits_ + 1 : 0;
    if (quick_exits_ > kFreeQuickRestarts) {
      int64_t backoff = std::min(
          kBackoffBaseMs << std::min(quick_exits_ - kFreeQuickRestarts - 1, 16), kBackoffMaxMs);
      next_attempt_us_ = now + backoff * 1000;
      last_error_ = "exited " + std::to_string(quick_exits_) + " times within 10 s of starting";
    }
  }
  if (now < next_attempt_us_) {
    return Status::unavailable("upstream '" + config_.name + "' is unavailable (" + last_error_ +
                               "); next attempt in " +
                               std::to_string((next_attempt_us_ - now) / 1000) + " ms");
  }
  connecting_.store(true);
  Status st = connectLocked();
  connecting_.store(false);
  if (!st.ok()) {
    ++failures_;
    int64_t backoff = kBackoffBaseMs << std::min(failures_ - 1, 16);
    backoff = std::min(backoff, kBackoffMaxMs);
    next_attempt_us_ = clock_->nowMicros() + backoff * 1000;
    last_error_ = st.message();
    if (transport_) transport_->close();
    transport_.reset();
    era_.clear();
    logWarn("upstream '" + config_.name + "': " + st.message() + "; retrying in " +
            std::to_string(backoff) + " ms");
    return st;
  }
  failures_ = 0;
  next_attempt_us_ = 0;
  last_error_.clear();
  connected_at_us_ = clock_->nowMicros();
  generation_.fetch_add(1);
  return transport_;
}

Status McpClient::connectLocked() {
  if (transport_) {
    transport_->close();
    transport_.reset();
    ++restarts_;
  }
  era_.clear();
  version_.clear();
  server_tool_tasks_ = false;
  ResolvedEndpoint e;
  e.config = config_;
  for (const auto& [k, v] : config_.env) {
    WARD_ASSIGN_OR_RETURN(e.env[k], expand(v, secrets_, "env." + k));
  }
  for (const auto& [k, v] : config_.headers) {
    WARD_ASSIGN_OR_RETURN(e.headers[k], expand(v, secrets_, "headers." + k));
  }
  ServerMessageHandlers handlers;
  handlers.on_notification = [this](const std::string& method, const Json&) {
    if (method == "notifications/tools/list_changed") list_changed_.store(true);
  };
  // A request no call takes has nobody to ask: refused, saying why (or ping answered).
  handlers.on_unclaimed_request = [config = config_](const Json& m) {
    return replyToServer(config, m, nullptr);
  };
  std::unique_ptr<Transport> t;
  if (config_.transport == "stdio") {
    WARD_ASSIGN_OR_RETURN(t, startStdioTransport(e, std::move(handlers)));
  } else {
    WARD_ASSIGN_OR_RETURN(t, openHttpTransport(e, std::move(handlers)));
  }
  std::shared_ptr<Transport> shared(std::move(t));
  transport_ = shared;

  // The stateless era first: server/discover answers with the versions the server speaks.
  if (config_.protocol == "auto" || config_.protocol == kModern) {
    era_ = "stateless";
    version_ = kModern;
    Json req = {{"jsonrpc", "2.0"},
                {"method", "server/discover"},
                {"params",
                 {{"_meta",
                   {{"io.modelcontextprotocol/protocolVersion", kModern},
                    {"io.modelcontextprotocol/clientInfo", clientInfo()},
                    {"io.modelcontextprotocol/clientCapabilities", capabilitiesFor(config_)}}}}}};
    RequestHeaders h = {{"MCP-Protocol-Version", kModern}, {"Mcp-Method", "server/discover"}};
    int64_t timeout = config_.protocol == "auto" ? std::min(config_.timeout_ms, kProbeTimeoutMs)
                                                 : config_.timeout_ms;
    // A server that has sent nothing yet may still be starting (an interpreter on a busy
    // machine): while it is alive and silent, the probe is asked again, up to timeout_ms in all.
    // A server that answers anything, even an error, is judged on that answer.
    Result<Json> r = Status::unavailable("upstream '" + config_.name + "': not probed");
    for (int64_t waited = 0;;) {
      req["id"] = next_id_.fetch_add(1);
      r = shared->roundTrip(req, h, timeout);
      waited += timeout;
      if (r.ok() || shared->heardFrom() || !shared->alive() || waited >= config_.timeout_ms) break;
      timeout = std::min(timeout, config_.timeout_ms - waited);
    }
    era_.clear();
    bool modern = false;
    if (r.ok() && r->contains("result") && (*r)["result"].is_object()) {
      const Json& res = (*r)["result"];
      if (res.contains("supportedVersions") && res["supportedVersions"].is_array()) {
        for (const Json& v : res["supportedVersions"]) modern = modern || v == kModern;
      }
      if (modern) server_info_ = objectMember(res, "serverInfo");
    }
    if (modern) {
      era_ = "stateless";
      version_ = kModern;
      return Status();
    }
    if (config_.protocol == kModern) {
      return Status::unavailable("upstream '" + config_.name + "' does not speak " + kModern +
                                 (r.ok() ? "" : ": " + r.status().message()));
    }
    if (!shared->alive())
      return Status::unavailable(r.ok() ? "upstream exited" : r.status().message());
  }

  // The session era: initialize, then notifications/initialized.
  const std::string asked = config_.protocol == "auto" ? kLegacyDefault : config_.protocol;
  Json init = {{"jsonrpc", "2.0"},
               {"id", next_id_.fetch_add(1)},
               {"method", "initialize"},
               {"params",
                {{"protocolVersion", asked},
                 {"capabilities", capabilitiesFor(config_)},
                 {"clientInfo", clientInfo()}}}};
  WARD_ASSIGN_OR_RETURN(Json resp, shared->roundTrip(init, {}, config_.timeout_ms));
  if (resp.contains("error")) return rpcError(config_.name, resp["error"]);
  if (!resp.contains("result") || !resp["result"].is_object()) {
    return Status::unavailable("upstream '" + config_.name + "': initialize returned no result");
  }
  const Json& res = resp["result"];
  const std::string got = stringMember(res, "protocolVersion");
  const auto& versions = supportedProtocolVersions();
  if (got == kModern || std::find(versions.begin(), versions.end(), got) == versions.end()) {
    return Status::unavailable("upstream '" + config_.name + "' answered protocol version '" +
                               clip(got) + "', which Ward does not speak (2025-11-25, 2025-06-18)");
  }
  version_ = got;
  server_info_ = objectMember(res, "serverInfo");
  // Tasks exist from 2025-11-25 on; Ward uses them for tools/call only.
  const Json tasks = objectMember(objectMember(res, "capabilities"), "tasks");
  server_tool_tasks_ = got != "2025-06-18" &&
                       objectMember(objectMember(tasks, "requests"), "tools").contains("call");
  shared->setSession(shared->sessionFromServer());
  RequestHeaders h = {{"MCP-Protocol-Version", version_}};
  WARD_RETURN_IF_ERROR(
      shared->notify(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, h));
  era_ = "session";
  return Status();
}

Result<Json> McpClient::send(const std::shared_ptr<Transport>& t, const Outgoing& out) {
  std::string era, version;
  {
    MutexLock lock(mu_);
    era = era_;
    version = version_;
  }
  const std::string& method = out.method;
  Json p = out.params.is_null() ? Json::object() : out.params;
  RequestHeaders h = {{"MCP-Protocol-Version", version}};
  if (era == "stateless") {
    p["_meta"]["io.modelcontextprotocol/protocolVersion"] = version;
    p["_meta"]["io.modelcontextprotocol/clientCapabilities"] = capabilitiesFor(config_);
    p["_meta"]["io.modelcontextprotocol/clientInfo"] = clientInfo();
    h["Mcp-Method"] = method;
    if (p.contains("name") && p["name"].is_string()) {
      h["Mcp-Name"] = mcpNameHeader(p["name"].get<std::string>());
    }
    if (method == "resources/read" && p.contains("uri") && p["uri"].is_string()) {
      h["Mcp-Name"] = mcpNameHeader(p["uri"].get<std::string>());
    }
  }
  // Requests the server sends during this one (session era) are forwarded to the caller when
  // allowed. Only a call whose caller can be asked installs a handler: on stdio, where requests
  // go to the one call in flight with a handler, listings and reads must not compete for them.
  // The handler owns copies: a stdio reply may be written after this call returned.
  ServerRequestHandler on_request;
  if (out.ask) {
    on_request = [config = config_, ask = out.ask](const Json& m) {
      return replyToServer(config, m, ask);
    };
  }
  for (int round = 0;; ++round) {
    int64_t timeout_ms = config_.timeout_ms;
    if (out.deadline_ns != 0) {
      // Rounded up, so that a round trip that times out ends at or after the deadline.
      const int64_t left_ns = out.deadline_ns - clock_->monotonicNanos();
      const int64_t left_ms = (left_ns + 999'999) / 1'000'000;
      if (left_ns <= 0) {
        return Status::unavailable("upstream '" + config_.name + "': no time left for " + method);
      }
      timeout_ms = std::min(timeout_ms, left_ms);
    }
    Json req = {
        {"jsonrpc", "2.0"}, {"id", next_id_.fetch_add(1)}, {"method", method}, {"params", p}};
    WARD_ASSIGN_OR_RETURN(Json resp, t->roundTrip(req, h, timeout_ms, on_request));
    if (resp.contains("error")) return rpcError(config_.name, resp["error"]);
    if (!resp.contains("result") || !resp["result"].is_object()) {
      return Status::unavailable("upstream '" + config_.name + "': " + method +
                                 " returned no result object");
    }
    Json result = std::move(resp["result"]);
    if (!result.contains("resultType") || result["resultType"] == "complete") return result;
    if (result["resultType"] != "input_required" || !result.contains("inputRequests") ||
        !result["inputRequests"].is_object() || round + 1 >= kMaxInputRounds) {
      return Status::failedPrecondition("upstream '" + config_.name + "' asked for input (" +
                                        clip(dumpJson(result["resultType"])) +
                                        ") that Ward cannot relay");
    }
    const Json& asked = result["inputRequests"];
    if (asked.size() > kMaxInputRequests) {
      return Status::failedPrecondition(
          "upstream '" + config_.name + "' asked for " + std::to_string(asked.size()) +
          " inputs in one round; Ward relays at most " + std::to_string(kMaxInputRequests));
    }
    // Stateless era: answer each input request through the caller, then retry with the answers.
    Json answers = Json::object();
    for (const auto& [key, one] : asked.items()) {
      WARD_ASSIGN_OR_RETURN(answers[key], forwardToCaller(config_, stringMember(one, "method"),
                                                          objectMember(one, "params"), out.ask));
    }
    p["inputResponses"] = std::move(answers);
    if (result.contains("requestState")) p["requestState"] = result["requestState"];
  }
}

Result<Json> McpClient::request(const std::string& method, Json params) {
  return requestAsking(Outgoing{method, std::move(params), nullptr, 0});
}

Result<Json> McpClient::requestAsking(const Outgoing& out) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    WARD_ASSIGN_OR_RETURN(std::shared_ptr<Transport> t, connection());
    auto r = send(t, out);
    // Only the transport reports NotFound: the HTTP session expired. The server refused the
    // request without running it, so it is safe to re-initialise and send it once more.
    if (!r.ok() && r.status().code() == StatusCode::kNotFound && attempt == 0) {
      MutexLock lock(mu_);
      if (transport_ == t) era_.clear();
      continue;
    }
    return r;
  }
  return Status::unavailable("upstream '" + config_.name + "': session expired twice");
}

Result<Json> McpClient::listTools() {
  WARD_ASSIGN_OR_RETURN(Json tools, listAll("tools/list", "tools", kMaxTools));
  std::map<std::string, TaskSupport> support;
  for (const Json& t : tools) {
    const std::string mode = stringMember(objectMember(t, "execution"), "taskSupport");
    const TaskSupport s = mode == "required"   ? TaskSupport::kRequired
                          : mode == "optional" ? TaskSupport::kOptional
                                               : TaskSupport::kNone;
    if (s != TaskSupport::kNone) support[stringMember(t, "name")] = s;
  }
  MutexLock lock(mu_);
  task_support_ = std::move(support);
  return tools;
}

McpClient::TaskSupport McpClient::toolTaskSupport(const std::string& tool) const {
  MutexLock lock(mu_);
  if (era_ != "session" || !server_tool_tasks_) return TaskSupport::kNone;
  auto it = task_support_.find(tool);
  return it == task_support_.end() ? TaskSupport::kNone : it->second;
}

Result<Json> McpClient::createToolTask(const std::string& tool, const Json& arguments,
                                       int64_t ttl_ms) {
  Json params = {{"name", tool}, {"arguments", arguments}, {"task", {{"ttl", ttl_ms}}}};
  WARD_ASSIGN_OR_RETURN(Json r, request("tools/call", std::move(params)));
  const Json task = objectMember(r, "task");
  if (stringMember(task, "taskId").empty()) {
    return Status::unavailable("upstream '" + config_.name + "' answered tools/call of '" + tool +
                               "' without creating a task");
  }
  return task;
}

Result<Json> McpClient::callTool(const std::string& tool, const Json& arguments,
                                 const ClientAsk& ask) {
  return requestAsking(
      Outgoing{"tools/call", Json{{"name", tool}, {"arguments", arguments}}, ask, 0});
}

Json McpClient::describe() const {
  Json j = {{"name", config_.name},
            {"transport", config_.transport},
            {"trusted", config_.trusted},
            {"protocol", config_.protocol}};
  // A connect in progress holds the lock for up to timeout_ms; listing upstreams must not wait
  // for one slow upstream.
  while (!mu_.tryLock()) {
    if (connecting_.load()) {
      j["connecting"] = true;
      j["connected"] = false;
      return j;
    }
    std::this_thread::yield();  // a call's fast path holds the lock only briefly
  }
  MutexLock lock(mu_, MutexLock::Adopt{});
  j.update(Json{{"connected", transport_ != nullptr && !era_.empty() && transport_->alive()},
                {"era", era_},
                {"protocol_version", version_},
                {"server_info", server_info_},
                {"consecutive_failures", failures_},
                {"restarts", restarts_},
                {"connections", generation_.load()}});
  if (!last_error_.empty()) j["last_error"] = last_error_;
  if (next_attempt_us_ != 0) j["next_attempt"] = formatRfc3339(next_attempt_us_);
  if (transport_) j["transport_state"] = transport_->describe();
  if (config_.transport == "stdio") {
    j["command"] = config_.command;
    j["args"] = config_.args;
  } else {
    j["url"] = config_.url;
  }
  return j;
}

Result<Json> McpClient::listAll(const std::string& method, const std::string& field,
                                size_t max_items) {
  // One deadline for the whole listing: each page gets what is left of timeout_ms.
  const int64_t deadline = clock_->monotonicNanos() + config_.timeout_ms * 1'000'000;
  auto timedOut = [&](int pages) {
    return Status::unavailable(
        "upstream '" + config_.name + "': " + method + " did not finish within timeout_ms (" +
        std::to_string(config_.timeout_ms) + " ms) after " + std::to_string(pages) + " pages");
  };
  Json items = Json::array();
  size_t bytes = 0;
  std::string cursor;
  for (int page = 0; page < kMaxListPages; ++page) {
    if (clock_->monotonicNanos() >= deadline) return timedOut(page);
    Json params = Json::object();
    if (!cursor.empty()) params["cursor"] = cursor;
    auto res = requestAsking(Outgoing{method, std::move(params), nullptr, deadline});
    if (!res.ok()) {
      if (clock_->monotonicNanos() >= deadline) return timedOut(page);
      return res.status();
    }
    if (!res->contains(field) || !(*res)[field].is_array()) {
      return Status::unavailable("upstream '" + config_.name + "': " + method + " has no " + field +
                                 " array");
    }
    bytes += dumpJson((*res)[field]).size();
    if (bytes > kMaxListBytes) {
      return Status::resourceExhausted("upstream '" + config_.name + "' lists more than " +
                                       std::to_string(kMaxListBytes >> 20) + " MiB of " + field);
    }
    for (Json& item : (*res)[field]) items.push_back(std::move(item));
    if (items.size() > max_items) {
      return Status::resourceExhausted("upstream '" + config_.name + "' lists more than " +
                                       std::to_string(max_items) + " " + field);
    }
    const std::string next = stringMember(*res, "nextCursor");
    if (next.empty()) return items;
    cursor = next;
  }
  return Status::resourceExhausted("upstream '" + config_.name + "': more than " +
                                   std::to_string(kMaxListPages) + " pages of " + field);
}

}  // namespace ward::upstream
