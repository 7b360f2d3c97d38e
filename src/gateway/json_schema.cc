// valijson behind a Status-returning facade. valijson throws on schemas it cannot parse; the
// throw is caught here, where it is called.
//
// valijson 1.0 evaluates `pattern`, `patternProperties` and the date/time formats with
// std::regex, which recurses once per input character: a long argument overflowed the stack and
// killed the server. This file replaces those three members of valijson's ValidationVisitor, by
// explicit specialization for the only adapters Ward instantiates it with (nlohmann JSON, and
// property names), with RE2 (ecma_regex.h). The specializations must come before the first use
// of valijson::Validator below, and no other file may instantiate ValidationVisitor.
#include "ward/gateway/json_schema.h"

#include <re2/re2.h>

#include <algorithm>
#include <unordered_map>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/adapters/std_string_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validation_visitor.hpp>
#include <valijson/validator.hpp>

#include "ecma_regex.h"

namespace ward::gateway {

// The patterns of the schema being validated on this thread (set by validate()/accepts()), so a
// pattern is compiled once, when its schema is.
struct PatternTable {
  std::unordered_map<std::string, std::shared_ptr<const EcmaRegex>> by_text;
};

namespace {

thread_local const PatternTable* tl_patterns = nullptr;

class ActivePatterns {
 public:
  explicit ActivePatterns(const PatternTable* table) : previous_(tl_patterns) {
    tl_patterns = table;
  }
  ~ActivePatterns() { tl_patterns = previous_; }
  ActivePatterns(const ActivePatterns&) = delete;
  ActivePatterns& operator=(const ActivePatterns&) = delete;

 private:
  const PatternTable* previous_;
};

// The compiled pattern; null (with `why`) when it cannot be evaluated.
std::shared_ptr<const EcmaRegex> patternFor(const std::string& ecma, std::string* why) {
  if (tl_patterns != nullptr) {
    auto it = tl_patterns->by_text.find(ecma);
    if (it != tl_patterns->by_text.end()) return it->second;
  }
  auto compiled = EcmaRegex::compile(ecma);  // not seen at compile time; not expected
  if (!compiled.ok()) {
    *why = compiled.status().message();
    return nullptr;
  }
  return *compiled;
}

// `pattern`: whether `text` matches; a failure is reported on `results` as valijson would.
bool schemaPatternMatches(const std::string& pattern, const std::string& text,
                          const std::vector<std::string>& context,
                          valijson::ValidationResults* results) {
  std::string why;
  auto re = patternFor(pattern, &why);
  if (re == nullptr || !re->search(text)) {
    if (results != nullptr) {
      results->pushError(context, re == nullptr ? "Cannot evaluate 'pattern': " + why
                                                : "Failed to match regex specified by 'pattern' "
                                                  "constraint.");
    }
    return false;
  }
  return true;
}

// `format`: date, time and date-time as valijson defines them (RFC 3339), checked with RE2.
// Returns false for a malformed value; sets month/day (else 0) when the date range must still be
// checked.
bool schemaFormatMatches(const std::string& format, const std::string& s, int* month, int* day) {
  static const std::string kTime =
      "([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+|\\-]([01][0-9]|2[0-3]):"
      "[0-5][0-9])";
  static const RE2 kDate("([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])");
  static const RE2 kTimeOnly(kTime);
  static const RE2 kDateTime("([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])[Tt]" + kTime);
  *month = *day = 0;
  re2::StringPiece year;
  if (format == "date") return RE2::FullMatch(s, kDate, &year, month, day);
  if (format == "time") return RE2::FullMatch(s, kTimeOnly);
  if (format == "date-time") return RE2::FullMatch(s, kDateTime, &year, month, day);
  return true;
}

}  // namespace
}  // namespace ward::gateway

