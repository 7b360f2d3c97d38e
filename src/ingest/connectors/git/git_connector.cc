// The git connector (git_connector.h; docs/design/ingest.md, "Git").
#include "git_connector.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "../connector_state.h"
#include "git_blob_stream.h"
#include "git_cat_file.h"
#include "git_process.h"
#include "git_mirror.h"
#include "git_remote.h"
#include "ward/ingest/git_tree.h"
#include "ward/ingest/parser.h"

namespace ward::ingest {

namespace {

// A page also ends once its files hold this many bytes (the runner keeps a page in memory).
constexpr uint64_t kMaxPageBytes = 64 << 20;
// The mirror's file naming the last passed commit and the binary blobs of its tree.
constexpr const char* kPassStateFile = "ward-pass";
// The mirror's file holding when the last complete full listing started (full_every_s).
constexpr const char* kFullListingFile = "ward-full";
// One listed entry of a pass: its refusal (one that needs no bytes), or whether its blob is read
// ahead (changed since the last pass: streamed, git_blob_stream.h).
struct Planned {
  const GitTreeEntry* entry;
  std::string refusal;
  bool read_now = false;
};

bool isBinary(const std::string& bytes) {
  return bytes.find('\0', 0) < std::min(bytes.size(), kGitBinaryProbeBytes);
}

class GitConnector final : public Connector {
 public:
  GitConnector(SourceConfig source, ConnectorEnv env, GitRemote remote, std::string mirror,
               int64_t full_every_s)
      : source_(std::move(source)),
        env_(std::move(env)),
        remote_(std::move(remote)),
        mirror_(std::move(mirror)),
        full_every_s_(full_every_s) {}

  ~GitConnector() override {
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }

  ConnectorCapabilities capabilities() const override {
    return ConnectorCapabilities{true, true, false};
  }

  bool incrementalPass() const override { return incremental_; }

