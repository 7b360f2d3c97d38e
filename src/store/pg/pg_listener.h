// The change feed's wake-ups on PostgreSQL: writers run `NOTIFY ward_change` in the transaction of
// each change (delivered at commit, coalesced per transaction, no payload); a follower LISTENs on
// a dedicated connection of its own (ward/store/change_listener.h). Private to the store module.
#pragma once

#include <memory>
#include <string>

#include "pg_conn.h"
#include "ward/store/change_listener.h"

namespace ward::store::pg {

// The channel writers notify and followers listen on.
inline constexpr const char* kChangeChannel = "ward_change";

// Queues the wake-up of every follower, sent when the caller's transaction commits (and never if
// it rolls back).
Status notifyFollowers(PgConn& db);

// A connection of its own to `url`, listening on kChangeChannel.
Result<std::unique_ptr<ChangeListener>> openPgChangeListener(const std::string& url);

}  // namespace ward::store::pg
