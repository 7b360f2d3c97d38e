// The client-visible bytes of a proxied model call (docs/design/http.md "Client bytes"): an
// incremental SHA-256 of exactly what was sent to the client (the JSON body, or every SSE byte
// of a stream), recorded once the last byte is queued (before the body ends) as a
// `response_sent` event in the call's trace, so `ward replay` can say `identical` about the
// bytes and not only the parsed answer.
// A ClientDigest is fed from one thread at a time (the stream's producer).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "ward/http/response_stream.h"
#include "ward/identity/principal.h"
#include "ward/trace/trace.h"

namespace ward::http {

class ClientDigest {
 public:
  ClientDigest();
  ~ClientDigest();
  ClientDigest(const ClientDigest&) = delete;
  ClientDigest& operator=(const ClientDigest&) = delete;

  void update(std::string_view bytes);
  // Lowercase hex of the bytes so far; the digest stays usable (a copy is finalised).
  std::string hex() const;
  size_t bytes() const { return bytes_; }

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
  size_t bytes_ = 0;
};

// A stream's writes, hashed as they are queued for the client (then forwarded unchanged).
class DigestingStream {
 public:
  explicit DigestingStream(std::shared_ptr<ResponseStream> out) : out_(std::move(out)) {}
  bool write(std::string bytes) {
    digest_.update(bytes);
    return out_->write(std::move(bytes));
  }
  const ClientDigest& digest() const { return digest_; }
  // For bytes that may be sent only later (a stream's end, held back until its record is
  // durable): hashed now by account(), queued unchanged by writeAccounted().
  void account(std::string_view bytes) { digest_.update(bytes); }
  bool writeAccounted(std::string bytes) { return out_->write(std::move(bytes)); }

 private:
  std::shared_ptr<ResponseStream> out_;
  ClientDigest digest_;
};

// Records {front_door, stream, client_sha256, client_bytes} and `extra`'s members as a
// `response_sent` event of `trace` for `who`; a failure to record is logged (the response is
// already gone).
void recordClientBytes(trace::TraceSink* traces, const trace::TraceContext& trace,
                       const identity::Principal& who, std::string_view front_door, bool stream,
                       const ClientDigest& digest, const Json& extra = Json::object());
// The same `response_sent` event, for a caller that records it together with another
// (ModelService::chat's `sent`: one durable append with the model_call record).
trace::TraceEvent clientBytesEvent(const trace::TraceContext& trace, const identity::Principal& who,
                                   std::string_view front_door, bool stream,
                                   const ClientDigest& digest, const Json& extra = Json::object());

}  // namespace ward::http
