// Sync runs (sync_runner.h; docs/design/ingest.md, "Sync runs").
#include "ward/ingest/sync_runner.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "ward/common/clock.h"
#include "ward/common/hash.h"
#include "ward/common/log.h"
#include "ward/identity/roles.h"
#include "ward/index/index.h"
#include "ward/ingest/injection_scanner.h"
#include "ward/ingest/source_document.h"
#include "ward/ingest/sync_health.h"
#include "ward/store/store.h"
#include "ward/store/tool_store.h"
#include "sync_event.h"
#include "sync_pipeline.h"

namespace ward::ingest {

namespace {

// How a change-feed run's message starts (docs/design/ingest.md, "Sync runs"): such a run listed
// only what changed, so it is not the listing the shrink guard compares a full listing with.
constexpr const char* kIncrementalNote = "incremental";
// Runs looked at for the change feed's cursor and the last full listing (older ones: none).
constexpr int kRecentRunsScanned = 1000;

enum class Exposure { kNone, kWidened, kMadePublic };

// How `to` compares with `from` for readers: more users or groups, or public.
Exposure exposureOf(const store::Acl& from, const store::Acl& to) {
  if (to.is_public && !from.is_public) return Exposure::kMadePublic;
  if (from.is_public) return Exposure::kNone;
  auto adds = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::set<std::string> had(a.begin(), a.end());
    return std::any_of(b.begin(), b.end(), [&](const std::string& x) { return !had.count(x); });
  };
  return adds(from.users, to.users) || adds(from.groups, to.groups) ? Exposure::kWidened
                                                                    : Exposure::kNone;
}

// An exclusive lock on `<dir>/<tenant>.<source>.lock`, released when closed (or the process dies).
class SourceLock {
 public:
  ~SourceLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status acquire(const std::string& dir, const std::string& tenant, const std::string& source) {
    std::string path = dir + "/" + tenant + "." + source + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) return Status::unavailable("cannot open " + path);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      return Status::failedPrecondition("a sync run of source '" + source +
                                        "' is already in progress");
    }
    return Status();
  }

 private:
  int fd_ = -1;
};

// One pass's state: the connector's events become pages committed with their checkpoint. Events
// are decided here one at a time and in order; parsing and committing run beside the event thread
// (sync_pipeline.h).
class RunSink final : public EventSink {
 public:
  RunSink(const SyncDeps& deps, const SourceConfig& source, store::SyncRunRecord& run,
          std::map<std::string, std::string> versions, bool lifted, int64_t expose_budget,
          int64_t full_since_us, std::vector<IngestProblem>& problems)
      : deps_(deps),
        source_(source),
        run_(run),
        versions_(std::move(versions)),
        lifted_(lifted),
        expose_budget_(expose_budget),
        full_since_us_(full_since_us),
        pipeline_(deps, problems) {}

  std::string hold_reason;    // why widened ACLs were held back ("" = none)
  int64_t retry_after_s = 0;  // the longest rate-limit wait the connector signalled

  Status emit(SyncEvent event) override {
    return std::visit([this](auto& e) { return on(e); }, event);
  }

  // Starts committing what is pending with the run's counters and checkpoint (the store adds the
  // writes' outcomes to the counters in the same transaction), once the page before it is
  // committed.
  Status commit() {
    Status s = pipeline_.commitPage(std::move(batch_), run_);
    batch_ = store::SyncBatch{};
    return s;
  }

  // Awaits the parses and the page in flight; `run_` then holds every committed page's counters.
  Status finish() { return pipeline_.finish(run_); }

 private:
  void problem(const std::string& item, const std::string& message) {
    pipeline_.problem(item, message);
  }

  // Whether a change of `stored`'s ACL to `acl` may go through now; counts it either way.
  bool admitExposure(const store::DocumentRecord& stored, const store::Acl& acl) {
    Exposure x = exposureOf(stored.acl, acl);
    if (x == Exposure::kNone) return true;
    if (!lifted_) {
      if (x == Exposure::kMadePublic) {
        hold_reason = "a document would become public (" + stored.ext_id + ")";
      } else if (run_.widened + 1 > expose_budget_) {
        hold_reason = "more than " + std::to_string(expose_budget_) +
                      " documents would have their ACL widened (max_expose_share " +
                      std::to_string(source_.max_expose_share) + ")";
      }
      if (x == Exposure::kMadePublic || run_.widened + 1 > expose_budget_) {
        ++run_.held;
        return false;
      }
    }
    ++run_.widened;
    return true;
  }

