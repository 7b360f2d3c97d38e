// MCP overhead: tools/call through Ward's MCP endpoint (Streamable HTTP on loopback, API-key
// authentication, a 2025-11-25 session, the gateway's whole chain — grant check, validation,
// the pinned-definition check, dispatch, output validation — and one durable trace record: the
// gateway's tool_call event carrying the MCP request), against the same loopback backend called
// directly, both with libcurl keep-alive, interleaved at a fixed rate. Also tools/list latency, and
// N concurrent sessions each listing and calling.
//
// Usage: mcp_bench [--calls N] [--rate PER_SECOND] [--sessions N] [--audit-dir DIR] [--streamed]
//                  [--no-key-cache]
//   API keys are checked as `ward serve` does (identity::ApiKeyCache: the key's row and the
//   identity generation per request); --no-key-cache resolves the principal on every request
//   (authenticateApiKey: a lookup per group), the server's path before the cache.
//   --audit-dir: where the audit log goes (default: a temp folder on disk; every trace event
//   is fdatasync'ed before the request returns).
//   --streamed: the client declares the elicitation capability and accepts text/event-stream,
//   so every tools/call runs on its own thread with a held-open SSE response (the path of a
//   call that may ask the client); the connection closes after each such response.
#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "loopback_backend.h"
#include "paired_calls.h"
#include "percentile.h"
#include "ward/audit/audit_trace_sink.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/http/http_server.h"
#include "ward/identity/api_key_cache.h"
#include "ward/identity/directory.h"
#include "ward/mcp/mcp_server.h"
#include "ward/store/store.h"
#include "ward/store/tool_store.h"

namespace {

using Clock = std::chrono::steady_clock;

size_t captureSession(char* p, size_t s, size_t n, void* out) {
  std::string line(p, s * n);
  const std::string name = "mcp-session-id:";
  std::string lower = line;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind(name, 0) == 0) {
    std::string v = line.substr(name.size());
    v.erase(0, v.find_first_not_of(' '));
    v.erase(v.find_last_not_of("\r\n ") + 1);
    *static_cast<std::string*>(out) = v;
  }
  return s * n;
}

// One MCP client: a keep-alive libcurl handle with the key and, once initialized, the session.
class McpClient {
 public:
  McpClient(std::string url, std::string key, bool streamed = false)
      : url_(std::move(url)), key_(std::move(key)), streamed_(streamed) {
    h_ = curl_easy_init();
  }
  ~McpClient() { curl_easy_cleanup(h_); }

  // POSTs one message; true on HTTP 2xx with a JSON-RPC result that is not an error result.
  bool post(const std::string& body, const char* method = "POST") {
    response_.clear();
    struct curl_slist* hs = nullptr;
    hs = curl_slist_append(hs, ("Authorization: Bearer " + key_).c_str());
    hs = curl_slist_append(hs, "Content-Type: application/json");
    hs = curl_slist_append(
        hs, streamed_ ? "Accept: application/json, text/event-stream" : "Accept: application/json");
    if (!session_.empty()) {
      hs = curl_slist_append(hs, ("Mcp-Session-Id: " + session_).c_str());
      hs = curl_slist_append(hs, "MCP-Protocol-Version: 2025-11-25");
    }
    curl_easy_setopt(h_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h_, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h_, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, ward::bench::appendToString);
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &response_);
    curl_easy_setopt(h_, CURLOPT_HEADERFUNCTION, captureSession);
    curl_easy_setopt(h_, CURLOPT_HEADERDATA, &new_session_);
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(h_);
    long status = 0;
    curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hs);
    if (!new_session_.empty()) session_ = new_session_;
    return rc == CURLE_OK && status >= 200 && status < 300 &&
           response_.find("\"error\"") == std::string::npos &&
           response_.find("\"isError\":true") == std::string::npos;
  }
  bool initialize() {
    return post(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":)"
                R"("2025-11-25","capabilities":)" +
                std::string(streamed_ ? R"({"elicitation":{}})" : "{}") +
                R"(,"clientInfo":{"name":"mcp_bench","version":"1"}}})") &&
           post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  }
  bool call(int i) {
    return post(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                R"(,"method":"tools/call","params":{"name":"lookup","arguments":{"id":"INV-)" +
                std::to_string(i) + R"("}}})");
  }
  bool list(int i) {
    return post(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) + R"(,"method":"tools/list"})");
  }
  bool end() { return post("", "DELETE"); }

 private:
  std::string url_, key_, session_, new_session_, response_;
  bool streamed_ = false;
  CURL* h_ = nullptr;
};