  // The checkpoint is "<commit> TAB <last path of the committed page>" for a full pass, and
  // "<commit> TAB <last path> TAB <base commit>" for a change-feed pass: a resumed pass works on
  // the same commits again (no fetch) and starts after that path.
  Status pass(const std::string& checkpoint, EventSink& sink, bool* exhausted) override {
    *exhausted = false;
    incremental_ = false;
    WARD_RETURN_IF_ERROR(lockMirror());
    std::string commit;
    std::string after;
    std::string base;  // a change-feed pass: the commit its diff starts from
    if (!checkpoint.empty()) {
      std::vector<std::string> f = splitCursorFields(checkpoint);
      commit = f[0];
      if (f.size() > 1) after = f[1];
      if (f.size() > 2) base = f[2];
      if (!hasCommit(commit) || (!base.empty() && !hasCommit(base))) {
        commit.clear();
        base.clear();
        after.clear();
      }
    }
    if (commit.empty()) {
      WARD_ASSIGN_OR_RETURN(
          commit, updateGitMirror(GitMirrorUpdate{mirror_, source_.name, source_.ref, &remote_}));
      base = changeFeedBase(commit);
    }
    WARD_ASSIGN_OR_RETURN(std::string ct, git({"log", "-1", "--format=%ct", commit}, 64));
    const int64_t updated_at = std::atoll(ct.c_str()) * 1'000'000;
    std::string base_state;
    std::set<std::string> binary;
    readPassState(&base_state, &binary);
    if (!base.empty()) {
      incremental_ = true;
      return changeFeedPass(commit, base, after, updated_at, binary, sink, exhausted);
    }
    const int64_t started = static_cast<int64_t>(::time(nullptr));
    WARD_ASSIGN_OR_RETURN(
        std::string listing,
        git({"ls-tree", "-r", "-z", "--long", "--full-tree", commit}, kMaxGitListingBytes));
    WARD_ASSIGN_OR_RETURN(std::vector<GitTreeEntry> entries, parseLsTree(listing));
    listing.clear();
    std::sort(entries.begin(), entries.end(),
              [](const GitTreeEntry& a, const GitTreeEntry& b) { return a.path < b.path; });

    // What changed since the last passed commit: its deletions, and the blobs read in this pass
    // (all of them from scratch). The binary blobs of the last pass are known by id.
    std::string state_base = base_state;
    if (state_base.empty() || !hasCommit(state_base)) {
      state_base = kGitEmptyTree;
      binary.clear();
    }
    const bool from_scratch = state_base == kGitEmptyTree;
    std::set<std::string> changed;
    if (!from_scratch) {
      WARD_ASSIGN_OR_RETURN(std::vector<GitDiffEntry> diff, diffTree(state_base, commit));
      for (GitDiffEntry& d : diff) {
        if (d.change != GitChange::kDeleted) {
          changed.insert(std::move(d.path));
        } else if (after.empty()) {
          WARD_RETURN_IF_ERROR(sink.emit(DeleteEvent{source_.name + ":" + d.path}));
        }
      }
    }

    // The plan: each listed entry with its refusal (one needing no bytes) or whether its blob is
    // read now (changed since the last pass: read in batches, probed for binary content).
    const size_t max_files = source_.max_entries > 0 ? source_.max_entries : kMaxGitFiles;
    std::vector<Planned> plan;
    std::set<std::string> now_binary;
    size_t files = 0;
    bool truncated = false;
    for (const GitTreeEntry& e : entries) {
      const std::string name = e.path.substr(e.path.rfind('/') + 1);
      // Files (and links) of no supported type are not listed; submodules are always reported.
      if (e.kind != GitEntryKind::kSubmodule && !detectFormat(name)) continue;
      if (++files > max_files) {
        truncated = true;
        break;
      }
      if (e.kind == GitEntryKind::kBlob && binary.count(e.oid) > 0) now_binary.insert(e.oid);
      if (!after.empty() && e.path <= after) continue;
      Planned p = planEntry(e, now_binary);
      if (p.refusal.empty()) p.read_now = from_scratch || changed.count(e.path) > 0;
      plan.push_back(std::move(p));
    }
    WARD_RETURN_IF_ERROR(emitPlan(plan, commit, "", after, updated_at, &now_binary, sink));
    if (truncated) {
      WARD_RETURN_IF_ERROR(
          sink.emit(FailureEvent{source_.root,
                                 "the tree holds more than " + std::to_string(max_files) +
                                     " files (max_entries); the rest is not listed",
                                 FailureKind::kRefused}));
    }
    if (!truncated) {
      writePassState(commit, now_binary);
      writeFullListingTime(started);
    }
    *exhausted = !truncated;
    return Status();
  }

 private:
  bool hasCommit(const std::string& oid) const {
    return !oid.empty() && oid.find_first_not_of("0123456789abcdef") == std::string::npos &&
           git({"cat-file", "-e", oid + "^{commit}"}, 0).ok();
  }

  // The base of a change-feed pass to `commit`, or "" when this pass lists the whole tree: on
  // --full, without a cursor (no completed run yet) or one the mirror lacks, when a full listing
  // is due (full_every_s), and after a force-push (the cursor is not an ancestor).
  std::string changeFeedBase(const std::string& commit) const {
    if (env_.full) return "";
    const std::string cursor = splitCursorFields(env_.cursor)[0];
    if (!hasCommit(cursor)) return "";
    if (full_every_s_ == 0) return "";
    const int64_t last_full = readFullListingTime();
    if (last_full == 0 || static_cast<int64_t>(::time(nullptr)) - last_full >= full_every_s_) {
      return "";
    }
    if (cursor != commit && !git({"merge-base", "--is-ancestor", cursor, commit}, 0).ok()) {
      return "";  // a force-push: what the cursor held may be gone without a diff saying so
    }
    return cursor;
  }

