// The git connector's mirror (git_mirror.h).
#include "git_mirror.h"

#include <sys/stat.h>

#include <fstream>

#include "git_process.h"

namespace ward::ingest {

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Status named(const std::string& source_name, const Status& s) {
  return Status(s.code(), "source '" + source_name + "': " + s.message());
}

// A local root's objects are borrowed, not copied (docs/design/ingest.md, "Git"): the mirror's
// objects/info/alternates names the root's object directory, so its commits' objects are present
// without a transfer. A directory named once stays named (the mirror's older commits may live
// there). The root's git directory whose objects are borrowed, or "" when its object directory
// is not found (a worktree whose .git is a file, say): then it is fetched as a copy, as a remote
// is.
Result<std::string> borrowLocalObjects(const std::string& mirror, const std::string& root) {
  std::string git_dir;
  struct stat st {};
  if (::stat((root + "/HEAD").c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    git_dir = root;  // a bare repository
  } else {
    git_dir = root + "/.git";
  }
  const std::string objects = git_dir + "/objects";
  if (::stat(objects.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
      objects.find('\n') != std::string::npos) {
    return std::string();
  }
  const std::string info = mirror + "/objects/info";
  ::mkdir(info.c_str(), 0700);  // git init makes it; EEXIST is fine
  const std::string file = info + "/alternates";
  {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      if (line == objects) return git_dir;
    }
  }
  std::ofstream out(file, std::ios::app);
  out << objects << '\n';
  out.close();
  if (!out) return Status::unavailable("cannot write " + file);
  return git_dir;
}

// The fetch of `ref` into kGitMirrorRef: an http(s) host is resolved and checked before git runs
// at all and git connects to that address; the token, if any, reaches git only through its
// environment.
Status fetch(const GitMirrorUpdate& u, const std::string& ref) {
  const GitRemote& remote = *u.remote;
  std::vector<std::string> config;
  std::vector<std::string> env = remote.auth_env;
  if (!remote.host.empty()) {
    auto pin = pinGitRemote(remote);
    if (!pin.ok()) return named(u.source_name, pin.status());
    config.push_back(*pin);
    if (remote.plain_http) {
      config.push_back("protocol.http.allow=always");
      env.push_back("GIT_ALLOW_PROTOCOL=file:http:https");
    }
  }
  GitCommand fetch{u.mirror,
                   {"fetch", "-q", "--no-tags", "--no-write-fetch-head", "--no-recurse-submodules",
                    "--", remote.url, "+" + ref + ":" + kGitMirrorRef},
                   std::move(config),
                   1 << 20,
                   std::move(env),
                   remote.auth_scrub};
  auto fetched = runGit(fetch);
  if (!fetched.ok()) return named(u.source_name, fetched.status());
  return Status();
}

}  // namespace

bool isPlainGitRefName(std::string_view ref) {
  if (ref.empty() || ref == "@" || ref.front() == '/' || ref.back() == '/' || ref.back() == '.') {
    return false;
  }
  if (ref.find("..") != std::string_view::npos || ref.find("@{") != std::string_view::npos ||
      ref.find("//") != std::string_view::npos) {
    return false;
  }
  bool hex = ref.size() == 40 || ref.size() == 64;
  for (char c : ref) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || std::string_view(" ~^:?*[\\").find(c) != std::string_view::npos) {
      return false;
    }
    hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
  if (hex) return false;  // an object id, which fetch does not take as a ref
  // No component starts with '.' or ends with ".lock".
  size_t from = 0;
  while (from <= ref.size()) {
    size_t slash = ref.find('/', from);
    if (slash == std::string_view::npos) slash = ref.size();
    const std::string_view part = ref.substr(from, slash - from);
    if (part.empty() || part.front() == '.') return false;
    if (part.size() >= 5 && part.substr(part.size() - 5) == ".lock") return false;
    from = slash + 1;
  }
  return true;
}

Result<std::string> updateGitMirror(const GitMirrorUpdate& u) {
  struct stat st {};
  if (::stat((u.mirror + "/HEAD").c_str(), &st) != 0) {
    // No template: the mirror starts without sample hooks or anything else copied in.
    WARD_RETURN_IF_ERROR(
        runGit(GitCommand{"", {"init", "--bare", "-q", "--template=", u.mirror}, {}, 4096, {}, {}})
            .status());
  }
  const std::string ref = u.ref.empty() ? "HEAD" : u.ref;
  std::string root_git_dir;
  if (u.remote->host.empty()) {
    WARD_ASSIGN_OR_RETURN(root_git_dir, borrowLocalObjects(u.mirror, u.remote->url));
  }
  if (!root_git_dir.empty() && isPlainGitRefName(ref)) {
    // A borrowed root: its ref is read where it lives, and only refs/ward/head moves. A fetch
    // would transfer and check nothing here (every object is already present through the
    // alternate, and its connectivity walk stops at the root's own refs). A ref that names no
    // commit there is left to the fetch, whose error says so as before.
    auto oid = runGit(GitCommand{
        root_git_dir, {"rev-parse", "--verify", "-q", ref + "^{commit}"}, {}, 256, {}, {}});
    if (oid.ok() && !trimmed(*oid).empty()) {
      const std::string commit = trimmed(*oid);
      WARD_RETURN_IF_ERROR(
          runGit(GitCommand{u.mirror, {"update-ref", kGitMirrorRef, commit}, {}, 4096, {}, {}})
              .status());
      return commit;
    }
  }
  WARD_RETURN_IF_ERROR(fetch(u, ref));
  auto oid =
      runGit(GitCommand{u.mirror,
                        {"rev-parse", "--verify", "-q", std::string(kGitMirrorRef) + "^{commit}"},
                        {},
                        256,
                        {},
                        {}});
  if (!oid.ok()) return named(u.source_name, oid.status());
  return trimmed(*oid);
}

}  // namespace ward::ingest
