// PATCH (RFC 7644 section 3.5.2) applied to a resource in memory. Membership changes are not
// applied here: they become ScimMemberOps that the directory applies inside its transaction, so
// two IdP requests changing one group's members never overwrite each other.
//
// The shapes IdPs send are all accepted: Okta's `remove members[value eq "id"]` and
// `replace {"active": false}`, Entra ID's `Remove members [{"value": id}]`, `Replace active
// "False"` and capitalised op names.
#include "scim_resource_json.h"

#include "ward/identity/scim_filter.h"

namespace ward::identity {

namespace {

enum class PatchKind { kAdd, kRemove, kReplace };

ScimReply fail(ScimErrorType type, const std::string& message) {
  return ScimReply::fail(Status::invalidArgument(message), type);
}
ScimReply okReply() { return ScimReply::of({}); }

// The key of `obj` equal to `name` ignoring case, or `name` when there is none.
std::string keyFor(const Json& obj, const std::string& name) {
  for (const auto& [key, value] : obj.items()) {
    if (scimNameEquals(key, name)) return key;
  }
  return name;
}

bool matches(const Json& element, const ScimFilter& f) {
  if (!element.is_object()) return false;
  std::string key = keyFor(element, f.path.attribute);
  if (!element.contains(key)) return false;
  const Json& v = element[key];
  if (v.is_string() && f.value.is_string()) {
    return v.get_ref<const std::string&>() == f.value.get_ref<const std::string&>();
  }
  return v == f.value;
}

// The editing state of one PATCH request.
struct Patcher {
  ScimResource& r;
  std::vector<ScimMemberOp>& members;
  size_t member_ids = 0;

  ScimReply memberOp(ScimMemberOp::Kind kind, const Json& value) {
    ScimMemberOp op{kind, {}};
    ScimReply ids = scimMemberIds(value, op.ids);
    if (!ids.ok()) return ids;
    member_ids += op.ids.size();
    if (member_ids > kMaxScimMembersPerRequest) {
      return ScimReply::fail(
          Status::resourceExhausted("more than " + std::to_string(kMaxScimMembersPerRequest) +
                                    " members in one request"),
          ScimErrorType::kNone);
    }
    members.push_back(std::move(op));
    return okReply();
  }

  // The object holding `path`'s attribute: r.attributes, or the extension's object in it.
  Json& container(const ScimAttrPath& path) {
    if (path.urn.empty() ||
        scimNameEquals(path.urn,
                       r.type == ScimResourceType::kUser ? kScimUserSchema : kScimGroupSchema)) {
      return r.attributes;
    }
    std::string key = keyFor(r.attributes, path.urn);
    Json& ext = r.attributes[key];
    if (!ext.is_object()) ext = Json::object();
    return ext;
  }

  bool isCore(const ScimAttrPath& path) const {
    return path.urn.empty() ||
           scimNameEquals(path.urn,
                          r.type == ScimResourceType::kUser ? kScimUserSchema : kScimGroupSchema);
  }

  // The attributes Ward itself interprets; true when `path` named one (handled or refused).
  bool coreAttribute(PatchKind kind, const ScimPatchPath& p, const Json& value, ScimReply& out) {
    if (!isCore(p.path)) return false;
    const std::string& a = p.path.attribute;
    const bool user = r.type == ScimResourceType::kUser;
    const bool plain = p.path.sub_attribute.empty() && !p.filter;
    if (isOneOf(a, {"id", "meta", "schemas", "groups"})) {
      out = fail(ScimErrorType::kMutability, "'" + a + "' is read-only");
      return true;
    }
    if (scimNameEquals(a, user ? "userName" : "displayName")) {
      if (!plain)
        out = fail(ScimErrorType::kInvalidPath, "'" + a + "' has no sub-attributes");
      else if (kind == PatchKind::kRemove)
        out = fail(ScimErrorType::kMutability, "'" + a + "' is required");
      else if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        out = fail(ScimErrorType::kInvalidValue, "'" + a + "' must be a non-empty string");
      } else {
        r.name = value.get<std::string>();
        out = okReply();
      }
      return true;
    }
    if (scimNameEquals(a, "externalId")) {
      if (!plain)
        out = fail(ScimErrorType::kInvalidPath, "'externalId' has no sub-attributes");
      else if (kind == PatchKind::kRemove || value.is_null()) {
        r.external_id.clear();
        out = okReply();
      } else if (!value.is_string()) {
        out = fail(ScimErrorType::kInvalidValue, "'externalId' must be a string");
      } else {
        r.external_id = value.get<std::string>();
        out = okReply();
      }
      return true;
    }
    if (user && scimNameEquals(a, "active")) {
      if (!plain)
        out = fail(ScimErrorType::kInvalidPath, "'active' has no sub-attributes");
      else if (kind == PatchKind::kRemove)
        out = fail(ScimErrorType::kMutability, "'active' cannot be removed");
      else
        out = scimBoolean(value, "active", r.active);
      return true;
    }
    if (!user && scimNameEquals(a, "members")) {
      out = membersPath(kind, p, value);
      return true;
    }
    return false;
  }