double since(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double, std::micro>(t1 - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int calls = 5000, rate = 500, sessions = 100;
  std::string audit_dir;
  bool streamed = false;
  bool key_cache = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--calls") && i + 1 < argc)
      calls = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--rate") && i + 1 < argc)
      rate = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--sessions") && i + 1 < argc)
      sessions = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--audit-dir") && i + 1 < argc)
      audit_dir = argv[++i];
    else if (!std::strcmp(argv[i], "--streamed"))
      streamed = true;
    else if (!std::strcmp(argv[i], "--no-key-cache"))
      key_cache = false;
  }
  namespace fs = std::filesystem;
  std::string dir = fs::temp_directory_path() / ("ward_mcp_bench_" + std::to_string(getpid()));
  fs::create_directories(dir);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  ward::bench::LoopbackBackend backend;

  auto store = std::move(ward::store::openSqliteStore(dir + "/ward.db").value());
  (void)store->ensureTenant("default");
  auto alice_rec =
      store->createPrincipal("default", "alice", ward::identity::PrincipalKind::kUser, false);
  auto tools = std::move(ward::store::openSqliteToolStore(dir + "/ward.db").value());
  ward::audit::AuditSinkOptions audit_options;
  audit_options.log.dir = audit_dir.empty() ? dir + "/audit" : audit_dir;
  auto traces = std::move(ward::audit::openAuditLogSink(audit_options).value());
  ward::gateway::GatewayOptions o;
  o.store = store.get();
  o.tools = tools.get();
  o.traces = traces.get();
  auto gw = std::move(ward::gateway::ToolGateway::create(o).value());
  ward::Json def = ward::bench::invoiceLookupTool(backend.port(), false);
  if (!gw->addTool("default", def, false).ok() ||
      !gw->pinTool("default", "lookup", "1.0.0", true).ok() ||
      !gw->addGrant("default",
                    {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", "lookup"}},
                    "bench")
           .ok() ||
      !alice_rec.ok()) {
    std::fprintf(stderr, "setup failed\n");
    return 1;
  }
  ward::identity::NewApiKey key = ward::identity::generateApiKey();
  (void)store->storeApiKey({key.key_id, alice_rec->id, key.secret_hash, 0, false});

  ward::mcp::McpOptions mo;
  mo.gateway = gw.get();
  mo.store = store.get();
  mo.traces = traces.get();
  auto mcp = std::move(ward::mcp::McpServer::create(mo).value());
  ward::http::Router router;
  for (auto& r : ward::mcp::mcpRoutes(*mcp)) (void)router.add(std::move(r));
  ward::http::ServerOptions so;
  ward::store::Store* st = store.get();
  auto keys =
      std::make_shared<ward::identity::ApiKeyCache>(*st, [st] { return st->identityGeneration(); });
  auto server = std::move(ward::http::HttpServer::start(
                              so, std::move(router),
                              [st, keys, key_cache](const ward::http::HttpRequest& r) {
                                std::string a = r.header("authorization");
                                std::string presented = a.size() > 7 ? a.substr(7) : "";
                                return key_cache
                                           ? keys->authenticate(presented)
                                           : ward::identity::authenticateApiKey(*st, presented);
                              })
                              .value());
  const std::string url = "http://127.0.0.1:" + std::to_string(server->port()) + "/mcp";

  // Direct backend client.
  ward::bench::DirectInvoiceClient direct_client(backend.port());
  auto direct = [&] { return direct_client.get(); };

  McpClient client(url, key.plaintext, streamed);
  int errors = client.initialize() ? 0 : 1;
  for (int i = 0; i < 200; ++i) {  // warm-up: connections, caches, first trace writes
    direct();
    client.call(i);
  }
  ward::bench::PairedLatencies run =
      ward::bench::runPaired(calls, rate, direct, [&](int i) { return client.call(i); });
  errors += run.errors;
  const std::vector<double>& d_us = run.direct_us;
  const std::vector<double>& m_us = run.through_us;
  const std::vector<double>& diff = run.diff_us;
  std::vector<double> list_us;
  for (int i = 0; i < 2000; ++i) {
    auto t0 = Clock::now();
    if (!client.list(i)) ++errors;
    list_us.push_back(since(t0, Clock::now()));
  }

  // Concurrent sessions: all initialized and held at once, then each lists and calls.
  std::atomic<int> session_errors{0}, ready{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < sessions; ++s) {
    threads.emplace_back([&, s] {
      McpClient c(url, key.plaintext, streamed);
      if (!c.initialize()) ++session_errors;
      ++ready;
      while (ready.load() < sessions) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      for (int i = 0; i < 5; ++i) {
        if (!c.list(i) || !c.call(s * 100 + i)) ++session_errors;
      }
      if (!c.end()) ++session_errors;
    });
  }
  for (auto& t : threads) t.join();

  std::printf(
      "mcp_bench: %d tools/call at %d/s over Streamable HTTP%s (API key, session, grant,\n"
      "  validation, pinned definition, output schema, one durable trace record per call\n"
      "  in %s), %d errors; API keys %s\n",
      calls, rate, streamed ? ", streamed (SSE, own thread)" : "", audit_options.log.dir.c_str(),
      errors,
      key_cache ? "through the cache (as ward serve)" : "resolved per request (--no-key-cache)");
  std::printf("  direct backend       p50 %8.1f us   p99 %8.1f us\n",
              ward::bench::percentile(d_us, 0.5), ward::bench::percentile(d_us, 0.99));
  std::printf("  through Ward MCP     p50 %8.1f us   p99 %8.1f us\n",
              ward::bench::percentile(m_us, 0.5), ward::bench::percentile(m_us, 0.99));
  std::printf(
      "  added (paired)       p50 %8.1f us   p99 %8.1f us   (target p50 <= 1000, p99 <= 5000)\n",
      ward::bench::percentile(diff, 0.5), ward::bench::percentile(diff, 0.99));
  std::printf("  tools/list (2000)    p50 %8.1f us   p99 %8.1f us   (target p99 <= 2000)\n",
              ward::bench::percentile(list_us, 0.5), ward::bench::percentile(list_us, 0.99));
  std::printf("  %d concurrent sessions, each 5 x (tools/list + tools/call): %d errors\n", sessions,
              session_errors.load());
  server->stop();
  mcp.reset();
  gw.reset();
  traces.reset();
  fs::remove_all(dir);
  if (!audit_dir.empty()) fs::remove_all(audit_dir);
  return errors == 0 && session_errors == 0 ? 0 : 1;
}
