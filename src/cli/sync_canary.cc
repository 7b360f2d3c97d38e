// `ward sync canary SOURCE` and `canary_interval_s` under `ward serve` (docs/design/ingest.md,
// "Canaries"): a canary document is created, updated and deleted in a folder source (a file) or
// a git source whose root is a local bare repository (a commit on its branch), each step
// timed from the file-system call until an admin's search reflects it end to end (the sync run
// included); the canary is always removed.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "sync_wiring.h"
#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/common/log.h"
#include "ward/common/metrics.h"
#include "ward/ingest/git_canary.h"

namespace ward::cli {

namespace {

using Clock = std::chrono::steady_clock;

// A step that search does not reflect within this long fails the canary.
constexpr std::chrono::seconds kCanaryStepLimit{60};

struct CanaryRun {
  CliContext& ctx;
  SyncWiring& wiring;
  const ingest::SourceConfig& source;
  identity::Principal admin;

  // Syncs the source (a `ward serve` running it already does: then its watcher is waited for).
  Status sync() {
    auto r = wiring.runner->run(ctx.tenant(), source, ingest::SyncRequest{});
    if (!r.ok() && r.status().code() != StatusCode::kFailedPrecondition) return r.status();
    if (r.ok() && r->run.state == store::SyncRunState::kHeld) {
      return Status::failedPrecondition("the canary's run was held: " + r->run.message);
    }
    return Status();
  }

  Result<bool> found(const std::string& token) {
    search::SearchRequest req;
    req.query = token;
    req.k = 3;
    WARD_ASSIGN_OR_RETURN(auto resp,
                          ctx.search().search(admin, req, audit::TraceContext::generate()));
    return !resp.hits.empty();
  }

  // Seconds from `t0` until a search for `token` has hits (`want`) or none.
  Result<double> until(const std::string& token, bool want, Clock::time_point t0) {
    WARD_RETURN_IF_ERROR(sync());
    for (;;) {
      WARD_ASSIGN_OR_RETURN(bool hit, found(token));
      if (hit == want) return std::chrono::duration<double>(Clock::now() - t0).count();
      if (Clock::now() - t0 > kCanaryStepLimit) {
        return Status::unavailable("search did not reflect the canary within " +
                                   std::to_string(kCanaryStepLimit.count()) + " s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      WARD_RETURN_IF_ERROR(sync());
    }
  }
};

Status writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  return out ? Status() : Status::unavailable("cannot write " + path);
}

}  // namespace

Result<Json> runCanary(CliContext& ctx, SyncWiring& wiring, const ingest::SourceConfig& source,
                       const std::string& by) {
  const bool git = source.connector == "git";
  if (source.connector != "folder" && !git) {
    return Status::invalidArgument("source '" + source.name + "' is a " + source.connector +
                                   " source; canaries run in folder and git sources");
  }
  if (git) WARD_RETURN_IF_ERROR(ingest::checkGitCanaryRoot(source));
  auto admin = ctx.principal("admin");
  if (!admin.ok()) return admin.status();
  CanaryRun c{ctx, wiring, source, *admin};
  const std::string id = randomHex(6);
  const std::string name = std::string(ingest::kCanaryPrefix) + id + ".md";
  const std::string path = source.root + "/" + name;
  const std::string created = "wardcanary" + id + "created";
  const std::string updated = "wardcanary" + id + "updated";
  auto body = [&](const std::string& token) {
    return "# Ward canary " + id + "\n\nA sync canary of `ward sync canary " + source.name +
           "`; removed when it ends. " + token + "\n";
  };
  Json figures = Json::object();
  Status failed;
  auto step = [&](const char* kind, const std::function<Status()>& act, const std::string& token,
                  bool want) {
    if (!failed.ok()) return;
    const auto t0 = Clock::now();
    failed = act();
    if (!failed.ok()) return;
    auto s = c.until(token, want, t0);
    if (!s.ok()) {
      failed = Status(s.status().code(), std::string(kind) + ": " + s.status().message());
      return;
    }
    figures[kind] = *s;
    // Source names are data: like ward_sync_lag_seconds, only with server.metrics_data_gauges.
    if (ctx.config().server.metrics_data_gauges) {
      metrics().observeHistogram("ward_sync_canary_seconds",
                                 {{"source", source.name}, {"kind", kind}}, *s);
    }
  };
  // A folder canary is a file under the root; a git canary a commit on the bare repository's
  // branch (ingest/git_canary.h), timed from the commit until search reflects it.
  bool committed = false;  // the git canary file is on the branch
  auto put = [&](const std::string& token) {
    if (!git) return writeFile(path, body(token));
    Status s = ingest::commitGitCanary(source, name, body(token));
    committed = committed || s.ok();
    return s;
  };
  auto create = [&] { return put(created); };
  auto update = [&] { return put(updated); };
  auto remove = [&] {
    if (git) {
      Status s = ingest::commitGitCanary(source, name, std::nullopt);
      if (s.ok()) committed = false;
      return s;
    }
    return ::unlink(path.c_str()) == 0 ? Status() : Status::unavailable("cannot remove " + path);
  };
  step("create", create, created, true);
  step("update", update, updated, true);
  step("delete", remove, updated, false);
  // Always cleaned up: the file removed and the source synced, whatever failed above.
  const bool left = git ? committed : ::access(path.c_str(), F_OK) == 0;
  if (left) {
    Status s = git ? ingest::commitGitCanary(source, name, std::nullopt)
                   : (::unlink(path.c_str()), Status());
    if (s.ok()) s = c.sync();
    if (!s.ok()) logWarn("canary: the clean-up failed: " + s.message());
  }
  Json out{{"source", source.name},
           {"canary", source.name + ":" + name},
           {"seconds", figures},
           {"revoke", std::string("not applicable: a ") + source.connector +
                          " source's ACLs come from its path rules"}};
  if (!failed.ok()) out["error"] = failed.message();
  audit::TraceEvent ev;
  ev.context = audit::TraceContext::generate();
  ev.kind = "sync_canary";
  ev.tenant = ctx.tenant();
  ev.principal = by;
  ev.time_us = SystemClock::instance().nowMicros();
  ev.attributes = out;
  Status rec = ctx.traces().record(ev);
  if (!rec.ok()) return rec;
  return out;
}

int runSyncCanary(CliContext& ctx, SyncWiring& wiring, const ingest::SourceConfig& source,
                  bool json) {
  auto r = runCanary(ctx, wiring, source, "cli");
  if (!r.ok()) return fail(r.status());
  const Json& out = *r;
  const Json& figures = out["seconds"];
  if (json) {
    std::cout << dumpJson(out) << "\n";
  } else {
    for (const char* kind : {"create", "update", "delete"}) {
      if (figures.contains(kind)) {
        std::printf("canary %s of %s: reflected in search after %.3f s\n", kind,
                    source.name.c_str(), figures[kind].get<double>());
      }
    }
    std::printf("canary revoke: not applicable (a %s source's ACLs come from its rules)\n",
                source.connector.c_str());
  }
  if (out.contains("error")) return fail(Status::unavailable(out["error"].get<std::string>()));
  return 0;
}

}  // namespace ward::cli
