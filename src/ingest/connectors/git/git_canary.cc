// Canary commits to a local bare git repository (ward/ingest/git_canary.h).
#include "ward/ingest/git_canary.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "git_process.h"
#include "ward/common/hash.h"

namespace ward::ingest {

namespace {

// The canary's author and committer (commit-tree needs one; HOME is not read).
const std::vector<std::string>& canaryIdentity() {
  static const std::vector<std::string> kIdentity = {
      "GIT_AUTHOR_NAME=Ward sync canary", "GIT_AUTHOR_EMAIL=ward-canary@localhost",
      "GIT_COMMITTER_NAME=Ward sync canary", "GIT_COMMITTER_EMAIL=ward-canary@localhost"};
  return kIdentity;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The local repository path of a git source's root ("" for a remote one).
std::string localPath(const SourceConfig& s) {
  if (s.root.rfind("file://", 0) == 0) return s.root.substr(7);
  if (s.root.find("://") != std::string::npos) return "";
  return s.root;
}

Result<std::string> runIn(const std::string& repo, std::vector<std::string> args,
                          std::vector<std::string> env = {}) {
  GitCommand c{repo, std::move(args), {}, 1 << 20, {}, {}};
  c.env = std::move(env);
  WARD_ASSIGN_OR_RETURN(std::string out, runGit(c));
  return trimmed(out);
}

// The branch the canary commits to: the source's ref, else the repository's HEAD.
Result<std::string> branchOf(const SourceConfig& s, const std::string& repo) {
  std::string ref = s.ref;
  if (ref.empty()) {
    auto head = runIn(repo, {"symbolic-ref", "-q", "HEAD"});
    if (!head.ok()) return Status::invalidArgument("HEAD is not a branch");
    ref = *head;
  } else if (ref.rfind("refs/", 0) != 0) {
    ref = "refs/heads/" + ref;
  }
  if (ref.rfind("refs/heads/", 0) != 0) {
    return Status::invalidArgument("ref '" + s.ref + "' is not a branch");
  }
  return ref;
}

}  // namespace

Status checkGitCanaryRoot(const SourceConfig& s) {
  auto refuse = [&](const std::string& why) {
    return Status::invalidArgument("source '" + s.name + "': a git canary needs " + why);
  };
  if (s.connector != "git") return refuse("a git source");
  const std::string repo = localPath(s);
  if (repo.empty() || repo.front() != '/') {
    return refuse("a local bare repository Ward may write to (the root is remote)");
  }
  auto bare = runIn(repo, {"rev-parse", "--is-bare-repository"});
  if (!bare.ok() || *bare != "true") {
    return refuse("a local bare repository Ward may write to (" + repo + " is not one)");
  }
  auto branch = branchOf(s, repo);
  if (!branch.ok()) return refuse("a branch: " + branch.status().message());
  return Status();
}

Status commitGitCanary(const SourceConfig& s, const std::string& name,
                       const std::optional<std::string>& text) {
  WARD_RETURN_IF_ERROR(checkGitCanaryRoot(s));
  const std::string repo = localPath(s);
  WARD_ASSIGN_OR_RETURN(std::string branch, branchOf(s, repo));
  WARD_ASSIGN_OR_RETURN(std::string parent,
                        runIn(repo, {"rev-parse", "--verify", "-q", branch + "^{commit}"}));
  const std::string tmp =
      (std::filesystem::temp_directory_path() / ("ward-canary-" + randomHex(8))).string();
  const std::string index = tmp + ".index";
  const std::string work = tmp + ".work";
  const std::vector<std::string> index_env = {"GIT_INDEX_FILE=" + index};
  auto cleanup = [&] {
    ::unlink(index.c_str());
    ::unlink(tmp.c_str());
    ::rmdir(work.c_str());
  };
  Status st = [&]() -> Status {
    WARD_RETURN_IF_ERROR(runIn(repo, {"read-tree", parent}, index_env).status());
    if (text) {
      int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) return Status::unavailable("cannot write " + tmp);
      const bool written =
          ::write(fd, text->data(), text->size()) == static_cast<ssize_t>(text->size());
      ::close(fd);
      if (!written) return Status::unavailable("cannot write " + tmp);
      WARD_ASSIGN_OR_RETURN(std::string oid,
                            runIn(repo, {"hash-object", "-w", "--no-filters", "--", tmp}));
      WARD_RETURN_IF_ERROR(
          runIn(repo, {"update-index", "--add", "--cacheinfo", "100644," + oid + "," + name},
                index_env)
              .status());
    } else {
      // --force-remove insists on a work tree: an empty one of our own (never read or written).
      if (::mkdir(work.c_str(), 0700) != 0) return Status::unavailable("cannot create " + work);
      std::vector<std::string> env = index_env;
      env.push_back("GIT_WORK_TREE=" + work);
      WARD_RETURN_IF_ERROR(
          runIn(repo, {"update-index", "--force-remove", "--", name}, env).status());
    }
    WARD_ASSIGN_OR_RETURN(std::string tree, runIn(repo, {"write-tree"}, index_env));
    WARD_ASSIGN_OR_RETURN(
        std::string commit,
        runIn(repo, {"commit-tree", tree, "-p", parent, "-m", "ward sync canary: " + name},
              canaryIdentity()));
    // Moves only if the branch still points at the parent (no lost concurrent push).
    return runIn(repo, {"update-ref", branch, commit, parent}).status();
  }();
  cleanup();
  if (!st.ok()) {
    return Status(st.code(), "source '" + s.name + "': the canary commit failed: " + st.message());
  }
  return Status();
}

}  // namespace ward::ingest
