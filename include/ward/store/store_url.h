// Where the system of record lives: ward.toml `[store] url = "postgresql://..."` or the
// WARD_STORE_URL environment variable (which wins) put the Store and the ToolStore on PostgreSQL;
// without either they are the SQLite file ward.db in the data dir (docs/design/store.md, "PostgreSQL").
#pragma once

#include <memory>
#include <string>

#include "ward/common/status.h"
#include "ward/store/cluster.h"
#include "ward/store/store.h"
#include "ward/store/tool_store.h"

namespace ward::store {

// The environment variable that names the store's URL, over ward.toml's [store] url.
inline constexpr const char* kStoreUrlEnv = "WARD_STORE_URL";

// The configured store URL ("" when none: SQLite). Reads [store] from the ward.toml at
// `toml_path` (absent file: none). InvalidArgument naming the key for an unknown key in [store],
// a url that is not a string, or a URL that is not postgresql:// or postgres://, and for a
// lease_ttl_ms or feed_retention_s out of its limits (loadClusterOptions).
Result<std::string> loadStoreUrl(const std::string& toml_path);

// Work across nodes on a shared store (ward/store/cluster.h), from [store]: lease_ttl_ms
// (kLeaseTtlMinMs..kLeaseTtlMaxMs, default kLeaseTtl) and feed_retention_s
// (kFeedRetentionMinS..kFeedRetentionMaxS, default kFeedRetention).
struct ClusterOptions {
  std::chrono::milliseconds lease_ttl = kLeaseTtl;
  std::chrono::seconds feed_retention = kFeedRetention;
};
Result<ClusterOptions> loadClusterOptions(const std::string& toml_path);

// The Store at `url` (PostgreSQL) when it is set, else the SQLite store at `sqlite_path`.
Result<std::unique_ptr<Store>> openStoreAt(const std::string& url, const std::string& sqlite_path);
// The ToolStore at `url` (PostgreSQL) when it is set, else the SQLite tool tables at `sqlite_path`.
Result<std::unique_ptr<ToolStore>> openToolStoreAt(const std::string& url,
                                                   const std::string& sqlite_path);

}  // namespace ward::store
