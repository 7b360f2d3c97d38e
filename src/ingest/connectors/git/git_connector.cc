// The git connector (git_connector.h; docs/design/ingest.md, "Git").
#include "git_connector.h"

#include <fcntl.h>
#include <netdb.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "git_process.h"
#include "ward/ingest/git_tree.h"
#include "ward/ingest/parser.h"
#include "ward/net/address_policy.h"

namespace ward::ingest {

namespace {

// A page also ends once its files hold this many bytes (the runner keeps a page in memory).
constexpr uint64_t kMaxPageBytes = 64 << 20;
// The ref the fetched commit is kept under in the mirror.
constexpr const char* kMirrorRef = "refs/ward/head";
// The mirror's file naming the last passed commit and the binary blobs of its tree.
constexpr const char* kPassStateFile = "ward-pass";
// Changed blobs are read in batches of at most this many blobs and bytes (a batch is held in
// memory until its documents are emitted).
constexpr size_t kReadAheadBlobs = 256;
constexpr uint64_t kReadAheadBytes = 16 << 20;

struct Remote {
  std::string url;   // what git fetches from (an absolute path or an https URL)
  std::string host;  // https only
  int port = 443;
};

// The root as shown in messages: a URL's user information (a credential) is replaced.
std::string shownRoot(const std::string& root) {
  size_t scheme = root.find("://");
  if (scheme == std::string::npos) return root;
  size_t end = root.find('/', scheme + 3);
  size_t at = root.rfind('@', end == std::string::npos ? root.size() : end);
  if (at == std::string::npos || at < scheme) return root;
  return root.substr(0, scheme + 3) + "***" + root.substr(at);
}

Result<Remote> parseRoot(const SourceConfig& s, const ConnectorEnv& env) {
  const std::string& root = s.root;
  auto refuse = [&](const std::string& why) {
    return Status::invalidArgument("source '" + s.name + "': root " + shownRoot(root) + ": " + why);
  };
  Remote r;
  if (root.rfind("https://", 0) == 0) {
    std::string rest = root.substr(8);
    std::string authority = rest.substr(0, rest.find('/'));
    if (authority.find('@') != std::string::npos) {
      return refuse("credentials in a URL are refused (they would reach logs and argv)");
    }
    std::string host = authority;
    if (!host.empty() && host.front() == '[') {
      size_t close = host.find(']');
      if (close == std::string::npos) return refuse("a bad IPv6 host");
      std::string port = host.substr(close + 1);
      host = host.substr(1, close - 1);
      if (!port.empty()) {
        if (port.front() != ':') return refuse("a bad port");
        r.port = std::atoi(port.c_str() + 1);
      }
    } else if (size_t colon = host.find(':'); colon != std::string::npos) {
      r.port = std::atoi(host.c_str() + colon + 1);
      host = host.substr(0, colon);
    }
    if (host.empty() || r.port <= 0 || r.port > 65535) return refuse("a bad host or port");
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    bool allowed = false;
    for (const auto& h : s.allowed_hosts) {
      std::string lower = h;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      allowed = allowed || lower == host;
    }
    if (!allowed) return refuse("host '" + host + "' is not on the source's allowed_hosts");
    r.url = root;
    r.host = host;
    return r;
  }
  std::string path = root;
  if (root.rfind("file://", 0) == 0) {
    path = root.substr(7);
  } else if (root.find("://") != std::string::npos || root.find("::") != std::string::npos) {
    return refuse("only a local path, file:// and https:// are supported");
  }
  if (path.empty() || path.front() != '/') return refuse("a local repository must be absolute");
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return refuse("cannot be opened");
  std::string real = resolved;
  for (const auto& dir : env.refused_dirs) {
    char d[PATH_MAX];
    if (::realpath(dir.c_str(), d) == nullptr) continue;
    std::string rd = d;
    if (real == rd || real.rfind(rd + "/", 0) == 0) {
      return Status::permissionDenied("source '" + s.name + "': root " + root +
                                      ": Ward's data directory: never ingested");
    }
  }
  r.url = real;
  return r;
}

// Resolves an https remote's host, checks every address against the SSRF rule (an operator's
// endpoint: public or private networks, never loopback, link-local or metadata addresses) and
// returns the "-c http.curloptResolve" setting that pins git's connection to the checked address.
Result<std::string> pinnedAddress(const Remote& r) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(r.port);
  if (::getaddrinfo(r.host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
    return Status::unavailable("cannot resolve host '" + r.host + "'");
  }
  std::string first;
  Status refused;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    const std::string cls = net::classifyAddress(a->ai_addr);
    if (!net::reachable(cls, net::Reach::kOperatorEndpoint, false)) {
      refused =
          Status::permissionDenied("host '" + r.host + "' resolves to a " + cls + " address (" +
                                   net::addressText(a->ai_addr) + "): refused by the SSRF rule");
      break;
    }
    if (first.empty()) first = net::addressText(a->ai_addr);
  }
  ::freeaddrinfo(res);
  if (!refused.ok()) return refused;
  if (first.find(':') != std::string::npos) first = "[" + first + "]";
  return "http.curloptResolve=" + r.host + ":" + port + ":" + first;
}

// One listed entry of a pass: its refusal (one that needs no bytes), or whether its blob is read
// ahead (changed since the last pass).
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
  GitConnector(SourceConfig source, ConnectorEnv env, Remote remote, std::string mirror)
      : source_(std::move(source)),
        env_(std::move(env)),
        remote_(std::move(remote)),
        mirror_(std::move(mirror)) {}