namespace valijson {

// Ward's replacements of the three std::regex users (see the top of this file).
#define WARD_SCHEMA_REGEX_VISITS(ADAPTER)                                                     \
  template <>                                                                                 \
  bool ValidationVisitor<ADAPTER>::visit(const constraints::PatternConstraint& constraint) {  \
    if ((m_strictTypes && !m_target.isString()) || !m_target.maybeString()) return true;      \
    return ward::gateway::schemaPatternMatches(                                               \
        constraint.getPattern<std::string::allocator_type>(), m_target.asString(), m_context, \
        m_results);                                                                           \
  }                                                                                           \
  template <>                                                                                 \
  bool ValidationVisitor<ADAPTER>::visit(const constraints::FormatConstraint& constraint) {   \
    if (!m_target.isString()) return true; /* formats apply to strings only */                \
    int month = 0, day = 0;                                                                   \
    const std::string& format = constraint.getFormat();                                       \
    if (!ward::gateway::schemaFormatMatches(format, m_target.asString(), &month, &day)) {     \
      if (m_results) m_results->pushError(m_context, "String should be a valid " + format);   \
      return false;                                                                           \
    }                                                                                         \
    return month == 0 || validate_date_range(month, day);                                     \
  }

WARD_SCHEMA_REGEX_VISITS(adapters::NlohmannJsonAdapter)
WARD_SCHEMA_REGEX_VISITS(adapters::StdStringAdapter)
#undef WARD_SCHEMA_REGEX_VISITS

using ConstraintString =
    std::basic_string<char, std::char_traits<char>, internal::CustomAllocator<char>>;

// `patternProperties`: the semantics of valijson's functor, with RE2 for the property names.
template <>
template <>
bool ValidationVisitor<adapters::NlohmannJsonAdapter>::ValidatePatternPropertySubschemas::
operator()<ConstraintString>(const ConstraintString& pattern_property,
                             const Subschema* subschema) const {
  const std::string pattern(pattern_property.c_str());
  std::string why;
  auto re = ward::gateway::patternFor(pattern, &why);
  if (re == nullptr) {
    if (m_results) m_results->pushError(m_context, "Cannot evaluate 'patternProperties': " + why);
    if (m_validated) *m_validated = false;
    return false;
  }
  bool match_found = false;
  for (const adapters::NlohmannJsonAdapter::ObjectMember m : m_object) {
    if (!re->search(m.first)) continue;
    std::vector<std::string> context = m_context;
    context.push_back("[" + m.first + "]");
    match_found = true;
    if (m_propertiesMatched) m_propertiesMatched->insert(m.first);
    ValidationVisitor<adapters::NlohmannJsonAdapter> validator(m.second, context, m_strictTypes,
                                                               m_results, m_regexesCache);
    if (validator.validateSchema(*subschema)) continue;
    if (m_results) {
      m_results->pushError(m_context,
                           "Failed to validate against schema associated with "
                           "pattern '" +
                               pattern + "'.");
    }
    if (m_validated) *m_validated = false;
    if (!m_continueOnFailure) return false;
  }
  if (!match_found && !m_continueIfUnmatched) return false;
  return m_continueOnSuccess;
}

}  // namespace valijson

