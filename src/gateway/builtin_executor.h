// The "builtin" backend: Ward's own search and fetch, run as the calling principal so the
// document ACLs apply exactly as for a direct search (a document the principal may not read is
// "not found", never revealed); and builtins implemented above the gateway (`ask`), run by the
// handler registered for their name (ward/gateway/builtin_handler.h).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "executor.h"
#include "ward/gateway/builtin_handler.h"

namespace ward::store {
class Store;
}
namespace ward::search {
class SearchService;
}

namespace ward::gateway {

// Handlers registered by name (ToolGateway::registerBuiltin). Thread-safe.
class BuiltinHandlers {
 public:
  void set(const std::string& name, BuiltinHandler handler);
  // A copy of the handler for `name`; empty when none is registered.
  BuiltinHandler find(const std::string& name) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, BuiltinHandler> handlers_;
};

class BuiltinExecutor final : public Executor {
 public:
  // Either pointer may be null; the tool then fails with Unavailable. `handlers` (borrowed, may be
  // null) runs builtins other than search and fetch.
  BuiltinExecutor(store::Store* store, search::SearchService* search,
                  const BuiltinHandlers* handlers = nullptr)
      : store_(store), search_(search), handlers_(handlers) {}
  std::string_view type() const override { return "builtin"; }
  Result<Json> execute(CallContext& call) override;

 private:
  store::Store* store_;
  search::SearchService* search_;
  const BuiltinHandlers* handlers_;
};

}  // namespace ward::gateway
