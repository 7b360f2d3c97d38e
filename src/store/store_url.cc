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

}  // namespace

Result<std::string> loadStoreUrl(const std::string& toml_path) {
  if (const char* env = std::getenv(kStoreUrlEnv); env != nullptr && *env != '\0') {
    WARD_RETURN_IF_ERROR(checkUrl(env, kStoreUrlEnv));
    return std::string(env);
  }
  WARD_ASSIGN_OR_RETURN(toml::table table, readTomlFile(toml_path));
  WARD_ASSIGN_OR_RETURN(const toml::table* st, tomlSection(table, "store"));
  if (st == nullptr) return std::string();
  std::string url;
  for (const auto& [key, value] : *st) {
    if (key.str() != "url") {
      return Status::invalidArgument("ward.toml: unknown key 'store." + std::string(key.str()) +
                                     "'");
    }
    if (!value.is_string())
      return Status::invalidArgument("ward.toml: 'store.url' must be a string");
    url = *value.value<std::string>();
  }
  if (!url.empty()) WARD_RETURN_IF_ERROR(checkUrl(url, "ward.toml: 'store.url'"));
  return url;
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
