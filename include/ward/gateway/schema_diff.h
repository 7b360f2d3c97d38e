// Schema evolution: what changed between two versions of a tool, and whether the change breaks
// callers (docs/design/gateway.md "Contracts: examples and breaking changes").
//
// A change either narrows what a schema accepts, widens it, or both. Input schemas describe what
// callers send, so narrowing them breaks callers (a required property added, a type narrowed, an
// enum value removed, a bound tightened); output schemas describe what callers receive, so
// widening them breaks callers (a property removed, a type widened, an enum value added, a bound
// loosened). A change the classifier cannot place (a changed `anyOf`, `$ref`, `if`, ...) counts
// as both: it is breaking on either side until a person says otherwise with a new major version.
// Annotations (title, description, examples, default, $comment) never matter.
#pragma once

#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/gateway/tool_definition.h"

namespace ward::gateway {

enum class SchemaSide { kInput, kOutput };

// What one change does to the set of values a schema accepts.
enum class SchemaEffect { kNeutral, kNarrows, kWidens, kBoth };

struct SchemaChange {
  std::string side;     // "input" | "output" | "tool"
  std::string pointer;  // JSON pointer into the schema ("/properties/amount/maximum")
  std::string rule;     // "required_added", "enum_value_removed", "type_narrowed", ...
  std::string detail;   // human text: "'reason' is now required"
  bool breaking = false;
};

struct ToolDiff {
  std::vector<SchemaChange> changes;  // in schema order; annotation changes are not listed
  bool breaking() const;
  // "identical" (no difference at all), "compatible" or "breaking".
  std::string classification() const;
  bool identical = true;  // the compared parts are equal
  // {"classification", "changes": [{side, pointer, rule, detail, breaking}]}
  Json toJson() const;
};

// The changes from `before` to `after` of one schema (null = any value).
std::vector<SchemaChange> diffSchema(const Json& before, const Json& after, SchemaSide side);

// Both schemas and the risk of two versions of one tool (a raised risk is breaking: calls that
// ran may now need approval or a write grant).
ToolDiff diffToolDefinitions(const ToolDefinition& before, const ToolDefinition& after);

// Whether `after` may carry breaking changes from `before` under semantic versioning: a higher
// major version, or under 1.0.0 a higher minor version (as Cargo reads 0.x versions).
bool allowsBreakingChange(const SemVer& before, const SemVer& after);

}  // namespace ward::gateway
