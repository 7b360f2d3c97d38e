// /v1/keys: API keys. An admin manages any key of its tenant; any principal manages its own.
// The plaintext key is returned once, at creation; listings show key ids only, never hashes.
#include "handlers.h"
#include "ward/common/clock.h"
#include "ward/store/store.h"

namespace ward::http {

namespace {

// Resolves the principal whose keys are addressed; NotFound for another tenant's or a missing
// principal, PermissionDenied when a non-admin addresses someone else.
Result<identity::PrincipalRecord> keyOwner(const Services& s, const identity::Principal& who,
                                           const std::string& name) {
  if (!who.admin && name != who.name) {
    return Status::permissionDenied("only an admin may manage another principal's keys");
  }
  return s.store->findPrincipal(who.tenant, name);
}

}  // namespace

// POST /v1/keys {"principal"?}  (defaults to the caller)
Result<HttpResponse> keysCreate(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  std::string name = who->name;
  if (!r.body.empty()) {
    WARD_ASSIGN_OR_RETURN(Json body, r.jsonBody());
    if (!body.is_object()) return Status::invalidArgument("body must be a JSON object");
    if (body.contains("principal")) {
      if (!body["principal"].is_string()) {
        return Status::invalidArgument("field 'principal' must be a string");
      }
      name = body["principal"].get<std::string>();
    }
  }
  WARD_ASSIGN_OR_RETURN(identity::PrincipalRecord owner, keyOwner(s, *who, name));
  if (owner.kind == identity::PrincipalKind::kGroup) {
    return Status::invalidArgument("field 'principal': a group cannot hold API keys");
  }
  identity::NewApiKey key = identity::generateApiKey();
  identity::ApiKeyRecord rec;
  rec.key_id = key.key_id;
  rec.principal_id = owner.id;
  rec.secret_hash = key.secret_hash;
  rec.created_at = SystemClock::instance().nowMicros();
  WARD_RETURN_IF_ERROR(s.store->storeApiKey(rec));
  return HttpResponse::created(
      Json{{"key", key.plaintext}, {"key_id", key.key_id}, {"principal", owner.name}});
}

// GET /v1/keys?principal=NAME  (defaults to the caller)
Result<HttpResponse> keysList(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  WARD_ASSIGN_OR_RETURN(identity::PrincipalRecord owner,
                        keyOwner(s, *who, r.queryParam("principal", who->name)));
  WARD_ASSIGN_OR_RETURN(std::vector<identity::ApiKeyRecord> keys, s.store->listApiKeys(owner.id));
  Json list = Json::array();
  for (const identity::ApiKeyRecord& k : keys) {
    list.push_back(
        Json{{"key_id", k.key_id}, {"created_at", timeJson(k.created_at)}, {"revoked", k.revoked}});
  }
  return HttpResponse::json(Json{{"principal", owner.name}, {"keys", std::move(list)}});
}

// DELETE /v1/keys/{key_id}
Result<HttpResponse> keysRevoke(const Services& s, const HttpRequest& r) {
  WARD_ASSIGN_OR_RETURN(const identity::Principal* who, requirePrincipal(r));
  const std::string key_id = r.pathParam("key_id");
  const Status missing = Status::notFound("API key '" + key_id + "' not found");
  auto key = s.store->findApiKey(key_id);
  if (!key.ok()) return key.status().code() == StatusCode::kNotFound ? missing : key.status();
  auto owner = s.store->findPrincipalById(key->principal_id);
  if (!owner.ok()) return owner.status().code() == StatusCode::kNotFound ? missing : owner.status();
  // Keys of other tenants do not exist for the caller; keys of other principals are admin-only.
  if (owner->tenant != who->tenant) return missing;
  if (!who->admin && owner->id != who->id) {
    return Status::permissionDenied("only an admin may revoke another principal's keys");
  }
  WARD_RETURN_IF_ERROR(s.store->revokeApiKey(key_id));
  return HttpResponse::json(Json{{"key_id", key_id}, {"revoked", true}});
}

}  // namespace ward::http
