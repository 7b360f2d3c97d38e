// The "http" backend: libcurl, one reused handle per thread (keep-alive), DNS resolved here and
// checked against the address policy, the connection pinned to the checked address
// (CURLOPT_RESOLVE) so DNS rebinding cannot swap it, redirects never followed, a timeout per
// attempt, retries for read tools only, a circuit breaker per backend, a response size limit,
// `traceparent` sent, and the tenant's secret (decrypted just for the request) as a header.
#pragma once

#include <functional>
#include <string>

#include "circuit_breaker.h"
#include "executor.h"
#include "ward/common/config.h"

namespace ward::gateway {

// Returns the plaintext of a tenant secret (never logged; see SecretBox).
using SecretLookup =
    std::function<Result<std::string>(const std::string& tenant, const std::string& name)>;

class HttpExecutor final : public Executor {
 public:
  HttpExecutor(const GatewayConfig& config, const Clock& clock, SecretLookup secrets);
  std::string_view type() const override { return "http"; }
  Result<Json> execute(CallContext& call) override;

  // {arg} placeholders replaced by URL-encoded argument values; InvalidArgument for a missing
  // or non-scalar argument. Exposed for tests.
  static Result<std::string> expandUrl(const std::string& url_template, const Json& args);

 private:
  GatewayConfig config_;
  const Clock& clock_;
  SecretLookup secrets_;
  CircuitBreakers breakers_;
};

}  // namespace ward::gateway
