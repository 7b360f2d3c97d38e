// The github connector (github_connector.h).
#include "github_connector.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <map>
#include <set>

#include "../../service_client.h"
#include "github_api.h"
#include "github_app.h"
#include "github_options.h"
#include "github_payload.h"
#include "github_state.h"
#include "ward/ingest/identity_map.h"
#include "ward/ingest/parser.h"

namespace ward::ingest {

namespace {

// Bytes probed for a NUL (git's own rule for a binary blob).
constexpr size_t kGithubBinaryProbeBytes = 8000;

// A rate limit (primary or secondary) stopped the pass; its wait is GithubApi::retryAfterS().
bool isRateLimit(const Status& s) { return s.code() == StatusCode::kResourceExhausted; }

class GithubConnector final : public Connector {
 public:
  GithubConnector(SourceConfig source, ConnectorEnv env, GithubOptions options,
                  std::unique_ptr<ServiceClient> client, std::unique_ptr<GithubAppTokens> app)
      : source_(std::move(source)),
        env_(std::move(env)),
        options_(std::move(options)),
        client_(std::move(client)),
        app_(std::move(app)),
        api_(*client_, app_.get(), options_.app_id, source_.token_secret) {}

  ConnectorCapabilities capabilities() const override {
    return ConnectorCapabilities{true, true, true, true};
  }
  // Every request of the run (304s and the App's token requests included).
  int64_t requests() const override { return client_->requests(); }

