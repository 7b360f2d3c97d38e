// The Google Drive connector (`connector = "gdrive"`; docs/design/ingest.md, "Google Drive"):
// Drive v3 files.list over what the impersonated user (options.subject) sees, Google Docs, Sheets
// and Slides exported to text, other files downloaded within the size limit and parsed by their
// extension. ACLs come from each file's Drive permissions, never from its bytes: users and groups
// through the source's identities, a domain permission only with options.domain_public, anyone
// only with options.anyone_public; anything else grants nothing (fail closed). Private to the
// ingest module.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "ward/common/json.h"
#include "ward/ingest/connector.h"
#include "ward/ingest/identity_map.h"
#include "gdrive_cursor.h"

namespace ward::ingest {

inline constexpr const char* kDriveDefaultBaseUrl = "https://www.googleapis.com";
// files.list pageSize (Drive's maximum is 1000).
inline constexpr int kDriveDefaultPageSize = 100;
inline constexpr int kDriveMaxPageSize = 1000;
// A 403 rateLimitExceeded / userRateLimitExceeded carries no Retry-After: the pass ends and
// `ward serve` runs the source again no sooner than this.
inline constexpr int64_t kDriveRateLimitRetryS = 30;

struct DriveOptions {
  std::string subject;    // the impersonated user (domain-wide delegation)
  std::string token_url;  // "" = the key's token_uri, else kDriveDefaultTokenUrl
  bool domain_public = false;
  bool anyone_public = false;
  int page_size = kDriveDefaultPageSize;
  // A full listing at least this often; the passes between read the changes feed
  // (gdrive_cursor.h; 0 = a full listing every pass).
  int64_t full_every_s = kDriveDefaultFullEverySeconds;
  // Group permissions become source groups named group_prefix + the group's email (set by the
  // factory: "<source>.group."), their members read from the Directory API.
  bool sync_groups = false;
  std::string group_prefix;
};

// Members of one source group read from the Directory API (each pass).
inline constexpr size_t kDriveMaxGroupMembers = 10'000;

// `[sources.options]` of a gdrive source; InvalidArgument names an unknown key or a wrong type.
Result<DriveOptions> parseDriveOptions(const Json& options);

// The Ward ACL of a file's Drive `permissions` array. Users and groups map through `mapper`
// (an unmapped one grants nothing and is remembered); with sync_groups a group is the source
// group group_prefix + its lowercased email (added to `*groups`: name -> email; a name that is
// not a valid principal name grants nothing); `domain` is public only with domain_public,
// `anyone` only with anyone_public; an unknown type grants nothing.
store::Acl driveAcl(const Json& permissions, const DriveOptions& options, IdentityMapper& mapper,
                    std::map<std::string, std::string>* groups = nullptr);

Result<std::unique_ptr<Connector>> makeGdriveConnector(const SourceConfig& source,
                                                       const ConnectorEnv& env);

}  // namespace ward::ingest
