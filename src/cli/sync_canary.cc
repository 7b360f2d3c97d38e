// `ward sync canary SOURCE` and `canary_interval_s` under `ward serve` (docs/design/ingest.md,
// "Canaries"; folder, git and jsonl sources): a canary document is created, updated and deleted
// in a folder source (a file) or a git source whose root is a local bare repository (a commit on
// its branch), each step timed from the file-system call until an admin's search reflects it end
// to end (the sync run included), or created, updated, revoked and deleted through the push path
// in a jsonl (push) source (each timed from the push until search reflects it); the canary is
// always removed.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
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
// The principal a push canary's revoke step names in the canary's ACL, then revokes (a user made
// on first use, with no key: nobody signs in as it).
constexpr const char* kCanaryPrincipal = "ward-canary";

struct CanaryRun {
  CliContext& ctx;
  SyncWiring& wiring;
  const ingest::SourceConfig& source;
  identity::Principal admin;
  bool push = false;  // written through the push path: no sync run to wait for

  // Syncs the source (a `ward serve` running it already does: then its watcher is waited for).
  Status sync() {
    if (push) return Status();
    auto r = wiring.runner->run(ctx.tenant(), source, ingest::SyncRequest{});
    if (!r.ok() && r.status().code() != StatusCode::kFailedPrecondition) return r.status();
    if (r.ok() && r->run.state == store::SyncRunState::kHeld) {
      return Status::failedPrecondition("the canary's run was held: " + r->run.message);
    }
    return Status();
  }

  Result<bool> found(const std::string& token, const identity::Principal& as) {
    search::SearchRequest req;
    req.query = token;
    req.k = 3;
    WARD_ASSIGN_OR_RETURN(auto resp, ctx.search().search(as, req, trace::TraceContext::generate()));
    return !resp.hits.empty();
  }