  // Every pass lists every document of every repository (the files from the tree, the issues
  // from the listing merged into the kept one), so the runner's deletions hold; a resumed pass
  // lists again from the start (unchanged items cost a version compare). The checkpoint only
  // marks pages.
  Status pass(const std::string& /*checkpoint*/, EventSink& sink, bool* exhausted) override {
    *exhausted = false;
    sink_ = &sink;
    complete_ = true;
    in_page_ = 0;
    mapper_ = std::make_unique<IdentityMapper>(source_.identities);
    stated_groups_.clear();
    const std::string dir = env_.state_dir + "/github";
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::unavailable("cannot create " + dir);
    }
    const std::string state_path = dir + "/" + source_.name + ".json";
    old_ = loadGithubState(state_path);
    next_ = GithubState{};
    api_.begin(&old_, &next_);
    for (const std::string& repo : options_.repos) {
      Status s = syncRepo(repo);
      if (isRateLimit(s)) {
        // End here; the kept state is not moved, so the next pass lists this part again.
        const int64_t wait = std::max<int64_t>(1, api_.retryAfterS());
        WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{"rate-limit",
                                                    client_->scrub(s.message()) +
                                                        "; the pass ends here (retry after " +
                                                        std::to_string(wait) + " s)",
                                                    FailureKind::kRefused, wait}));
        WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{"github", wait}));
        return Status();
      }
      if (!s.ok()) return Status(s.code(), client_->scrub(s.message()));
    }
    for (const std::string& id : mapper_->unmapped()) {
      WARD_RETURN_IF_ERROR(sink.emit(FailureEvent{
          "identity:" + id, "maps to no principal ([[sources.identities]]): grants nothing",
          FailureKind::kRefused}));
    }
    WARD_RETURN_IF_ERROR(sink.emit(CheckpointEvent{"github"}));
    WARD_RETURN_IF_ERROR(saveGithubState(state_path, next_));
    *exhausted = complete_;
    return Status();
  }

 private:
  // --- events ---

  Status emit(SyncEvent event) {
    const bool item = std::holds_alternative<UpsertEvent>(event);
    WARD_RETURN_IF_ERROR(sink_->emit(std::move(event)));
    if (item && ++in_page_ >= source_.page_items) {
      in_page_ = 0;
      WARD_RETURN_IF_ERROR(sink_->emit(CheckpointEvent{"github"}));
    }
    return Status();
  }
  Status fail(const std::string& entity, const std::string& reason, FailureKind kind) {
    return sink_->emit(FailureEvent{entity, client_->scrub(reason), kind});
  }

  // --- a repository ---

  // A failure that concerns one repository (gone, no access, a malformed reply): reported, the
  // other repositories go on. Others (the token, a rate limit, a 5xx storm) stop the pass.
  static bool repoLevel(const Status& s) {
    return s.code() == StatusCode::kNotFound || s.code() == StatusCode::kPermissionDenied ||
           s.code() == StatusCode::kInvalidArgument;
  }

  Status syncRepo(const std::string& repo) {
    const std::string base = "/repos/" + repo;
    // What is not read again this pass stays as it was.
    GithubRepoState& state = next_.repos[repo];
    const GithubRepoState& before = old_.repos[repo];
    state = before;
    Result<GithubPage> meta = api_.get(base, true);
    if (!meta.ok()) {
      if (!repoLevel(meta.status())) return meta.status();
      // Gone, or the token lost access: its documents stay as they are (the run is partial).
      return fail(repo, meta.status().message(), FailureKind::kError);
    }
    Result<GithubRepo> info = parseGithubRepo(meta->body);
    if (!info.ok())
      return fail(repo, "malformed repository: " + info.status().message(), FailureKind::kError);
    Result<store::Acl> acl = repoAcl(repo, *info);
    if (!acl.ok()) {
      if (!repoLevel(acl.status())) return acl.status();
      // Who may read it is unknown: none of its documents is listed or changed (fail closed).
      return fail(repo, "permissions: " + acl.status().message(), FailureKind::kError);
    }
    if (options_.files) WARD_RETURN_IF_ERROR(syncFiles(repo, *info, *acl, before, state));
    if (options_.issues) WARD_RETURN_IF_ERROR(syncIssues(repo, *acl, before, state));
    return Status();
  }

  // Collaborators with pull permission (mapped) and teams (the source's groups, whose members
  // are stated here once per pass).
  Result<store::Acl> repoAcl(const std::string& repo, const GithubRepo& info) {
    if (!info.is_private) return githubRepoAcl(false, options_, {}, {});
    std::vector<std::string> users, groups;
    WARD_RETURN_IF_ERROR(api_.forEachPage(
        "/repos/" + repo + "/collaborators?affiliation=all&per_page=100", true,
        [&](const Json& body, bool*) -> Status {
          WARD_ASSIGN_OR_RETURN(auto page, parseGithubCollaborators(body));
          for (const GithubCollaborator& c : page) {
            if (!c.pull) continue;
            std::string who = c.email.empty() ? "" : mapIdentity(source_.identities, c.email);
            if (who.empty()) who = mapper_->map(c.login);
            if (!who.empty()) users.push_back(who);
          }
          return Status();
        },
        nullptr));
    if (info.organization) {
      std::vector<std::string> slugs;
      Status teams = api_.forEachPage(
          "/repos/" + repo + "/teams?per_page=100", true,
          [&](const Json& body, bool*) -> Status {
            WARD_ASSIGN_OR_RETURN(auto page, parseGithubTeamSlugs(body));
            slugs.insert(slugs.end(), page.begin(), page.end());
            return Status();
          },
          nullptr);
      if (!teams.ok() && teams.code() != StatusCode::kNotFound) return teams;
      for (const std::string& slug : slugs) {
        const std::string group = githubTeamGroup(source_.name, slug);
        if (group.empty()) {
          WARD_RETURN_IF_ERROR(
              fail("team:" + slug, "not a valid group name", FailureKind::kRefused));
          continue;
        }
        groups.push_back(group);
        if (!stated_groups_.insert(group).second) continue;
        std::vector<std::string> members;
        WARD_RETURN_IF_ERROR(api_.forEachPage(
            "/orgs/" + info.owner + "/teams/" + slug + "/members?per_page=100", true,
            [&](const Json& body, bool*) -> Status {
              WARD_ASSIGN_OR_RETURN(auto page, parseGithubLogins(body));
              for (const std::string& login : page) {
                std::string who = mapper_->map(login);
                if (!who.empty()) members.push_back(who);
              }
              return Status();
            },
            nullptr));
        std::sort(members.begin(), members.end());
        members.erase(std::unique(members.begin(), members.end()), members.end());
        WARD_RETURN_IF_ERROR(sink_->emit(GroupUpdateEvent{group, std::move(members)}));
      }
    }
    return githubRepoAcl(true, options_, std::move(users), std::move(groups));
  }

  uint64_t maxBytes() const {
    return source_.max_file_bytes > 0 ? source_.max_file_bytes : env_.max_file_bytes;
  }

  Result<std::string> readBlob(const std::string& repo, const std::string& sha) {
    WARD_ASSIGN_OR_RETURN(GithubPage page, api_.get("/repos/" + repo + "/git/blobs/" + sha, false));
    WARD_ASSIGN_OR_RETURN(std::string bytes, decodeGithubBlob(page.body));
    if (maxBytes() > 0 && bytes.size() > maxBytes()) {
      return Status::invalidArgument("larger than the source's max_file_bytes");
    }
    return bytes;
  }

  Status syncFiles(const std::string& repo, const GithubRepo& info, const store::Acl& acl,
                   const GithubRepoState& before, GithubRepoState& state) {
    const std::string branch = options_.branch.empty() ? info.default_branch : options_.branch;
    Result<GithubPage> tree_page =
        api_.get("/repos/" + repo + "/git/trees/" + branch + "?recursive=1", true);
    if (!tree_page.ok()) {
      const StatusCode code = tree_page.status().code();
      if (code != StatusCode::kNotFound && code != StatusCode::kFailedPrecondition) {
        return tree_page.status();
      }
      return Status();  // an empty repository has no tree (409), or no such branch (404)
    }
    Result<GithubTree> tree = parseGithubTree(tree_page->body);
    if (!tree.ok()) {
      return fail(repo + ":", "malformed tree: " + tree.status().message(), FailureKind::kError);
    }
    if (tree->truncated) complete_ = false;  // GitHub cut it: some files are not seen
    state.binary.clear();
    state.files.clear();
    size_t files = 0;
    for (const GithubTreeEntry& e : tree->entries) {
      const std::string name = e.path.substr(e.path.rfind('/') + 1);
      if (e.kind != GithubEntryKind::kSubmodule && !detectFormat(name)) continue;
      if (++files > options_.max_files) {
        complete_ = false;
        break;
      }
      const std::string id = source_.name + ":" + repo + ":" + e.path;
      if (e.kind == GithubEntryKind::kSubmodule) {
        WARD_RETURN_IF_ERROR(fail(id, "submodule: never fetched", FailureKind::kRefused));
        continue;
      }
      if (e.kind == GithubEntryKind::kSymlink) {
        WARD_RETURN_IF_ERROR(fail(id, "symbolic link: not followed", FailureKind::kRefused));
        continue;
      }
      if (maxBytes() > 0 && e.size > maxBytes()) {
        WARD_RETURN_IF_ERROR(fail(id,
                                  "larger than the source's max_file_bytes (" +
                                      std::to_string(e.size) + " > " + std::to_string(maxBytes()) +
                                      "); not read",
                                  FailureKind::kRefused));
        continue;
      }
      if (before.binary.count(e.sha) > 0) {
        state.binary.insert(e.sha);
        WARD_RETURN_IF_ERROR(fail(id, "binary content: not indexed", FailureKind::kRefused));
        continue;
      }
      UpsertEvent u;
      u.id = id;
      u.version = e.sha;
      u.name = name;
      u.url = info.html_url + "/blob/" + branch + "/" + e.path;
      u.acl = acl;
      u.metadata = Json{{"repo", repo}, {"path", e.path}, {"blob", e.sha}, {"branch", branch}};
      auto known = before.files.find(e.path);
      if (known != before.files.end() && known->second == e.sha) {
        // Read as text before: fetched only when the runner lacks this version.
        u.fetch = [this, repo, sha = e.sha]() { return readBlob(repo, sha); };
      } else {
        // New or changed: read now, so binary content is refused, not failed.
        Result<std::string> bytes = readBlob(repo, e.sha);
        if (!bytes.ok()) {
          if (isRateLimit(bytes.status()) ||
              bytes.status().code() == StatusCode::kUnauthenticated) {
            return bytes.status();
          }
          WARD_RETURN_IF_ERROR(fail(id, bytes.status().message(), FailureKind::kError));
          continue;
        }
        if (bytes->substr(0, kGithubBinaryProbeBytes).find('\0') != std::string::npos) {
          state.binary.insert(e.sha);
          WARD_RETURN_IF_ERROR(fail(id, "binary content: not indexed", FailureKind::kRefused));
          continue;
        }
        auto text = std::make_shared<std::string>(std::move(*bytes));
        u.fetch = [text]() -> Result<std::string> { return *text; };
      }
      state.files[e.path] = e.sha;
      WARD_RETURN_IF_ERROR(emit(std::move(u)));
    }
    return Status();
  }

  // --- issues and pull requests ---

  Result<std::vector<GithubComment>> readComments(const std::string& repo, int64_t number) {
    std::vector<GithubComment> out;
    WARD_RETURN_IF_ERROR(api_.forEachPage(
        "/repos/" + repo + "/issues/" + std::to_string(number) + "/comments?per_page=100", false,
        [&](const Json& body, bool* stop) -> Status {
          WARD_ASSIGN_OR_RETURN(auto page, parseGithubComments(body));
          for (auto& c : page) {
            if (out.size() >= kGithubMaxCommentsPerIssue) {
              *stop = true;
              break;
            }
            out.push_back(std::move(c));
          }
          return Status();
        },
        nullptr));
    return out;
  }

  UpsertEvent issueEvent(const std::string& repo, int64_t number, const std::string& version,
                         int64_t updated_at, const store::Acl& acl) {
    UpsertEvent u;
    u.id = source_.name + ":" + repo + "#" + std::to_string(number);
    u.version = version;
    u.name = "issue-" + std::to_string(number) + ".md";
    u.acl = acl;
    u.updated_at = updated_at;
    u.metadata = Json{{"repo", repo}, {"number", number}};
    return u;
  }

  // An issue the kept listing holds: read (issue and comments) only if the runner lacks it.
  Status emitKept(const std::string& repo, int64_t number, const GithubIssueEntry& e,
                  const store::Acl& acl) {
    UpsertEvent u = issueEvent(repo, number, e.version, e.updated_at, acl);
    u.fetch = [this, repo, number]() -> Result<std::string> {
      WARD_ASSIGN_OR_RETURN(
          GithubPage page, api_.get("/repos/" + repo + "/issues/" + std::to_string(number), false));
      WARD_ASSIGN_OR_RETURN(GithubIssue issue, parseGithubIssue(page.body));
      WARD_ASSIGN_OR_RETURN(auto comments, readComments(repo, number));
      return githubIssueText(issue, comments);
    };
    return emit(std::move(u));
  }

  Status syncIssues(const std::string& repo, const store::Acl& acl, const GithubRepoState& before,
                    GithubRepoState& state) {
    const bool full = !before.listed || before.passes_since_full + 1 >= options_.full_listing_every;
    std::string target = "/repos/" + repo + "/issues?state=all&per_page=100";
    const std::string since =
        githubTime(std::max<int64_t>(0, before.cursor_us - options_.since_overlap_s * 1'000'000));
    if (full) {
      target += "&sort=created&direction=asc";
    } else {
      target += "&sort=updated&direction=asc&since=" + since;
    }
    // The repository's comments of the same window, one listing for all issues.
    bulk_comments_.clear();
    size_t bulk = 0;
    Status comments = api_.forEachPage(
        "/repos/" + repo + "/issues/comments?per_page=100&sort=updated&direction=asc" +
            (full ? std::string() : "&since=" + since),
        !full,
        [&](const Json& body, bool* stop) -> Status {
          WARD_ASSIGN_OR_RETURN(auto page, parseGithubComments(body));
          for (auto& c : page) {
            if (++bulk > kGithubMaxBulkComments) {
              *stop = true;
              break;
            }
            if (c.issue > 0) bulk_comments_[c.issue].push_back(std::move(c));
          }
          return Status();
        },
        nullptr);
    if (!comments.ok() && !repoLevel(comments)) return comments;
    if (!comments.ok()) bulk_comments_.clear();  // each issue reads its own
    for (auto& [number, list] : bulk_comments_) {
      std::stable_sort(list.begin(), list.end(),
                       [](const auto& a, const auto& b) { return a.created < b.created; });
    }
    state.cursor_us = before.cursor_us;
    state.listed = true;  // saved only when the pass ends well
    state.issues.clear();
    state.passes_since_full = full ? 0 : before.passes_since_full + 1;
    size_t listed = 0;
    bool cut = false;
    std::set<int64_t> seen;
    WARD_RETURN_IF_ERROR(api_.forEachPage(
        target, !full,
        [&](const Json& body, bool* stop) -> Status {
          if (!body.is_array()) return Status::invalidArgument("an issues page must be an array");
          for (const Json& item : body) {
            if (++listed > options_.max_issues) {
              cut = true;
              *stop = true;
              return Status();
            }
            Result<GithubIssue> issue = parseGithubIssue(item);
            if (!issue.ok()) {
              // Named by the document's id when it has a number (protected from deletion).
              std::string which = item.is_object() && item.contains("number")
                                      ? source_.name + ":" + repo + "#" + dumpJson(item["number"])
                                      : repo + " issues";
              WARD_RETURN_IF_ERROR(
                  fail(which, "malformed issue: " + issue.status().message(), FailureKind::kError));
              continue;
            }
            if (!seen.insert(issue->number).second) continue;  // the overlap, or a moved page
            WARD_RETURN_IF_ERROR(emitListed(repo, *issue, acl, before, state));
          }
          return Status();
        },
        &cut));
    if (cut) complete_ = false;
    if (!full) {
      // The kept issues the incremental listing did not return are unchanged.
      for (const auto& [number, e] : before.issues) {
        if (seen.count(number) > 0) continue;
        state.issues[number] = e;
        WARD_RETURN_IF_ERROR(emitKept(repo, number, e, acl));
      }
    }
    return Status();
  }

  // A listed issue: unchanged (same updated_at) ones are read only if the runner lacks them;
  // changed ones have their comments read now. An issue whose comments 404 or 410 is gone.
  Status emitListed(const std::string& repo, const GithubIssue& issue, const store::Acl& acl,
                    const GithubRepoState& before, GithubRepoState& state) {
    state.cursor_us = std::max(state.cursor_us, issue.updated_at);
    const GithubIssueEntry entry{issue.updated, issue.updated_at};
    auto known = before.issues.find(issue.number);
    if (known != before.issues.end() && known->second.version == issue.updated) {
      state.issues[issue.number] = entry;
      return emitKept(repo, issue.number, entry, acl);
    }
    std::vector<GithubComment> comments;
    auto listed = bulk_comments_.find(issue.number);
    if (issue.comments > 0 && listed != bulk_comments_.end() &&
        listed->second.size() == static_cast<size_t>(issue.comments)) {
      comments = std::move(listed->second);  // all of them came with the repository's listing
      if (comments.size() > kGithubMaxCommentsPerIssue) comments.resize(kGithubMaxCommentsPerIssue);
    } else if (issue.comments > 0) {
      Result<std::vector<GithubComment>> read = readComments(repo, issue.number);
      const std::string id = source_.name + ":" + repo + "#" + std::to_string(issue.number);
      if (!read.ok()) {
        const Status& s = read.status();
        if (isRateLimit(s) || s.code() == StatusCode::kUnauthenticated) return s;
        if (s.code() == StatusCode::kNotFound) return sink_->emit(DeleteEvent{id});
        return fail(id, s.message(), FailureKind::kError);
      }
      comments = std::move(*read);
    }
    state.issues[issue.number] = entry;
    UpsertEvent u = issueEvent(repo, issue.number, issue.updated, issue.updated_at, acl);
    u.title = issue.title + " (#" + std::to_string(issue.number) + ")";
    u.url = issue.html_url;
    u.metadata["kind"] = issue.pull_request ? "pull_request" : "issue";
    u.metadata["state"] = issue.state;
    auto text = std::make_shared<std::string>(githubIssueText(issue, comments));
    u.fetch = [text]() -> Result<std::string> { return *text; };
    return emit(std::move(u));
  }

  SourceConfig source_;
  ConnectorEnv env_;
  GithubOptions options_;
  std::unique_ptr<ServiceClient> client_;
  std::unique_ptr<GithubAppTokens> app_;  // null: token_secret's token
  std::unique_ptr<IdentityMapper> mapper_;
  // One pass's state.
  EventSink* sink_ = nullptr;
  GithubState old_;
  GithubState next_;
  std::set<std::string> stated_groups_;
  std::map<int64_t, std::vector<GithubComment>> bulk_comments_;  // one repository's, by issue
  bool complete_ = true;
  size_t in_page_ = 0;
  GithubApi api_;
};

}  // namespace

