// Running `git` for the git connector, hardened (docs/design/ingest.md, "Git"): a clean
// environment (no system or global config, no terminal prompt, no askpass, no proxy, protocols
// limited to file and https) and `-c` settings that keep hooks, credential helpers, fsmonitor,
// submodule recursion, redirects and automatic gc off. stdout is kept up to a cap; a command past
// the cap or the wall-clock limit is killed. Private to the ingest module.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "ward/common/status.h"

namespace ward::ingest {

// A git command is killed after this long (a fetch from a stalled remote).
inline constexpr int kGitWallSeconds = 600;
// Bytes of stderr kept for the error message.
inline constexpr size_t kGitStderrBytes = 4096;

struct GitCommand {
  std::string git_dir;              // --git-dir (the bare mirror); also the working directory
  std::vector<std::string> args;    // after the hardening options: {"ls-tree", "-r", ...}
  std::vector<std::string> config;  // extra "-c key=value" settings (a pinned address)
  size_t max_stdout = 0;            // stdout past this is an error (ResourceExhausted)
  // Extra "KEY=VALUE" environment entries; one replaces the hardened entry of the same KEY. A
  // credential travels only here (GIT_CONFIG_COUNT/KEY_n/VALUE_n), never in argv.
  std::vector<std::string> env;
  // Texts replaced by "***" in an error's stderr tail (a credential and its encodings).
  std::vector<std::string> scrub;
};

// The fixed "-c" settings every command gets (tests read them).
const std::vector<std::string>& gitHardeningConfig();

// Runs git; its stdout on exit status 0, else an error carrying the status and stderr's tail.
Result<std::string> runGit(const GitCommand& command);

// Starts git (posix_spawn) with the hardening settings and `command`'s arguments and environment;
// the child's stdin, stdout and stderr are `in_fd`, `out_fd` and `err_fd` (-1: /dev/null). The
// caller closes its copies and reaps the child.
Result<pid_t> spawnGit(const GitCommand& command, int in_fd, int out_fd, int err_fd);

}  // namespace ward::ingest
