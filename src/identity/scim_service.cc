// The SCIM operations over a ScimDirectory: each reads the request, calls the directory once (or
// reads, edits in memory and writes once for PUT and PATCH) and shapes the reply.
#include "ward/identity/scim_service.h"

#include <algorithm>

#include "scim_resource_json.h"
#include "ward/identity/principal.h"
#include "ward/identity/roles.h"
#include "ward/identity/scim_filter.h"

namespace ward::identity {

namespace {

// The directory's errors keep their code; their scimType follows from it.
ScimReply fromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kAlreadyExists:
      return ScimReply::fail(s, ScimErrorType::kUniqueness);
    case StatusCode::kInvalidArgument:
      return ScimReply::fail(s, ScimErrorType::kInvalidValue);
    default:
      return ScimReply::fail(s, ScimErrorType::kNone);
  }
}

ScimReply invalidFilter(const std::string& message) {
  return ScimReply::fail(Status::invalidArgument(message), ScimErrorType::kInvalidFilter);
}

// startIndex / count (RFC 7644 section 3.4.2.4): integers; startIndex < 1 is 1, count < 0 is 0,
// count above kMaxScimPageSize is kMaxScimPageSize.
ScimReply readInteger(const std::string& text, const char* what, int64_t fallback, int64_t& out) {
  if (text.empty()) {
    out = fallback;
    return ScimReply::of({});
  }
  size_t used = 0;
  try {
    out = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) {
    return ScimReply::fail(
        Status::invalidArgument(std::string("'") + what + "' must be an integer"),
        ScimErrorType::kInvalidValue);
  }
  return ScimReply::of({});
}

// The filter as a directory query: `eq` on id, externalId, userName (Users) or displayName
// (Groups), optionally prefixed by the resource's core schema URN.
ScimReply filterQuery(const std::string& text, ScimResourceType type, ScimListQuery& q) {
  auto parsed = parseScimFilter(text);
  if (!parsed.ok()) return invalidFilter(parsed.status().message());
  const ScimFilter& f = *parsed;
  const bool user = type == ScimResourceType::kUser;
  if (!f.path.urn.empty() &&
      !scimNameEquals(f.path.urn, user ? kScimUserSchema : kScimGroupSchema)) {
    return invalidFilter("unknown schema '" + f.path.urn + "' in the filter");
  }
  if (f.op != ScimCompareOp::kEq) {
    return invalidFilter("operator '" + std::string(scimCompareOpName(f.op)) +
                         "' is not supported (only 'eq')");
  }
  const std::string& a = f.path.attribute;
  if (!f.path.sub_attribute.empty()) {
    return invalidFilter("filtering on '" + f.path.toString() + "' is not supported");
  }
  if (scimNameEquals(a, "id"))
    q.attribute = ScimFilterAttribute::kId;
  else if (scimNameEquals(a, "externalId"))
    q.attribute = ScimFilterAttribute::kExternalId;
  else if (user && scimNameEquals(a, "userName"))
    q.attribute = ScimFilterAttribute::kUserName;
  else if (!user && scimNameEquals(a, "displayName"))
    q.attribute = ScimFilterAttribute::kDisplayName;
  else {
    return invalidFilter("filtering " + std::string(scimResourceTypeName(type)) + "s on '" + a +
                         "' is not supported (id, externalId, " +
                         (user ? "userName" : "displayName") + ")");
  }
  if (!f.value.is_string())
    return invalidFilter("the value compared with '" + a + "' must be a string");
  q.value = f.value.get<std::string>();
  return ScimReply::of({});
}

}  // namespace

std::string_view scimResourceTypeName(ScimResourceType type) {
  return type == ScimResourceType::kUser ? "User" : "Group";
}

std::string_view scimErrorTypeName(ScimErrorType type) {
  switch (type) {
    case ScimErrorType::kNone:
      return "";
    case ScimErrorType::kInvalidFilter:
      return "invalidFilter";
    case ScimErrorType::kUniqueness:
      return "uniqueness";
    case ScimErrorType::kMutability:
      return "mutability";
    case ScimErrorType::kInvalidSyntax:
      return "invalidSyntax";
    case ScimErrorType::kInvalidPath:
      return "invalidPath";
    case ScimErrorType::kNoTarget:
      return "noTarget";
    case ScimErrorType::kInvalidValue:
      return "invalidValue";
  }
  return "";
}

ScimReply ScimReply::of(Json body) {
  ScimReply r;
  r.body = std::move(body);
  return r;
}

ScimReply ScimReply::fail(Status status, ScimErrorType type) {
  ScimReply r;
  r.status = std::move(status);
  r.error_type = type;
  return r;
}

Result<std::string> scimPrincipalName(std::string_view name) {
  if (name.empty()) return Status::invalidArgument("the name is empty");
  std::string out(name.substr(0, 64));
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) c = '_';
  }
  if (out[0] == '.' || out[0] == '-') out[0] = '_';
  WARD_RETURN_IF_ERROR(validateName("principal", out));
  return out;
}

