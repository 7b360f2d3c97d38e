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
      if (c == '~') escaped += "~0";
      else if (c == '/') escaped += "~1";
      else escaped += c;
    }
    out += "/" + escaped;
  }
  return out.empty() ? "/" : out;
}

}  // namespace

JsonSchema::JsonSchema() : schema_(std::make_unique<valijson::Schema>()) {}
JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::compile(const Json& schema,
                                                              std::string_view what) {
  if (!schema.is_object() && !schema.is_boolean()) {
    return Status::invalidArgument(std::string(what) + ": a JSON Schema must be an object or a "
                                                       "boolean");
  }
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
  std::stable_sort(errors.begin(), errors.end(), [](const auto& a, const auto& b) {
    return a.first.size() > b.first.size();
  });
  std::string message = std::string(what) + " " + errors.front().first + ": " +
                        errors.front().second;
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
