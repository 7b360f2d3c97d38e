// Running git hardened (git_process.h).
#include "git_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <chrono>
#include <cstring>

namespace ward::ingest {

namespace {

// Where git is looked up (the environment's PATH is not inherited), and the binaries tried.
constexpr const char* kGitSearchPath = "/usr/bin:/bin:/usr/local/bin";
constexpr const char* kGitPaths[] = {"/usr/bin/git", "/usr/local/bin/git"};

std::vector<std::string> gitEnvironment() {
  return {
      std::string("PATH=") + kGitSearchPath,
      "HOME=/nonexistent",  // no ~/.gitconfig, no ~/.git-credentials
      "XDG_CONFIG_HOME=/nonexistent",
      "GIT_CONFIG_NOSYSTEM=1",  // no /etc/gitconfig
      "GIT_CONFIG_GLOBAL=/dev/null",
      "GIT_TERMINAL_PROMPT=0",   // never ask for a user name or password
      "GIT_ASKPASS=/bin/false",  // and no askpass program answers either
      "SSH_ASKPASS=/bin/false",
      "GIT_ALLOW_PROTOCOL=file:https",  // checked by every transport, submodules' included
      "GIT_PROTOCOL_FROM_USER=0",
      "GIT_LFS_SKIP_SMUDGE=1",
      "GIT_NO_REPLACE_OBJECTS=1",  // objects are what the repository holds
      "GIT_ATTR_NOSYSTEM=1",
      "GIT_OPTIONAL_LOCKS=0",
      "LC_ALL=C",
  };
}

// The hardened environment with `extra` entries added, an entry of the same KEY replaced.
std::vector<std::string> commandEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env = gitEnvironment();
  for (const auto& e : extra) {
    const std::string key = e.substr(0, e.find('=') + 1);
    bool replaced = false;
    for (auto& have : env) {
      if (have.rfind(key, 0) == 0) {
        have = e;
        replaced = true;
      }
    }
    if (!replaced) env.push_back(e);
  }
  return env;
}

// Every occurrence of each non-empty `secrets` entry in `text` becomes "***".
std::string scrubbed(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

std::string tail(const std::string& s) {
  std::string t = s.size() > 300 ? s.substr(s.size() - 300) : s;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  for (char& c : t) {
    if (c == '\n') c = ' ';
  }
  return t;
}

}  // namespace

const std::vector<std::string>& gitHardeningConfig() {
  static const std::vector<std::string> kConfig = {
      "core.hooksPath=/dev/null",  // no hook runs (reference-transaction, post-*)
      "core.fsmonitor=false",
      "core.askPass=/bin/false",
      "credential.helper=",           // clears the helper list: no credential helper runs
      "protocol.allow=never",         // every protocol refused...
      "protocol.file.allow=always",   // ...but file (a local path or file://)
      "protocol.https.allow=always",  // and https
      "protocol.ext.allow=never",
      "http.followRedirects=false",  // a redirect is an error, never followed to another host
      "http.proxy=",
      "http.sslVerify=true",
      "submodule.recurse=false",
      "fetch.recurseSubmodules=false",
      "transfer.fsckObjects=true",
      "gc.auto=0",
      "maintenance.auto=false",
      "safe.directory=*",  // Ward's own mirror, owned by Ward
  };
  return kConfig;
}

Result<pid_t> spawnGit(const GitCommand& command, int in_fd, int out_fd, int err_fd) {
  std::vector<std::string> argv = {"git"};
  for (const auto& c : gitHardeningConfig()) {
    argv.push_back("-c");
    argv.push_back(c);
  }
  for (const auto& c : command.config) {
    argv.push_back("-c");
    argv.push_back(c);
  }
  if (!command.git_dir.empty()) argv.push_back("--git-dir=" + command.git_dir);
  argv.insert(argv.end(), command.args.begin(), command.args.end());
  std::vector<std::string> env = commandEnvironment(command.env);
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::vector<char*> cenv;
  for (auto& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  const std::string cwd = command.git_dir.empty() ? "/" : command.git_dir;
  const std::string what = "git " + (command.args.empty() ? std::string() : command.args[0]);
  // posix_spawn, not fork: the child shares Ward's memory until it execs (no copy of a large
  // process's page tables per git command), and nothing of Ward's runs in it.
  const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) return Status::unavailable(what + ": cannot open /dev/null");
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attr);
  ::posix_spawn_file_actions_adddup2(&actions, in_fd >= 0 ? in_fd : devnull, 0);
  ::posix_spawn_file_actions_adddup2(&actions, out_fd >= 0 ? out_fd : devnull, 1);
  ::posix_spawn_file_actions_adddup2(&actions, err_fd >= 0 ? err_fd : devnull, 2);
  ::posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);  // Ward ignores it; git must die of it as usual
  ::posix_spawnattr_setsigdefault(&attr, &defaults);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ENOENT;
  for (const char* path : kGitPaths) {
    rc = ::posix_spawn(&pid, path, &actions, &attr, cargv.data(), cenv.data());
    if (rc != ENOENT) break;
  }
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attr);
  ::close(devnull);
  // ENOENT is also a working directory that is gone (addchdir_np fails as exec would).
  const bool installed = std::any_of(std::begin(kGitPaths), std::end(kGitPaths),
                                     [](const char* path) { return ::access(path, X_OK) == 0; });
  if (rc == ENOENT && !installed) return Status::unavailable(what + ": git is not installed");
  if (rc != 0) {
    return Status::unavailable(what + ": cannot start git in " + cwd + ": " + std::strerror(rc));
  }
  return pid;
}

Result<std::string> runGit(const GitCommand& command) {
  int out[2];
  int err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Status::unavailable("git: cannot make a pipe");
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return Status::unavailable("git: cannot make a pipe");
  }
  auto spawned = spawnGit(command, -1, out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);
  if (!spawned.ok()) {
    ::close(out[0]);
    ::close(err[0]);
    return spawned.status();
  }
  const pid_t pid = *spawned;
  std::string stdout_text;
  std::string stderr_text;
  bool over = false;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kGitWallSeconds);
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
    if (n < 0 && errno != EINTR) break;
    for (auto& p : fds) {
      if (p.fd < 0 || (p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t r = ::read(p.fd, buf, sizeof buf);
      if (r <= 0) {
        if (r < 0 && errno == EINTR) continue;
        ::close(p.fd);
        p.fd = -1;
        --open_fds;
        continue;
      }
      if (p.fd == out[0]) {
        if (stdout_text.size() + static_cast<size_t>(r) > command.max_stdout) {
          over = true;
        } else {
          stdout_text.append(buf, static_cast<size_t>(r));
        }
      } else if (stderr_text.size() < kGitStderrBytes) {
        stderr_text.append(buf, std::min(static_cast<size_t>(r), kGitStderrBytes));
      }
    }
    if (over) break;
  }
  if (over || timed_out) ::kill(pid, SIGKILL);
  for (auto& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  const std::string what = "git " + (command.args.empty() ? std::string() : command.args[0]);
  if (over) {
    return Status::resourceExhausted(what + ": output larger than " +
                                     std::to_string(command.max_stdout) + " bytes");
  }
  if (timed_out) {
    return Status::unavailable(what + ": killed after " + std::to_string(kGitWallSeconds) + " s");
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    const int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    if (code == 127) return Status::unavailable(what + ": git is not installed");
    return Status::unavailable(what + " failed (exit " + std::to_string(code) +
                               "): " + tail(scrubbed(stderr_text, command.scrub)));
  }
  return stdout_text;
}

}  // namespace ward::ingest
