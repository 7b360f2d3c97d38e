// POSTs OTLP JSON batches to <endpoint>/v1/traces through the net module's client, under the
// outbound address rule of docs/formats/otlp-export.md: the collector is an operator-configured
// endpoint (net::Reach::kOperatorEndpoint), so private addresses are allowed, but loopback only
// with otlp_allow_loopback, and link-local (cloud metadata), unspecified and multicast addresses
// never, also in their IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms. The host is resolved
// per batch and the checked address pinned, so DNS cannot swap it between check and connect.
#include <memory>

#include "ward/audit/trace_export.h"
#include "ward/net/address_policy.h"
#include "ward/net/http_client.h"

namespace ward::audit {

namespace {

struct Endpoint {
  std::string url;   // <endpoint>/v1/traces
  std::string host;  // without brackets, for the check of a literal address at start
};

Result<Endpoint> parseEndpoint(const std::string& base) {
  Result<net::Origin> origin = net::parseOrigin(base);
  if (!origin.ok()) {
    return Status::invalidArgument("audit.export.otlp_endpoint: " + origin.status().message());
  }
  if (origin->has_credentials || origin->has_query) {
    return Status::invalidArgument(
        "audit.export.otlp_endpoint must not carry credentials or a query");
  }
  Endpoint e;
  e.host = origin->host;
  std::string trimmed = base;
  while (!trimmed.empty() && trimmed.back() == '/') trimmed.pop_back();
  e.url = trimmed + "/v1/traces";
  return e;
}

class OtlpHttpExporter final : public TraceExporter {
 public:
  OtlpHttpExporter(OtlpOptions options, Endpoint endpoint)
      : options_(std::move(options)), endpoint_(std::move(endpoint)) {}

  std::string name() const override { return "otlp"; }

  Status exportBatch(const std::vector<StoredTraceEvent>& batch) override {
    net::OutboundRequest request;
    request.url = endpoint_.url;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = dumpJson(encodeOtlpTraces(batch, options_));
    request.timeout_ms = options_.timeout_ms;
    request.max_response_bytes = options_.max_response_bytes;
    request.reach = net::Reach::kOperatorEndpoint;
    request.allow_loopback = options_.allow_loopback;
    request.refusal_hint =
        "which is refused (loopback needs audit.export.otlp_allow_loopback = true; link-local, "
        "multicast and unspecified addresses never)";
    auto reply = net::send(request);
    if (!reply.ok()) {
      const Status& s = reply.status();
      if (s.code() == StatusCode::kPermissionDenied) {
        return Status::permissionDenied("OTLP collector " + s.message());
      }
      return Status::unavailable("OTLP collector " + endpoint_.url + ": " + s.message());
    }
    const int code = reply->status;
    if (code >= 200 && code < 300) return Status();
    std::string m =
        "OTLP collector answered HTTP " + std::to_string(code) + ": " + reply->body.substr(0, 200);
    // The OTLP/HTTP spec: 429, 502, 503 and 504 are retryable; other errors are not.
    if (code == 429 || code == 502 || code == 503 || code == 504) return Status::unavailable(m);
    return Status::invalidArgument(m);
  }

 private:
  const OtlpOptions options_;
  const Endpoint endpoint_;
};

}  // namespace

Result<std::unique_ptr<TraceExporter>> makeOtlpHttpExporter(const OtlpOptions& options) {
  WARD_ASSIGN_OR_RETURN(Endpoint endpoint, parseEndpoint(options.endpoint));
  // A literal address is judged now, so a bad configuration fails at start, not at export.
  const std::string cls = net::classifyAddressText(endpoint.host);
  if (cls != "invalid" &&
      !net::reachable(cls, net::Reach::kOperatorEndpoint, options.allow_loopback)) {
    return Status::permissionDenied(
        "audit.export.otlp_endpoint " + endpoint.host + " is " + cls + "; refused" +
        (cls == "loopback" ? " unless audit.export.otlp_allow_loopback = true" : ""));
  }
  return std::unique_ptr<TraceExporter>(new OtlpHttpExporter(options, std::move(endpoint)));
}

}  // namespace ward::audit
