// Importing an upstream MCP server's tools into the registry (docs/design/upstream.md): each
// tool becomes the definition "<upstream>.<tool>"@1.0.0 with backend {"type":"mcp"}, pinned on
// first import together with the upstream's set of tool names. Private to the gateway.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "ward/common/json.h"
#include "ward/common/mutex.h"
#include "ward/common/status.h"
#include "ward/upstream/upstream_config.h"

namespace ward::gateway {

// Imported definitions have one version; a change is a quarantined replacement of it.
inline constexpr const char* kUpstreamToolVersion = "1.0.0";

// The definition Ward registers for one entry of tools/list. Risk: read only when an admin
// lists the tool in read_only_tools or a trusted upstream annotates it readOnlyHint; destructive
// when annotated destructiveHint (any upstream: more caution is always believed); else write.
// InvalidArgument when the tool cannot be imported (bad name, too long, no object schema).
Result<Json> definitionFromMcpTool(const upstream::UpstreamConfig& upstream, const Json& tool);
// Stands in for a tool that appeared after the name set was pinned, so that the real definition
// is quarantined behind it until an admin approves it.
Json placeholderDefinition(const Json& definition);
// What a tool the upstream no longer offers becomes once an admin approves the removal: sunset.
Json tombstoneDefinition(const Json& definition);
// sha256 of the canonical JSON of a whole definition (risk and backend included).
std::string definitionDigest(const Json& definition);

// What the last sync of each (tenant, upstream) saw: the connection it used and the digest of
// every tool's definition. The executor compares a call's definition with it.
class UpstreamLiveSet {
 public:
  struct Entry {
    int64_t generation = -1;                     // McpClient connection generation synced
    std::map<std::string, std::string> digests;  // upstream tool -> definitionDigest
  };
  void put(const std::string& tenant, const std::string& upstream, Entry e);
  // False when this (tenant, upstream) was never synced.
  bool get(const std::string& tenant, const std::string& upstream, Entry* out) const;
  // One tool's digest ("" when the upstream does not offer it) and the synced generation
  // (-1 when never synced); no copy of the whole entry on the call path.
  std::string digestOf(const std::string& tenant, const std::string& upstream,
                       const std::string& tool, int64_t* generation) const;

 private:
  mutable Mutex mu_;
  std::map<std::string, Entry> entries_ WARD_GUARDED_BY(mu_);  // "tenant/upstream"
};

}  // namespace ward::gateway
