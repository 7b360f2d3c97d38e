#include "ward/models/cassette.h"

#include <algorithm>

#include "ward/common/hash.h"
#include "ward/gateway/tool_definition.h"
#include "ward/common/encoding.h"
#include "ward/models/openai_chat_format.h"

namespace ward::models {

bool isRecordedHeader(std::string_view n) {
  static constexpr std::string_view kExact[] = {
      "x-request-id", "request-id",     "openai-processing-ms", "openai-model",
      "retry-after",  "retry-after-ms", "x-should-retry",       "anthropic-organization-id",
      "content-type", "openai-version"};
  for (std::string_view e : kExact) {
    if (n == e) return true;
  }
  static constexpr std::string_view kPrefixes[] = {"x-ratelimit-", "anthropic-ratelimit-"};
  for (std::string_view prefix : kPrefixes) {
    if (n.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

Json canonicalRequestJson(const ChatRequest& request) {
  // The Chat Completions shape Ward accepts, naming the [[models]] entry: Ward's own form.
  return Json::parse(gateway::canonicalJson(chatCompletionRequestJson(request, request.model)));
}

std::string responseSha256(const ChatResponse& response) {
  return sha256Hex(gateway::canonicalJson(chatCompletionJson(response)));
}

std::string urlWithoutQuery(const std::string& url) {
  const size_t cut = url.find_first_of("?#");
  return cut == std::string::npos ? url : url.substr(0, cut);
}

Json Cassette::toJson() const {
  Json j = {{"format", "ward-cassette/v1"},
            {"adapter", adapter},
            {"model", model},
            {"url", url},
            {"request", request},
            {"request_sha256", request_sha256},
            {"upstream_body_b64", base64UrlEncode(upstream_body)},
            {"status", status},
            {"headers", headers},
            {"stream", stream},
            {"response_b64", base64UrlEncode(response)},
            {"response_bytes", response.size()},
            {"truncated", truncated},
            {"request_truncated", request_truncated},
            {"response_sha256", response_sha256}};
  if (stream) j["chunk_offsets"] = chunks;
  return j;
}

Result<Cassette> Cassette::fromJson(const Json& j) {
  if (!j.is_object() || j.value("format", "") != "ward-cassette/v1") {
    return Status::invalidArgument("not a ward-cassette/v1 object");
  }
  auto str = [&](const char* k) -> Result<std::string> {
    if (!j.contains(k) || !j[k].is_string()) {
      return Status::invalidArgument(std::string("cassette field '") + k + "' must be a string");
    }
    return j[k].get<std::string>();
  };
  Cassette c;
  WARD_ASSIGN_OR_RETURN(c.adapter, str("adapter"));
  WARD_ASSIGN_OR_RETURN(c.model, str("model"));
  WARD_ASSIGN_OR_RETURN(c.url, str("url"));
  WARD_ASSIGN_OR_RETURN(c.request_sha256, str("request_sha256"));
  WARD_ASSIGN_OR_RETURN(c.response_sha256, str("response_sha256"));
  WARD_ASSIGN_OR_RETURN(std::string body, str("upstream_body_b64"));
  auto upstream_body = base64UrlDecode(body);
  if (!upstream_body)
    return Status::invalidArgument("cassette field 'upstream_body_b64' is not base64url");
  c.upstream_body = *std::move(upstream_body);
  WARD_ASSIGN_OR_RETURN(std::string resp, str("response_b64"));
  auto response = base64UrlDecode(resp);
  if (!response) return Status::invalidArgument("cassette field 'response_b64' is not base64url");
  c.response = *std::move(response);
  c.request = j.value("request", Json());
  c.status = j.value("status", 0);
  c.headers = j.value("headers", Json::object());
  c.stream = j.value("stream", false);
  c.truncated = j.value("truncated", false);
  c.request_truncated = j.value("request_truncated", false);
  if (c.stream) {
    if (!j.contains("chunk_offsets") || !j["chunk_offsets"].is_array()) {
      return Status::invalidArgument("cassette field 'chunk_offsets' must be an array");
    }
    size_t last = 0;
    for (const Json& o : j["chunk_offsets"]) {
      if (!o.is_number_integer() || o.get<int64_t>() < static_cast<int64_t>(last) ||
          o.get<int64_t>() > static_cast<int64_t>(c.response.size())) {
        return Status::invalidArgument("cassette chunk offsets must rise within the response");
      }
      last = o.get<size_t>();
      c.chunks.push_back(last);
    }
  }
  return c;
}

void CassetteTape::addChunk(std::string_view bytes) {
  if (truncated_) return;
  chunks_.push_back(bytes_.size());
  const size_t room = kMaxCassetteResponseBytes - bytes_.size();
  if (bytes.size() > room) {
    bytes_.append(bytes.substr(0, room));
    truncated_ = true;
    return;
  }
  bytes_.append(bytes);
}

void CassetteTape::setBody(std::string_view bytes) {
  bytes_.clear();
  chunks_.clear();
  truncated_ = bytes.size() > kMaxCassetteResponseBytes;
  bytes_.assign(bytes.substr(0, std::min(bytes.size(), kMaxCassetteResponseBytes)));
}

void CassetteTape::fill(Cassette& c) const {
  c.response = bytes_;
  c.chunks = chunks_;
  c.truncated = truncated_;
}

}  // namespace ward::models
