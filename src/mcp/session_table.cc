#include "session_table.h"

#include "ward/common/hash.h"
#include "ward/common/mutex.h"

namespace ward::mcp {

void SessionTable::expireLocked(int64_t now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second.last_used_us > idle_us_) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<Session> SessionTable::create(Session s) {
  const int64_t now = clock_.nowMicros();
  MutexLock lock(mu_);
  if (sessions_.size() >= max_sessions_) expireLocked(now);
  if (sessions_.size() >= max_sessions_) {
    return Status::resourceExhausted("too many MCP sessions (limit " +
                                     std::to_string(max_sessions_) +
                                     "); end one with DELETE /mcp or retry later");
  }
  s.id = randomHex(16);
  s.last_used_us = now;
  sessions_[s.id] = s;
  return s;
}

Result<Session> SessionTable::get(const std::string& id, int64_t principal_id) {
  const int64_t now = clock_.nowMicros();
  MutexLock lock(mu_);
  auto it = sessions_.find(id);
  if (it != sessions_.end() && now - it->second.last_used_us > idle_us_) {
    sessions_.erase(it);
    it = sessions_.end();
  }
  if (it == sessions_.end() || it->second.principal_id != principal_id) {
    return Status::notFound("MCP session not found or expired; initialize a new one");
  }
  it->second.last_used_us = now;
  return it->second;
}

void SessionTable::update(const std::string& id, const std::function<void(Session&)>& change) {
  MutexLock lock(mu_);
  auto it = sessions_.find(id);
  if (it != sessions_.end()) change(it->second);
}

bool SessionTable::exists(const std::string& id) {
  const int64_t now = clock_.nowMicros();
  MutexLock lock(mu_);
  auto it = sessions_.find(id);
  return it != sessions_.end() && now - it->second.last_used_us <= idle_us_;
}

void SessionTable::touch(const std::string& id) {
  const int64_t now = clock_.nowMicros();
  MutexLock lock(mu_);
  auto it = sessions_.find(id);
  if (it != sessions_.end() && now - it->second.last_used_us <= idle_us_) {
    it->second.last_used_us = now;
  }
}

Status SessionTable::remove(const std::string& id, int64_t principal_id) {
  MutexLock lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.principal_id != principal_id) {
    return Status::notFound("MCP session not found or expired");
  }
  sessions_.erase(it);
  return Status();
}

size_t SessionTable::size() {
  MutexLock lock(mu_);
  return sessions_.size();
}

}  // namespace ward::mcp
