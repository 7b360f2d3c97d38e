// SCIM resources to and from JSON (RFC 7643 sections 4.1 and 4.2). Attributes Ward does not
// interpret (name, emails, the enterprise extension, ...) are kept as the client sent them and
// returned as they are; `password` is never stored, and readOnly attributes sent by the client
// (id, meta, groups) are ignored as RFC 7643 section 2.2 says.
#include "scim_resource_json.h"

#include "ward/common/clock.h"
#include "ward/identity/scim_filter.h"

namespace ward::identity {

namespace {

bool isOneOf(const std::string& key, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (scimNameEquals(key, n)) return true;
  }
  return false;
}

ScimReply invalidValue(const std::string& message) {
  return ScimReply::fail(Status::invalidArgument(message), ScimErrorType::kInvalidValue);
}

ScimReply checkSchemas(const Json& body, std::string_view schema) {
  if (!body.contains("schemas") || !body["schemas"].is_array()) {
    return ScimReply::fail(
        Status::invalidArgument("'schemas' must be an array naming " + std::string(schema)),
        ScimErrorType::kInvalidSyntax);
  }
  for (const Json& s : body["schemas"]) {
    if (s.is_string() && scimNameEquals(s.get<std::string>(), schema)) return ScimReply::of({});
  }
  return ScimReply::fail(Status::invalidArgument("'schemas' must name " + std::string(schema)),
                         ScimErrorType::kInvalidSyntax);
}

}  // namespace

ScimReply scimBoolean(const Json& value, const char* what, bool& out) {
  if (value.is_boolean()) {
    out = value.get<bool>();
    return ScimReply::of({});
  }
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (scimNameEquals(s, "true") || scimNameEquals(s, "false")) {
      out = scimNameEquals(s, "true");
      return ScimReply::of({});
    }
  }
  return invalidValue(std::string("'") + what + "' must be a boolean");
}

ScimReply scimMemberIds(const Json& value, std::vector<std::string>& ids) {
  if (!value.is_array()) {
    return invalidValue("'members' must be an array of {\"value\": id} objects");
  }
  if (value.size() > kMaxScimMembersPerRequest) {
    return ScimReply::fail(
        Status::resourceExhausted("more than " + std::to_string(kMaxScimMembersPerRequest) +
                                  " members in one request"),
        ScimErrorType::kNone);
  }
  for (const Json& m : value) {
    if (!m.is_object() || !m.contains("value") || !m["value"].is_string() ||
        m["value"].get_ref<const std::string&>().empty()) {
      return invalidValue("every member must be an object with a string 'value' (a SCIM id)");
    }
    ids.push_back(m["value"].get<std::string>());
  }
  return ScimReply::of({});
}

Json scimResourceJson(const ScimResource& r, const std::vector<ScimMember>* members,
                      const std::string& base_url) {
  const bool user = r.type == ScimResourceType::kUser;
  Json out = r.attributes.is_object() ? r.attributes : Json::object();
  out["schemas"] = Json::array({std::string(user ? kScimUserSchema : kScimGroupSchema)});
  out["id"] = r.id;
  if (!r.external_id.empty()) out["externalId"] = r.external_id;
  if (user) {
    out["userName"] = r.name;
    out["active"] = r.active;
  } else {
    out["displayName"] = r.name;
  }
  if (members) {
    Json list = Json::array();
    for (const ScimMember& m : *members) {
      const char* kind = m.type == ScimResourceType::kUser ? "User" : "Group";
      list.push_back({{"value", m.id},
                      {"display", m.display},
                      {"type", kind},
                      {"$ref", base_url + "/" + kind + "s/" + m.id}});
    }
    out["members"] = std::move(list);
  }
  const std::string kind(scimResourceTypeName(r.type));
  out["meta"] = {{"resourceType", kind},
                 {"created", formatRfc3339(r.created_at)},
                 {"lastModified", formatRfc3339(r.modified_at)},
                 {"location", base_url + "/" + kind + "s/" + r.id}};
  return out;
}

ScimReply scimResourceFromJson(const Json& body, ScimResource& r,
                               std::vector<ScimMemberOp>& members, bool always_members) {
  if (!body.is_object()) {
    return ScimReply::fail(Status::invalidArgument("the body must be a JSON object"),
                           ScimErrorType::kInvalidSyntax);
  }
  const bool user = r.type == ScimResourceType::kUser;
  ScimReply schemas = checkSchemas(body, user ? kScimUserSchema : kScimGroupSchema);
  if (!schemas.ok()) return schemas;
  const char* name_attr = user ? "userName" : "displayName";
  bool have_name = false;
  bool have_members = false;
  Json attributes = Json::object();
  r.external_id.clear();
  r.active = true;
  for (const auto& [key, value] : body.items()) {
    if (isOneOf(key, {"schemas", "id", "meta", "groups", "password"})) continue;
    if (scimNameEquals(key, name_attr)) {
      if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        return invalidValue(std::string("'") + name_attr + "' must be a non-empty string");
      }
      r.name = value.get<std::string>();
      have_name = true;
    } else if (scimNameEquals(key, "externalId")) {
      if (!value.is_string() && !value.is_null()) {
        return invalidValue("'externalId' must be a string");
      }
      r.external_id = value.is_string() ? value.get<std::string>() : "";
    } else if (user && scimNameEquals(key, "active")) {
      ScimReply b = scimBoolean(value, "active", r.active);
      if (!b.ok()) return b;
    } else if (!user && scimNameEquals(key, "members")) {
      ScimMemberOp op{ScimMemberOp::Kind::kReplaceAll, {}};
      if (!value.is_null()) {
        ScimReply ids = scimMemberIds(value, op.ids);
        if (!ids.ok()) return ids;
      }
      members.push_back(std::move(op));
      have_members = true;
    } else {
      attributes[key] = value;
    }
  }
  if (!have_name) return invalidValue(std::string("'") + name_attr + "' is required");
  if (!have_members && always_members && !user) {
    members.push_back({ScimMemberOp::Kind::kReplaceAll, {}});
  }
  r.attributes = std::move(attributes);
  return ScimReply::of({});
}

}  // namespace ward::identity