ScimReply ScimService::list(const ScimCall& call, ScimResourceType type,
                            const ScimListParams& params) {
  ScimListQuery q;
  q.tenant = call.tenant;
  q.type = type;
  if (!params.filter.empty()) {
    ScimReply f = filterQuery(params.filter, type, q);
    if (!f.ok()) return f;
  }
  int64_t start = 1;
  int64_t count = kDefaultScimPageSize;
  ScimReply s = readInteger(params.start_index, "startIndex", 1, start);
  if (!s.ok()) return s;
  s = readInteger(params.count, "count", kDefaultScimPageSize, count);
  if (!s.ok()) return s;
  if (start < 1) start = 1;
  count = std::clamp<int64_t>(count, 0, kMaxScimPageSize);
  q.offset = start - 1;
  q.limit = count;
  auto page = dir_.listResources(q);
  if (!page.ok()) return fromStatus(page.status());
  const bool with_members =
      type == ScimResourceType::kGroup && !scimNameEquals(params.excluded_attributes, "members");
  Json resources = Json::array();
  for (const ScimResource& r : page->resources) {
    if (with_members) {
      auto members = dir_.groupMembers(call.tenant, r.id);
      if (!members.ok()) return fromStatus(members.status());
      resources.push_back(scimResourceJson(r, &*members, call.base_url));
    } else {
      resources.push_back(scimResourceJson(r, nullptr, call.base_url));
    }
  }
  const int64_t shown = static_cast<int64_t>(resources.size());
  return ScimReply::of({{"schemas", Json::array({std::string(kScimListSchema)})},
                        {"totalResults", page->total},
                        {"startIndex", start},
                        {"itemsPerPage", shown},
                        {"Resources", std::move(resources)}});
}

ScimReply ScimService::get(const ScimCall& call, ScimResourceType type, const std::string& id,
                           bool with_members) {
  auto r = dir_.getResource(call.tenant, type, id);
  if (!r.ok()) return fromStatus(r.status());
  if (type == ScimResourceType::kGroup && with_members) {
    auto members = dir_.groupMembers(call.tenant, id);
    if (!members.ok()) return fromStatus(members.status());
    return ScimReply::of(scimResourceJson(*r, &*members, call.base_url));
  }
  return ScimReply::of(scimResourceJson(*r, nullptr, call.base_url));
}

ScimReply ScimService::create(const ScimCall& call, ScimResourceType type, const Json& body) {
  ScimResource r;
  r.type = type;
  r.tenant = call.tenant;
  std::vector<ScimMemberOp> members;
  ScimReply read = scimResourceFromJson(body, r, members, /*always_members=*/false);
  if (!read.ok()) return read;
  auto principal = scimPrincipalName(r.name);
  if (!principal.ok()) return fromStatus(principal.status());
  r.principal = *principal;
  if (type == ScimResourceType::kGroup && r.principal == roleGroup(Role::kScim)) {
    // The group that grants SCIM itself is granted by Ward admins only (`ward role grant`).
    return ScimReply::fail(Status::invalidArgument("group name '" + r.principal + "' is reserved"),
                           ScimErrorType::kInvalidValue);
  }
  auto created = dir_.createResource(r, members);
  if (!created.ok()) return fromStatus(created.status());
  return get(call, type, created->id);
}

ScimReply ScimService::replace(const ScimCall& call, ScimResourceType type, const std::string& id,
                               const Json& body) {
  auto current = dir_.getResource(call.tenant, type, id);
  if (!current.ok()) return fromStatus(current.status());
  ScimResource r = *current;
  std::vector<ScimMemberOp> members;
  if (body.is_object() && body.contains("id") && body["id"] != Json(id)) {
    return ScimReply::fail(Status::invalidArgument("'id' cannot be changed"),
                           ScimErrorType::kMutability);
  }
  ScimReply read = scimResourceFromJson(body, r, members, /*always_members=*/true);
  if (!read.ok()) return read;
  auto updated = dir_.updateResource(r, members);
  if (!updated.ok()) return fromStatus(updated.status());
  return get(call, type, id);
}

ScimReply ScimService::patch(const ScimCall& call, ScimResourceType type, const std::string& id,
                             const Json& body) {
  auto current = dir_.getResource(call.tenant, type, id);
  if (!current.ok()) return fromStatus(current.status());
  ScimResource r = *current;
  std::vector<ScimMemberOp> members;
  ScimReply applied = applyScimPatch(body, r, members);
  if (!applied.ok()) return applied;
  auto updated = dir_.updateResource(r, members);
  if (!updated.ok()) return fromStatus(updated.status());
  return get(call, type, id);
}

ScimReply ScimService::remove(const ScimCall& call, ScimResourceType type, const std::string& id) {
  Status s = dir_.deleteResource(call.tenant, type, id);
  if (!s.ok()) return fromStatus(s);
  return ScimReply::of(nullptr);
}

}  // namespace ward::identity
