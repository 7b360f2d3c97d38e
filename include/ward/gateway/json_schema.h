// A compiled JSON Schema: Ward's own validator (src/gateway/schema_*.cc) for draft-07 and
// 2020-12, chosen by `$schema` (2020-12 when absent, as MCP says). Compiled once into a node
// graph with every `$ref`/`$dynamicRef` resolved; nothing is fetched (a `$ref` outside the
// document is refused, except the shipped draft-07 and 2020-12 metaschemas). Validation is
// strict (no coercion: "5" is not an integer; 1.0 is, as the drafts say), linear in the instance
// times the schema, bounded in depth and work (docs/design/gateway.md "JSON Schema validator").
// `pattern`/`patternProperties` run on RE2 (ecma_regex.h). `format` is an annotation unless
// the options assert it.
//
// Immutable after compile(); validate(), accepts() and explain() may be called from many
// threads at once.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::gateway {

enum class SchemaDialect { kDraft7, kDraft202012 };

struct SchemaGraph;  // the compiled node graph (src/gateway/schema_graph.h)

struct SchemaOptions {
  // Assert `format` (date-time, date, time, email, uri, uuid, ipv4, ipv6, hostname, regex)
  // instead of treating it as an annotation (a tool's "format_assertion": true).
  bool format_assertion = false;
  // The dialect of a schema without `$schema`.
  SchemaDialect default_dialect = SchemaDialect::kDraft202012;
  // Extra documents a `$ref` may name, by absolute URI (the conformance suite's remotes; tool
  // schemas get none). Only read during compile().
  const std::map<std::string, Json>* documents = nullptr;
  // Check the schema against its dialect's metaschema first (registration always does).
  bool check_metaschema = true;
};

// One failed rule (explain()).
struct SchemaViolation {
  std::string instance_pointer;  // "/amount" ("" = the whole value)
  std::string schema_pointer;    // "/properties/amount/maximum"
  std::string rule;              // the keyword: "maximum", "required", "false schema"...
  std::string message;           // "must be <= 1000"
};

class JsonSchema {
 public:
  // Compiles `schema`; InvalidArgument naming `what` and the JSON pointer when it is not a
  // valid schema of its dialect (metaschema check), names a document outside itself, uses a
  // pattern RE2 cannot evaluate, or has a `$ref` cycle that consumes no part of the value.
  static Result<std::shared_ptr<const JsonSchema>> compile(const Json& schema,
                                                           std::string_view what);
  static Result<std::shared_ptr<const JsonSchema>> compile(const Json& schema,
                                                           std::string_view what,
                                                           const SchemaOptions& options);
  ~JsonSchema();

  // Ok, or InvalidArgument "<what> /amount: must be <= 1000 (maximum)" for the first failure
  // (up to five failures are listed, the deepest first, separated by "; ").
  Status validate(const Json& value, std::string_view what) const;
  // Whether `value` is valid (stops at the first failure).
  bool accepts(const Json& value) const;
  // Every failing rule, in evaluation order (empty when valid).
  std::vector<SchemaViolation> explain(const Json& value) const;
  SchemaDialect dialect() const;

 private:
  JsonSchema();
  std::unique_ptr<SchemaGraph> graph_;
};

}  // namespace ward::gateway
