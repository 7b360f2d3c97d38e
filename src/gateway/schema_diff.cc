// Schema evolution between two tool versions (schema_diff.h): a recursive walk over the keywords
// whose effect on the accepted set is known, and a conservative "changed" for the rest.
#include "ward/gateway/schema_diff.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "ward/common/encoding.h"

namespace ward::gateway {

namespace {

// Keywords that describe a value without constraining it: changing them changes nothing.
bool isAnnotation(std::string_view k) {
  static const std::set<std::string_view> kAnnotations = {
      "title",    "description", "examples",   "default", "$comment",
      "readOnly", "writeOnly",   "deprecated", "$id",     "contentMediaType"};
  return kAnnotations.count(k) > 0;
}

// Bounds: (keyword, true when a smaller value accepts less).
struct Bound {
  std::string_view keyword;
  bool upper;
};
constexpr Bound kBounds[] = {
    {"maximum", true},   {"exclusiveMaximum", true},  {"maxLength", true},
    {"maxItems", true},  {"maxProperties", true},     {"maxContains", true},
    {"minimum", false},  {"exclusiveMinimum", false}, {"minLength", false},
    {"minItems", false}, {"minProperties", false},    {"minContains", false},
};

// A schema as an object: true and null accept anything, false nothing.
Json normalized(const Json& s) {
  if (s.is_null() || (s.is_boolean() && s.get<bool>())) return Json::object();
  if (s.is_boolean()) return Json{{"not", Json::object()}};
  return s;
}

std::set<std::string> typesOf(const Json& s) {
  std::set<std::string> out;
  if (!s.contains("type")) return out;  // empty = every type
  const Json& t = s["type"];
  if (t.is_string()) out.insert(t.get<std::string>());
  if (t.is_array()) {
    for (const Json& e : t) {
      if (e.is_string()) out.insert(e.get<std::string>());
    }
  }
  return out;
}

bool covers(const std::set<std::string>& types, const std::string& t) {
  if (types.empty() || types.count(t)) return true;
  return t == "integer" && types.count("number") > 0;
}

bool isClosed(const Json& s) {
  return s.contains("additionalProperties") && s["additionalProperties"].is_boolean() &&
         !s["additionalProperties"].get<bool>();
}

bool contains(const Json& array, const Json& value) {
  return std::find(array.begin(), array.end(), value) != array.end();
}

class Walker {
 public:
  explicit Walker(SchemaSide side) : side_(side) {}

  void walk(const Json& before_raw, const Json& after_raw, const std::string& at) {
    const Json before = normalized(before_raw);
    const Json after = normalized(after_raw);
    if (before == after) return;
    if (!before.is_object() || !after.is_object()) {
      add(at, "changed", SchemaEffect::kBoth, "the schema changed shape");
      return;
    }
    std::set<std::string> keys;
    for (const auto& [k, v] : before.items()) keys.insert(k);
    for (const auto& [k, v] : after.items()) keys.insert(k);
    for (const std::string& k : keys) {
      const bool in_before = before.contains(k), in_after = after.contains(k);
      if (in_before && in_after && before[k] == after[k]) continue;
      if (isAnnotation(k)) continue;
      const std::string here = at + "/" + jsonPointerToken(k);
      if (k == "type") {
        types(before, after, here);
      } else if (k == "enum") {
        enumChange(before, after, here);
      } else if (k == "const") {
        add(here, "const_changed",
            !in_before  ? SchemaEffect::kNarrows
            : !in_after ? SchemaEffect::kWidens
                        : SchemaEffect::kBoth,
            "the constant value changed");
      } else if (k == "required") {
        required(before, after, here);
      } else if (k == "properties") {
        properties(before, after, here);
      } else if (k == "additionalProperties") {
        additional(before, after, here);
      } else if (k == "items" && in_before && in_after && before[k].is_object() &&
                 after[k].is_object()) {
        walk(before[k], after[k], here);
      } else if (k == "uniqueItems") {
        const bool was = before.value("uniqueItems", false),
                   now = after.value("uniqueItems", false);
        if (was != now) {
          add(here, now ? "unique_items_added" : "unique_items_removed",
              now ? SchemaEffect::kNarrows : SchemaEffect::kWidens, "uniqueItems changed");
        }
      } else if (k == "pattern" || k == "format") {
        add(here,
            k + (!in_before  ? "_added"
                 : !in_after ? "_removed"
                             : "_changed"),
            !in_before  ? SchemaEffect::kNarrows
            : !in_after ? SchemaEffect::kWidens
                        : SchemaEffect::kBoth,
            k + " " +
                (!in_before  ? "added"
                 : !in_after ? "removed"
                             : "changed"));
      } else if (bound(before, after, k, here)) {
        // handled
      } else {
        add(here, "changed", SchemaEffect::kBoth,
            "'" + k + "' changed; Ward does not classify it, so it counts as breaking");
      }
    }
  }

