#include "request_state.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ward/common/hash.h"
#include "ward/common/json.h"

namespace ward::mcp {

namespace {

constexpr size_t kMaxTokenBytes = 8192;

std::string toHex(const unsigned char* data, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

bool fromHex(const std::string& hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (int k = 0; k < 2; ++k) {
      char c = hex[i + k];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    out->push_back(static_cast<char>(v));
  }
  return true;
}

std::string hmacHex(const std::string& key, const std::string& payload) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &len);
  return toHex(mac, len);
}

}  // namespace

std::string sealRequestState(const RequestState& s, const std::string& key) {
  Json j = {{"v", 1},           {"tenant", s.tenant}, {"p", s.principal_id}, {"tool", s.tool},
            {"h", s.args_hash}, {"a", s.approval_id}, {"e", s.expires_us},   {"n", s.nonce}};
  std::string payload = dumpJson(j);
  return toHex(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) + "." +
         hmacHex(key, payload);
}

Result<RequestState> openRequestState(const std::string& token, const std::string& key,
                                      int64_t now_us) {
  const Status bad = Status::invalidArgument("requestState is not one this server issued");
  if (token.size() > kMaxTokenBytes) return bad;
  size_t dot = token.find('.');
  if (dot == std::string::npos) return bad;
  std::string payload;
  if (!fromHex(token.substr(0, dot), &payload)) return bad;
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
