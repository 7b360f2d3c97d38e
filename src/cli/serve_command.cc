// ward serve: the REST API on the data dir, until SIGINT/SIGTERM.
#include <csignal>
#include <iostream>
#include <thread>

#include "commands.h"
#include "ward/common/log.h"
#include "ward/http/http_server.h"
#include "ward/http/services.h"

namespace ward::cli {

void registerServeCommand(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("serve", "Serve the REST API (/v1, /healthz, /metrics)");
  static std::string listen;
  cmd->add_option("--listen", listen, "HOST:PORT (default server.listen; port 0 picks one)");
  cmd->callback([&ctx, &slot] {
    slot.run = [&ctx] {
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
      auto gw = ctx.gateway();
      if (!gw.ok()) return fail(gw.status());
      services.gateway = *gw;
      // Block the signals in every thread; a dedicated waiter turns them into a clean stop.
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &set, nullptr);
      auto server = http::startHttpServer(services, sc);
      if (!server.ok()) return fail(server.status());
      std::cout << "listening on http://" << (*server)->address() << std::endl;
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
      (*server)->stop();
      upstream_sync.join();
      return 0;
    };
  });
}

}  // namespace ward::cli