  std::vector<SchemaChange> take() { return std::move(changes_); }

 private:
  void add(const std::string& pointer, std::string rule, SchemaEffect effect, std::string detail) {
    SchemaChange c;
    c.side = side_ == SchemaSide::kInput ? "input" : "output";
    c.pointer = pointer.empty() ? "/" : pointer;
    c.rule = std::move(rule);
    c.detail = std::move(detail);
    const bool narrows = effect == SchemaEffect::kNarrows || effect == SchemaEffect::kBoth;
    const bool widens = effect == SchemaEffect::kWidens || effect == SchemaEffect::kBoth;
    c.breaking = side_ == SchemaSide::kInput ? narrows : widens;
    changes_.push_back(std::move(c));
  }

  void types(const Json& before, const Json& after, const std::string& at) {
    const auto was = typesOf(before), now = typesOf(after);
    bool narrowed = false, widened = false;
    for (const char* t : {"null", "boolean", "object", "array", "number", "integer", "string"}) {
      const bool old_ok = covers(was, t), new_ok = covers(now, t);
      if (old_ok && !new_ok) narrowed = true;
      if (!old_ok && new_ok) widened = true;
    }
    if (narrowed || widened) {
      add(at,
          narrowed && widened ? "type_changed"
          : narrowed          ? "type_narrowed"
                              : "type_widened",
          narrowed && widened ? SchemaEffect::kBoth
          : narrowed          ? SchemaEffect::kNarrows
                              : SchemaEffect::kWidens,
          "type " + before.value("type", Json("any")).dump() + " -> " +
              after.value("type", Json("any")).dump());
    }
  }

  void enumChange(const Json& before, const Json& after, const std::string& at) {
    if (!before.contains("enum")) {
      add(at, "enum_added", SchemaEffect::kNarrows, "values are now limited to an enum");
      return;
    }
    if (!after.contains("enum")) {
      add(at, "enum_removed", SchemaEffect::kWidens, "the enum was removed");
      return;
    }
    const Json& was = before["enum"];
    const Json& now = after["enum"];
    if (!was.is_array() || !now.is_array()) {
      add(at, "changed", SchemaEffect::kBoth, "enum changed");
      return;
    }
    for (const Json& v : was) {
      if (!contains(now, v)) {
        add(at, "enum_value_removed", SchemaEffect::kNarrows, v.dump() + " was removed");
      }
    }
    for (const Json& v : now) {
      if (!contains(was, v)) {
        add(at, "enum_value_added", SchemaEffect::kWidens, v.dump() + " was added");
      }
    }
  }

  void required(const Json& before, const Json& after, const std::string& at) {
    const Json empty = Json::array();
    const Json& was = before.contains("required") ? before["required"] : empty;
    const Json& now = after.contains("required") ? after["required"] : empty;
    for (const Json& n : now) {
      if (!contains(was, n)) {
        add(at, "required_added", SchemaEffect::kNarrows, n.dump() + " is now required");
      }
    }
    for (const Json& n : was) {
      if (!contains(now, n)) {
        add(at, "required_removed", SchemaEffect::kWidens, n.dump() + " is no longer required");
      }
    }
  }

  void properties(const Json& before, const Json& after, const std::string& at) {
    const Json empty = Json::object();
    const Json& was = before.contains("properties") ? before["properties"] : empty;
    const Json& now = after.contains("properties") ? after["properties"] : empty;
    if (!was.is_object() || !now.is_object()) {
      add(at, "changed", SchemaEffect::kBoth, "properties changed shape");
      return;
    }
    for (const auto& [name, schema] : was.items()) {
      const std::string here = at + "/" + jsonPointerToken(name);
      if (now.contains(name)) {
        walk(schema, now[name], here);
      } else {
        // Gone from a closed object: callers that send it fail (input), and readers that
        // relied on it lose it (output). Gone from an open one: unconstrained now.
        add(here, "property_removed", isClosed(after) ? SchemaEffect::kBoth : SchemaEffect::kWidens,
            "'" + name + "' was removed");
      }
    }
    for (const auto& [name, schema] : now.items()) {
      if (!was.contains(name)) {
        // Whether it must be present is the `required` rule's business.
        add(at + "/" + jsonPointerToken(name), "property_added", SchemaEffect::kNeutral,
            "'" + name + "' was added");
      }
    }
  }