  Result<std::vector<GitDiffEntry>> diffTree(const std::string& from, const std::string& to) const {
    WARD_ASSIGN_OR_RETURN(std::string raw, git({"diff-tree", "-r", "-z", "--raw", "--no-renames",
                                                "--no-textconv", "--no-ext-diff", from, to},
                                               kMaxGitListingBytes));
    return parseDiffTree(raw);
  }

  // A change-feed pass: the diff's deleted paths are Deletes, its added or modified blobs are read
  // and upserted; nothing else is listed (the runner then deletes only what it was told to).
  Status changeFeedPass(const std::string& commit, const std::string& base,
                        const std::string& after, int64_t updated_at, std::set<std::string> binary,
                        EventSink& sink, bool* exhausted) {
    WARD_ASSIGN_OR_RETURN(std::vector<GitDiffEntry> diff, diffTree(base, commit));
    std::sort(diff.begin(), diff.end(),
              [](const GitDiffEntry& a, const GitDiffEntry& b) { return a.path < b.path; });
    std::vector<GitTreeEntry> entries;
    for (GitDiffEntry& d : diff) {
      if (d.change == GitChange::kDeleted) {
        if (after.empty()) {
          WARD_RETURN_IF_ERROR(sink.emit(DeleteEvent{source_.name + ":" + d.path}));
        }
        continue;
      }
      GitTreeEntry e;
      e.kind = d.new_mode == "160000"   ? GitEntryKind::kSubmodule
               : d.new_mode == "120000" ? GitEntryKind::kSymlink
                                        : GitEntryKind::kBlob;
      e.mode = d.new_mode;
      e.oid = d.new_oid;
      e.path = std::move(d.path);
      entries.push_back(std::move(e));
    }
    std::vector<Planned> plan;
    for (const GitTreeEntry& e : entries) {
      const std::string name = e.path.substr(e.path.rfind('/') + 1);
      if (e.kind != GitEntryKind::kSubmodule && !detectFormat(name)) continue;
      if (!after.empty() && e.path <= after) continue;
      Planned p = planEntry(e, binary);
      p.read_now = p.refusal.empty();
      plan.push_back(std::move(p));
    }
    WARD_RETURN_IF_ERROR(emitPlan(plan, commit, base, after, updated_at, &binary, sink));
    writePassState(commit, binary);
    *exhausted = true;
    return Status();
  }

  // An entry's refusal that needs no bytes ("" = none).
  Planned planEntry(const GitTreeEntry& e, const std::set<std::string>& binary) const {
    const uint64_t max_bytes = maxBytes();
    const size_t max_depth = source_.max_depth > 0 ? source_.max_depth : kMaxGitPathDepth;
    Planned p{&e, "", false};
    if (e.kind == GitEntryKind::kSubmodule) {
      p.refusal = "submodule: never fetched";
    } else if (e.kind == GitEntryKind::kSymlink) {
      p.refusal = "symbolic link: not followed";
    } else if (gitPathDepth(e.path) > max_depth) {
      p.refusal = "deeper than " + std::to_string(max_depth) + " path components (max_depth)";
    } else if (e.size > max_bytes) {
      p.refusal = "larger than the source's max_file_bytes (" + std::to_string(e.size) + " > " +
                  std::to_string(max_bytes) + "); not read";
    } else if (binary.count(e.oid) > 0) {
      p.refusal = binaryRefusal();
    }
    return p;
  }

  uint64_t maxBytes() const {
    return source_.max_file_bytes > 0 ? source_.max_file_bytes : env_.max_file_bytes;
  }

