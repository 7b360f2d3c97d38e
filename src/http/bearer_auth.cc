#include "bearer_auth.h"

#include <curl/curl.h>

#include <fstream>
#include <sstream>

#include "handlers.h"

namespace ward::http {

namespace {

constexpr size_t kMaxJwksBytes = 1 << 20;
constexpr long kJwksTimeoutMs = 5000;

size_t appendCapped(char* p, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  if (out->size() + size * n > kMaxJwksBytes) return 0;
  out->append(p, size * n);
  return size * n;
}

Result<std::string> fetchUrl(const std::string& url) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::unavailable("curl_easy_init failed");
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, kJwksTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendCapped);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return Status::unavailable(url + ": " + curl_easy_strerror(rc));
  if (status != 200) return Status::unavailable(url + ": HTTP " + std::to_string(status));
  return body;
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