  void additional(const Json& before, const Json& after, const std::string& at) {
    const Json was =
        before.contains("additionalProperties") ? before["additionalProperties"] : Json(true);
    const Json now =
        after.contains("additionalProperties") ? after["additionalProperties"] : Json(true);
    if (isClosed(after) && !isClosed(before)) {
      add(at, "additional_properties_closed", SchemaEffect::kNarrows,
          "properties not listed are now refused");
    } else if (isClosed(before) && !isClosed(after)) {
      add(at, "additional_properties_opened", SchemaEffect::kWidens,
          "properties not listed are now accepted");
    } else {
      walk(was, now, at);
    }
  }

  // A numeric bound; false when `k` is not one.
  bool bound(const Json& before, const Json& after, const std::string& k, const std::string& at) {
    for (const Bound& b : kBounds) {
      if (b.keyword != k) continue;
      const bool in_before = before.contains(k), in_after = after.contains(k);
      if ((in_before && !before[k].is_number()) || (in_after && !after[k].is_number())) {
        return false;  // draft-4 boolean exclusive bounds and the like: "changed"
      }
      if (!in_before) {
        add(at, k + "_added", SchemaEffect::kNarrows, k + " " + after[k].dump() + " added");
      } else if (!in_after) {
        add(at, k + "_removed", SchemaEffect::kWidens, k + " " + before[k].dump() + " removed");
      } else {
        const double was = before[k].get<double>(), now = after[k].get<double>();
        const bool tighter = b.upper ? now < was : now > was;
        add(at, tighter ? k + "_tightened" : k + "_loosened",
            tighter ? SchemaEffect::kNarrows : SchemaEffect::kWidens,
            k + " " + before[k].dump() + " -> " + after[k].dump());
      }
      return true;
    }
    if (k == "multipleOf") {
      add(at, "multiple_of_changed", SchemaEffect::kBoth, "multipleOf changed");
      return true;
    }
    return false;
  }

  SchemaSide side_;
  std::vector<SchemaChange> changes_;
};

int riskRank(Risk r) {
  switch (r) {
    case Risk::kRead:
      return 0;
    case Risk::kWrite:
      return 1;
    case Risk::kDestructive:
      return 2;
  }
  return 2;
}

}  // namespace

bool ToolDiff::breaking() const {
  return std::any_of(changes.begin(), changes.end(),
                     [](const SchemaChange& c) { return c.breaking; });
}

std::string ToolDiff::classification() const {
  if (breaking()) return "breaking";
  return identical ? "identical" : "compatible";
}

Json ToolDiff::toJson() const {
  Json list = Json::array();
  for (const SchemaChange& c : changes) {
    list.push_back({{"side", c.side},
                    {"pointer", c.pointer},
                    {"rule", c.rule},
                    {"detail", c.detail},
                    {"breaking", c.breaking}});
  }
  return Json{{"classification", classification()}, {"changes", std::move(list)}};
}

std::vector<SchemaChange> diffSchema(const Json& before, const Json& after, SchemaSide side) {
  Walker w(side);
  w.walk(before, after, "");
  return w.take();
}

ToolDiff diffToolDefinitions(const ToolDefinition& before, const ToolDefinition& after) {
  ToolDiff d;
  d.changes = diffSchema(before.input_schema, after.input_schema, SchemaSide::kInput);
  for (SchemaChange& c :
       diffSchema(before.output_schema, after.output_schema, SchemaSide::kOutput)) {
    d.changes.push_back(std::move(c));
  }
  if (before.risk != after.risk) {
    const bool raised = riskRank(after.risk) > riskRank(before.risk);
    d.changes.push_back(
        {"tool", "/risk", raised ? "risk_raised" : "risk_lowered",
         std::string(riskName(before.risk)) + " -> " + std::string(riskName(after.risk)), raised});
  }
  d.identical = d.changes.empty() && before.input_schema == after.input_schema &&
                normalized(before.output_schema) == normalized(after.output_schema);
  return d;
}

bool allowsBreakingChange(const SemVer& before, const SemVer& after) {
  if (after.major != before.major) return after.major > before.major;
  return after.major == 0 && after.minor > before.minor;
}

}  // namespace ward::gateway