  ScimReply membersPath(PatchKind kind, const ScimPatchPath& p, const Json& value) {
    if (!p.path.sub_attribute.empty() || !p.filtered_sub_attribute.empty()) {
      return fail(ScimErrorType::kInvalidPath, "members have no editable sub-attributes");
    }
    if (p.filter) {
      // members[value eq "id"]: only removal names members this way.
      if (kind != PatchKind::kRemove || !scimNameEquals(p.filter->path.attribute, "value") ||
          !p.filter->path.sub_attribute.empty() || p.filter->op != ScimCompareOp::kEq ||
          !p.filter->value.is_string()) {
        return fail(ScimErrorType::kInvalidPath,
                    "a members filter must be 'members[value eq \"id\"]' in a remove operation");
      }
      return memberOp(ScimMemberOp::Kind::kRemove, Json::array({{{"value", p.filter->value}}}));
    }
    switch (kind) {
      case PatchKind::kAdd:
        return memberOp(ScimMemberOp::Kind::kAdd, value);
      case PatchKind::kReplace:
        return memberOp(ScimMemberOp::Kind::kReplaceAll, value.is_null() ? Json::array() : value);
      case PatchKind::kRemove:
        // Entra ID names the members to remove in `value`; without one, all are removed.
        if (value.is_null()) return memberOp(ScimMemberOp::Kind::kReplaceAll, Json::array());
        return memberOp(ScimMemberOp::Kind::kRemove, value);
    }
    return okReply();
  }

  // Any other attribute: edited as JSON in r.attributes.
  ScimReply otherAttribute(PatchKind kind, const ScimPatchPath& p, const Json& value) {
    Json& obj = container(p.path);
    std::string key = keyFor(obj, p.path.attribute);
    if (p.filter) return filtered(kind, p, obj, key, value);
    if (!p.path.sub_attribute.empty()) {
      Json& parent = obj[key];
      if (!parent.is_object()) parent = Json::object();
      std::string sub = keyFor(parent, p.path.sub_attribute);
      if (kind == PatchKind::kRemove)
        parent.erase(sub);
      else
        parent[sub] = value;
      return okReply();
    }
    if (kind == PatchKind::kRemove) {
      obj.erase(key);
    } else if (kind == PatchKind::kAdd && obj.contains(key) && obj[key].is_array() &&
               value.is_array()) {
      for (const Json& v : value) obj[key].push_back(v);  // add to a multi-valued attribute
    } else if (kind == PatchKind::kAdd && obj.contains(key) && obj[key].is_object() &&
               value.is_object()) {
      for (const auto& [k, v] : value.items()) obj[key][k] = v;
    } else {
      obj[key] = value;
    }
    return okReply();
  }

  // emails[type eq "work"] and emails[type eq "work"].value
  ScimReply filtered(PatchKind kind, const ScimPatchPath& p, Json& obj, const std::string& key,
                     const Json& value) {
    if (p.filter->op != ScimCompareOp::kEq) {
      return fail(ScimErrorType::kInvalidPath, "only 'eq' value filters are supported in paths");
    }
    if (!obj.contains(key) || !obj[key].is_array()) {
      if (kind == PatchKind::kRemove) return okReply();
      if (kind == PatchKind::kReplace && !p.filtered_sub_attribute.empty()) {
        // Entra ID replaces emails[type eq "work"].value before one exists: an add.
      } else if (kind == PatchKind::kReplace) {
        return fail(ScimErrorType::kNoTarget, "no value of '" + key + "' matches the filter");
      }
      obj[key] = Json::array();
    }
    Json& list = obj[key];
    bool found = false;
    for (size_t i = list.size(); i-- > 0;) {
      if (!matches(list[i], *p.filter)) continue;
      found = true;
      if (kind == PatchKind::kRemove && p.filtered_sub_attribute.empty()) {
        list.erase(i);
      } else if (kind == PatchKind::kRemove) {
        list[i].erase(keyFor(list[i], p.filtered_sub_attribute));
      } else if (!p.filtered_sub_attribute.empty()) {
        list[i][keyFor(list[i], p.filtered_sub_attribute)] = value;
      } else if (value.is_object()) {
        for (const auto& [k, v] : value.items()) list[i][k] = v;
      } else {
        return fail(ScimErrorType::kInvalidValue, "the value of a filtered path must be an object");
      }
    }
    if (found || kind == PatchKind::kRemove) return okReply();
    Json element = Json::object();
    element[p.filter->path.attribute] = p.filter->value;
    if (!p.filtered_sub_attribute.empty()) {
      element[p.filtered_sub_attribute] = value;
    } else if (value.is_object()) {
      for (const auto& [k, v] : value.items()) element[k] = v;
    }
    list.push_back(std::move(element));
    return okReply();
  }

