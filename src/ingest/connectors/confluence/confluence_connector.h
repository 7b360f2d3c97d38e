// The Confluence Cloud connector (`connector = "confluence"`; docs/design/ingest.md,
// "Confluence"): the pages of a site's spaces through REST v2 (`{base_url}/wiki/api/v2`), their
// storage-format bodies converted to HTML (confluence_storage.h), and who may read them from the
// spaces' read permissions and the pages' read restrictions (v1), inherited down the ancestor chain
// (confluence_access.h); the groups those name become the source's groups (GroupUpdateEvent).
// A change feed (the `change_feed` capability): between full listings (at least every
// `options.full_every_s`), a pass reads only the pages modified since the last run's cursor
// (confluence_cursor.h) against the page tree it kept (confluence_state.h), sweeping the read
// restrictions every `options.restriction_sweep_s`; space permissions and group members are read
// every run. Basic auth with `email:api_token` from `token_secret` (or a bearer token with
// `options.auth = "bearer"`); `base_url` is required. Private to the ingest module.
#pragma once

#include <cstdint>
#include <memory>

#include "ward/ingest/connector.h"

namespace ward::ingest {

// Pages listed per request (v2 allows 250).
inline constexpr int kConfluenceMaxPageSize = 250;
// Results per restriction sweep request (v1 content search with the read restrictions expanded).
inline constexpr int kConfluenceSweepPageSize = 100;
// Group members read per request, and the most a group may have (more: its members are unknown and
// it admits nobody through a restriction; a failure names it).
inline constexpr int kConfluenceMembersPageSize = 200;
inline constexpr size_t kConfluenceMaxGroupMembers = 10'000;
// Attachments larger than this are not read (a `refused` failure names them); the anchors cap
// attachments at 10 MB too. `max_file_bytes` applies when smaller.
inline constexpr int64_t kConfluenceMaxAttachmentBytes = 10 << 20;
// Ancestors followed from a page (a deeper or cyclic chain: the page fails, fail closed).
inline constexpr size_t kConfluenceMaxAncestors = 128;

Result<std::unique_ptr<Connector>> makeConfluenceConnector(const SourceConfig& source,
                                                           const ConnectorEnv& env);

}  // namespace ward::ingest
