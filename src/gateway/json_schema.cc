// The public face of Ward's JSON Schema validator: the metaschema check, then the compiler
// (schema_compiler.cc) and the evaluator (schema_validator.cc), and the error text.
#include "ward/gateway/json_schema.h"

#include <algorithm>
#include <mutex>

#include "schema_graph.h"

namespace ward::gateway {
namespace {

// Failures listed in one validate() message.
constexpr size_t kMaxListedViolations = 5;

// The compiled metaschema of a dialect (compiled once, without a metaschema check of its own).
const JsonSchema* metaschemaOf(SchemaDialect dialect) {
  static std::once_flag once;
  static std::shared_ptr<const JsonSchema> compiled[2];
  std::call_once(once, [] {
    SchemaOptions options;
    options.check_metaschema = false;
    for (SchemaDialect d : {SchemaDialect::kDraft7, SchemaDialect::kDraft202012}) {
      auto doc = shippedMetaschemas().find(metaschemaUri(d));
      if (doc == shippedMetaschemas().end()) continue;
      auto s = JsonSchema::compile(doc->second, "metaschema", options);
      if (s.ok()) compiled[d == SchemaDialect::kDraft7 ? 0 : 1] = *s;
    }
  });
  return compiled[dialect == SchemaDialect::kDraft7 ? 0 : 1].get();
}

std::string describe(const SchemaViolation& v) {
  return (v.instance_pointer.empty() ? std::string("/") : v.instance_pointer) + ": " + v.message +
         " (" + v.rule + ")";
}

// The deepest failures first: the most specific says most.
std::vector<SchemaViolation> deepestFirst(std::vector<SchemaViolation> v) {
  std::stable_sort(v.begin(), v.end(), [](const SchemaViolation& a, const SchemaViolation& b) {
    return a.instance_pointer.size() > b.instance_pointer.size();
  });
  return v;
}

}  // namespace

JsonSchema::JsonSchema() = default;
JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::compile(const Json& schema,
                                                              std::string_view what) {
  return compile(schema, what, SchemaOptions());
}

Result<std::shared_ptr<const JsonSchema>> JsonSchema::compile(const Json& schema,
                                                              std::string_view what,
                                                              const SchemaOptions& options) {
  if (!schema.is_object() && !schema.is_boolean()) {
    return Status::invalidArgument(std::string(what) +
                                   ": a JSON Schema must be an object or a boolean");
  }
  if (options.check_metaschema && schema.is_object()) {
    SchemaDialect dialect = options.default_dialect;
    auto declared = schema.find("$schema");
    if (declared != schema.end() && declared->is_string()) {
      auto d = dialectOfSchemaUri(declared->get<std::string>());
      dialect = d.value_or(dialect);
      if (!d) dialect = SchemaDialect::kDraft202012;
    }
    const JsonSchema* meta = metaschemaOf(dialect);
    if (meta != nullptr) {
      auto violations = deepestFirst(meta->explain(schema));
      if (!violations.empty()) {
        return Status::invalidArgument(
            std::string(what) + " " + describe(violations.front()) + " [not a valid " +
            (dialect == SchemaDialect::kDraft7 ? "draft-07" : "2020-12") + " schema]");
      }
    }
  }
  std::shared_ptr<JsonSchema> out(new JsonSchema());
  WARD_ASSIGN_OR_RETURN(out->graph_, compileSchemaGraph(schema, what, options));
  return std::shared_ptr<const JsonSchema>(std::move(out));
}

Status JsonSchema::validate(const Json& value, std::string_view what) const {
  if (validateSchemaGraph(*graph_, value, nullptr)) return Status();
  auto violations = deepestFirst(explain(value));
  if (violations.empty())
    return Status::invalidArgument(std::string(what) + ": does not match the schema");
  std::string message = std::string(what) + " " + describe(violations.front());
  for (size_t i = 1; i < violations.size() && i < kMaxListedViolations; ++i) {
    message += "; " + describe(violations[i]);
  }
  return Status::invalidArgument(message);
}

bool JsonSchema::accepts(const Json& value) const {
  return validateSchemaGraph(*graph_, value, nullptr);
}

std::vector<SchemaViolation> JsonSchema::explain(const Json& value) const {
  std::vector<SchemaViolation> out;
  validateSchemaGraph(*graph_, value, &out);
  return out;
}

SchemaDialect JsonSchema::dialect() const { return graph_->dialect; }

}  // namespace ward::gateway