  Status on(UpsertEvent& e) {
    ++run_.listed;
    if (pipeline_.inFlight(e.id)) WARD_RETURN_IF_ERROR(pipeline_.waitInFlight(run_));
    auto stored = deps_.store->getDocument(run_.tenant, e.id);
    if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) return stored.status();
    const bool live = stored.ok() && !stored->deleted;
    const store::Acl acl = e.acl ? *e.acl : store::Acl{};
    if (live && !admitExposure(*stored, acl)) {
      batch_.seen.push_back({e.id, "", store::SeenState::kHeld});
      return Status();
    }
    auto known = versions_.find(e.id);
    // A full run fetches everything again; a backfill (full since T) only what is dated >= T.
    const bool refetch =
        run_.full && (full_since_us_ == 0 || e.updated_at == 0 || e.updated_at >= full_since_us_);
    if (!refetch && live && !e.version.empty() && known != versions_.end() &&
        known->second == e.version) {
      if (!(stored->acl == acl)) {
        batch_.acl_updates.emplace_back(e.id, acl);
        ++run_.indexed;
      } else {
        ++run_.unchanged;
      }
      batch_.seen.push_back({e.id, e.version, store::SeenState::kIndexed});
      return Status();
    }
    auto bytes = e.fetch ? e.fetch() : Result<std::string>(Status::internal("no fetch"));
    if (!bytes.ok()) {
      ++run_.failed;
      problem(e.id, bytes.status().message());
      batch_.seen.push_back({e.id, "", store::SeenState::kFailed});
      return Status();
    }
    ++run_.fetched;
    ParseItem item;
    store::DocumentWrite& w = item.write;
    w.tenant = run_.tenant;
    w.ext_id = e.id;
    w.source = source_.name;
    w.acl = acl;
    w.updated_at = e.updated_at;
    w.metadata = e.metadata.is_object() ? e.metadata : Json::object();
    if (!e.parent.empty()) w.metadata["parent"] = e.parent;
    // Not parsed when the content hash is the stored one: the stored flags stay with the version.
    keepInjectionFlags(live ? stored->metadata : Json(), w.metadata);
    w.url = e.url;
    item.bytes = std::move(bytes).value();
    item.name = e.name;
    item.title = e.title;
    if (live) {
      item.stored_hash = stored->content_hash;
      item.stored_title = stored->title;
    }
    // Parsed beside this thread; a parse failure marks this seen entry failed (sync_pipeline.h).
    batch_.seen.push_back({e.id, e.version, store::SeenState::kIndexed});
    pipeline_.parse(std::move(item), batch_.seen.size() - 1);
    return Status();
  }

  Status on(DeleteEvent& e) {
    batch_.seen.push_back({e.id, "", store::SeenState::kDeleteRequested});
    return Status();
  }

  Status on(AclUpdateEvent& e) {
    if (pipeline_.inFlight(e.id)) WARD_RETURN_IF_ERROR(pipeline_.waitInFlight(run_));
    auto stored = deps_.store->getDocument(run_.tenant, e.id);
    if (!stored.ok() || stored->deleted) return Status();  // nothing to change
    if (!admitExposure(*stored, e.acl)) return Status();
    if (!(stored->acl == e.acl)) {
      batch_.acl_updates.emplace_back(e.id, e.acl);
      ++run_.indexed;
    }
    return Status();
  }

  Status on(FailureEvent& e) {
    retry_after_s = std::max(retry_after_s, e.retry_after_s);
    if (e.kind == FailureKind::kRefused) {
      ++run_.refused;
    } else {
      ++run_.failed;
      batch_.seen.push_back({e.entity, "", store::SeenState::kFailed});
    }
    problem(e.entity, e.reason);
    return Status();
  }

  // A group's whole membership, applied with the batch (store::SyncBatch::group_updates). Refused
  // (counted, with a problem line) for a bad name, a role's group, or a group the source does not
  // manage; members that are not principals of the tenant are skipped with a problem line.
  Status on(GroupUpdateEvent& e) {
    auto refuse = [&](const std::string& why) {
      ++run_.refused;
      problem("group " + e.group, why);
      return Status();
    };
    Status name = identity::validateName("group", e.group);
    if (!name.ok()) return refuse(name.message());
    if (identity::isRoleGroup(e.group)) {
      return refuse("the group grants a role: no source may manage it");
    }
    WARD_RETURN_IF_ERROR(pipeline_.waitInFlight(run_));  // it may create or change the group
    WARD_ASSIGN_OR_RETURN(std::optional<std::string> manager,
                          deps_.sync->groupManager(run_.tenant, e.group));
    if (manager && manager->empty()) {
      return refuse("not a group this source manages (a Ward admin's, or not a group)");
    }
    if (manager && *manager != source_.name) {
      return refuse("managed by source '" + *manager + "'");
    }
    store::GroupMembership update{e.group, {}};
    for (const std::string& m : e.members) {
      auto who = deps_.store->findPrincipal(run_.tenant, m);
      if (!who.ok()) {
        if (who.status().code() != StatusCode::kNotFound) return who.status();
        problem("group " + e.group, "member '" + m + "' is not a principal of the tenant: skipped");
        continue;
      }
      update.members.push_back(m);
    }
    batch_.group_updates.push_back(std::move(update));
    return Status();
  }

  Status on(CheckpointEvent& e) {
    retry_after_s = std::max(retry_after_s, e.retry_after_s);
    run_.checkpoint = e.opaque;
    ++run_.pages;
    return commit();
  }

  const SyncDeps& deps_;
  const SourceConfig& source_;
  store::SyncRunRecord& run_;
  std::map<std::string, std::string> versions_;
  bool lifted_;
  int64_t expose_budget_;
  int64_t full_since_us_;   // SyncRequest::full_since_us
  store::SyncBatch batch_;  // the page being built (its writes join it when it is committed)
  SyncPipeline pipeline_;
};

}  // namespace

