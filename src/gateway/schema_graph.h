// The compiled form of a JSON Schema: a graph of SchemaNodes, one per schema object of the
// document (and of the shipped metaschemas it references), with every `$ref`/`$dynamicRef`
// resolved to a node when the schema is compiled (schema_compiler.cc). Validation
// (schema_validator.cc) walks the graph without touching the schema's JSON again.
//
// The graph is immutable after compileSchemaGraph() returns and owns every node; nodes point at
// one another (cycles through `$ref` are allowed when each pass consumes part of the instance).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ecma_regex.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/gateway/json_schema.h"

namespace ward::gateway {

// Limits (docs/design/gateway.md "JSON Schema validator").
// Deepest nesting of schema objects inside one schema document.
inline constexpr int kMaxSchemaNestingDepth = 64;
// Most schema nodes one compiled schema may hold (its document plus referenced metaschemas).
inline constexpr size_t kMaxSchemaNodes = 20000;
// Deepest chain of (schema node, instance location) one validation may descend.
inline constexpr int kMaxValidationDepth = 512;
// Most failed rules one validation reports (explain(); a failing anyOf keeps its branches').
inline constexpr size_t kMaxReportedViolations = 100;
// Most node visits (plus enum/const comparisons) one validation may spend; past it the value is
// refused, so exponential `anyOf` nesting costs at most this much.
inline constexpr int64_t kMaxValidationWork = 4'000'000;

// Instance types as bits (`type` keyword).
enum SchemaType : uint8_t {
  kTypeNull = 1,
  kTypeBoolean = 2,
  kTypeObject = 4,
  kTypeArray = 8,
  kTypeNumber = 16,
  kTypeString = 32,
  kTypeInteger = 64,
};

struct SchemaNode;

// A schema resource (a document root or a subschema with `$id`): the unit of `$dynamicAnchor`
// lookup.
struct SchemaResource {
  std::string uri;
  std::map<std::string, const SchemaNode*> dynamic_anchors;
};

struct PatternSchema {
  std::string pattern;
  std::shared_ptr<const EcmaRegex> regex;
  const SchemaNode* schema = nullptr;
};

struct SchemaNode {
  std::string location;  // the schema's JSON pointer ("" = root; a metaschema's URI prefixed)
  const SchemaResource* resource = nullptr;
  SchemaDialect dialect = SchemaDialect::kDraft202012;
  std::optional<bool> constant;  // a boolean schema: true accepts all, false none

  uint8_t types = 0;  // 0 = no `type`
  std::vector<Json> enum_values;
  bool has_enum = false;
  std::optional<Json> const_value;

  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;

  std::optional<uint64_t> min_length, max_length;
  std::shared_ptr<const EcmaRegex> pattern;
  std::string pattern_text;
  std::string format;  // checked only with format assertion on

  std::optional<uint64_t> min_items, max_items, min_contains, max_contains;
  bool unique_items = false;
  std::vector<const SchemaNode*> prefix_items;  // 2020-12 prefixItems, draft-07 items array
  const SchemaNode* items = nullptr;            // items past prefix_items (additionalItems)
  const SchemaNode* contains = nullptr;
  const SchemaNode* unevaluated_items = nullptr;

  std::vector<std::pair<std::string, const SchemaNode*>> properties;  // sorted by name
  std::vector<PatternSchema> pattern_properties;
  const SchemaNode* additional_properties = nullptr;
  const SchemaNode* property_names = nullptr;
  const SchemaNode* unevaluated_properties = nullptr;
  std::vector<std::string> required;
  std::optional<uint64_t> min_properties, max_properties;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, const SchemaNode*>> dependent_schemas;

  std::vector<const SchemaNode*> all_of, any_of, one_of;
  const SchemaNode* not_schema = nullptr;
  const SchemaNode* if_schema = nullptr;
  const SchemaNode* then_schema = nullptr;
  const SchemaNode* else_schema = nullptr;

  const SchemaNode* ref = nullptr;
  const SchemaNode* dynamic_ref = nullptr;  // its static target
  std::string dynamic_anchor;               // set when the dynamic scope is searched
};

struct SchemaGraph {
  std::deque<SchemaNode> nodes;
  std::deque<SchemaResource> resources;
  const SchemaNode* root = nullptr;
  SchemaDialect dialect = SchemaDialect::kDraft202012;
  bool format_assertion = false;
  bool needs_annotations = false;  // some node has unevaluatedProperties/Items
};

// Extra schema documents a `$ref` may name, by absolute URI (the conformance suite's remotes);
// tool schemas get none: only the shipped metaschemas resolve outside the document.
using SchemaDocuments = std::map<std::string, Json>;

using SchemaCompileOptions = SchemaOptions;

// Compiles `schema` into a graph; InvalidArgument "<what>: ..." naming the JSON pointer and the
// problem (remote $ref, pattern RE2 cannot evaluate, a $ref cycle that consumes no instance...).
Result<std::unique_ptr<SchemaGraph>> compileSchemaGraph(const Json& schema, std::string_view what,
                                                        const SchemaCompileOptions& options);

// Validates; with `violations` null it stops at the first failure. Returns whether valid.
bool validateSchemaGraph(const SchemaGraph& graph, const Json& value,
                         std::vector<SchemaViolation>* violations);

// The shipped metaschemas (draft-07 and 2020-12 with its vocabularies), by URI.
const SchemaDocuments& shippedMetaschemas();
// The metaschema URI of a dialect.
const char* metaschemaUri(SchemaDialect dialect);
// The dialect a `$schema` URI names (draft-04 and -06 read as draft-07); nullopt if unknown.
std::optional<SchemaDialect> dialectOfSchemaUri(const std::string& uri);

}  // namespace ward::gateway
