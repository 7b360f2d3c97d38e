// The Google Drive connector's credentials (gdrive_auth.h).
#include "gdrive_auth.h"

#include <ctime>

#include "../../jwt_signer.h"
#include "ward/common/json.h"

namespace ward::ingest {

Result<ServiceAccountKey> parseServiceAccountKey(const std::string& json) {
  auto j = parseJson(json);
  if (!j.ok() || !j->is_object()) {
    return Status::invalidArgument("the service-account key is not a JSON object");
  }
  ServiceAccountKey key;
  for (const char* field : {"client_email", "private_key"}) {
    if (!j->contains(field) || !(*j)[field].is_string() || (*j)[field].get<std::string>().empty()) {
      return Status::invalidArgument(std::string("the service-account key has no '") + field + "'");
    }
  }
  key.client_email = (*j)["client_email"].get<std::string>();
  key.private_key = (*j)["private_key"].get<std::string>();
  if (j->contains("token_uri") && (*j)["token_uri"].is_string()) {
    key.token_uri = (*j)["token_uri"].get<std::string>();
  }
  return key;
}

std::string driveTokenUrl(const std::string& option_url, const std::string& key_token_uri) {
  if (!option_url.empty()) return option_url;
  if (!key_token_uri.empty()) return key_token_uri;
  return kDriveDefaultTokenUrl;
}

Result<std::string> signAssertion(const ServiceAccountKey& key, const std::string& subject,
                                  const std::string& audience, int64_t now_s,
                                  const std::string& scope) {
  Json claims = {{"iss", key.client_email},
                 {"scope", scope},
                 {"aud", audience},
                 {"iat", now_s},
                 {"exp", now_s + kDriveAssertionLifetimeS}};
  if (!subject.empty()) claims["sub"] = subject;
  auto jwt = signJwtRs256(key.private_key, claims);
  if (!jwt.ok() && jwt.status().code() == StatusCode::kInvalidArgument) {
    return Status::invalidArgument("the service-account key's private_key is not an RSA PEM key");
  }
  return jwt;
}

int64_t DriveTokens::refreshes() const {
  MutexLock lock(mu_);
  return refreshes_;
}

Status DriveTokens::authorize(ServiceClient& client, bool force) {
  MutexLock lock(mu_);
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  // After a 401: a token other than the one refused is already a new one.
  if (force && !token_.empty() && client.authorization() != "Bearer " + token_) force = false;
  if (!force && !token_.empty() && now + kDriveTokenRefreshMarginS < expires_at_s_) {
    client.setAuthorization("Bearer " + token_);
    return Status();
  }
  WARD_ASSIGN_OR_RETURN(std::string assertion,
                        signAssertion(key_, subject_, token_url_, now, scope_));
  client.setAuthorization("");  // the token endpoint takes the assertion, not a bearer
  ServiceRequest req;
  req.method = "POST";
  req.target = token_url_;
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.body =
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion;
  auto reply = client.send(req);
  if (!reply.ok()) return Status(reply.status().code(), client.scrub(reply.status().message()));
  auto j = parseJson(reply->body);
  if (reply->status != 200 || !j.ok() || !j->is_object() || !j->contains("access_token") ||
      !(*j)["access_token"].is_string()) {
    std::string error = "no access token";
    if (j.ok() && j->is_object() && j->contains("error") && (*j)["error"].is_string()) {
      error = (*j)["error"].get<std::string>();  // an OAuth error code, e.g. invalid_grant
    }
    return Status::unauthenticated("the token endpoint refused the service account (HTTP " +
                                   std::to_string(reply->status) + ", " + client.scrub(error) +
                                   ")");
  }
  token_ = (*j)["access_token"].get<std::string>();
  int64_t expires_in = 3600;
  if (j->contains("expires_in") && (*j)["expires_in"].is_number_integer()) {
    expires_in = (*j)["expires_in"].get<int64_t>();
  }
  expires_at_s_ = now + expires_in;
  ++refreshes_;
  client.setAuthorization("Bearer " + token_);
  return Status();
}

}  // namespace ward::ingest