namespace ward::gateway {

namespace {

// valijson context ["<root>", "[amount]", "[0]"] -> JSON pointer "/amount/0".
std::string pointerOf(const std::vector<std::string>& context) {
  std::string out;
  for (const std::string& part : context) {
    if (part == "<root>") continue;
    std::string seg = part;
    if (seg.size() >= 2 && seg.front() == '[' && seg.back() == ']') {
      seg = seg.substr(1, seg.size() - 2);
      if (seg.size() >= 2 && seg.front() == '"' && seg.back() == '"') {
        seg = seg.substr(1, seg.size() - 2);
      }
    }
    std::string escaped;
    for (char c : seg) {
      if (c == '~')
        escaped += "~0";
      else if (c == '/')
        escaped += "~1";
      else
        escaped += c;
    }
    out += "/" + escaped;
  }
  return out.empty() ? "/" : out;
}

// The node a local JSON pointer ("#/a/0") names, or null.
const Json* resolvePointer(const Json& root, const std::string& ref) {
  if (ref == "#") return &root;
  const Json* node = &root;
  size_t i = 2;  // after "#/"
  while (node != nullptr && i <= ref.size()) {
    size_t slash = ref.find('/', i);
    if (slash == std::string::npos) slash = ref.size();
    std::string seg = ref.substr(i, slash - i), token;
    for (size_t k = 0; k < seg.size(); ++k) {
      if (seg[k] == '~' && k + 1 < seg.size()) {
        token += seg[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        token += seg[k];
      }
    }
    if (node->is_object()) {
      auto it = node->find(token);
      node = it == node->end() ? nullptr : &*it;
    } else if (node->is_array() && !token.empty() &&
               token.find_first_not_of("0123456789") == std::string::npos &&
               std::stoull(token) < node->size()) {
      node = &(*node)[std::stoull(token)];
    } else {
      node = nullptr;
    }
    i = slash + 1;
  }
  return node;
}

// valijson recurses without bound on some reference shapes (anchors, URI-based and cyclic
// references) and would overflow the stack; a tool schema is self-contained, so only local JSON
// pointer references to existing nodes, without pure-reference cycles, are accepted.
Status checkRefs(const Json& root, const Json& node, std::string_view what, int depth) {
  if (depth > 64) return Status::invalidArgument(std::string(what) + ": nested deeper than 64");
  if (node.is_array()) {
    for (const Json& v : node) WARD_RETURN_IF_ERROR(checkRefs(root, v, what, depth + 1));
    return Status();
  }
  if (!node.is_object()) return Status();
  for (const char* kw : {"$dynamicRef", "$recursiveRef"}) {
    if (node.contains(kw)) {
      return Status::invalidArgument(std::string(what) + ": keyword '" + kw + "' is not supported");
    }
  }
  auto ref = node.find("$ref");
  if (ref != node.end() && ref->is_string()) {
    std::string r = ref->get<std::string>();
    if (r != "#" && r.rfind("#/", 0) != 0) {
      return Status::invalidArgument(std::string(what) + ": $ref '" + r +
                                     "' must be a local JSON pointer (\"#/...\")");
    }
    std::vector<std::string> chain;
    const Json* target = &node;
    while (target != nullptr && target->is_object() && target->contains("$ref") &&
           (*target)["$ref"].is_string()) {
      std::string next = (*target)["$ref"].get<std::string>();
      if (next != "#" && next.rfind("#/", 0) != 0) break;
      if (std::find(chain.begin(), chain.end(), next) != chain.end()) {
        return Status::invalidArgument(std::string(what) + ": $ref '" + r + "' loops");
      }
      chain.push_back(next);
      target = resolvePointer(root, next);
      if (target == nullptr) {
        return Status::invalidArgument(std::string(what) + ": $ref '" + next +
                                       "' points at nothing");
      }
      if (chain.size() > 64) break;
    }
  }
  for (const auto& [k, v] : node.items()) {
    if (k == "enum" || k == "const" || k == "default" || k == "examples") continue;  // data
    WARD_RETURN_IF_ERROR(checkRefs(root, v, what, depth + 1));
  }
  return Status();
}

// Compiles every `pattern` and `patternProperties` key in schema positions (keywords whose
// values are schemas), so a pattern RE2 cannot evaluate is refused when the tool is registered,
// not when it is called. `pointer` names the node in messages; depth is bounded by checkRefs.
Status collectPatterns(const Json& node, const std::string& pointer, std::string_view what,
                       PatternTable& table) {
  if (!node.is_object()) return Status();
  auto add = [&](const std::string& ecma, const std::string& at) -> Status {
    if (table.by_text.count(ecma) != 0) return Status();
    auto re = EcmaRegex::compile(ecma);
    if (!re.ok())
      return Status::invalidArgument(std::string(what) + " " + at + ": " + re.status().message());
    table.by_text.emplace(ecma, std::move(*re));
    return Status();
  };
  auto escape = [](const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
  };
  for (const auto& [key, value] : node.items()) {
    const std::string at = pointer + "/" + escape(key);
    if (key == "pattern" && value.is_string()) {
      WARD_RETURN_IF_ERROR(add(value.get<std::string>(), at));
    } else if (key == "patternProperties" && value.is_object()) {
      for (const auto& [p, sub] : value.items()) {
        WARD_RETURN_IF_ERROR(add(p, at + "/" + escape(p)));
        WARD_RETURN_IF_ERROR(collectPatterns(sub, at + "/" + escape(p), what, table));
      }
    } else if ((key == "properties" || key == "definitions" || key == "$defs" ||
                key == "dependencies" || key == "dependentSchemas") &&
               value.is_object()) {
      for (const auto& [name, sub] : value.items()) {
        WARD_RETURN_IF_ERROR(collectPatterns(sub, at + "/" + escape(name), what, table));
      }
    } else if ((key == "allOf" || key == "anyOf" || key == "oneOf" || key == "items" ||
                key == "prefixItems") &&
               value.is_array()) {
      for (size_t i = 0; i < value.size(); ++i) {
        WARD_RETURN_IF_ERROR(collectPatterns(value[i], at + "/" + std::to_string(i), what, table));
      }
    } else if (key == "additionalProperties" || key == "additionalItems" || key == "items" ||
               key == "contains" || key == "propertyNames" || key == "not" || key == "if" ||
               key == "then" || key == "else" || key == "unevaluatedProperties" ||
               key == "unevaluatedItems") {
      WARD_RETURN_IF_ERROR(collectPatterns(value, at, what, table));
    }
  }
  return Status();
}

}  // namespace

JsonSchema::JsonSchema() : schema_(std::make_unique<valijson::Schema>()) {}
JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::compile(const Json& schema,
                                                              std::string_view what) {
  if (!schema.is_object() && !schema.is_boolean()) {
    return Status::invalidArgument(std::string(what) +
                                   ": a JSON Schema must be an object or a "
                                   "boolean");
  }
  WARD_RETURN_IF_ERROR(checkRefs(schema, schema, what, 0));
  auto patterns = std::make_shared<PatternTable>();
  WARD_RETURN_IF_ERROR(collectPatterns(schema, "", what, *patterns));
  std::shared_ptr<JsonSchema> out(new JsonSchema());
  out->patterns_ = std::move(patterns);
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(schema);
    // No document fetcher: valijson refuses remote $refs (a tool schema is self-contained).
    parser.populateSchema(adapter, *out->schema_);
  } catch (const std::exception& e) {
    return Status::invalidArgument(std::string(what) + ": not a usable JSON Schema: " + e.what());
  }
  return std::shared_ptr<const JsonSchema>(std::move(out));
}

Status JsonSchema::validate(const Json& value, std::string_view what) const {
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(value);
  ActivePatterns active(patterns_.get());
  bool ok = false;
  try {
    ok = validator.validate(*schema_, target, &results);
  } catch (const std::exception& e) {
    return Status::invalidArgument(std::string(what) + ": cannot be validated: " + e.what());
  }
  if (ok) return Status();
  // valijson reports the enclosing failures ("failed to validate against child schema") after the
  // specific one; the deepest pointer is the most useful, so report it first.
  std::vector<std::pair<std::string, std::string>> errors;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) errors.emplace_back(pointerOf(error.context), error.description);
  // Some failures carry no message (a property name failing `propertyNames`).
  if (errors.empty()) {
    return Status::invalidArgument(std::string(what) + ": does not match the schema");
  }
  std::stable_sort(errors.begin(), errors.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  std::string message =
      std::string(what) + " " + errors.front().first + ": " + errors.front().second;
  size_t shown = 1;
  for (size_t i = 1; i < errors.size() && shown < 5; ++i) {
    // Skip valijson's wrapper messages about enclosing schemas: they repeat the real failure.
    if (errors[i].second.find("child schema") != std::string::npos ||
        errors[i].second.find("Failed to validate against schema") != std::string::npos) {
      continue;
    }
    message += "; " + errors[i].first + ": " + errors[i].second;
    ++shown;
  }
  return Status::invalidArgument(message);
}

bool JsonSchema::accepts(const Json& value) const {
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::adapters::NlohmannJsonAdapter target(value);
  ActivePatterns active(patterns_.get());
  try {
    return validator.validate(*schema_, target, nullptr);
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace ward::gateway
