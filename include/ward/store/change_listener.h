// Wake-ups for the change feed's followers (docs/design/store.md, "Wake-ups"): a hint that a
// writer, in any process on the same database, may have appended to the feed, so a follower
// reads it now instead of at its next poll. Hints carry nothing and can be lost (a dropped
// connection, a listener opened after the commit), so followers still poll: the poll bounds the
// delay, the hint only shortens it.
#pragma once

#include <chrono>
#include <memory>

#include "ward/common/status.h"

namespace ward::store {

class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  // Waits until a hint arrives (true), `timeout` passes or interrupt() is called (false); hints
  // that arrived before the call count. Unavailable when the listener's connection is lost (open
  // a new one). One thread waits at a time.
  virtual Result<bool> wait(std::chrono::milliseconds timeout) = 0;
  // Ends the wait in progress, or the next one, early. Thread-safe.
  virtual void interrupt() = 0;
};

// Implemented by a Store that has wake-ups (PostgreSQL; SQLite has none: its followers poll).
// Followers find it with dynamic_cast on their Store.
class ChangeListenerSource {
 public:
  virtual ~ChangeListenerSource() = default;
  // A listener on a connection of its own, woken when another writer may have appended to the
  // feed. Unavailable when the database cannot be reached.
  virtual Result<std::unique_ptr<ChangeListener>> listenForChanges() = 0;
};

}  // namespace ward::store
