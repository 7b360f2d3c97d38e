// A cassette: the raw provider exchange of one model-call attempt, as ModelService records it
// (docs/formats/cassette-store.md): the Ward-form request (canonical JSON) and its SHA-256, the
// adapter, the target URL without its query, the exact upstream request body, the response
// status, a whitelisted header subset, the raw response bytes (for streams the raw SSE bytes
// with the offset of each chunk as it arrived) and the SHA-256 of the parsed response. Never the
// API key or any credential header. Bytes are kept as base64url in JSON. Pure value type.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/models/chat.h"

namespace ward::models {

// The most response bytes a cassette keeps; past it the response is cut and `truncated` set.
inline constexpr size_t kMaxCassetteResponseBytes = 4 * 1024 * 1024;
// The most upstream request bytes a cassette keeps (prompts are bounded well below this).
inline constexpr size_t kMaxCassetteRequestBytes = 4 * 1024 * 1024;
// Response headers a cassette keeps (lowercase): request ids, rate limits, processing time.
bool isRecordedHeader(std::string_view lowercase_name);

struct Cassette {
  std::string adapter;            // provider adapter name ("openai", "anthropic", ...)
  std::string model;              // the [[models]] name tried
  std::string url;                // scheme://host[:port]/path, no query (it may carry a key)
  Json request;                   // the Ward-form request sent (Chat Completions shape), canonical
  std::string request_sha256;     // SHA-256 of the canonical JSON of `request`
  std::string upstream_body;      // the exact upstream request body bytes
  int status = 0;                 // HTTP status; 0 = no reply (transport failure)
  Json headers = Json::object();  // whitelisted response headers
  bool stream = false;
  std::string response;        // raw response bytes (SSE bytes for streams)
  std::vector<size_t> chunks;  // streams: offset in `response` of each chunk as received
  bool truncated = false;      // the response was over kMaxCassetteResponseBytes
  bool request_truncated = false;
  std::string response_sha256;  // SHA-256 of the canonical parsed response ("" if none)

  Json toJson() const;
  // InvalidArgument naming the field when `j` is not a cassette.
  static Result<Cassette> fromJson(const Json& j);
};

// The canonical JSON text and SHA-256 of a Ward-form request and response.
Json canonicalRequestJson(const ChatRequest& request);
std::string responseSha256(const ChatResponse& response);
// `url` without its query string and fragment.
std::string urlWithoutQuery(const std::string& url);

// Collects one attempt's bytes while it runs: add() each received chunk (streams), or set the
// whole body; the cap is applied as the bytes arrive.
class CassetteTape {
 public:
  void addChunk(std::string_view bytes);
  void setBody(std::string_view bytes);
  void fill(Cassette& c) const;

 private:
  std::string bytes_;
  std::vector<size_t> chunks_;
  bool truncated_ = false;
};

}  // namespace ward::models