  ScimReply apply(PatchKind kind, const ScimPatchPath& p, const Json& value) {
    ScimReply out;
    if (coreAttribute(kind, p, value, out)) return out;
    return otherAttribute(kind, p, value);
  }

  static bool isOneOf(const std::string& key, std::initializer_list<std::string_view> names) {
    for (std::string_view n : names) {
      if (scimNameEquals(key, n)) return true;
    }
    return false;
  }

  // add / replace without a path: the value is an object of attributes (RFC 7644 3.5.2.1/3).
  ScimReply applyObject(PatchKind kind, const Json& value) {
    if (!value.is_object()) {
      return fail(ScimErrorType::kInvalidValue,
                  "an operation without 'path' needs an object value");
    }
    for (const auto& [key, v] : value.items()) {
      // Okta repeats the id (and clients the schemas) in the value: not a change.
      if (isOneOf(key, {"id", "schemas", "meta"})) continue;
      if (key.size() > 4 && scimNameEquals(key.substr(0, 4), "urn:") && v.is_object()) {
        // A whole extension: {"urn:...:enterprise:2.0:User": {"department": "x"}}
        Json& ext = r.attributes[keyFor(r.attributes, key)];
        if (!ext.is_object() || kind == PatchKind::kReplace) {
          if (!ext.is_object()) ext = Json::object();
        }
        for (const auto& [k, x] : v.items()) ext[k] = x;
        continue;
      }
      auto path = parseScimPatchPath(key);
      if (!path.ok()) return fail(ScimErrorType::kInvalidPath, path.status().message());
      ScimReply one = apply(kind, *path, v);
      if (!one.ok()) return one;
    }
    return okReply();
  }
};

}  // namespace

ScimReply applyScimPatch(const Json& body, ScimResource& r, std::vector<ScimMemberOp>& members) {
  if (!body.is_object())
    return fail(ScimErrorType::kInvalidSyntax, "the body must be a JSON object");
  bool schema = false;
  if (body.contains("schemas") && body["schemas"].is_array()) {
    for (const Json& s : body["schemas"]) {
      if (s.is_string() && scimNameEquals(s.get<std::string>(), kScimPatchOpSchema)) schema = true;
    }
  }
  if (!schema) {
    return fail(ScimErrorType::kInvalidSyntax,
                "'schemas' must name " + std::string(kScimPatchOpSchema));
  }
  std::string ops_key = keyFor(body, "Operations");
  if (!body.contains(ops_key) || !body[ops_key].is_array() || body[ops_key].empty()) {
    return fail(ScimErrorType::kInvalidSyntax, "'Operations' must be a non-empty array");
  }
  const Json& ops = body[ops_key];
  if (ops.size() > kMaxScimPatchOperations) {
    return ScimReply::fail(
        Status::resourceExhausted("more than " + std::to_string(kMaxScimPatchOperations) +
                                  " operations in one PATCH"),
        ScimErrorType::kNone);
  }
  Patcher patcher{r, members};
  for (size_t i = 0; i < ops.size(); ++i) {
    const Json& op = ops[i];
    const std::string where = "Operations[" + std::to_string(i) + "]: ";
    if (!op.is_object() || !op.contains(keyFor(op, "op")) || !op[keyFor(op, "op")].is_string()) {
      return fail(ScimErrorType::kInvalidSyntax, where + "'op' must be a string");
    }
    const std::string name = op[keyFor(op, "op")].get<std::string>();
    PatchKind kind = PatchKind::kAdd;
    if (scimNameEquals(name, "add"))
      kind = PatchKind::kAdd;
    else if (scimNameEquals(name, "remove"))
      kind = PatchKind::kRemove;
    else if (scimNameEquals(name, "replace"))
      kind = PatchKind::kReplace;
    else
      return fail(ScimErrorType::kInvalidSyntax, where + "unknown op '" + name + "'");
    const std::string path_key = keyFor(op, "path");
    const std::string value_key = keyFor(op, "value");
    const Json value = op.contains(value_key) ? op[value_key] : Json(nullptr);
    ScimReply one;
    if (!op.contains(path_key) || op[path_key].is_null()) {
      if (kind == PatchKind::kRemove) {
        return fail(ScimErrorType::kNoTarget, where + "a remove operation needs a 'path'");
      }
      one = patcher.applyObject(kind, value);
    } else {
      if (!op[path_key].is_string()) {
        return fail(ScimErrorType::kInvalidPath, where + "'path' must be a string");
      }
      auto path = parseScimPatchPath(op[path_key].get<std::string>());
      if (!path.ok()) return fail(ScimErrorType::kInvalidPath, where + path.status().message());
      if (kind != PatchKind::kRemove && !op.contains(value_key)) {
        return fail(ScimErrorType::kInvalidValue, where + "'value' is required");
      }
      one = patcher.apply(kind, *path, value);
    }
    if (!one.ok()) {
      return ScimReply::fail(Status(one.status.code(), where + one.status.message()),
                             one.error_type);
    }
  }
  return okReply();
}

}  // namespace ward::identity