  // Seconds from `t0` until a search for `token` (as `as`, default the admin) has hits (`want`)
  // or none.
  Result<double> until(const std::string& token, bool want, Clock::time_point t0,
                       const identity::Principal* as = nullptr) {
    WARD_RETURN_IF_ERROR(sync());
    for (;;) {
      WARD_ASSIGN_OR_RETURN(bool hit, found(token, as ? *as : admin));
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

// Records the canary (`sync_canary`) and returns it.
Result<Json> recordCanary(CliContext& ctx, const std::string& by, Json out) {
  trace::TraceEvent ev;
  ev.context = trace::TraceContext::generate();
  ev.kind = "sync_canary";
  ev.tenant = ctx.tenant();
  ev.principal = by;
  ev.time_us = SystemClock::instance().nowMicros();
  ev.attributes = out;
  WARD_RETURN_IF_ERROR(ctx.traces().record(ev));
  return out;
}

Status writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  return out ? Status() : Status::unavailable("cannot write " + path);
}

// Observes one step's figure in ward_sync_canary_seconds{source,kind}.
void observe(CliContext& ctx, const std::string& source, const char* kind, double seconds) {
  // Source names are data: like ward_sync_lag_seconds, only with server.metrics_data_gauges.
  if (ctx.config().server.metrics_data_gauges) {
    metrics().observeHistogram("ward_sync_canary_seconds", {{"source", source}, {"kind", kind}},
                               seconds);
  }
}

// The canary principal, made on first use.
Result<identity::Principal> canaryPrincipal(CliContext& ctx) {
  Status made =
      ctx.store()
          .createPrincipal(ctx.tenant(), kCanaryPrincipal, identity::PrincipalKind::kUser, false)
          .status();
  if (!made.ok() && made.code() != StatusCode::kAlreadyExists) return made;
  return ctx.principal(kCanaryPrincipal);
}

// A jsonl (push) source: the canary is a record pushed as POST /v1/documents pushes
// (IngestService::ingestRecords) into the source, then updated, revoked (its ACL narrowed from
// the canary principal to admins only) and deleted.
Result<Json> pushCanary(CanaryRun& c, Json& figures, Status& failed) {
  CliContext& ctx = c.ctx;
  WARD_ASSIGN_OR_RETURN(identity::Principal reader, canaryPrincipal(ctx));
  const std::string hex = randomHex(6);
  // `<source>:ward-canary-…`: the mass-deletion guard does not count its deletion.
  const std::string id = c.source.name + ":" + ingest::kCanaryPrefix + hex;
  const std::string created = "wardcanary" + hex + "created";
  const std::string updated = "wardcanary" + hex + "updated";
  auto push = [&](const std::string& token, const Json& users) {
    Json record{{"id", id},
                {"title", "Ward canary " + hex},
                {"text", "A push canary of `ward sync canary " + c.source.name +
                             "`; removed when it ends. " + token},
                {"acl", {{"users", users}, {"groups", Json::array()}, {"public", false}}}};
    return ctx.ingest()
        .ingestRecords(ctx.tenant(), Json::array({record}), c.source.name,
                       trace::TraceContext::generate(), kCanaryPrincipal)
        .status();
  };
  auto step = [&](const char* kind, const std::function<Status()>& act, const std::string& token,
                  bool want, const identity::Principal* as) {
    if (!failed.ok()) return;
    const auto t0 = Clock::now();
    failed = act();
    if (!failed.ok()) return;
    auto s = c.until(token, want, t0, as);
    if (!s.ok()) {
      failed = Status(s.status().code(), std::string(kind) + ": " + s.status().message());
      return;
    }
    figures[kind] = *s;
    observe(ctx, c.source.name, kind, *s);
  };
  const Json none = Json::array();
  const Json canary_reader = Json::array({kCanaryPrincipal});
  step(
      "create", [&] { return push(created, none); }, created, true, nullptr);
  step(
      "update", [&] { return push(updated, none); }, updated, true, nullptr);
  // Revoke: the canary principal is granted the canary (not timed), then the grant is revoked
  // and timed until that principal's search no longer finds it.
  if (failed.ok()) {
    failed = push(updated, canary_reader);
    if (failed.ok()) {
      auto seen = c.until(updated, true, Clock::now(), &reader);
      if (!seen.ok()) failed = Status(seen.status().code(), "revoke: " + seen.status().message());
    }
  }
  step(
      "revoke", [&] { return push(updated, none); }, updated, false, &reader);
  auto remove = [&] {
    return ctx.ingest().removeDocument(ctx.tenant(), id, trace::TraceContext::generate(),
                                       kCanaryPrincipal);
  };
  step("delete", remove, updated, false, nullptr);
  // Always cleaned up, whatever failed above.
  auto doc = ctx.store().getDocument(ctx.tenant(), id);
  if (doc.ok() && !doc->deleted) {
    Status s = remove();
    if (!s.ok()) logWarn("canary: the clean-up delete failed: " + s.message());
  }
  return Json{{"source", c.source.name}, {"canary", id}, {"seconds", figures}};
}

}  // namespace

Result<Json> runCanary(CliContext& ctx, SyncWiring& wiring, const ingest::SourceConfig& source,
                       const std::string& by) {
  const bool git = source.connector == "git";
  if (source.connector != "folder" && source.connector != "jsonl" && !git) {
    return Status::invalidArgument("source '" + source.name + "' is a " + source.connector +
                                   " source; canaries run in folder, git and jsonl (push) sources");
  }
  if (git) WARD_RETURN_IF_ERROR(ingest::checkGitCanaryRoot(source));
  auto admin = ctx.principal("admin");
  if (!admin.ok()) return admin.status();
  CanaryRun c{ctx, wiring, source, *admin};
  if (source.connector == "jsonl") {
    c.push = true;
    Json figures = Json::object();
    Status failed;
    WARD_ASSIGN_OR_RETURN(Json out, pushCanary(c, figures, failed));
    if (!failed.ok()) out["error"] = failed.message();
    return recordCanary(ctx, by, std::move(out));
  }
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
    observe(ctx, source.name, kind, *s);
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
  return recordCanary(ctx, by, std::move(out));
}

Status checkScheduledCanary(const ingest::SourceConfig& source, const std::string& where) {
  if (source.connector != "git" || source.canary_interval_s == 0) return Status();
  Status s = ingest::checkGitCanaryRoot(source);
  if (s.ok()) return s;
  return Status::invalidArgument(where + ".canary_interval_s: " + s.message());
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
    for (const char* kind : {"create", "update", "revoke", "delete"}) {
      if (figures.contains(kind)) {
        std::printf("canary %s of %s: reflected in search after %.3f s\n", kind,
                    source.name.c_str(), figures[kind].get<double>());
      }
    }
    if (source.connector != "jsonl") {
      std::printf("canary revoke: not applicable (a %s source's ACLs come from its rules)\n",
                  source.connector.c_str());
    }
  }
  if (out.contains("error")) return fail(Status::unavailable(out["error"].get<std::string>()));
  return 0;
}

}  // namespace ward::cli
