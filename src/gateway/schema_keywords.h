// The keywords of one schema object compiled into its SchemaNode (schema_keywords.cc), for the
// schema compiler (schema_compiler.cc), which owns resolution and the node graph.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "schema_graph.h"

namespace ward::gateway {

struct KeywordContext {
  std::string_view what;  // names the schema in messages ("input_schema")
  std::string location;   // the object's JSON pointer
  bool validation_off = false;
  std::function<Result<const SchemaNode*>(const Json&)> sub;  // compiles a subschema
  std::function<void(const std::string&, bool)> add_ref;      // (reference, is $dynamicRef)
  bool* needs_annotations = nullptr;  // set when unevaluatedProperties/Items appear
};

// Fills `n` from the keywords of `j` (an object) in `n->dialect`; InvalidArgument naming the
// pointer for a pattern RE2 cannot evaluate.
Status compileSchemaKeywords(const Json& j, SchemaNode* n, const KeywordContext& ctx);

}  // namespace ward::gateway
