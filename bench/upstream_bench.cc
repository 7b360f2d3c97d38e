// Upstream MCP overhead: the same stdio MCP server tool called directly (an McpClient of its
// own, a second process of the same command) and through the whole gateway (authorize, mode,
// validate, rate limit, idempotency, approval, the mcp executor's pin check, output, and a
// durable trace record per call), interleaved at a fixed rate in one run. Prints p50/p99 of
// both and of the paired difference.
//
// Usage: upstream_bench [--calls N] [--rate PER_SECOND] [--audit-dir DIR] [--tool NAME]
//                       [--args JSON] [--write] -- COMMAND [ARGS...]
//   e.g. upstream_bench --tool echo --args '{"message":"hi"}' -- node
//          tests/upstream/node_modules/@modelcontextprotocol/server-everything/dist/index.js stdio
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "paired_calls.h"
#include "percentile.h"
#include "ward/audit/audit_trace_sink.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/identity/directory.h"
#include "ward/store/store.h"
#include "ward/store/tool_store.h"
#include "ward/upstream/upstream_pool.h"

int main(int argc, char** argv) {
  int calls = 2000, rate = 200;
  bool write = false;  // send an idempotency key per call (needed for write tools)
  std::string audit_dir, tool = "echo", args_text = R"({"message":"bench"})";
  ward::upstream::UpstreamConfig cfg;
  cfg.name = "up";
  cfg.transport = "stdio";
  cfg.trusted = true;  // its readOnlyHint counts: a read tool needs no idempotency key
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--calls") && i + 1 < argc) {
      calls = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--rate") && i + 1 < argc) {
      rate = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--audit-dir") && i + 1 < argc) {
      audit_dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--write")) {
      write = true;
    } else if (!std::strcmp(argv[i], "--tool") && i + 1 < argc) {
      tool = argv[++i];
    } else if (!std::strcmp(argv[i], "--args") && i + 1 < argc) {
      args_text = argv[++i];
    } else if (!std::strcmp(argv[i], "--")) {
      if (i + 1 < argc) cfg.command = argv[i + 1];
      for (int j = i + 2; j < argc; ++j) cfg.args.push_back(argv[j]);
      break;
    }
  }
  if (cfg.command.empty()) {
    std::fprintf(stderr, "usage: upstream_bench [options] -- COMMAND [ARGS...]\n");
    return 2;
  }
  const ward::Json args = ward::parseJson(args_text).value();
  namespace fs = std::filesystem;
  std::string dir = fs::temp_directory_path() / ("ward_up_bench_" + std::to_string(getpid()));
  fs::create_directories(dir);

  auto store = std::move(ward::store::openSqliteStore(dir + "/ward.db").value());
  (void)store->ensureTenant("default");
  (void)store->createPrincipal("default", "alice", ward::identity::PrincipalKind::kUser, false);
  auto tools = std::move(ward::store::openSqliteToolStore(dir + "/ward.db").value());
  ward::audit::AuditSinkOptions audit_options;
  audit_options.log.dir = audit_dir.empty() ? dir + "/audit" : audit_dir;
  auto traces = std::move(ward::audit::openAuditLogSink(audit_options).value());
  ward::upstream::UpstreamPool pool({cfg});
  ward::gateway::GatewayOptions o;
  o.store = store.get();
  o.tools = tools.get();
  o.traces = traces.get();
  o.upstreams = &pool;
  auto gw = std::move(ward::gateway::ToolGateway::create(o).value());
  auto sync = gw->syncUpstream("default", "up");
  if (!sync.ok()) {
    std::fprintf(stderr, "sync: %s\n", sync.status().toString().c_str());
    return 1;
  }
  const std::string ward_tool = "up." + tool;
  (void)gw->addGrant("default",
                     {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", ward_tool}},
                     "bench");
  auto alice = ward::identity::resolvePrincipal(*store, "default", "alice").value();
  ward::upstream::McpClient direct_client(cfg, nullptr);

  auto direct = [&] { return direct_client.callTool(tool, args).ok(); };
  int idem = 0;
  auto through = [&] {
    ward::gateway::CallRequest r;
    r.principal = alice;
    r.tool = ward_tool;
    r.args = args;
    if (write)
      r.idempotency_key = "bench-" + std::to_string(getpid()) + "-" + std::to_string(++idem);
    r.trace = ward::trace::TraceContext::generate();
    auto out = gw->call(std::move(r));
    if (!out.ok()) std::fprintf(stderr, "call: %s\n", out.status().toString().c_str());
    return out.ok();
  };
  for (int i = 0; i < 100; ++i) {  // warm-up: processes, caches, first trace writes
    direct();
    through();
  }
  ward::bench::PairedLatencies run =
      ward::bench::runPaired(calls, rate, direct, [&](int) { return through(); });
  const std::vector<double>& d_us = run.direct_us;
  const std::vector<double>& g_us = run.through_us;
  const std::vector<double>& diff = run.diff_us;
  const int errors = run.errors;
  std::printf("upstream_bench: %d calls of %s at %d/s over stdio (%s), audit in %s, %d errors\n",
              calls, tool.c_str(), rate, cfg.command.c_str(), audit_options.log.dir.c_str(),
              errors);
  std::printf("  direct McpClient  p50 %8.1f us   p99 %8.1f us\n",
              ward::bench::percentile(d_us, 0.5), ward::bench::percentile(d_us, 0.99));
  std::printf("  through gateway   p50 %8.1f us   p99 %8.1f us\n",
              ward::bench::percentile(g_us, 0.5), ward::bench::percentile(g_us, 0.99));
  std::printf("  per-call overhead (paired) p50 %8.1f us   p99 %8.1f us\n",
              ward::bench::percentile(diff, 0.5), ward::bench::percentile(diff, 0.99));
  gw.reset();
  traces.reset();
  fs::remove_all(dir);
  if (!audit_dir.empty()) fs::remove_all(audit_dir);
  return errors == 0 ? 0 : 1;
}
