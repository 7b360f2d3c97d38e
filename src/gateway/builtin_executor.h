// The "builtin" backend: Ward's own search and fetch, run as the calling principal so the
// document ACLs apply exactly as for a direct search (a document the principal may not read is
// "not found", never revealed).
#pragma once

#include "executor.h"

namespace ward::store {
class Store;
}
namespace ward::search {
class SearchService;
}

namespace ward::gateway {

class BuiltinExecutor final : public Executor {
 public:
  // Either pointer may be null; the tool then fails with Unavailable.
  BuiltinExecutor(store::Store* store, search::SearchService* search)
      : store_(store), search_(search) {}
  std::string_view type() const override { return "builtin"; }
  Result<Json> execute(CallContext& call) override;

 private:
  store::Store* store_;
  search::SearchService* search_;
};

}  // namespace ward::gateway
