#include "request_state.h"

#include <optional>
#include <string_view>

#include "ward/common/aead.h"
#include "ward/common/encoding.h"
#include "ward/common/hash.h"
#include "ward/common/json.h"

namespace ward::mcp {

namespace {

constexpr size_t kMaxTokenBytes = 8192;

std::string hmacHex(const std::string& key, const std::string& payload) {
  return hexEncode(hmacSha256(key, payload));
}

}  // namespace

std::string sealRequestState(const RequestState& s, const std::string& key) {
  Json j = {{"v", 1},           {"tenant", s.tenant}, {"p", s.principal_id}, {"tool", s.tool},
            {"h", s.args_hash}, {"a", s.approval_id}, {"e", s.expires_us},   {"n", s.nonce}};
  std::string payload = dumpJson(j);
  return hexEncode(payload) + "." + hmacHex(key, payload);
}

Result<RequestState> openRequestState(const std::string& token, const std::string& key,
                                      int64_t now_us) {
  const Status bad = Status::invalidArgument("requestState is not one this server issued");
  if (token.size() > kMaxTokenBytes) return bad;
  size_t dot = token.find('.');
  if (dot == std::string::npos) return bad;
  const std::optional<std::string> decoded = hexDecode(std::string_view(token).substr(0, dot));
  if (!decoded) return bad;
  const std::string& payload = *decoded;
  if (!constantTimeEquals(hmacHex(key, payload), token.substr(dot + 1))) return bad;
  auto j = parseJson(payload);
  if (!j.ok() || !j->is_object()) return bad;
  RequestState s;
  try {
    s.tenant = j->at("tenant").get<std::string>();
    s.principal_id = j->at("p").get<int64_t>();
    s.tool = j->at("tool").get<std::string>();
    s.args_hash = j->at("h").get<std::string>();
    s.approval_id = j->at("a").get<std::string>();
    s.expires_us = j->at("e").get<int64_t>();
    s.nonce = j->at("n").get<std::string>();
  } catch (const std::exception&) {
    return bad;
  }
  if (now_us >= s.expires_us) return Status::invalidArgument("requestState has expired");
  return s;
}

}  // namespace ward::mcp
