// The draft-07 and 2020-12 metaschemas ship inside Ward (src/gateway/metaschemas/, compiled in
// by CMake as schema_metaschemas_data.cc): a `$ref` to one resolves without fetching anything.
#include "schema_graph.h"

namespace ward::gateway {
namespace internal {
extern const char* const kMetaschemaTexts[][2];
}

const SchemaDocuments& shippedMetaschemas() {
  static const SchemaDocuments* docs = [] {
    auto* out = new SchemaDocuments();
    for (size_t i = 0; internal::kMetaschemaTexts[i][0] != nullptr; ++i) {
      auto parsed = parseJson(internal::kMetaschemaTexts[i][1]);
      if (parsed.ok()) out->emplace(internal::kMetaschemaTexts[i][0], std::move(*parsed));
    }
    return out;
  }();
  return *docs;
}

const char* metaschemaUri(SchemaDialect dialect) {
  return dialect == SchemaDialect::kDraft7 ? "http://json-schema.org/draft-07/schema"
                                           : "https://json-schema.org/draft/2020-12/schema";
}

}  // namespace ward::gateway
