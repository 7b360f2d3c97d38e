// ward.toml [store] and WARD_STORE_URL (ward/store/store_url.h).
#include "ward/store/store_url.h"

#include <toml++/toml.h>
#include <cstdlib>

#include "ward/store/pg_store.h"
#include "ward/common/toml_file.h"

namespace ward::store {

namespace {

Status checkUrl(const std::string& url, const std::string& where) {
  if (isPostgresUrl(url)) return Status();
  return Status::invalidArgument(where + " must be a postgresql:// URL (got a value starting '" +
                                 url.substr(0, url.find(':')) + "')");
}

Result<int64_t> integerIn(const toml::node& value, const std::string& key, int64_t lo, int64_t hi) {
  auto v = value.value<int64_t>();
  if (!value.is_integer() || !v || *v < lo || *v > hi) {
    return Status::invalidArgument("ward.toml: 'store." + key + "' must be a whole number from " +
                                   std::to_string(lo) + " to " + std::to_string(hi));
  }
  return *v;
}

struct StoreSection {
  std::string url;
  ClusterOptions cluster;
};

// The [store] section, strictly: every key known, every value of its type and in its limits.
Result<StoreSection> readStoreSection(const std::string& toml_path) {
  StoreSection out;
  WARD_ASSIGN_OR_RETURN(toml::table table, readTomlFile(toml_path));
  WARD_ASSIGN_OR_RETURN(const toml::table* st, tomlSection(table, "store"));
  if (st == nullptr) return out;
  for (const auto& [k, value] : *st) {
    const std::string key(k.str());
    if (key == "url") {
      if (!value.is_string())
        return Status::invalidArgument("ward.toml: 'store.url' must be a string");
      out.url = *value.value<std::string>();
    } else if (key == "lease_ttl_ms") {
      WARD_ASSIGN_OR_RETURN(int64_t ms, integerIn(value, key, kLeaseTtlMinMs, kLeaseTtlMaxMs));
      out.cluster.lease_ttl = std::chrono::milliseconds(ms);
    } else if (key == "feed_retention_s") {
      WARD_ASSIGN_OR_RETURN(int64_t s,
                            integerIn(value, key, kFeedRetentionMinS, kFeedRetentionMaxS));
      out.cluster.feed_retention = std::chrono::seconds(s);
    } else {
      return Status::invalidArgument("ward.toml: unknown key 'store." + key + "'");
    }
  }
  if (!out.url.empty()) WARD_RETURN_IF_ERROR(checkUrl(out.url, "ward.toml: 'store.url'"));
  return out;
}

}  // namespace

Result<std::string> loadStoreUrl(const std::string& toml_path) {
  if (const char* env = std::getenv(kStoreUrlEnv); env != nullptr && *env != '\0') {
    WARD_RETURN_IF_ERROR(checkUrl(env, kStoreUrlEnv));
    return std::string(env);
  }
  WARD_ASSIGN_OR_RETURN(StoreSection section, readStoreSection(toml_path));
  return section.url;
}

Result<ClusterOptions> loadClusterOptions(const std::string& toml_path) {
  WARD_ASSIGN_OR_RETURN(StoreSection section, readStoreSection(toml_path));
  return section.cluster;
}

Result<std::unique_ptr<Store>> openStoreAt(const std::string& url, const std::string& sqlite_path) {
  if (url.empty()) return openSqliteStore(sqlite_path);
  return openPgStore(url);
}

Result<std::unique_ptr<ToolStore>> openToolStoreAt(const std::string& url,
                                                   const std::string& sqlite_path) {
  if (url.empty()) return openSqliteToolStore(sqlite_path);
  return openPgToolStore(url);
}

}  // namespace ward::store