Status recordSyncEvent(trace::TraceSink& traces, const std::string& kind, const std::string& tenant,
                       const std::string& principal, Json attributes) {
  trace::TraceEvent ev;
  ev.context = trace::TraceContext::generate();
  ev.kind = kind;
  ev.tenant = tenant;
  ev.principal = principal;
  ev.time_us = SystemClock::instance().nowMicros();
  ev.attributes = std::move(attributes);
  return traces.record(ev);
}

Json syncRunJson(const store::SyncRunRecord& r) {
  Json j{
      {"id", r.id},
      {"source", r.source},
      {"full", r.full},
      {"outcome", store::syncRunStateName(r.state)},
      {"started_at", formatRfc3339(r.started_at)},
      {"finished_at", r.finished_at ? Json(formatRfc3339(r.finished_at)) : Json(nullptr)},
      {"duration_s", r.finished_at ? Json(static_cast<double>(r.finished_at - r.started_at) / 1e6)
                                   : Json(nullptr)},
      {"listed", r.listed},
      {"fetched", r.fetched},
      {"indexed", r.indexed},
      {"unchanged", r.unchanged},
      {"failed", r.failed},
      {"refused", r.refused},
      {"held", r.held},
      {"widened", r.widened},
      {"deleted", r.deleted},
      {"pages", r.pages},
      {"requests", r.requests},
      {"resumed", r.resumed},
      {"exhausted", r.exhausted},
      {"message", r.message}};
  if (!r.approval_id.empty()) j["approval_id"] = r.approval_id;
  if (r.full_since != 0) j["full_since"] = formatRfc3339(r.full_since);  // a backfill
  return j;
}

Json SyncResult::toJson() const {
  Json j = syncRunJson(run);
  Json p = Json::array();
  for (const auto& x : problems) p.push_back({{"item", x.item}, {"message", x.message}});
  j["problems"] = std::move(p);
  if (retry_after_s > 0) j["retry_after_s"] = retry_after_s;  // the source's rate-limit wait
  return j;
}