  // Emits the plan's Upserts and refusals, a checkpoint every page (and one at the end, so the
  // run's checkpoint always names the commit). `base` is "" for a full pass; in a change-feed pass
  // a refused path is also deleted (its earlier document, if any, is no longer in the tree).
  Status emitPlan(const std::vector<Planned>& plan, const std::string& commit,
                  const std::string& base, const std::string& after, int64_t updated_at,
                  std::set<std::string>* now_binary, EventSink& sink) {
    const uint64_t max_bytes = maxBytes();
    const std::string suffix = base.empty() ? "" : "\t" + base;
    // Every blob read now, in plan order, streamed from one cat-file child while the runner
    // works on the documents before it.
    std::vector<std::string> oids;
    for (const Planned& p : plan) {
      if (p.refusal.empty() && p.read_now) oids.push_back(p.entry->oid);
    }
    GitBlobStream stream(mirror_, std::move(oids), max_bytes);
    WARD_RETURN_IF_ERROR(stream.start());
    size_t in_page = 0;
    size_t pages = 0;
    uint64_t page_bytes = 0;
    std::string last = after;
    for (size_t i = 0; i < plan.size(); ++i) {
      const GitTreeEntry& e = *plan[i].entry;
      const std::string id = source_.name + ":" + e.path;
      std::string refusal = plan[i].refusal;
      std::shared_ptr<Result<std::string>> bytes;
      if (refusal.empty() && plan[i].read_now) {
        WARD_ASSIGN_OR_RETURN(StreamedBlob blob, stream.next());
        bytes = blob.status.ok() ? std::make_shared<Result<std::string>>(std::move(blob.bytes))
                                 : std::make_shared<Result<std::string>>(std::move(blob.status));
        if (bytes->ok() && isBinary(**bytes)) {
          refusal = binaryRefusal();
          now_binary->insert(e.oid);
        } else if (!bytes->ok() && bytes->status().code() == StatusCode::kResourceExhausted) {
          refusal = "larger than the source's max_file_bytes (" + std::to_string(max_bytes) +
                    " bytes); not read";
        }
      }
      if (!refusal.empty()) {
        if (!base.empty()) WARD_RETURN_IF_ERROR(sink.emit(DeleteEvent{id}));
        WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{id, refusal, FailureKind::kRefused}));
      } else {
        UpsertEvent u;
        u.id = id;
        u.version = e.oid;
        u.name = e.path.substr(e.path.rfind('/') + 1);
        u.acl = source_.aclFor(e.path);
        u.metadata = Json{{"commit", commit}, {"path", e.path}, {"blob", e.oid}};
        u.updated_at = updated_at;
        if (bytes) {
          u.fetch = [bytes]() { return std::move(*bytes); };
        } else {
          // Unchanged since the last pass: read only if the runner lacks this version.
          GitBlobReader* blobs = &blobs_;  // the runner fetches within emit(), during the pass
          const std::string oid = e.oid;
          u.fetch = [blobs, oid, max_bytes]() { return blobs->read(oid, max_bytes); };
        }
        WARD_RETURN_IF_ERROR(sink.emit(std::move(u)));
        page_bytes += e.size;
      }
      last = e.path;
      if (++in_page >= source_.page_items || page_bytes >= kMaxPageBytes) {
        WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{commit + "\t" + last + suffix}));
        ++pages;
        in_page = 0;
        page_bytes = 0;
      }
    }
    if (in_page > 0 || pages == 0) {
      WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{commit + "\t" + last + suffix}));
    }
    return Status();
  }

  Result<std::string> git(std::vector<std::string> args, size_t max_stdout,
                          std::vector<std::string> config = {}) const {
    return runGit(GitCommand{mirror_, std::move(args), std::move(config), max_stdout, {}, {}});
  }

  // One mirror per source, used by one pass at a time (the runner's lock is per tenant).
  Status lockMirror() {
    if (lock_fd_ >= 0) return Status();
    const std::string lock = mirror_ + ".lock";
    lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) return Status::unavailable("cannot open " + lock);
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(lock_fd_);
      lock_fd_ = -1;
      return Status::failedPrecondition("the git mirror of source '" + source_.name +
                                        "' is in use by another run");
    }
    return Status();
  }

  static std::string binaryRefusal() {
    return "binary file (a NUL byte in its first " + std::to_string(kGitBinaryProbeBytes) +
           " bytes); not indexed";
  }

  void readPassState(std::string* base, std::set<std::string>* binary) const {
    std::ifstream in(mirror_ + "/" + kPassStateFile);
    std::string line;
    if (!std::getline(in, line)) return;
    *base = line;
    while (std::getline(in, line)) {
      if (!line.empty()) binary->insert(line);
    }
  }

  // The start (Unix seconds) of the last full pass whose listing was exhausted (0 = none).
  int64_t readFullListingTime() const {
    std::ifstream in(mirror_ + "/" + kFullListingFile);
    int64_t at = 0;
    if (!(in >> at)) return 0;
    return at;
  }

  void writeFullListingTime(int64_t at) const {
    const std::string path = mirror_ + "/" + kFullListingFile;
    {
      std::ofstream out(path + ".tmp", std::ios::trunc);
      out << at << "\n";
      if (!out) return;
    }
    ::rename((path + ".tmp").c_str(), path.c_str());
  }

  // Written after the pass's events (a kill before it only costs the next pass a full probe).
  void writePassState(const std::string& commit, const std::set<std::string>& binary) const {
    const std::string path = mirror_ + "/" + kPassStateFile;
    {
      std::ofstream out(path + ".tmp", std::ios::trunc);
      out << commit << "\n";
      for (const auto& oid : binary) out << oid << "\n";
      if (!out) return;
    }
    ::rename((path + ".tmp").c_str(), path.c_str());
  }

  SourceConfig source_;
  ConnectorEnv env_;
  GitRemote remote_;
  std::string mirror_;
  int64_t full_every_s_;
  bool incremental_ = false;      // the last pass was a change-feed pass
  GitBlobReader blobs_{mirror_};  // one cat-file child, started on the first read
  int lock_fd_ = -1;
};

}  // namespace

