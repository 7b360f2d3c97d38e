// Running `git` for the git connector, hardened (docs/design/ingest.md, "Git"): a clean
// environment (no system or global config, no terminal prompt, no askpass, no proxy, protocols
// limited to file and https) and `-c` settings that keep hooks, credential helpers, fsmonitor,
// submodule recursion, redirects and automatic gc off. stdout is kept up to a cap; a command past
// the cap or the wall-clock limit is killed. Private to the ingest module.
#pragma once

#include <sys/types.h>

#include <cstdint>
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

// One `git cat-file --batch` child for a pass: blobs are read one request at a time (no process
// per file, no filter or textconv). Not thread-safe; the child is ended by the destructor.
class GitBlobReader {
 public:
  explicit GitBlobReader(std::string git_dir) : git_dir_(std::move(git_dir)) {}
  ~GitBlobReader();
  GitBlobReader(const GitBlobReader&) = delete;
  GitBlobReader& operator=(const GitBlobReader&) = delete;

  // The blob's bytes; ResourceExhausted (the bytes skipped) when larger than `max_bytes`.
  Result<std::string> read(const std::string& oid, uint64_t max_bytes);
  // Several blobs in one round (all requests sent, then the answers read): one result per id, in
  // order. An error means the child could not be talked to (it is restarted on the next read).
  Result<std::vector<Result<std::string>>> readMany(const std::vector<std::string>& oids,
                                                    uint64_t max_bytes);

 private:
  Status start();
  void stop();
  Status readExactly(char* out, size_t n);
  Status skip(uint64_t n);
  Result<std::string> readLine();

  std::string git_dir_;
  int pid_ = -1;
  int in_ = -1;   // our end of the child's stdin (a socket: writes never raise SIGPIPE)
  int out_ = -1;  // the child's stdout
  std::string buffered_;
};

}  // namespace ward::ingest
