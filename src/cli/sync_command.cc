// ward sync SOURCE [--full] [--approve ID] | ward sources | ward jobs: the [[sources]] of
// ward.toml, synced by their connectors (docs/design/ingest.md, "Sync runs").
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include "commands.h"
#include "push_snapshot.h"
#include "runtime_sources.h"
#include "sync_routes.h"
#include "sync_wiring.h"
#include "ward/common/clock.h"
#include "ward/identity/principal.h"
#include "ward/store/tool_store.h"

namespace ward::cli {

Result<std::unique_ptr<SyncWiring>> openSyncWiring(CliContext& ctx) {
  auto w = std::make_unique<SyncWiring>();
  WARD_ASSIGN_OR_RETURN(w->sources, ingest::loadSourceConfigs(ctx.configPath()));
  for (size_t i = 0; i < w->sources.size(); ++i) {
    WARD_RETURN_IF_ERROR(
        checkScheduledCanary(w->sources[i], "ward.toml: sources[" + std::to_string(i) + "]"));
  }
  WARD_ASSIGN_OR_RETURN(w->runtime_roots, ingest::loadRuntimeSourceRoots(ctx.configPath()));
  WARD_ASSIGN_OR_RETURN(w->alert_webhook, ingest::loadAlertWebhookConfig(ctx.configPath()));
  WARD_ASSIGN_OR_RETURN(w->sync, store::openSqliteSyncStore(ctx.dbPath()));
  WARD_ASSIGN_OR_RETURN(w->approvals, openConfiguredToolStore(ctx));
  std::string lock_dir = ctx.data_dir + "/sync";
  if (::mkdir(lock_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::unavailable("cannot create " + lock_dir);
  }
  ingest::SyncDeps deps;
  deps.store = &ctx.store();
  deps.sync = w->sync.get();
  deps.approvals = w->approvals.get();
  deps.index = &ctx.index();
  deps.traces = &ctx.traces();
  deps.config = ctx.config().ingest;
  deps.env.refused_dirs = {ctx.data_dir};
  deps.env.max_file_bytes = ctx.config().ingest.max_file_bytes;
  deps.env.state_dir = lock_dir;
  WARD_ASSIGN_OR_RETURN(gateway::ToolGateway * gw, ctx.gateway());
  const std::string tenant = ctx.tenant();
  deps.env.secret = [gw, tenant](const std::string& name) { return gw->secretValue(tenant, name); };
  deps.lock_dir = lock_dir;
  w->runner = std::make_unique<ingest::SyncRunner>(std::move(deps));
  return w;
}

const ingest::SourceConfig* SyncWiring::find(const std::string& name) const {
  for (const auto& s : sources) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

namespace {

int printResult(const ingest::SyncResult& r, bool json);

}  // namespace

int runJsonlSnapshot(CliContext& ctx, const std::string& file, const std::string& source,
                     const std::string& approve, bool json) {
  if (source.empty()) {
    return fail(
        Status::invalidArgument("--snapshot needs --source: the snapshot replaces that "
                                "source's documents"));
  }
  Status s = ctx.open();
  if (!s.ok()) return fail(s);
  auto wiring = openSyncWiring(ctx);
  if (!wiring.ok()) return fail(wiring.status());
  char resolved[PATH_MAX];
  if (::realpath(file.c_str(), resolved) == nullptr) {
    return fail(Status::notFound("cannot open " + file));
  }
  // ward.toml's settings for the source, or a runtime source's stored ones.
  auto src = pushSourceConfig(**wiring, ctx.tenant(), source, resolved);
  if (!src.ok()) return fail(src.status());
  ingest::SyncRequest req;
  req.approve = approve;
  req.reviewer = "cli";
  auto r = (*wiring)->runner->run(ctx.tenant(), *src, req);
  if (!r.ok()) return fail(r.status());
  return printResult(*r, json);
}

namespace {

void printRun(const store::SyncRunRecord& r) {
  std::printf(
      "run %lld of %s: %s; listed %lld, fetched %lld, indexed %lld, unchanged %lld, "
      "failed %lld, refused %lld, held %lld, deleted %lld; %lld pages%s%s%s\n",
      static_cast<long long>(r.id), r.source.c_str(),
      std::string(store::syncRunStateName(r.state)).c_str(), static_cast<long long>(r.listed),
      static_cast<long long>(r.fetched), static_cast<long long>(r.indexed),
      static_cast<long long>(r.unchanged), static_cast<long long>(r.failed),
      static_cast<long long>(r.refused), static_cast<long long>(r.held),
      static_cast<long long>(r.deleted), static_cast<long long>(r.pages),
      r.requests > 0 ? (", " + std::to_string(r.requests) + " requests").c_str() : "",
      r.exhausted ? ", listing exhausted" : "",
      r.resumed ? (", resumed " + std::to_string(r.resumed) + "x").c_str() : "");
  if (!r.message.empty()) std::printf("  %s\n", r.message.c_str());
}

int printResult(const ingest::SyncResult& r, bool json) {
  if (json) {
    std::cout << dumpJson(r.toJson()) << "\n";
  } else {
    for (const auto& p : r.problems) std::cerr << "skipped " << p.item << ": " << p.message << "\n";
    printRun(r.run);
  }
  switch (r.run.state) {
    case store::SyncRunState::kCompleted:
      return 0;
    case store::SyncRunState::kHeld:
      return 5;  // waits for an approval (cli.md, "Exit codes")
    default:
      return 1;
  }
}

}  // namespace

void registerSyncCommands(CLI::App& app, CliContext& ctx, CommandSlot& slot) {
  auto* sync = app.add_subcommand("sync", "Run (or resume) a sync of a [[sources]] entry now");
  static std::string source, approve;
  static bool full = false, json = false;
  sync->add_option("SOURCE", source, "The source's name in ward.toml");
  sync->add_flag("--full", full, "Fetch every item again, ignoring stored versions");
  static std::string since;
  sync->add_option("--since", since,
                   "With --full: a backfill, fetching again only items dated at or after this "
                   "RFC 3339 time");
  sync->add_option("--approve", approve,
                   "Approve the source's held run (its approval id) and run with the mass-deletion "
                   "and exposure guards lifted");
  sync->add_flag("--json", json, "Print the run as JSON");
  auto* canary = sync->add_subcommand(
      "canary",
      "Create, update and delete a canary document in a folder source, timing each "
      "until search reflects it (the canary is always removed)");
  static std::string canary_source;
  static bool canary_json = false;
  canary->add_option("SOURCE", canary_source, "The folder source's name in ward.toml")->required();
  canary->add_flag("--json", canary_json, "Print the figures as JSON");
  canary->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto wiring = openSyncWiring(ctx);
      if (!wiring.ok()) return fail(wiring.status());
      auto src = findAnySource(ctx, **wiring, ctx.tenant(), canary_source);
      if (!src.ok()) return fail(src.status());
      return runSyncCanary(ctx, **wiring, *src, canary_json);
    };
  });
  sync->callback([&ctx, &slot, canary] {
    if (canary->parsed()) return;  // `ward sync canary SOURCE`
    if (source.empty()) {
      slot.run = [] { return fail(Status::invalidArgument("ward sync: SOURCE is required")); };
      return;
    }
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto wiring = openSyncWiring(ctx);
      if (!wiring.ok()) return fail(wiring.status());
      auto src = findAnySource(ctx, **wiring, ctx.tenant(), source);
      if (!src.ok()) return fail(src.status());
      ingest::SyncRequest req;
      req.full = full;
      if (!since.empty()) {
        if (!full) return fail(Status::invalidArgument("--since needs --full (a backfill)"));
        if (!parseRfc3339(since, &req.full_since_us)) {
          return fail(Status::invalidArgument("--since must be an RFC 3339 date or time, got '" +
                                              since + "'"));
        }
      }
      req.approve = approve;
      req.reviewer = "cli";
      auto r = (*wiring)->runner->run(ctx.tenant(), *src, req);
      if (!r.ok()) return fail(r.status());
      return printResult(*r, json);
    };
  });

  auto* sources = app.add_subcommand(
      "sources", "The sources (ward.toml's [[sources]] and runtime ones) and their freshness");
  auto* add = sources->add_subcommand(
      "add",
      "Create a runtime source from a JSON file with the keys of [[sources]] (as POST "
      "/v1/sources; a \"credential\" is sealed as a tenant secret)");
  static std::string add_file;
  add->add_option("FILE", add_file, "The source as JSON")->required();
  add->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto wiring = openSyncWiring(ctx);
      if (!wiring.ok()) return fail(wiring.status());
      std::ifstream in(add_file, std::ios::binary);
      if (!in) return fail(Status::notFound("cannot open " + add_file));
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto body = parseJson(text);
      if (!body.ok()) return fail(body.status());
      auto j = putRuntimeSource(ctx, **wiring, ctx.tenant(), "cli", std::move(body).value(), "");
      if (!j.ok()) return fail(j.status());
      std::cout << dumpJson(*j) << "\n";
      return 0;
    };
  });
  auto* remove = sources->add_subcommand(
      "remove",
      "Remove a runtime source: its documents are deleted under the mass-deletion "
      "guard (exit 5 while that waits for --approve ID)");
  static std::string remove_name, remove_approve;
  remove->add_option("NAME", remove_name, "The runtime source")->required();
  remove->add_option("--approve", remove_approve, "The approval of the held deletion");
  remove->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto wiring = openSyncWiring(ctx);
      if (!wiring.ok()) return fail(wiring.status());
      auto r = removeRuntimeSource(ctx, **wiring, ctx.tenant(), remove_name, remove_approve, "cli");
      if (!r.ok()) return fail(r.status());
      Json j = r->run.toJson();
      j["removed"] = r->removed;
      std::cout << dumpJson(j) << "\n";
      return r->removed ? 0 : r->run.run.state == store::SyncRunState::kHeld ? 5 : 1;
    };
  });
  sources->callback([&ctx, &slot, add, remove] {
    if (add->parsed() || remove->parsed()) return;
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto wiring = openSyncWiring(ctx);
      if (!wiring.ok()) return fail(wiring.status());
      auto j = allSourcesJson(**wiring, ctx.tenant(), SystemClock::instance().nowMicros());
      if (!j.ok()) return fail(j.status());
      std::cout << dumpJson(*j) << "\n";
      return 0;
    };
  });

  auto* jobs = app.add_subcommand("jobs", "Sync runs, newest first");
  static std::string jobs_source;
  static int limit = ingest::kDefaultJobsListed;
  jobs->add_option("--source", jobs_source, "Only this source's runs");
  jobs->add_option("--limit", limit, "At most this many runs")
      ->check(CLI::Range(1, kMaxJobsListed));
  jobs->callback([&ctx, &slot] {
    slot.run = [&ctx] {
      Status s = ctx.open();
      if (!s.ok()) return fail(s);
      auto wiring = openSyncWiring(ctx);
      if (!wiring.ok()) return fail(wiring.status());
      auto runs = (*wiring)->sync->listRuns(ctx.tenant(), jobs_source, limit);
      if (!runs.ok()) return fail(runs.status());
      Json out = Json::array();
      for (const auto& r : *runs) out.push_back(ingest::syncRunJson(r));
      std::cout << dumpJson(out) << "\n";
      return 0;
    };
  });
}

}  // namespace ward::cli