Result<std::unique_ptr<Connector>> makeGitConnector(const SourceConfig& source,
                                                    const ConnectorEnv& env) {
  int64_t full_every_s = kDefaultGitFullEverySeconds;
  if (!source.options.is_object()) {
    return Status::invalidArgument("source '" + source.name + "': options must be a table");
  }
  for (const auto& [key, value] : source.options.items()) {
    if (key == "full_every_s") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
          value.get<int64_t>() > kMaxGitFullEverySeconds) {
        return Status::invalidArgument("source '" + source.name +
                                       "': options.full_every_s must be an integer from 0 to " +
                                       std::to_string(kMaxGitFullEverySeconds));
      }
      full_every_s = value.get<int64_t>();
    } else if (key != "auth") {
      return Status::invalidArgument("source '" + source.name + "': options." + key +
                                     " is not a git option (auth, full_every_s)");
    }
  }
  WARD_ASSIGN_OR_RETURN(GitRemote remote, parseGitRemote(source, env));
  if (!source.ref.empty() &&
      (source.ref.front() == '-' || source.ref.find(':') != std::string::npos ||
       source.ref.find("..") != std::string::npos)) {
    return Status::invalidArgument("source '" + source.name + "': ref '" + source.ref +
                                   "' is not a branch, tag or ref name");
  }
  if (env.state_dir.empty()) {
    return Status::failedPrecondition("source '" + source.name +
                                      "': no state directory for the git mirror");
  }
  // Absolute: git runs with the mirror (or "/") as its working directory, so a data dir given
  // relative to Ward's own (`ward --data ward-data sync`) would otherwise name a folder under "/".
  std::error_code ec;
  const std::string dir = std::filesystem::absolute(env.state_dir + "/git", ec).string();
  if (ec) return Status::unavailable("cannot resolve " + env.state_dir + "/git: " + ec.message());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::unavailable("cannot create " + dir);
  }
  return std::unique_ptr<Connector>(std::make_unique<GitConnector>(
      source, env, std::move(remote), dir + "/" + source.name + ".git", full_every_s));
}

}  // namespace ward::ingest
