// ward serve: the REST API on the data dir, until SIGINT/SIGTERM.
#include <csignal>
#include <iostream>
#include <thread>

#include "commands.h"
#include "leader_loop.h"
#include "source_scheduler.h"
#include "sync_routes.h"
#include "ward/answer/ask_tool.h"
#include "ward/common/hash.h"
#include "ward/common/log.h"
#include "ward/http/http_server.h"
#include "ward/http/scim_routes.h"
#include "ward/http/services.h"
#include "ward/identity/scim_service.h"
#include "ward/io/file_system.h"
#include "ward/store/scim_store.h"

namespace ward::cli {

void registerServeCommand(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("serve", "Serve the REST API (/v1, /healthz, /metrics)");
  static std::string listen;
  cmd->add_option("--listen", listen, "HOST:PORT (default server.listen; port 0 picks one)");
  static std::string fixtures_as;
  cmd->add_option("--mcp-conformance-fixtures-as", fixtures_as,
                  "TEST ONLY: /mcp serves the MCP conformance suite's fixtures without an API "
                  "key, acting as this principal (loopback listen only)");
  cmd->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      // Block the signals in every thread; a dedicated waiter turns them into a clean stop. First
      // of all: a thread started before (the index follower, the retention loop, the export
      // queues) would otherwise take a SIGTERM that arrives before the main thread waits, and
      // the default action would kill the process without stopping cleanly.
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &set, nullptr);
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      ServerConfig sc = ctx.config().server;
      if (!listen.empty()) sc.listen = listen;
      http::Services services;
      services.store = &ctx.store();
      services.search = &ctx.search();
      services.ingest = &ctx.ingest();
      services.index = &ctx.index();
      services.traces = &ctx.traces();
      services.config = &ctx.config();
      services.audit_keys = ctx.auditKeys();
      RetentionLoop retention(ctx);
      auto follow_interval = indexFollowInterval();
      if (!follow_interval.ok()) return fail(follow_interval.status());
      IndexFollower follower(ctx.index(), ctx.store(), *follow_interval);
      // Leader-only work on a shared store (PostgreSQL): under the leader lease, on one node.
      std::unique_ptr<LeaderLoop> leader;
      if (auto* cluster = dynamic_cast<store::ClusterStore*>(&ctx.store())) {
        auto options = store::loadClusterOptions(ctx.configPath());
        if (!options.ok()) return fail(options.status());
        leader = std::make_unique<LeaderLoop>(*cluster, *options);
      }
      auto gw = ctx.gateway();
      if (!gw.ok()) return fail(gw.status());
      services.gateway = *gw;
      auto trace_service = ctx.traceService();
      if (!trace_service.ok()) return fail(trace_service.status());
      services.trace_service = *trace_service;
      auto model_service = ctx.models();
      if (!model_service.ok()) return fail(model_service.status());
      services.models = *model_service;
      auto answers = openAnswerService(ctx, /*with_models=*/true);
      if (!answers.ok()) return fail(answers.status());
      services.answers = answers->get();
      // The gateway's builtin `ask` (MCP, REST tool calls) is this same answer service.
      (*gw)->registerBuiltin(answer::kAskToolName, answer::askToolHandler(**answers));
      // The configuration this server runs with, by hash: a change to ward.toml between runs
      // shows up in the audit log as a different hash.
      auto toml = io::readFile(io::posixFileSystem(), ctx.configPath());
      Status rec = ctx.recordAdminChange(
          "config_loaded",
          {{"config_sha256", toml.ok() ? sha256Hex(*toml) : std::string()}, {"listen", sc.listen}});
      if (!rec.ok()) return fail(rec);
      const bool loopback = isLoopbackListen(sc.listen);
      std::optional<identity::Principal> anonymous;
      if (!fixtures_as.empty()) {
        if (!loopback) {
          return fail(Status::invalidArgument(
              "--mcp-conformance-fixtures-as is test-only and needs a loopback --listen"));
        }
        auto who = ctx.principal(fixtures_as);
        if (!who.ok()) return fail(who.status());
        anonymous = *who;
      }
      auto mcp_server = openMcpServer(ctx, anonymous.has_value(), loopback);
      if (!mcp_server.ok()) return fail(mcp_server.status());
      auto sync_wiring = openSyncWiring(ctx);
      if (!sync_wiring.ok()) return fail(sync_wiring.status());
      auto routes = mcp::mcpRoutes(**mcp_server, anonymous);
      for (auto& r : syncRoutes(ctx, **sync_wiring)) routes.push_back(std::move(r));
      // SCIM provisioning (/scim/v2) on a store connection of its own.
      auto scim_store = store::openSqliteScimStore(ctx.dbPath());
      if (!scim_store.ok()) return fail(scim_store.status());
      identity::ScimService scim(**scim_store);
      for (auto& r : http::scimRoutes(scim, ctx.traces())) routes.push_back(std::move(r));
      auto server = http::startHttpServer(services, sc, std::move(routes));
      if (!server.ok()) return fail(server.status());
      std::cout << "listening on http://" << (*server)->address() << std::endl;
      // The [[sources]]: a run of each at start, then on schedule and on folder changes.
      auto sync_scheduler = std::make_unique<SourceScheduler>(ctx, **sync_wiring);
      // Imports upstream tools without delaying start-up; a call to an upstream not yet synced
      // syncs it first, and one upstream failing is logged without stopping the others.
      std::thread upstream_sync([&ctx, gw = *gw] {
        if (ctx.upstreams() == nullptr) return;
        for (const std::string& name : ctx.upstreams()->names()) {
          auto report = gw->syncUpstream(ctx.tenant(), name);
          if (!report.ok()) logWarn("upstream sync: " + report.status().message());
        }
      });
      int sig = 0;
      sigwait(&set, &sig);
      std::cerr << "stopping (signal " << sig << ")\n";
      (**mcp_server).shutdownStreams();
      sync_scheduler.reset();
      leader.reset();
      (*server)->stop();
      upstream_sync.join();
      return 0;
    };
  });
}

}  // namespace ward::cli