Result<SyncResult> SyncRunner::run(const std::string& tenant, const SourceConfig& source,
                                   const SyncRequest& request) {
  SourceLock lock;
  WARD_RETURN_IF_ERROR(lock.acquire(deps_.lock_dir, tenant, source.name));
  const int64_t now = SystemClock::instance().nowMicros();

  // An approval lifts the guards for this run (and is used up by it).
  bool lifted = false;
  if (!request.approve.empty()) {
    if (deps_.approvals == nullptr) return Status::unavailable("approvals are not available");
    WARD_ASSIGN_OR_RETURN(store::ApprovalRecord a,
                          deps_.approvals->getApproval(tenant, request.approve));
    if (a.tool != kSyncApprovalTool || a.version != source.name) {
      return Status::failedPrecondition("approval '" + a.id + "' is not for a sync of source '" +
                                        source.name + "'");
    }
    // "approved": an approved run that did not complete (it failed or was partial) may be run
    // again with the same approval; it is used up ("executed") by the run that completes.
    using store::ApprovalState;
    const bool expired =
        a.state == ApprovalState::kPending && a.expires_at != 0 && a.expires_at < now;
    if ((a.state != ApprovalState::kPending && a.state != ApprovalState::kApproved) || expired) {
      return Status::failedPrecondition(
          "approval '" + a.id + "' is " +
          std::string(store::toString(expired ? ApprovalState::kExpired : a.state)) +
          ", not pending");
    }
    if (a.state == ApprovalState::kPending) {
      store::ApprovalRecord to;
      to.state = ApprovalState::kApproved;
      to.reviewer = request.reviewer;
      to.decided_at = now;
      WARD_ASSIGN_OR_RETURN(
          a, deps_.approvals->transitionApproval(tenant, a.id, ApprovalState::kPending, to));
      WARD_RETURN_IF_ERROR(recordSyncEvent(
          *deps_.traces, "sync_decision", tenant, request.reviewer,
          Json{{"source", source.name}, {"approval_id", a.id}, {"decision", "approved"}}));
    }
    lifted = true;
  }

  // A connector that cannot start (its root is gone) is a failed run, so that it counts towards
  // the source's error state (sync_health.h) like a pass that stops.
  // A change feed starts from the checkpoint of the last completed run (one that applied all its
  // deletions); the newest complete run listing the whole source bounds the listing-shrink guard.
  WARD_ASSIGN_OR_RETURN(std::vector<store::SyncRunRecord> recent,
                        deps_.sync->listRuns(tenant, source.name, kRecentRunsScanned));
  ConnectorEnv env = deps_.env;
  std::optional<store::SyncRunRecord> last_full_listing;
  for (const auto& r : recent) {
    if (env.cursor.empty() && r.exhausted && r.state == store::SyncRunState::kCompleted) {
      env.cursor = r.checkpoint;
    }
    if (!last_full_listing && r.exhausted && r.state != store::SyncRunState::kFailed &&
        r.state != store::SyncRunState::kRunning && r.message.rfind(kIncrementalNote, 0) != 0) {
      last_full_listing = r;
    }
  }
  WARD_ASSIGN_OR_RETURN(std::optional<store::SyncRunRecord> running,
                        deps_.sync->runningRun(tenant, source.name));
  store::SyncRunRecord run;
  if (running) {
    // Its process died mid-run: go on from its last committed page.
    run = *running;
    ++run.resumed;
    WARD_RETURN_IF_ERROR(deps_.sync->updateRun(run));
  } else {
    WARD_ASSIGN_OR_RETURN(run, deps_.sync->startRun(tenant, source.name, request.full,
                                                    request.full ? request.full_since_us : 0));
  }
  // A backfill's time is stored with its run: a resumed run keeps it, whatever its resumer says.
  const int64_t full_since_us = run.full ? run.full_since : 0;
  if (lifted) run.approval_id = request.approve;
  env.full = run.full;
  Result<std::unique_ptr<Connector>> connector = makeConnector(source, env);
  WARD_ASSIGN_OR_RETURN(int64_t live_before, deps_.sync->liveDocuments(tenant, source.name));
  WARD_ASSIGN_OR_RETURN(auto versions, deps_.sync->itemVersions(tenant, source.name));
  const int64_t expose_budget =
      static_cast<int64_t>(std::floor(source.max_expose_share * static_cast<double>(live_before)));

  SyncResult result;
  RunSink sink(deps_, source, run, std::move(versions), lifted, expose_budget, full_since_us,
               result.problems);
  bool exhausted = false;
  Status pass = connector.ok()
                    ? (*connector)->pass(run.checkpoint, sink, &exhausted)
                    : Status(connector.status().code(),
                             "the connector could not start: " + connector.status().message());
  if (pass.ok()) pass = sink.commit();  // what followed the last checkpoint
  Status drained = sink.finish();       // the page in flight, whether the pass went on or not
  if (pass.ok()) pass = drained;
  const bool incremental = pass.ok() && connector.ok() && (*connector)->incrementalPass();
  if (connector.ok()) run.requests += (*connector)->requests();
  result.retry_after_s = sink.retry_after_s;
  std::vector<std::string> deletes;
  std::string hold;
  if (!pass.ok()) {
    run.state = store::SyncRunState::kFailed;
    run.message = "the pass stopped: " + pass.message() + "; nothing deleted";
  } else {
    run.exhausted = exhausted;
    // A change-feed pass listed only what changed: what it did not list is not gone.
    if (!incremental) {
      WARD_ASSIGN_OR_RETURN(deletes, deps_.sync->unseenDocuments(run));
    }
    WARD_ASSIGN_OR_RETURN(std::vector<std::string> requested, deps_.sync->requestedDeletes(run));
    deletes.insert(deletes.end(), requested.begin(), requested.end());
    std::sort(deletes.begin(), deletes.end());
    deletes.erase(std::unique(deletes.begin(), deletes.end()), deletes.end());
    // Canaries (`ward sync canary`) come and go by design: the guards do not count them.
    const std::string canary = source.name + ":" + kCanaryPrefix;
    const auto guarded = static_cast<size_t>(
        std::count_if(deletes.begin(), deletes.end(), [&](const std::string& id) {
          return id.rfind(canary, 0) != 0 || id.find('/') != std::string::npos;
        }));
    const std::optional<store::SyncRunRecord>& last = last_full_listing;
    WARD_ASSIGN_OR_RETURN(int64_t live_now, deps_.sync->liveDocuments(tenant, source.name));
    const double max_deletes = source.max_delete_share * static_cast<double>(live_now);
    run.state = store::SyncRunState::kCompleted;
    if (!exhausted) {
      run.state = store::SyncRunState::kPartial;
      run.message = "the listing was not exhausted (a limit stopped it); nothing deleted";
      deletes.clear();
    } else if (run.failed > 0) {
      run.state = store::SyncRunState::kPartial;
      run.message = std::to_string(run.failed) + " items failed; nothing deleted";
      deletes.clear();
    } else if (!lifted && !incremental && guarded > 0 && last &&
               static_cast<double>(run.listed) <
                   kMinListingShare * static_cast<double>(last->listed)) {
      hold = "the listing shrank to " + std::to_string(run.listed) + " items from " +
             std::to_string(last->listed) + "; " + std::to_string(deletes.size()) +
             " deletions held";
    } else if (!lifted && static_cast<double>(guarded) > max_deletes) {
      hold = std::to_string(guarded) + " of " + std::to_string(live_now) +
             " documents would be deleted (max_delete_share " +
             std::to_string(source.max_delete_share) + ")";
    }
    if (!hold.empty()) deletes.clear();
    if (!sink.hold_reason.empty()) {
      hold = hold.empty() ? sink.hold_reason : hold + "; " + sink.hold_reason;
    }
  }
  if (!hold.empty()) {
    run.state = store::SyncRunState::kHeld;
    run.message = hold;
    if (deps_.approvals == nullptr) {
      run.state = store::SyncRunState::kFailed;
      run.message += "; no approvals store to hold it";
    } else {
      // One pending approval per source: a later held run reuses it.
      WARD_ASSIGN_OR_RETURN(auto pending, deps_.approvals->listApprovals(
                                              tenant, store::ApprovalState::kPending, 1000));
      std::string id;
      for (const auto& a : pending) {
        if (a.tool == kSyncApprovalTool && a.version == source.name && a.expires_at >= now) {
          id = a.id;
          break;
        }
      }
      if (id.empty()) {
        store::ApprovalRecord a;
        a.id = "apr_" + randomHex(12);
        a.tenant = tenant;
        a.tool = kSyncApprovalTool;
        a.version = source.name;
        a.requester = kSyncRequester;
        a.args = Json{{"source", source.name}, {"run_id", run.id}};
        a.rule = "sync_guard";
        a.reason = hold;
        a.state = store::ApprovalState::kPending;
        a.created_at = now;
        a.expires_at = now + kSyncApprovalTtlSeconds * 1'000'000;
        WARD_RETURN_IF_ERROR(deps_.approvals->createApproval(a));
        id = a.id;
      }
      run.approval_id = id;
      run.message += "; approve with: ward sync " + source.name + " --approve " + id;
    }
  } else if (run.state == store::SyncRunState::kCompleted && !deletes.empty()) {
    run.message = std::to_string(deletes.size()) + " deleted";
  }
  if (incremental) {
    run.message = std::string(kIncrementalNote) + " (change feed): " + std::to_string(run.listed) +
                  " changed items listed" + (run.message.empty() ? "" : "; " + run.message);
  }
  run.deleted += static_cast<int64_t>(deletes.size());
  run.finished_at = SystemClock::instance().nowMicros();
  // A complete, clean pass of a source that declares group membership reported every group it
  // has: the source's groups it did not report are emptied with the final row (not after a
  // change-feed pass, which reports only the groups it read again).
  const bool empty_groups = run.state == store::SyncRunState::kCompleted && connector.ok() &&
                            !incremental && (*connector)->capabilities().group_membership;
  std::vector<std::string> emptied_groups;
  WARD_RETURN_IF_ERROR(deps_.sync->finishRun(run, deletes, empty_groups, &emptied_groups));
  WARD_ASSIGN_OR_RETURN(int64_t applied, deps_.index->catchUp());
  (void)applied;
  if (lifted && run.state == store::SyncRunState::kCompleted) {
    store::ApprovalRecord to;
    to.state = store::ApprovalState::kExecuted;
    to.result = Json{{"run_id", run.id}, {"deleted", run.deleted}, {"widened", run.widened}};
    auto done = deps_.approvals->transitionApproval(tenant, request.approve,
                                                    store::ApprovalState::kApproved, to);
    if (!done.ok())
      logWarn("sync: cannot close approval " + request.approve + ": " + done.status().toString());
  }
  Json attrs = syncRunJson(run);
  attrs["problems"] = static_cast<int64_t>(result.problems.size());
  if (!emptied_groups.empty()) attrs["emptied_groups"] = emptied_groups;
  if (!deletes.empty()) {
    Json ids = Json::array();
    for (size_t i = 0; i < deletes.size() && i < kMaxSyncProblems; ++i) ids.push_back(deletes[i]);
    attrs["deleted_ids"] = std::move(ids);  // the first kMaxSyncProblems; `deleted` counts all
  }
  const char* kind = run.state == store::SyncRunState::kHeld ? "sync_held" : "sync_run";
  WARD_RETURN_IF_ERROR(
      recordSyncEvent(*deps_.traces, kind, tenant, kSyncRequester, std::move(attrs)));
  result.run = run;
  return result;
}

