// The proxy's client-visible bytes digest; the contract is in client_digest.h.
#include "client_digest.h"

#include <openssl/evp.h>

#include "ward/common/clock.h"
#include "ward/common/log.h"

namespace ward::http {

struct ClientDigest::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

ClientDigest::ClientDigest() : ctx_(std::make_unique<Ctx>()) {
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);
}

ClientDigest::~ClientDigest() = default;

void ClientDigest::update(std::string_view bytes) {
  EVP_DigestUpdate(ctx_->md, bytes.data(), bytes.size());
  bytes_ += bytes.size();
}

std::string ClientDigest::hex() const {
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  EVP_MD_CTX_copy_ex(copy, ctx_->md);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(copy, out, &n);
  EVP_MD_CTX_free(copy);
  static const char* const kDigits = "0123456789abcdef";
  std::string hex(2 * n, '0');
  for (unsigned int i = 0; i < n; ++i) {
    hex[2 * i] = kDigits[out[i] >> 4];
    hex[2 * i + 1] = kDigits[out[i] & 15];
  }
  return hex;
}

trace::TraceEvent clientBytesEvent(const trace::TraceContext& trace, const identity::Principal& who,
                                   std::string_view front_door, bool stream,
                                   const ClientDigest& digest, const Json& extra) {
  trace::TraceEvent ev;
  ev.context = trace;
  ev.kind = "response_sent";
  ev.tenant = who.tenant;
  ev.principal = who.name;
  ev.time_us = SystemClock::instance().nowMicros();
  ev.attributes = {{"front_door", std::string(front_door)},
                   {"stream", stream},
                   {"client_sha256", digest.hex()},
                   {"client_bytes", digest.bytes()}};
  for (auto it = extra.begin(); it != extra.end(); ++it) ev.attributes[it.key()] = it.value();
  return ev;
}

void recordClientBytes(trace::TraceSink* traces, const trace::TraceContext& trace,
                       const identity::Principal& who, std::string_view front_door, bool stream,
                       const ClientDigest& digest, const Json& extra) {
  if (traces == nullptr) return;
  Status st = traces->record(clientBytesEvent(trace, who, front_door, stream, digest, extra));
  if (!st.ok()) logWarn("cannot record the client bytes digest: " + st.message());
}

}  // namespace ward::http
