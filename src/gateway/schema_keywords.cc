// One schema object's keywords -> its SchemaNode. Keywords of the wrong JSON type are left out
// here: the metaschema check (json_schema.cc) refuses such a schema before it is used.
#include "schema_keywords.h"

#include <algorithm>
#include <cmath>

#include "ward/common/encoding.h"

namespace ward::gateway {
namespace {

std::optional<double> numberOf(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// A count keyword (minLength, maxItems...): a non-negative integer, 2.0 included.
std::optional<uint64_t> countOf(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (it->is_number_integer()) {
    int64_t v = it->get<int64_t>();
    return v < 0 ? 0 : static_cast<uint64_t>(v);
  }
  double d = it->get<double>();
  if (!(d >= 0)) return 0;
  if (d > 1.8e19) return UINT64_MAX;
  return static_cast<uint64_t>(std::floor(d));
}

uint8_t typeBit(const std::string& name) {
  if (name == "null") return kTypeNull;
  if (name == "boolean") return kTypeBoolean;
  if (name == "object") return kTypeObject;
  if (name == "array") return kTypeArray;
  if (name == "number") return kTypeNumber;
  if (name == "string") return kTypeString;
  if (name == "integer") return kTypeInteger;
  return 0;
}

Result<std::shared_ptr<const EcmaRegex>> compilePattern(const std::string& ecma,
                                                        const std::string& at,
                                                        const KeywordContext& ctx) {
  auto re = EcmaRegex::compile(ecma);
  if (!re.ok()) {
    return Status::invalidArgument(std::string(ctx.what) + " " + at + ": " + re.status().message());
  }
  return *re;
}

}  // namespace

Status compileSchemaKeywords(const Json& j, SchemaNode* n, const KeywordContext& ctx) {
  const bool draft7 = n->dialect == SchemaDialect::kDraft7;
  const std::string& loc = ctx.location;
  auto one = [&](const char* key, const SchemaNode** out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || (!it->is_object() && !it->is_boolean())) return Status();
    WARD_ASSIGN_OR_RETURN(*out, ctx.sub(*it));
    return Status();
  };
  auto many = [&](const char* key, std::vector<const SchemaNode*>* out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return Status();
    for (const Json& s : *it) {
      if (!s.is_object() && !s.is_boolean()) continue;
      WARD_ASSIGN_OR_RETURN(const SchemaNode* c, ctx.sub(s));
      out->push_back(c);
    }
    return Status();
  };

  auto ref = j.find("$ref");
  if (ref != j.end() && ref->is_string()) {
    ctx.add_ref(ref->get<std::string>(), false);
    if (draft7) return Status();  // draft-07: $ref replaces its siblings
  }
  if (!draft7) {
    auto dyn = j.find("$dynamicRef");
    if (dyn != j.end() && dyn->is_string()) ctx.add_ref(dyn->get<std::string>(), true);
  }