  ~GitConnector() override {
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }

  ConnectorCapabilities capabilities() const override {
    return ConnectorCapabilities{true, false, false};
  }

  // The checkpoint is "<commit> TAB <last path of the committed page>": a resumed pass lists the
  // same commit again (no fetch) and starts after that path.
  Status pass(const std::string& checkpoint, EventSink& sink, bool* exhausted) override {
    *exhausted = false;
    WARD_RETURN_IF_ERROR(lockMirror());
    std::string commit;
    std::string after;
    if (!checkpoint.empty()) {
      size_t tab = checkpoint.find('\t');
      commit = checkpoint.substr(0, tab);
      if (tab != std::string::npos) after = checkpoint.substr(tab + 1);
      if (!git({"cat-file", "-e", commit + "^{commit}"}, 0).ok()) commit.clear();
      if (commit.empty()) after.clear();
    }
    if (commit.empty()) {
      WARD_RETURN_IF_ERROR(fetch());
      WARD_ASSIGN_OR_RETURN(commit, revParse(std::string(kMirrorRef) + "^{commit}"));
    }
    WARD_ASSIGN_OR_RETURN(std::string ct, git({"log", "-1", "--format=%ct", commit}, 64));
    const int64_t updated_at = std::atoll(ct.c_str()) * 1'000'000;
    WARD_ASSIGN_OR_RETURN(
        std::string listing,
        git({"ls-tree", "-r", "-z", "--long", "--full-tree", commit}, kMaxGitListingBytes));
    WARD_ASSIGN_OR_RETURN(std::vector<GitTreeEntry> entries, parseLsTree(listing));
    listing.clear();
    std::sort(entries.begin(), entries.end(),
              [](const GitTreeEntry& a, const GitTreeEntry& b) { return a.path < b.path; });

    // What changed since the last passed commit: its deletions, and the blobs read in this pass
    // (all of them from scratch). The binary blobs of the last pass are known by id.
    std::string base;
    std::set<std::string> binary;
    readPassState(&base, &binary);
    if (base.empty() || !git({"cat-file", "-e", base + "^{commit}"}, 0).ok()) {
      base = kGitEmptyTree;
      binary.clear();
    }
    const bool from_scratch = base == kGitEmptyTree;
    std::set<std::string> changed;
    if (!from_scratch) {
      WARD_ASSIGN_OR_RETURN(std::string raw, git({"diff-tree", "-r", "-z", "--raw", "--no-renames",
                                                  "--no-textconv", "--no-ext-diff", base, commit},
                                                 kMaxGitListingBytes));
      WARD_ASSIGN_OR_RETURN(std::vector<GitDiffEntry> diff, parseDiffTree(raw));
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
    const uint64_t max_bytes =
        source_.max_file_bytes > 0 ? source_.max_file_bytes : env_.max_file_bytes;
    const size_t max_depth = source_.max_depth > 0 ? source_.max_depth : kMaxGitPathDepth;
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
      } else if (now_binary.count(e.oid) > 0) {
        p.refusal = binaryRefusal();
      } else {
        p.read_now = from_scratch || changed.count(e.path) > 0;
      }
      plan.push_back(std::move(p));
    }

