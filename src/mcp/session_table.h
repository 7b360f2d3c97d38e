// The live sessions of the 2025-era revisions (Mcp-Session-Id). A session is bound to the
// principal that initialized it: another principal presenting its id gets "not found", exactly
// as an unknown id. Bounded (McpLimits::max_sessions) and expiring (session_idle_s, checked
// lazily on the injected clock). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ward/common/clock.h"
#include "ward/common/json.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/gateway/stage.h"

namespace ward::mcp {

// What the server remembers about one session. Owned by the table; callers get a copy.
struct Session {
  std::string id;  // 32 hex, from the CSPRNG
  std::string tenant;
  int64_t principal_id = 0;
  std::string protocol_version;
  Json client_info = Json::object();          // self-reported; recorded, never trusted
  Json client_capabilities = Json::object();  // what the client declared
  std::string log_level;                      // "" = no log notifications
  bool initialized = false;                   // notifications/initialized seen
  int64_t tools_generation = -1;              // policy generation last listed to the client
  // The untrusted content the session has read (session_taint.h): its later tool calls carry it.
  gateway::TurnTaint taint;
  int64_t last_used_us = 0;
};

class SessionTable {
 public:
  SessionTable(const Clock& clock, size_t max_sessions, int64_t idle_s)
      : clock_(clock), max_sessions_(max_sessions), idle_us_(idle_s * 1000000) {}

  // Creates a session (ResourceExhausted when max_sessions are live).
  Result<Session> create(Session s);
  // The session if it exists, is not idle-expired and belongs to principal_id; else NotFound.
  Result<Session> get(const std::string& id, int64_t principal_id);
  // Changes fields of a session that still exists, in place: a request holding an older copy
  // (a streamed call waits minutes) cannot undo what another request changed meanwhile.
  void update(const std::string& id, const std::function<void(Session&)>& change);
  // Whether the session exists and is not idle-expired (does not count as a use).
  bool exists(const std::string& id);
  // Counts as a use (a client holding the session's GET stream open is using it).
  void touch(const std::string& id);
  // Ends a session; NotFound as get().
  Status remove(const std::string& id, int64_t principal_id);
  size_t size();

 private:
  void expireLocked(int64_t now) WARD_REQUIRES(mu_);

  const Clock& clock_;
  const size_t max_sessions_;
  const int64_t idle_us_;
  Mutex mu_;
  std::map<std::string, Session> sessions_ WARD_GUARDED_BY(mu_);
};

}  // namespace ward::mcp
