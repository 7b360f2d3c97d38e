// The [[sources]] of ward.toml (docs/design/ingest.md, "Sources"): what the sync runner syncs.
// Parsed here, strictly, and not by WardConfig (an unknown key or a wrong type is an error naming
// it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/ingest/identity_map.h"
#include "ward/store/records.h"

namespace ward::ingest {

// A run that would delete more than this share of a source's live documents is held for an
// admin's approval (`max_delete_share`).
inline constexpr double kDefaultMaxDeleteShare = 0.20;
// A run that would widen the ACLs of more than this share of a source's documents is held
// (`max_expose_share`); a document turning public is held whatever the share.
inline constexpr double kDefaultMaxExposeShare = 0.20;
// A complete listing with fewer items than this share of the last complete one deletes nothing
// without an approval (it looks like a truncated listing).
inline constexpr double kMinListingShare = 0.50;
// Items committed per checkpoint (`page_items`).
inline constexpr size_t kDefaultPageItems = 256;
inline constexpr size_t kMaxPageItems = 10'000;
inline constexpr size_t kMaxSources = 64;
inline constexpr size_t kMaxAclRules = 256;
// A top-level item whose path (or record id) starts with this is a canary (`ward sync canary`):
// visible to admins only, whatever the rules say.
inline constexpr const char* kCanaryPrefix = "ward-canary-";

// The first rule whose glob matches an item's path (relative to the source's root) gives its ACL;
// no match: admins only. `*` and `?` match any characters, '/' included (fnmatch without
// FNM_PATHNAME).
struct AclRule {
  std::string glob;
  store::Acl acl;
};

// Freshness SLOs of a source, in seconds (0 = none): a lag above one raises an alert
// (sync_alerts.h).
struct SourceSlo {
  int64_t content_lag_s = 0;
  int64_t deletion_lag_s = 0;
  int64_t acl_lag_s = 0;
};

struct SourceConfig {
  std::string name;       // the documents' source; ids are "<name>:<path>"
  std::string connector;  // a registered connector ("archive", "folder", "git", "jsonl")
  // folder: the directory; jsonl: the snapshot file; git: the repository (a local path, file://
  // or https:// URL); archive: the zip or tar.gz file
  std::string root;
  std::string ref;  // git: the branch, tag or ref synced ("" = the remote's HEAD)
  // git: the hosts an https root may name (none: https roots are refused)
  std::vector<std::string> allowed_hosts;
  // `ward serve` runs it at start and every so many seconds (0 = at start and, for folders, on
  // change only).
  int64_t schedule_s = 0;
  std::vector<AclRule> acl_rules;
  double max_delete_share = kDefaultMaxDeleteShare;
  double max_expose_share = kDefaultMaxExposeShare;
  size_t page_items = kDefaultPageItems;
  size_t max_depth = 0;         // folder: 0 = kMaxWalkDepth (folder_root.h)
  size_t max_entries = 0;       // folder: 0 = kMaxWalkEntries
  uint64_t max_file_bytes = 0;  // 0 = ingest.max_file_bytes
  SourceSlo slo;                // `slo_content_lag_s`, `slo_deletion_lag_s`, `slo_acl_lag_s`
  double retry_min_s = 0;       // first retry after a failed run; 0 = kSyncRetryMinSeconds
  // folder, jsonl, git (a local bare repository): `ward serve` runs a canary this often (0 = never)
  int64_t canary_interval_s = 0;
  // Connectors that call a service's API (docs/design/ingest.md, "Service connectors"):
  // the API's base URL ("" = the service's public one); its host must be in allowed_hosts.
  std::string base_url;
  // A tenant secret (`ward secrets set NAME`) holding the source's credential: a token, a
  // service-account key. Never the credential itself: ward.toml holds no secret.
  std::string token_secret;
  // The source may reach loopback and private addresses (a self-hosted server, the tests' fakes).
  bool allow_private = false;
  // `[[sources.identities]]`: the source's identities to principals (identity_map.h).
  std::vector<IdentityRule> identities;
  // `[sources.options]`: the connector's own settings, checked by the connector when it opens.
  Json options = Json::object();

  // The ACL the rules give the item at `path` (admins only for a canary).
  store::Acl aclFor(const std::string& path) const;
};

// One source from the JSON of its [[sources]] keys (a POST /v1/sources body, or a ward.toml entry
// turned into JSON: both go through this one validator). `where` prefixes every error, e.g.
// "ward.toml: sources[2]" gives "ward.toml: sources[2].page_items: must be an integer".
Result<SourceConfig> parseSourceJson(const Json& entry, const std::string& where);
// The inverse, with the keys parseSourceJson reads (defaults shown where they matter); never a
// credential (token_secret is a secret's name).
Json sourceConfigJson(const SourceConfig& source);

// The [[sources]] of the ward.toml at `path` (none when the file or the table is absent).
Result<std::vector<SourceConfig>> loadSourceConfigs(const std::string& path);
// `[runtime_sources] allowed_roots` of the ward.toml at `path`: the absolute paths beneath which a
// runtime source (POST /v1/sources) may name a local root (none: no local roots over the API).
Result<std::vector<std::string>> loadRuntimeSourceRoots(const std::string& path);
// Parses a ward.toml text (tests).
Result<std::vector<SourceConfig>> parseSourceConfigs(const std::string& toml_text);

}  // namespace ward::ingest
