// Evaluates a SchemaGraph against a JSON value. The walk recurses once per (schema node,
// instance level), never per character; it is bounded by kMaxValidationDepth and by the work
// budget kMaxValidationWork (node visits plus enum/const comparisons), so a hostile schema
// (exponential anyOf nesting, huge enums) costs at most a known amount.
//
// Annotations (which properties/items a subschema evaluated, for unevaluatedProperties/Items)
// are collected only under a node that has one of those keywords: elsewhere the pointer is null
// and nothing is tracked. Errors are collected only when asked; otherwise the first failure
// ends the walk.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "schema_format.h"
#include "schema_graph.h"
#include "ward/common/encoding.h"

namespace ward::gateway {
namespace {

// The instance location, built only when an error is reported.
struct PathSegment {
  const PathSegment* parent;
  const std::string* key;  // null for an array index
  size_t index;
};

std::string pointerOf(const PathSegment* p) {
  std::vector<const PathSegment*> segs;
  for (; p != nullptr; p = p->parent) segs.push_back(p);
  std::string out;
  for (auto it = segs.rbegin(); it != segs.rend(); ++it) {
    out += '/';
    if ((*it)->key == nullptr) {
      out += std::to_string((*it)->index);
      continue;
    }
    out += jsonPointerToken(*(*it)->key);
  }
  return out;
}

std::string numberText(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, r.ptr);
}

bool isInteger(const Json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

int typeRank(const Json& v) {
  if (v.is_null()) return 0;
  if (v.is_boolean()) return 1;
  if (v.is_number()) return 2;
  if (v.is_string()) return 3;
  if (v.is_array()) return 4;
  return 5;
}

int compareNumbers(const Json& a, const Json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    if (a.is_number_unsigned() || b.is_number_unsigned()) {
      bool an = !a.is_number_unsigned() && a.get<int64_t>() < 0;
      bool bn = !b.is_number_unsigned() && b.get<int64_t>() < 0;
      if (an != bn) return an ? -1 : 1;
      if (an) {
        int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
        return x < y ? -1 : x > y ? 1 : 0;
      }
      uint64_t x = a.get<uint64_t>(), y = b.get<uint64_t>();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  double x = a.get<double>(), y = b.get<double>();
  return x < y ? -1 : x > y ? 1 : 0;
}

// A total order in which equal JSON values (1 and 1.0 included) compare 0.
int compareJson(const Json& a, const Json& b) {
  int ra = typeRank(a), rb = typeRank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return static_cast<int>(a.get<bool>()) - static_cast<int>(b.get<bool>());
    case 2:
      return compareNumbers(a, b);
    case 3: {
      int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case 4: {
      if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
      for (size_t i = 0; i < a.size(); ++i) {
        int c = compareJson(a[i], b[i]);
        if (c != 0) return c;
      }
      return 0;
    }
    default: {
      if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
      auto ia = a.begin();
      auto ib = b.begin();
      for (; ia != a.end(); ++ia, ++ib) {
        int c = ia.key().compare(ib.key());
        if (c != 0) return c < 0 ? -1 : 1;
        c = compareJson(ia.value(), ib.value());
        if (c != 0) return c;
      }
      return 0;
    }
  }
}

size_t codePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string typeNames(uint8_t types) {
  static const char* const kNames[] = {"null",   "boolean", "object", "array",
                                       "number", "string",  "integer"};
  std::string out;
  for (int i = 0; i < 7; ++i) {
    if ((types & (1 << i)) == 0) continue;
    if (!out.empty()) out += " or ";
    out += kNames[i];
  }
  return out.empty() ? "of no known type" : out;
}

bool typeMatches(uint8_t types, const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return types & kTypeNull;
    case Json::value_t::boolean:
      return types & kTypeBoolean;
    case Json::value_t::object:
      return types & kTypeObject;
    case Json::value_t::array:
      return types & kTypeArray;
    case Json::value_t::string:
      return types & kTypeString;
    default:
      if (types & kTypeNumber) return true;
      return (types & kTypeInteger) && isInteger(v);
  }
}

// What evaluated which parts of one instance location.
struct Annotations {
  std::vector<bool> properties;  // by position in the object's member order
  std::vector<bool> items;
  void merge(const Annotations& o) {
    if (properties.size() < o.properties.size()) properties.resize(o.properties.size());
    for (size_t i = 0; i < o.properties.size(); ++i)
      properties[i] = properties[i] || o.properties[i];
    if (items.size() < o.items.size()) items.resize(o.items.size());
    for (size_t i = 0; i < o.items.size(); ++i) items[i] = items[i] || o.items[i];
  }
};

class Evaluator {
 public:
  Evaluator(const SchemaGraph& graph, std::vector<SchemaViolation>* out)
      : graph_(graph), out_(out) {}

  bool eval(const SchemaNode* n, const Json& v, const PathSegment* path, Annotations* ann);
  // The walk was cut short (work budget, or too deep when too_deep()); the value is refused.
  bool exhausted() const { return exhausted_; }
  bool tooDeep() const { return too_deep_; }

 private:
  bool fail(const SchemaNode* n, const PathSegment* path, const char* rule, std::string message) {
    if (out_ != nullptr && out_->size() < kMaxReportedViolations) {
      out_->push_back(SchemaViolation{
          pointerOf(path),
          n->location + (rule[0] == '$' || rule[0] == 'f' ? "" : std::string("/") + rule), rule,
          std::move(message)});
    }
    return false;
  }
  bool charge(int64_t units) {
    work_ += units;
    if (work_ <= kMaxValidationWork) return true;
    exhausted_ = true;
    return false;
  }
  // Runs `n` in place on `v` for an applicator; the branch's errors are kept only when `keep`.
  bool branch(const SchemaNode* n, const Json& v, const PathSegment* path, Annotations* ann) {
    if (ann == nullptr) return eval(n, v, path, nullptr);
    Annotations local;
    bool ok = eval(n, v, path, &local);
    if (ok) ann->merge(local);
    return ok;
  }
  bool evalApplicators(const SchemaNode* n, const Json& v, const PathSegment* path,
                       Annotations* ann);
  bool evalObject(const SchemaNode* n, const Json& v, const PathSegment* path, Annotations* ann);
  bool evalArray(const SchemaNode* n, const Json& v, const PathSegment* path, Annotations* ann);
  bool evalScalar(const SchemaNode* n, const Json& v, const PathSegment* path);

  const SchemaGraph& graph_;
  std::vector<SchemaViolation>* out_;
  std::vector<const SchemaResource*> scope_;  // the dynamic scope, outermost first
  int64_t work_ = 0;
  int depth_ = 0;
  bool exhausted_ = false;
  bool too_deep_ = false;
};

bool Evaluator::eval(const SchemaNode* n, const Json& v, const PathSegment* path,
                     Annotations* ann) {
  if (exhausted_ || !charge(1)) return false;
  if (n->constant) {
    if (*n->constant) return true;
    return fail(n, path, "false schema", "is not allowed here");
  }
  if (depth_ >= kMaxValidationDepth) {
    too_deep_ = exhausted_ = true;  // ends the walk: a `not` must not turn this into a pass
    return false;
  }
  ++depth_;
  bool pushed = scope_.empty() || scope_.back() != n->resource;
  if (pushed) scope_.push_back(n->resource);
  // With unevaluated* here, this node's in-place applicators report what they evaluated.
  Annotations local;
  Annotations* mine = ann;
  if (mine == nullptr &&
      (n->unevaluated_properties != nullptr || n->unevaluated_items != nullptr)) {
    mine = &local;
  }
  if (mine != nullptr) {
    if (v.is_object() && mine->properties.size() < v.size()) mine->properties.resize(v.size());
    if (v.is_array() && mine->items.size() < v.size()) mine->items.resize(v.size());
  }
  bool ok = evalScalar(n, v, path);
  if (ok || out_ != nullptr) ok = evalApplicators(n, v, path, mine) && ok;
  if (v.is_object() && (ok || out_ != nullptr)) ok = evalObject(n, v, path, mine) && ok;
  if (v.is_array() && (ok || out_ != nullptr)) ok = evalArray(n, v, path, mine) && ok;
  if (pushed) scope_.pop_back();
  --depth_;
  return ok;
}

bool Evaluator::evalScalar(const SchemaNode* n, const Json& v, const PathSegment* path) {
  bool ok = true;
  if (n->types != 0 && !typeMatches(n->types, v)) {
    ok = fail(n, path, "type", "must be " + typeNames(n->types));
    if (out_ == nullptr) return false;
  }
  if (n->has_enum) {
    if (!charge(static_cast<int64_t>(n->enum_values.size()))) return false;
    bool found = std::any_of(n->enum_values.begin(), n->enum_values.end(),
                             [&](const Json& e) { return compareJson(e, v) == 0; });
    if (!found) {
      ok = fail(n, path, "enum", "must be one of the enum values");
      if (out_ == nullptr) return false;
    }
  }
  if (n->const_value && compareJson(*n->const_value, v) != 0) {
    ok = fail(n, path, "const", "must equal the const value");
    if (out_ == nullptr) return false;
  }
  if (v.is_number()) {
    double d = v.get<double>();
    if (n->minimum && d < *n->minimum)
      ok = fail(n, path, "minimum", "must be >= " + numberText(*n->minimum));
    if (n->maximum && d > *n->maximum)
      ok = fail(n, path, "maximum", "must be <= " + numberText(*n->maximum));
    if (n->exclusive_minimum && d <= *n->exclusive_minimum) {
      ok = fail(n, path, "exclusiveMinimum", "must be > " + numberText(*n->exclusive_minimum));
    }
    if (n->exclusive_maximum && d >= *n->exclusive_maximum) {
      ok = fail(n, path, "exclusiveMaximum", "must be < " + numberText(*n->exclusive_maximum));
    }
    if (n->multiple_of) {
      bool multiple;
      if (v.is_number_integer() && std::floor(*n->multiple_of) == *n->multiple_of &&
          *n->multiple_of < 9e15 && std::fabs(d) < 9e15) {
        multiple = static_cast<int64_t>(d) % static_cast<int64_t>(*n->multiple_of) == 0;
      } else {
        double q = d / *n->multiple_of;
        multiple =
            std::isfinite(q) && std::fabs(q - std::round(q)) <= 1e-9 * std::max(1.0, std::fabs(q));
      }
      if (!multiple)
        ok = fail(n, path, "multipleOf", "must be a multiple of " + numberText(*n->multiple_of));
    }
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (n->min_length || n->max_length) {
      size_t len = codePoints(s);
      if (n->min_length && len < *n->min_length) {
        ok = fail(n, path, "minLength",
                  "must be at least " + std::to_string(*n->min_length) + " characters");
      }
      if (n->max_length && len > *n->max_length) {
        ok = fail(n, path, "maxLength",
                  "must be at most " + std::to_string(*n->max_length) + " characters");
      }
    }
    if (n->pattern && !n->pattern->search(s)) {
      ok = fail(n, path, "pattern", "must match the pattern '" + n->pattern_text + "'");
    }
    if (graph_.format_assertion && !n->format.empty() && !formatMatches(n->format, s)) {
      ok = fail(n, path, "format", "must be a valid " + n->format);
    }
  }
  return ok;
}

bool Evaluator::evalApplicators(const SchemaNode* n, const Json& v, const PathSegment* path,
                                Annotations* ann) {
  bool ok = true;
  auto stop = [&] { return !ok && out_ == nullptr; };
  if (n->ref != nullptr) {
    ok = branch(n->ref, v, path, ann) && ok;
    if (stop()) return false;
  }
  if (n->dynamic_ref != nullptr) {
    const SchemaNode* target = n->dynamic_ref;
    if (!n->dynamic_anchor.empty()) {
      for (const SchemaResource* r : scope_) {
        auto it = r->dynamic_anchors.find(n->dynamic_anchor);
        if (it != r->dynamic_anchors.end()) {
          target = it->second;
          break;
        }
      }
    }
    ok = branch(target, v, path, ann) && ok;
    if (stop()) return false;
  }
  for (const SchemaNode* s : n->all_of) {
    ok = branch(s, v, path, ann) && ok;
    if (stop()) return false;
  }
  if (!n->any_of.empty()) {
    size_t mark = out_ != nullptr ? out_->size() : 0;
    bool any = false;
    for (const SchemaNode* s : n->any_of) {
      if (any && ann == nullptr) break;
      any = branch(s, v, path, ann) || any;
      if (exhausted_) return false;
    }
    if (any && out_ != nullptr) out_->resize(mark);
    if (!any) ok = fail(n, path, "anyOf", "must match at least one schema in anyOf");
    if (stop()) return false;
  }
  if (!n->one_of.empty()) {
    size_t mark = out_ != nullptr ? out_->size() : 0;
    int matched = 0;
    Annotations kept;
    for (const SchemaNode* s : n->one_of) {
      Annotations local;
      if (branch(s, v, path, ann != nullptr ? &local : nullptr)) {
        ++matched;
        if (ann != nullptr) kept = std::move(local);
      }
      if (exhausted_) return false;
      if (matched > 1 && ann == nullptr && out_ == nullptr) break;
    }
    if (matched == 1) {
      if (out_ != nullptr) out_->resize(mark);
      if (ann != nullptr) ann->merge(kept);
    } else {
      if (matched > 1 && out_ != nullptr) out_->resize(mark);
      ok = fail(n, path, "oneOf",
                "must match exactly one schema in oneOf (matched " + std::to_string(matched) + ")");
    }
    if (stop()) return false;
  }
  if (n->not_schema != nullptr) {
    std::vector<SchemaViolation>* saved = out_;
    out_ = nullptr;
    bool matched = eval(n->not_schema, v, path, nullptr);
    out_ = saved;
    if (exhausted_) return false;
    if (matched) ok = fail(n, path, "not", "must not match the schema in 'not'");
    if (stop()) return false;
  }
  if (n->if_schema != nullptr) {
    std::vector<SchemaViolation>* saved = out_;
    out_ = nullptr;
    Annotations if_ann;
    bool cond = eval(n->if_schema, v, path, ann != nullptr ? &if_ann : nullptr);
    out_ = saved;
    if (exhausted_) return false;
    if (cond && ann != nullptr) ann->merge(if_ann);
    const SchemaNode* next = cond ? n->then_schema : n->else_schema;
    if (next != nullptr && !branch(next, v, path, ann)) {
      ok = fail(n, path, cond ? "then" : "else",
                std::string("must match the '") + (cond ? "then" : "else") +
                    "' schema (the 'if' schema " + (cond ? "matched)" : "did not match)"));
    }
    if (stop()) return false;
  }
  if (v.is_object()) {
    for (const auto& [name, schema] : n->dependent_schemas) {
      if (!v.contains(name)) continue;
      ok = branch(schema, v, path, ann) && ok;
      if (stop()) return false;
    }
  }
  return ok;
}

bool Evaluator::evalObject(const SchemaNode* n, const Json& v, const PathSegment* path,
                           Annotations* ann) {
  bool ok = true;
  if (n->min_properties && v.size() < *n->min_properties) {
    ok = fail(n, path, "minProperties",
              "must have at least " + std::to_string(*n->min_properties) + " properties");
  }
  if (n->max_properties && v.size() > *n->max_properties) {
    ok = fail(n, path, "maxProperties",
              "must have at most " + std::to_string(*n->max_properties) + " properties");
  }
  for (const std::string& r : n->required) {
    if (!v.contains(r)) ok = fail(n, path, "required", "must have the property '" + r + "'");
  }
  for (const auto& [name, needed] : n->dependent_required) {
    if (!v.contains(name)) continue;
    for (const std::string& r : needed) {
      if (!v.contains(r)) {
        ok = fail(n, path,
                  n->dialect == SchemaDialect::kDraft7 ? "dependencies" : "dependentRequired",
                  "must have the property '" + r + "' when '" + name + "' is present");
      }
    }
  }
  if (!ok && out_ == nullptr) return false;
  const bool members = !n->properties.empty() || !n->pattern_properties.empty() ||
                       n->additional_properties != nullptr || n->property_names != nullptr ||
                       n->unevaluated_properties != nullptr;
  if (!members) return ok;
  size_t i = 0;
  for (auto it = v.begin(); it != v.end(); ++it, ++i) {
    const std::string& key = it.key();
    PathSegment seg{path, &key, 0};
    bool evaluated = false;
    auto p = std::lower_bound(n->properties.begin(), n->properties.end(), key,
                              [](const auto& a, const std::string& k) { return a.first < k; });
    if (p != n->properties.end() && p->first == key) {
      evaluated = true;
      ok = eval(p->second, it.value(), &seg, nullptr) && ok;
    }
    for (const PatternSchema& ps : n->pattern_properties) {
      if (!ps.regex->search(key)) continue;
      evaluated = true;
      ok = eval(ps.schema, it.value(), &seg, nullptr) && ok;
    }
    if (!evaluated && n->additional_properties != nullptr) {
      evaluated = true;
      if (n->additional_properties->constant == false) {
        ok = fail(n, &seg, "additionalProperties", "is not an allowed property");
      } else {
        ok = eval(n->additional_properties, it.value(), &seg, nullptr) && ok;
      }
    }
    if (n->property_names != nullptr) {
      Json name(key);
      std::vector<SchemaViolation>* saved = out_;
      out_ = nullptr;
      bool good = eval(n->property_names, name, &seg, nullptr);
      out_ = saved;
      if (!good) ok = fail(n, &seg, "propertyNames", "is not an allowed property name");
    }
    if (evaluated && ann != nullptr) ann->properties[i] = true;
    if (!ok && out_ == nullptr) return false;
  }
  if (n->unevaluated_properties != nullptr) {
    i = 0;
    for (auto it = v.begin(); it != v.end(); ++it, ++i) {
      if (ann->properties[i]) continue;
      const std::string& key = it.key();
      PathSegment seg{path, &key, 0};
      if (n->unevaluated_properties->constant == false) {
        ok = fail(n, &seg, "unevaluatedProperties", "is not an allowed property");
      } else if (eval(n->unevaluated_properties, it.value(), &seg, nullptr)) {
        ann->properties[i] = true;
      } else {
        ok = false;
      }
      if (!ok && out_ == nullptr) return false;
    }
  }
  return ok;
}

bool Evaluator::evalArray(const SchemaNode* n, const Json& v, const PathSegment* path,
                          Annotations* ann) {
  bool ok = true;
  if (n->min_items && v.size() < *n->min_items) {
    ok =
        fail(n, path, "minItems", "must have at least " + std::to_string(*n->min_items) + " items");
  }
  if (n->max_items && v.size() > *n->max_items) {
    ok = fail(n, path, "maxItems", "must have at most " + std::to_string(*n->max_items) + " items");
  }
  if (n->unique_items && v.size() > 1) {
    std::vector<const Json*> sorted;
    for (const Json& e : v) sorted.push_back(&e);
    if (!charge(static_cast<int64_t>(v.size()))) return false;
    std::sort(sorted.begin(), sorted.end(),
              [](const Json* a, const Json* b) { return compareJson(*a, *b) < 0; });
    for (size_t i = 1; i < sorted.size(); ++i) {
      if (compareJson(*sorted[i - 1], *sorted[i]) == 0) {
        ok = fail(n, path, "uniqueItems", "must not contain duplicate items");
        break;
      }
    }
  }
  if (!ok && out_ == nullptr) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    const SchemaNode* s = i < n->prefix_items.size() ? n->prefix_items[i] : n->items;
    if (s == nullptr) break;
    PathSegment seg{path, nullptr, i};
    ok = eval(s, v[i], &seg, nullptr) && ok;
    if (ann != nullptr) ann->items[i] = true;
    if (!ok && out_ == nullptr) return false;
  }
  if (n->contains != nullptr) {
    uint64_t matches = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      PathSegment seg{path, nullptr, i};
      std::vector<SchemaViolation>* saved = out_;
      out_ = nullptr;
      bool m = eval(n->contains, v[i], &seg, nullptr);
      out_ = saved;
      if (exhausted_) return false;
      if (!m) continue;
      ++matches;
      if (ann != nullptr && n->dialect != SchemaDialect::kDraft7) ann->items[i] = true;
    }
    uint64_t min = n->min_contains.value_or(1);
    if (matches < min) {
      ok = fail(n, path, n->min_contains ? "minContains" : "contains",
                "must contain at least " + std::to_string(min) + " matching item(s)");
    }
    if (n->max_contains && matches > *n->max_contains) {
      ok = fail(n, path, "maxContains",
                "must contain at most " + std::to_string(*n->max_contains) + " matching item(s)");
    }
  }
  if (n->unevaluated_items != nullptr) {
    for (size_t i = 0; i < v.size(); ++i) {
      if (ann->items[i]) continue;
      PathSegment seg{path, nullptr, i};
      if (n->unevaluated_items->constant == false) {
        ok = fail(n, &seg, "unevaluatedItems", "is not an allowed item");
      } else if (eval(n->unevaluated_items, v[i], &seg, nullptr)) {
        ann->items[i] = true;
      } else {
        ok = false;
      }
      if (!ok && out_ == nullptr) return false;
    }
  }
  return ok;
}

}  // namespace

bool validateSchemaGraph(const SchemaGraph& graph, const Json& value,
                         std::vector<SchemaViolation>* violations) {
  Evaluator e(graph, violations);
  bool ok = e.eval(graph.root, value, nullptr, nullptr);
  if (e.exhausted() && violations != nullptr) {
    // Out of budget, the value is refused for that alone: what failed before says little.
    violations->assign(1, e.tooDeep() ? SchemaViolation{"", "", "depth",
                                                        "nested deeper than " +
                                                            std::to_string(kMaxValidationDepth) +
                                                            " schema levels (kMaxValidationDepth)"}
                                      : SchemaViolation{"", "", "work budget",
                                                        "validation needs more than " +
                                                            std::to_string(kMaxValidationWork) +
                                                            " steps (kMaxValidationWork)"});
  }
  return ok && !e.exhausted();
}

}  // namespace ward::gateway
