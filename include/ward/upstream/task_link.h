// Upstream tasks proxied through Ward's own MCP tasks (docs/design/upstream.md "Upstream
// tasks"): a tools/call that runs as a Ward task (src/mcp/task_methods.cc) passes the gateway's
// whole chain on its own thread; when its tool is an upstream's tool that supports tasks, the
// gateway's `mcp` executor creates the task upstream and follows it. An UpstreamTaskLink is how
// that executor, deep in the chain, reaches the Ward task it works for: it learns that the
// client cancelled, and reports every change of the upstream task, which the MCP server records
// as a trace event of the Ward task.
//
// The MCP server registers a link under its Ward task's id for as long as the call runs and
// names that id in the call's `via` ("task_id", set by Ward's own front door, never from a
// request body); the executor finds it there. A link is bound to the task's tenant and
// principal: find() with any other owner returns null.
//
// Thread-safe (the registry; a link's methods are called from the call's thread).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ward/common/mutex.h"

namespace ward::upstream {

// The longest Ward follows one upstream task: then it is cancelled upstream and the call fails.
// Also the ttl Ward asks the upstream to keep it. Equal to a Ward task's lifetime (mcp.md).
inline constexpr int64_t kMaxUpstreamTaskMs = 3600 * 1000;
// Ward polls an upstream task at the upstream's pollInterval, clamped to this range (1 s when the
// upstream names none), so a server cannot make Ward poll it in a busy loop or wait for minutes.
inline constexpr int64_t kMinUpstreamPollMs = 100;
inline constexpr int64_t kMaxUpstreamPollMs = 5000;
inline constexpr int64_t kDefaultUpstreamPollMs = 1000;

// One change of an upstream task as Ward saw it.
struct UpstreamTaskChange {
  std::string upstream;          // the upstream's name
  std::string upstream_task_id;  // the upstream's id (recorded; never shown to Ward's client)
  // The upstream's status ("working", "input_required", "completed", "failed", "cancelled"),
  // or Ward's view of the end: "dropped" (the upstream no longer knows it), "error" (polling
  // failed), "timed_out" (kMaxUpstreamTaskMs passed), "cancel_sent" (Ward cancelled it upstream).
  std::string status;
  std::string detail;  // Ward's words (upstream text is data: never copied here unredacted)
};

class UpstreamTaskLink {
 public:
  virtual ~UpstreamTaskLink() = default;
  // Waits up to `ms` for the Ward task to be cancelled (by its client, or because Ward is
  // shutting down); true when it was (at once if it already was).
  virtual bool waitCancelled(int64_t ms) = 0;
  // The upstream task was created or changed: one trace event of the Ward task.
  virtual void upstreamChanged(const UpstreamTaskChange& change) = 0;
  // The upstream task ended without a result (failed, cancelled upstream, dropped, input asked
  // for, polling failed, timed out): the Ward task fails with `message` instead of completing
  // with the tool error a synchronous call would get.
  virtual void upstreamFailed(const std::string& message) = 0;
};

class UpstreamTaskLinks {
 public:
  // Registers `link` for the Ward task `task_id` of (tenant, principal_id); replaces an earlier.
  void add(const std::string& task_id, const std::string& tenant, int64_t principal_id,
           std::shared_ptr<UpstreamTaskLink> link);
  void remove(const std::string& task_id);
  // The link of `task_id` when it belongs to (tenant, principal_id); else null.
  std::shared_ptr<UpstreamTaskLink> find(const std::string& task_id, const std::string& tenant,
                                         int64_t principal_id) const;

 private:
  struct Entry {
    std::string tenant;
    int64_t principal_id = 0;
    std::shared_ptr<UpstreamTaskLink> link;
  };
  mutable Mutex mu_;
  std::map<std::string, Entry> links_ WARD_GUARDED_BY(mu_);  // by Ward task id
};

}  // namespace ward::upstream