Result<Json> sourcesJson(store::SyncStore& sync, const std::string& tenant,
                         const std::vector<SourceConfig>& sources, int64_t now_us) {
  Json out = Json::array();
  auto lag = [&](int64_t at) { return at ? Json(static_cast<double>(now_us - at) / 1e6) : Json(); };
  for (const auto& s : sources) {
    WARD_ASSIGN_OR_RETURN(int64_t docs, sync.liveDocuments(tenant, s.name));
    WARD_ASSIGN_OR_RETURN(auto last_runs, sync.listRuns(tenant, s.name, 1));
    WARD_ASSIGN_OR_RETURN(auto complete, sync.lastCompletePass(tenant, s.name));
    // Content and ACLs are as fresh as the start of the last complete pass; deletions only when
    // that pass was clean (completed: it could delete).
    WARD_ASSIGN_OR_RETURN(auto recent, sync.listRuns(tenant, s.name, 200));
    int64_t deletion_pass = 0;
    for (const auto& r : recent) {
      if (r.exhausted && r.state == store::SyncRunState::kCompleted) {
        deletion_pass = r.started_at;
        break;
      }
    }
    // Group membership is as fresh as the last complete pass, for a source that manages groups.
    WARD_ASSIGN_OR_RETURN(int64_t groups, sync.managedGroups(tenant, s.name));
    Json j{{"name", s.name},
           {"connector", s.connector},
           {"schedule_s", s.schedule_s},
           {"documents", docs},
           {"max_delete_share", s.max_delete_share},
           {"max_expose_share", s.max_expose_share},
           {"last_run", last_runs.empty() ? Json() : syncRunJson(last_runs.front())},
           {"last_complete_pass_at", complete ? Json(formatRfc3339(complete->started_at)) : Json()},
           {"lag_s",
            {{"content", lag(complete ? complete->started_at : 0)},
             {"deletion", lag(deletion_pass)},
             {"acl", lag(complete && complete->held == 0 ? complete->started_at : 0)},
             {"membership", lag(complete && groups > 0 ? complete->started_at : 0)}}}};
    auto slo = [](int64_t v) { return v > 0 ? Json(v) : Json(); };
    j["slo_s"] = {{"content", slo(s.slo.content_lag_s)},
                  {"deletion", slo(s.slo.deletion_lag_s)},
                  {"acl", slo(s.slo.acl_lag_s)}};
    const int failures = consecutiveFailures(recent);
    j["state"] = sourceHealthName(healthOf(failures));
    j["consecutive_failures"] = failures;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace ward::ingest
