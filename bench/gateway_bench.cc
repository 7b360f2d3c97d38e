// Gateway overhead: the same loopback backend called directly (libcurl, keep-alive) and through
// the whole gateway (authorize, mode, validate, rate limit, idempotency, approval, dispatch with
// the SSRF check, output validation, and a durable trace record per call), interleaved at a
// fixed rate in one run. Prints p50/p99 of both and their difference.
//
// Usage: gateway_bench [--calls N] [--rate PER_SECOND] [--write] [--audit-dir DIR]
//   --write: a write tool with a fresh idempotency key per call (adds the SQLite key record).
//   --audit-dir: where the audit log goes (default: a temp folder on disk). Every trace event is
//   durable (fdatasync) before record() returns; a tmpfs folder (/dev/shm/...) removes the
//   fsync cost and shows the gateway's own work.
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
#include "ward/identity/directory.h"
#include "ward/store/store.h"
#include "ward/store/tool_store.h"
#include "ward/trace/trace.h"

namespace {

using ward::bench::LoopbackBackend;

}  // namespace

int main(int argc, char** argv) {
  int calls = 5000, rate = 1000;
  bool write_tool = false;
  std::string audit_dir;  // default: <temp dir>/audit (disk); /dev/shm/... shows the fsync cost
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--calls") && i + 1 < argc)
      calls = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--rate") && i + 1 < argc)
      rate = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--write"))
      write_tool = true;
    else if (!std::strcmp(argv[i], "--audit-dir") && i + 1 < argc)
      audit_dir = argv[++i];
  }
  namespace fs = std::filesystem;
  std::string dir = fs::temp_directory_path() / ("ward_gw_bench_" + std::to_string(getpid()));
  fs::create_directories(dir);
  LoopbackBackend backend;

  auto store = std::move(ward::store::openSqliteStore(dir + "/ward.db").value());
  (void)store->ensureTenant("default");
  (void)store->createPrincipal("default", "alice", ward::identity::PrincipalKind::kUser, false);
  auto tools = std::move(ward::store::openSqliteToolStore(dir + "/ward.db").value());
  ward::audit::AuditSinkOptions audit_options;
  audit_options.log.dir = audit_dir.empty() ? dir + "/audit" : audit_dir;
  auto traces = std::move(ward::audit::openAuditLogSink(audit_options).value());
  ward::gateway::GatewayOptions o;
  o.store = store.get();
  o.tools = tools.get();
  o.traces = traces.get();
  o.secrets_key_path = dir + "/secrets.key";
  auto gw = std::move(ward::gateway::ToolGateway::create(o).value());
  ward::Json def = ward::bench::invoiceLookupTool(backend.port(), write_tool);
  auto added = gw->addTool("default", def, false);
  if (!added.ok()) {
    std::fprintf(stderr, "addTool: %s\n", added.status().toString().c_str());
    return 1;
  }
  (void)gw->addGrant("default",
                     {{"subject_kind", "principal"}, {"subject", "alice"}, {"tool", "lookup"}},
                     "bench");
  auto alice = ward::identity::resolvePrincipal(*store, "default", "alice").value();

  ward::bench::DirectInvoiceClient direct_client(backend.port());
  auto direct = [&] { return direct_client.get(); };
  auto through = [&](int i) {
    ward::gateway::CallRequest r;
    r.principal = alice;
    r.tool = "lookup";
    r.args = {{"id", "INV-" + std::to_string(i)}};
    if (write_tool)
      r.idempotency_key = "bench-" + std::to_string(getpid()) + "-" + std::to_string(i);
    r.trace = ward::trace::TraceContext::generate();
    return gw->call(std::move(r)).ok();
  };
  for (int i = 0; i < 200; ++i) {  // warm-up: connections, caches, first trace writes
    direct();
    through(-1 - i);
  }
  ward::bench::PairedLatencies run = ward::bench::runPaired(calls, rate, direct, through);
  const std::vector<double>& d_us = run.direct_us;
  const std::vector<double>& g_us = run.through_us;
  const std::vector<double>& diff = run.diff_us;
  const int errors = run.errors;
  std::printf(
      "gateway_bench: %d calls at %d/s (%s tool, durable audit record per call in %s), "
      "%d errors\n",
      calls, rate, write_tool ? "write+idempotency" : "read", audit_options.log.dir.c_str(),
      errors);
  std::printf("  direct backend   p50 %8.1f us   p99 %8.1f us\n",
              ward::bench::percentile(d_us, 0.5), ward::bench::percentile(d_us, 0.99));
  std::printf("  through gateway  p50 %8.1f us   p99 %8.1f us\n",
              ward::bench::percentile(g_us, 0.5), ward::bench::percentile(g_us, 0.99));
  std::printf("  overhead         p50 %8.1f us   p99 %8.1f us   (gateway minus direct)\n",
              ward::bench::percentile(g_us, 0.5) - ward::bench::percentile(d_us, 0.5),
              ward::bench::percentile(g_us, 0.99) - ward::bench::percentile(d_us, 0.99));
  std::printf("  per-call overhead (paired) p50 %8.1f us   p99 %8.1f us\n",
              ward::bench::percentile(diff, 0.5), ward::bench::percentile(diff, 0.99));
  gw.reset();
  traces.reset();
  fs::remove_all(dir);
  if (!audit_dir.empty()) fs::remove_all(audit_dir);
  return errors == 0 ? 0 : 1;
}