    std::map<std::string, Result<std::string>> window;  // blobs read ahead, by id
    size_t in_page = 0;
    uint64_t page_bytes = 0;
    std::string last;
    for (size_t i = 0; i < plan.size(); ++i) {
      const GitTreeEntry& e = *plan[i].entry;
      const std::string id = source_.name + ":" + e.path;
      std::string refusal = plan[i].refusal;
      std::shared_ptr<Result<std::string>> bytes;
      if (refusal.empty() && plan[i].read_now) {
        if (window.count(e.oid) == 0) WARD_RETURN_IF_ERROR(readAhead(plan, i, max_bytes, &window));
        auto it = window.find(e.oid);
        bytes = std::make_shared<Result<std::string>>(std::move(it->second));
        window.erase(it);
        if (bytes->ok() && isBinary(**bytes)) {
          refusal = binaryRefusal();
          now_binary.insert(e.oid);
        }
      }
      if (!refusal.empty()) {
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
        WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{commit + "\t" + last}));
        in_page = 0;
        page_bytes = 0;
      }
    }
    if (truncated) {
      WARD_RETURN_IF_ERROR(
          sink.emit(FailureEvent{source_.root,
                                 "the tree holds more than " + std::to_string(max_files) +
                                     " files (max_entries); the rest is not listed",
                                 FailureKind::kRefused}));
    }
    if (in_page > 0) WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{commit + "\t" + last}));
    if (!truncated) writePassState(commit, now_binary);
    *exhausted = !truncated;
    return Status();
  }

 private:
  Result<std::string> git(std::vector<std::string> args, size_t max_stdout,
                          std::vector<std::string> config = {}) const {
    return runGit(GitCommand{mirror_, std::move(args), std::move(config), max_stdout});
  }

  Result<std::string> revParse(const std::string& what) const {
    WARD_ASSIGN_OR_RETURN(std::string out, git({"rev-parse", "--verify", "-q", what}, 256));
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
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

  Status fetch() {
    // An https host is resolved and checked before git runs at all; git connects to that address.
    std::vector<std::string> config;
    if (!remote_.host.empty()) {
      auto pin = pinnedAddress(remote_);
      if (!pin.ok()) {
        return Status(pin.status().code(),
                      "source '" + source_.name + "': " + pin.status().message());
      }
      config.push_back(*pin);
    }
    struct stat st {};
    if (::stat((mirror_ + "/HEAD").c_str(), &st) != 0) {
      // No template: the mirror starts without sample hooks or anything else copied in.
      WARD_RETURN_IF_ERROR(
          runGit(GitCommand{"", {"init", "--bare", "-q", "--template=", mirror_}, {}, 4096})
              .status());
    }
    const std::string ref = source_.ref.empty() ? "HEAD" : source_.ref;
    auto fetched = git({"fetch", "-q", "--no-tags", "--no-write-fetch-head",
                        "--no-recurse-submodules", "--", remote_.url, "+" + ref + ":" + kMirrorRef},
                       1 << 20, config);
    if (!fetched.ok()) {
      return Status(fetched.status().code(),
                    "source '" + source_.name + "': " + fetched.status().message());
    }
    return Status();
  }

  static std::string binaryRefusal() {
    return "binary file (a NUL byte in its first " + std::to_string(kGitBinaryProbeBytes) +
           " bytes); not indexed";
  }

  // Reads the blobs of plan[from] and of the next entries to read now, up to kReadAheadBlobs and
  // kReadAheadBytes, in one batch (one request round, not one per file).
  Status readAhead(const std::vector<Planned>& plan, size_t from, uint64_t max_bytes,
                   std::map<std::string, Result<std::string>>* window) {
    window->clear();
    std::vector<std::string> oids;
    uint64_t bytes = 0;
    for (size_t j = from; j < plan.size() && oids.size() < kReadAheadBlobs; ++j) {
      if (!plan[j].read_now || !plan[j].refusal.empty()) continue;
      if (j > from && bytes + plan[j].entry->size > kReadAheadBytes) break;
      if (window->count(plan[j].entry->oid) > 0) continue;
      window->emplace(plan[j].entry->oid, Status::internal("not read"));
      oids.push_back(plan[j].entry->oid);
      bytes += plan[j].entry->size;
    }
    WARD_ASSIGN_OR_RETURN(std::vector<Result<std::string>> read, blobs_.readMany(oids, max_bytes));
    for (size_t k = 0; k < oids.size(); ++k) window->insert_or_assign(oids[k], std::move(read[k]));
    return Status();
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
  Remote remote_;
  std::string mirror_;
  GitBlobReader blobs_{mirror_};  // one cat-file child, started on the first read
  int lock_fd_ = -1;
};

}  // namespace

Result<std::unique_ptr<Connector>> makeGitConnector(const SourceConfig& source,
                                                    const ConnectorEnv& env) {
  WARD_ASSIGN_OR_RETURN(Remote remote, parseRoot(source, env));
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
  const std::string dir = env.state_dir + "/git";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::unavailable("cannot create " + dir);
  }
  return std::unique_ptr<Connector>(std::make_unique<GitConnector>(
      source, env, std::move(remote), dir + "/" + source.name + ".git"));
}

}  // namespace ward::ingest
