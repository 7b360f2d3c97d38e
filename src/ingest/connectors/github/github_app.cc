// GitHub App installation tokens (github_app.h).
#include "github_app.h"

#include <ctime>

#include "../../jwt_signer.h"
#include "ward/common/clock.h"
#include "ward/common/encoding.h"
#include "ward/common/json.h"

namespace ward::ingest {

std::string githubAppKeyPem(const std::string& secret) {
  if (secret.find("-----BEGIN") == std::string::npos) {
    std::string compact;
    for (char c : secret) {
      if (c != '\n' && c != '\r' && c != ' ') compact += c;
    }
    auto decoded = base64Decode(compact);
    return decoded ? *decoded : secret;
  }
  std::string pem;
  for (size_t i = 0; i < secret.size(); ++i) {
    if (secret[i] == '\\' && i + 1 < secret.size() && secret[i + 1] == 'n') {
      pem += '\n';
      ++i;
    } else {
      pem += secret[i];
    }
  }
  return pem;
}

Json githubAppClaims(int64_t app_id, int64_t now_s) {
  const int64_t iat = now_s - kGithubAppJwtBackdateS;
  return Json{{"iat", iat}, {"exp", iat + kGithubAppJwtLifetimeS}, {"iss", std::to_string(app_id)}};
}

int64_t GithubAppTokens::refreshes() const {
  MutexLock lock(mu_);
  return refreshes_;
}

Status GithubAppTokens::authorize(ServiceClient& client, bool force, int64_t now_s) {
  MutexLock lock(mu_);
  const int64_t now = now_s != 0 ? now_s : static_cast<int64_t>(std::time(nullptr));
  // After a 401: a token other than the one refused is already a new one.
  if (force && !token_.empty() && client.authorization() != "Bearer " + token_) force = false;
  if (!force && !token_.empty() && now + kGithubAppTokenRefreshMarginS < expires_at_s_) {
    client.setAuthorization("Bearer " + token_);
    return Status();
  }
  const std::string app = "GitHub App " + std::to_string(config_.app_id);
  auto jwt = signJwtRs256(config_.private_key_pem, githubAppClaims(config_.app_id, now));
  if (!jwt.ok()) {
    return Status::unauthenticated(app + ": the key in secret '" + config_.key_secret +
                                   "' cannot sign (" + jwt.status().message() + ")");
  }
  client.setAuthorization("Bearer " + *jwt);  // scrubbed from any error text below
  ServiceRequest req;
  req.method = "POST";
  req.target = "/app/installations/" + std::to_string(config_.installation_id) + "/access_tokens";
  req.headers = {{"Accept", "application/vnd.github+json"}, {"X-GitHub-Api-Version", "2022-11-28"}};
  auto reply = client.send(req);
  token_.clear();
  if (!reply.ok()) {
    client.setAuthorization("");
    return Status(reply.status().code(), client.scrub(reply.status().message()));
  }
  auto j = parseJson(reply->body);
  const bool ok = (reply->status == 201 || reply->status == 200) && j.ok() && j->is_object() &&
                  j->contains("token") && (*j)["token"].is_string() &&
                  !(*j)["token"].get<std::string>().empty();
  if (!ok) {
    std::string why;
    if (j.ok() && j->is_object() && j->contains("message") && (*j)["message"].is_string()) {
      why = ", " + client.scrub((*j)["message"].get<std::string>()).substr(0, 200);
    }
    client.setAuthorization("");
    return Status::unauthenticated(
        app +
        ": GitHub refused the installation token request for "
        "installation " +
        std::to_string(config_.installation_id) + " (HTTP " + std::to_string(reply->status) + why +
        "): check app_id, installation_id and the key in secret '" + config_.key_secret + "'");
  }
  token_ = (*j)["token"].get<std::string>();
  int64_t expires_us = 0;
  if (j->contains("expires_at") && (*j)["expires_at"].is_string() &&
      parseRfc3339((*j)["expires_at"].get<std::string>(), &expires_us)) {
    expires_at_s_ = expires_us / 1'000'000;
  } else {
    expires_at_s_ = now + 3600;  // GitHub's documented lifetime
  }
  ++refreshes_;
  client.setAuthorization("Bearer " + token_);
  return Status();
}

}  // namespace ward::ingest
