// The Confluence connector's payloads and settings (docs/design/ingest.md, "Confluence"): its
// [sources.options], the fields it reads from v2 pages and attachments, and the id checks that
// keep service-given ids safe in a URL. Pure. Private to the ingest module.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "confluence_cursor.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/ingest/source_config.h"

namespace ward::ingest {

struct ConfluenceOptions {
  bool bearer = false;           // auth = "bearer" (default "basic": email:api_token)
  std::set<std::string> spaces;  // keys; empty = every space the credential sees
  int page_size = 250;           // page_size (kConfluenceMaxPageSize)
  bool attachments = true;
  int64_t full_every_s = kConfluenceDefaultFullEverySeconds;     // 0 = every run
  int64_t restriction_sweep_s = kConfluenceDefaultSweepSeconds;  // 0 = every run
};

// The source's [sources.options]; InvalidArgument names an unknown key or a wrong type.
Result<ConfluenceOptions> parseConfluenceOptions(const SourceConfig& source);

struct ConfluenceSpace {
  std::string id, key, name;
};

struct ConfluencePage {
  std::string id, title, status, parent, parent_type, webui;
  int64_t version = 0;     // version.number (0 = none)
  int64_t updated_at = 0;  // version.createdAt, micros
};

struct ConfluenceAttachment {
  std::string id, page, title, status, download, webui;
  int64_t version = 0;
  int64_t size = 0;  // fileSize as the listing declares it
  int64_t updated_at = 0;
};

// A v2 page or attachment listing entry's fields (absent or malformed ones stay empty or 0).
ConfluencePage parseConfluencePage(const Json& j);
ConfluenceAttachment parseConfluenceAttachment(const Json& j);

// An id field as a string (v2 sends strings; v1 numbers too); "" when absent, or when it holds
// anything but letters, digits, '-', '_' and ':' (or more than 128 of them).
std::string confluenceId(const Json& j, const char* key);
// A string field; "" when absent or not a string.
std::string confluenceString(const Json& j, const char* key);

}  // namespace ward::ingest
