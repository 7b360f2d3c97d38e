// The "http" backend, through the net module's client (include/ward/net/http_client.h: one
// reused handle per thread, DNS resolved and checked against the address policy, the connection
// pinned to the checked address so DNS rebinding cannot swap it, redirects never followed, no
// proxy): path arguments percent-encoded and dot segments refused, a timeout per attempt,
// retries for read tools only, a circuit breaker per backend, a response size limit,
// `traceparent` sent, and the tenant's secret (decrypted just for the request) as a header. An
// error answer's body is redacted whole before an excerpt of it goes into the error message.
#pragma once

#include <functional>
#include <string>

#include "circuit_breaker.h"
#include "executor.h"
#include "ward/common/config.h"
#include "ward/trace/redactor.h"

namespace ward::gateway {

// Returns the plaintext of a tenant secret (never logged; see SecretBox).
using SecretLookup =
    std::function<Result<std::string>(const std::string& tenant, const std::string& name)>;

// Bytes of a backend's (redacted) error body quoted in the error message.
inline constexpr size_t kMaxErrorExcerptBytes = 300;

// The wait before retry `attempt` (1, 2, ...) of a read tool: kRetryBackoffBaseMs << attempt,
// so 40 ms, then 80 ms (docs/design/gateway.md states them; GatewayDocs tests compare).
inline constexpr int kRetryBackoffBaseMs = 20;
constexpr int retryBackoffMs(int attempt) { return kRetryBackoffBaseMs << attempt; }

class HttpExecutor final : public Executor {
 public:
  // `redactor` may be null (error bodies are quoted as they are).
  HttpExecutor(const GatewayConfig& config, const Clock& clock, SecretLookup secrets,
               const trace::Redactor* redactor = nullptr);
  std::string_view type() const override { return "http"; }
  Result<Json> execute(CallContext& call) override;

  // {arg} placeholders replaced by percent-encoded argument values (everything but A-Z a-z 0-9
  // - _ . ~ is encoded, '/' included); InvalidArgument for a missing or non-scalar argument and
  // for a path that would contain a dot segment ("." or "..", also as %2E). Exposed for tests.
  static Result<std::string> expandUrl(const std::string& url_template, const Json& args);

 private:
  std::string redacted(const std::string& text) const;

  GatewayConfig config_;
  const Clock& clock_;
  SecretLookup secrets_;
  const trace::Redactor* redactor_;
  CircuitBreakers breakers_;
};

}  // namespace ward::gateway
