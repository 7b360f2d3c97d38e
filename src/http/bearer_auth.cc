#include "bearer_auth.h"

#include <fstream>
#include <sstream>

#include "handlers.h"
#include "ward/net/http_client.h"

namespace ward::http {

namespace {

constexpr size_t kMaxJwksBytes = 1 << 20;
constexpr int64_t kJwksTimeoutMs = 5000;

// The IdP's JWKS, through the net module's client: the URL is the operator's, so any valid
// address may be reached (an IdP on the internal network or loopback), pinned, no proxy, no
// redirects, bounded in time and size.
Result<std::string> fetchUrl(const std::string& url) {
  net::OutboundRequest request;
  request.method = "GET";
  request.url = url;
  request.headers = {{"Accept", "application/json"}};
  request.timeout_ms = kJwksTimeoutMs;
  request.max_response_bytes = kMaxJwksBytes;
  request.reach = net::Reach::kAnyValid;
  auto reply = net::send(request);
  if (!reply.ok()) return Status::unavailable(url + ": " + reply.status().message());
  if (reply->status != 200) {
    return Status::unavailable(url + ": HTTP " + std::to_string(reply->status));
  }
  return std::move(reply->body);
}

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::unavailable("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > kMaxJwksBytes) return Status::unavailable(path + " is larger than 1 MiB");
  return ss.str();
}

// What the client used to reach us: config.resource, else http://<Host>.
std::string baseUrl(const HttpRequest& r) {
  std::string host = r.header("host");
  // The Host header is echoed into a header and a document: keep it to host[:port] characters.
  if (host.empty() || host.size() > 255 ||
      host.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
          std::string::npos) {
    host = "localhost";
  }
  return "http://" + host;
}

}  // namespace

Result<std::unique_ptr<BearerAuth>> BearerAuth::create(const OAuthConfig& config) {
  if (config.issuer.empty()) return std::unique_ptr<BearerAuth>();
  return std::unique_ptr<BearerAuth>(new BearerAuth(config));
}

BearerAuth::BearerAuth(const OAuthConfig& config) : config_(config) {
  identity::JwtVerifierOptions o;
  o.issuer = config.issuer;
  o.audience = config.audience;
  o.principal_claim = config.principal_claim;
  o.leeway_s = config.leeway_s;
  o.refresh_interval_s = config.jwks_refresh_s;
  identity::JwksSource source;
  if (!config.jwks_file.empty()) {
    source = [path = config.jwks_file] { return readFile(path); };
  } else {
    source = [url = config.jwks_url] { return fetchUrl(url); };
  }
  verifier_ = std::make_unique<identity::JwtVerifier>(o, std::move(source));
}

Result<identity::Principal> BearerAuth::authenticate(identity::Directory& dir,
                                                     const std::string& tenant,
                                                     const std::string& token) {
  WARD_ASSIGN_OR_RETURN(identity::VerifiedToken t, verifier_->verify(token));
  auto p = identity::resolvePrincipal(dir, tenant, t.principal);
  if (!p.ok()) {
    if (p.status().code() != StatusCode::kNotFound) return p.status();
    return Status::unauthenticated("invalid bearer token: '" + config_.principal_claim +
                                   "' names no principal of tenant '" + tenant + "'");
  }
  if (!identity::canAuthenticate(p->kind)) {
    return Status::unauthenticated("invalid bearer token: '" + config_.principal_claim +
                                   "' names a group; only users, service accounts and agents "
                                   "authenticate");
  }
  return p;
}

std::string BearerAuth::challenge(const HttpRequest& r) const {
  std::string url = config_.resource_metadata_url.empty()
                        ? baseUrl(r) + "/.well-known/oauth-protected-resource"
                        : config_.resource_metadata_url;
  return "Bearer realm=\"ward\", resource_metadata=\"" + url + "\"";
}

Result<Json> protectedResourceMetadata(const OAuthConfig& config, const HttpRequest& r,
                                       const std::string& path) {
  if (config.issuer.empty()) return Status::notFound("OAuth is not enabled on this server");
  std::string resource = config.resource.empty() ? baseUrl(r) : config.resource;
  if (!path.empty()) resource += "/" + path;
  Json j = {{"resource", resource},
            {"authorization_servers", Json::array({config.issuer})},
            {"bearer_methods_supported", Json::array({"header"})},
            {"resource_name", "Ward"}};
  if (!config.scopes.empty()) j["scopes_supported"] = config.scopes;
  return j;
}

// GET /.well-known/oauth-protected-resource[/{path*}]
Result<HttpResponse> oauthProtectedResource(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(Json j, protectedResourceMetadata(s.config->oauth, r, r.pathParam("path")));
  return HttpResponse::json(j);
}

}  // namespace ward::http
