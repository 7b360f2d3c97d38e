// valijson behind a Status-returning facade. valijson throws on schemas it cannot parse; the
// throw is caught here, where it is called.
#include "ward/gateway/json_schema.h"

#include <algorithm>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

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
  std::shared_ptr<JsonSchema> out(new JsonSchema());
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
  try {
    return validator.validate(*schema_, target, nullptr);
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace ward::gateway