  // Applicators.
  WARD_RETURN_IF_ERROR(many("allOf", &n->all_of));
  WARD_RETURN_IF_ERROR(many("anyOf", &n->any_of));
  WARD_RETURN_IF_ERROR(many("oneOf", &n->one_of));
  WARD_RETURN_IF_ERROR(one("not", &n->not_schema));
  if (j.contains("if")) {
    WARD_RETURN_IF_ERROR(one("if", &n->if_schema));
    WARD_RETURN_IF_ERROR(one("then", &n->then_schema));
    WARD_RETURN_IF_ERROR(one("else", &n->else_schema));
  }
  if (draft7) {
    auto items = j.find("items");
    if (items != j.end() && items->is_array()) {
      WARD_RETURN_IF_ERROR(many("items", &n->prefix_items));
      WARD_RETURN_IF_ERROR(one("additionalItems", &n->items));
    } else {
      WARD_RETURN_IF_ERROR(one("items", &n->items));
    }
  } else {
    WARD_RETURN_IF_ERROR(many("prefixItems", &n->prefix_items));
    WARD_RETURN_IF_ERROR(one("items", &n->items));
    WARD_RETURN_IF_ERROR(one("unevaluatedItems", &n->unevaluated_items));
    WARD_RETURN_IF_ERROR(one("unevaluatedProperties", &n->unevaluated_properties));
    if (n->unevaluated_items != nullptr || n->unevaluated_properties != nullptr) {
      *ctx.needs_annotations = true;
    }
  }
  WARD_RETURN_IF_ERROR(one("contains", &n->contains));
  WARD_RETURN_IF_ERROR(one("additionalProperties", &n->additional_properties));
  WARD_RETURN_IF_ERROR(one("propertyNames", &n->property_names));
  auto props = j.find("properties");
  if (props != j.end() && props->is_object()) {
    for (const auto& [name, s] : props->items()) {
      if (!s.is_object() && !s.is_boolean()) continue;
      WARD_ASSIGN_OR_RETURN(const SchemaNode* c, ctx.sub(s));
      n->properties.emplace_back(name, c);  // nlohmann's object is sorted by key
    }
  }
  auto pprops = j.find("patternProperties");
  if (pprops != j.end() && pprops->is_object()) {
    for (const auto& [p, s] : pprops->items()) {
      if (!s.is_object() && !s.is_boolean()) continue;
      PatternSchema ps;
      ps.pattern = p;
      WARD_ASSIGN_OR_RETURN(
          ps.regex, compilePattern(p, loc + "/patternProperties/" + jsonPointerToken(p), ctx));
      WARD_ASSIGN_OR_RETURN(ps.schema, ctx.sub(s));
      n->pattern_properties.push_back(std::move(ps));
    }
  }
  auto deps = j.find(draft7 ? "dependencies" : "dependentSchemas");
  if (deps != j.end() && deps->is_object()) {
    for (const auto& [name, s] : deps->items()) {
      if (s.is_array()) {
        if (!draft7 || ctx.validation_off) continue;
        std::vector<std::string> names;
        for (const Json& v : s) {
          if (v.is_string()) names.push_back(v.get<std::string>());
        }
        n->dependent_required.emplace_back(name, std::move(names));
      } else if (s.is_object() || s.is_boolean()) {
        WARD_ASSIGN_OR_RETURN(const SchemaNode* c, ctx.sub(s));
        n->dependent_schemas.emplace_back(name, c);
      }
    }
  }
  auto fmt = j.find("format");
  if (fmt != j.end() && fmt->is_string()) n->format = fmt->get<std::string>();

  if (ctx.validation_off) return Status();
  // Validation keywords.
  auto type = j.find("type");
  if (type != j.end()) {
    if (type->is_string()) {
      n->types = typeBit(type->get<std::string>());
    } else if (type->is_array()) {
      for (const Json& t : *type) {
        if (t.is_string()) n->types |= typeBit(t.get<std::string>());
      }
    }
    if (n->types == 0) n->types = 0x80;  // an unknown type name: nothing matches
  }
  auto en = j.find("enum");
  if (en != j.end() && en->is_array()) {
    n->has_enum = true;
    n->enum_values.assign(en->begin(), en->end());
  }
  auto cn = j.find("const");
  if (cn != j.end()) n->const_value = *cn;
  n->minimum = numberOf(j, "minimum");
  n->maximum = numberOf(j, "maximum");
  n->exclusive_minimum = numberOf(j, "exclusiveMinimum");
  n->exclusive_maximum = numberOf(j, "exclusiveMaximum");
  n->multiple_of = numberOf(j, "multipleOf");
  if (n->multiple_of && !(*n->multiple_of > 0)) n->multiple_of.reset();
  n->min_length = countOf(j, "minLength");
  n->max_length = countOf(j, "maxLength");
  auto pattern = j.find("pattern");
  if (pattern != j.end() && pattern->is_string()) {
    n->pattern_text = pattern->get<std::string>();
    WARD_ASSIGN_OR_RETURN(n->pattern, compilePattern(n->pattern_text, loc + "/pattern", ctx));
  }
  n->min_items = countOf(j, "minItems");
  n->max_items = countOf(j, "maxItems");
  auto unique = j.find("uniqueItems");
  n->unique_items = unique != j.end() && unique->is_boolean() && unique->get<bool>();
  if (!draft7) {
    n->min_contains = countOf(j, "minContains");
    n->max_contains = countOf(j, "maxContains");
  }
  auto req = j.find("required");
  if (req != j.end() && req->is_array()) {
    for (const Json& r : *req) {
      if (r.is_string()) n->required.push_back(r.get<std::string>());
    }
  }
  n->min_properties = countOf(j, "minProperties");
  n->max_properties = countOf(j, "maxProperties");
  if (!draft7) {
    auto dr = j.find("dependentRequired");
    if (dr != j.end() && dr->is_object()) {
      for (const auto& [name, list] : dr->items()) {
        if (!list.is_array()) continue;
        std::vector<std::string> names;
        for (const Json& v : list) {
          if (v.is_string()) names.push_back(v.get<std::string>());
        }
        n->dependent_required.emplace_back(name, std::move(names));
      }
    }
  }
  return Status();
}

}  // namespace ward::gateway