Result<std::unique_ptr<Connector>> makeGithubConnector(const SourceConfig& source,
                                                       const ConnectorEnv& env) {
  const std::string where = "source '" + source.name + "': ";
  Result<GithubOptions> options = parseGithubOptions(source.options);
  if (!options.ok()) return Status::invalidArgument(where + options.status().message());
  std::unique_ptr<GithubAppTokens> app;
  if (options->app_id != 0) {
    if (!source.token_secret.empty()) {
      return Status::invalidArgument(where +
                                     "token_secret and options.app_id exclude each other (a "
                                     "token or a GitHub App)");
    }
    Result<std::string> pem = env.secret ? env.secret(options->app_key_secret)
                                         : Result<std::string>(Status::notFound("no secrets"));
    if (!pem.ok() || pem->empty()) {
      return Status::failedPrecondition(where + "secret '" + options->app_key_secret +
                                        "' (the GitHub App's private key) is not set (ward "
                                        "secrets set " +
                                        options->app_key_secret + " < key.pem)");
    }
    app = std::make_unique<GithubAppTokens>(GithubAppConfig{
        options->app_id, options->installation_id, githubAppKeyPem(*pem), options->app_key_secret});
  } else if (source.token_secret.empty()) {
    return Status::invalidArgument(where +
                                   "token_secret is required (a tenant secret holding "
                                   "a GitHub token), or options.app_id, installation_id and "
                                   "app_key_secret for a GitHub App");
  }
  if (env.state_dir.empty()) return Status::failedPrecondition(where + "no state folder");
  WARD_ASSIGN_OR_RETURN(auto client, ServiceClient::open(source, env, kGithubDefaultBaseUrl));
  return std::unique_ptr<Connector>(std::make_unique<GithubConnector>(
      source, env, std::move(*options), std::move(client), std::move(app)));
}

}  // namespace ward::ingest
