// Compiles a JSON Schema document into a SchemaGraph (schema_graph.h) in two passes:
//   1. index: walk every schema position (the keywords of the document's dialect whose values
//      are schemas), note each schema object's base URI, dialect and JSON pointer, and register
//      resources (`$id`), anchors (`$anchor`, `$dynamicAnchor`, draft-07 "#name" ids);
//   2. compile: one SchemaNode per schema object reached from the root, with `$ref` and
//      `$dynamicRef` resolved through a work list (so a long chain of references does not
//      recurse), loading a shipped metaschema (or a document the caller supplied) on demand.
// Nothing is fetched: a reference to any other document is refused naming it. A cycle of
// references that consumes no part of the instance ({"$ref": "#"}) is refused too, since
// evaluating it could never end.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "schema_graph.h"
#include "schema_keywords.h"
#include "schema_uri.h"
#include "ward/common/encoding.h"

namespace ward::gateway {
namespace {}  // namespace

std::optional<SchemaDialect> dialectOfSchemaUri(const std::string& uri) {
  std::string u = uri;
  if (!u.empty() && u.back() == '#') u.pop_back();
  if (u.rfind("https://", 0) == 0) u = "http://" + u.substr(8);
  // draft-04 and draft-06 schemas are read with the draft-07 rules (docs/design/gateway.md).
  if (u == "http://json-schema.org/draft-07/schema" ||
      u == "http://json-schema.org/draft-06/schema" ||
      u == "http://json-schema.org/draft-04/schema") {
    return SchemaDialect::kDraft7;
  }
  if (u == "http://json-schema.org/draft/2020-12/schema") return SchemaDialect::kDraft202012;
  return std::nullopt;
}

namespace {

std::optional<SchemaDialect> dialectOf(const std::string& uri) { return dialectOfSchemaUri(uri); }

struct Located {
  std::string base;  // the enclosing resource's URI (no fragment)
  SchemaDialect dialect = SchemaDialect::kDraft202012;
  std::string location;
  bool validation_off = false;  // a custom metaschema without the validation vocabulary
  bool in_document = false;     // in the schema being compiled (not a document it names)
};

struct PendingRef {
  SchemaNode* node;
  std::string ref;
  std::string base;
  bool dynamic;
  std::string location;
};

class SchemaCompiler {
 public:
  SchemaCompiler(SchemaGraph& graph, std::string_view what, const SchemaCompileOptions& options)
      : graph_(graph), what_(what), options_(options) {}

  Status run(const Json& schema, SchemaDialect default_dialect) {
    Located root;
    root.dialect = default_dialect;
    root.in_document = true;
    WARD_RETURN_IF_ERROR(indexDocument(schema, "", root));
    WARD_ASSIGN_OR_RETURN(graph_.root, compileNode(schema, 0));
    graph_.dialect = graph_.root->dialect;
    WARD_RETURN_IF_ERROR(drain());
    // Subschemas nothing references ($defs kept for later) are compiled too, so a pattern RE2
    // cannot evaluate is refused wherever it sits.
    std::vector<std::pair<std::string, const Json*>> unreached;
    for (const auto& [json, at] : located_) {
      if (at.in_document && !compiled_.count(json)) unreached.emplace_back(at.location, json);
    }
    std::sort(unreached.begin(), unreached.end());
    for (const auto& [location, json] : unreached) {
      WARD_RETURN_IF_ERROR(compileNode(*json, 0).status());
    }
    WARD_RETURN_IF_ERROR(drain());
    return checkInPlaceCycles();
  }

 private:
  Status error(const std::string& location, const std::string& why) const {
    return Status::invalidArgument(std::string(what_) + " " + (location.empty() ? "/" : location) +
                                   ": " + why);
  }

  // Indexes a whole document whose URI is `uri` ("" for the schema being compiled).
  Status indexDocument(const Json& doc, const std::string& uri, Located at) {
    at.base = uri;
    at.location = uri.empty() ? "" : uri + "#";
    // The URI a document was named by finds it even when its `$id` says otherwise.
    if (!uri.empty()) resources_[uri] = &doc;
    return index(doc, at, 0);
  }

  Status index(const Json& j, Located at, int depth) {
    if (depth > kMaxSchemaNestingDepth) {
      return error(at.location,
                   "schema nested deeper than " + std::to_string(kMaxSchemaNestingDepth));
    }
    if (!j.is_object()) {
      if (j.is_boolean()) located_.emplace(&j, at);
      return Status();
    }
    auto schema_kw = j.find("$schema");
    if (schema_kw != j.end() && schema_kw->is_string()) {
      WARD_RETURN_IF_ERROR(applySchemaKeyword(schema_kw->get<std::string>(), &at));
    }
    bool draft7 = at.dialect == SchemaDialect::kDraft7;
    auto id = j.find("$id");
    if (id != j.end() && id->is_string() && !(draft7 && j.contains("$ref"))) {
      std::string fragment;
      std::string resolved = resolveUri(at.base, id->get<std::string>());
      std::string uri = splitFragment(resolved, &fragment);
      std::string raw_id = id->get<std::string>();
      if (!(draft7 && !raw_id.empty() && raw_id[0] == '#')) {
        at.base = uri;
        resources_[uri] = &j;
      }
      if (draft7 && !fragment.empty() && fragment[0] != '/')
        anchors_[at.base + "#" + fragment] = &j;
    }
    if (depth == 0 && !resources_.count(at.base)) resources_[at.base] = &j;
    if (!draft7) {
      for (const char* kw : {"$anchor", "$dynamicAnchor"}) {
        auto a = j.find(kw);
        if (a != j.end() && a->is_string()) anchors_[at.base + "#" + a->get<std::string>()] = &j;
      }
      auto dyn = j.find("$dynamicAnchor");
      if (dyn != j.end() && dyn->is_string()) {
        dynamic_anchor_json_.push_back(&j);
      }
    }
    located_.emplace(&j, at);
    for (const auto& [key, value] : j.items()) {
      Located child = at;
      child.location = at.location + "/" + jsonPointerToken(key);
      if (isSchemaKeyword(key, value, draft7)) {
        WARD_RETURN_IF_ERROR(index(value, child, depth + 1));
      } else if (isSchemaArrayKeyword(key, value, draft7)) {
        for (size_t i = 0; i < value.size(); ++i) {
          Located c = child;
          c.location += "/" + std::to_string(i);
          WARD_RETURN_IF_ERROR(index(value[i], c, depth + 1));
        }
      } else if (isSchemaMapKeyword(key, draft7) && value.is_object()) {
        for (const auto& [name, sub] : value.items()) {
          if (!sub.is_object() && !sub.is_boolean()) continue;  // draft-07 dependencies arrays
          Located c = child;
          c.location += "/" + jsonPointerToken(name);
          WARD_RETURN_IF_ERROR(index(sub, c, depth + 1));
        }
      }
    }
    return Status();
  }

  static bool isSchemaKeyword(const std::string& key, const Json& value, bool draft7) {
    static const std::set<std::string> common = {
        "additionalProperties", "propertyNames", "not", "if", "then", "else", "contains"};
    if (common.count(key)) return true;
    if (key == "items") return !value.is_array();
    if (draft7) return key == "additionalItems";
    return key == "unevaluatedProperties" || key == "unevaluatedItems";
  }
  static bool isSchemaArrayKeyword(const std::string& key, const Json& value, bool draft7) {
    if (!value.is_array()) return false;
    if (key == "allOf" || key == "anyOf" || key == "oneOf") return true;
    return draft7 ? key == "items" : key == "prefixItems";
  }
  static bool isSchemaMapKeyword(const std::string& key, bool draft7) {
    if (key == "properties" || key == "patternProperties" || key == "$defs" ||
        key == "definitions") {
      return true;
    }
    return draft7 ? key == "dependencies" : key == "dependentSchemas";
  }

  // `$schema`: a known dialect, or a metaschema document the caller supplied (whose own
  // `$schema` names the dialect and whose `$vocabulary` may leave out validation).
  Status applySchemaKeyword(const std::string& uri, Located* at) {
    if (auto d = dialectOf(uri)) {
      at->dialect = *d;
      return Status();
    }
    std::string fragment;
    std::string doc_uri = splitFragment(uri, &fragment);
    if (options_.documents != nullptr) {
      auto it = options_.documents->find(doc_uri);
      if (it != options_.documents->end() && it->second.is_object()) {
        auto d = dialectOf(it->second.value("$schema", ""));
        if (d) {
          at->dialect = *d;
          auto vocab = it->second.find("$vocabulary");
          if (vocab != it->second.end() && vocab->is_object()) {
            at->validation_off =
                !vocab->contains("https://json-schema.org/draft/2020-12/vocab/validation");
          }
          return Status();
        }
      }
    }
    return error(at->location,
                 "$schema '" + uri + "' is not a dialect Ward validates (draft-07 or 2020-12)");
  }

  // Loads a document named by a reference: a shipped metaschema, or one the caller supplied.
  Status loadDocument(const std::string& uri, const std::string& location, const std::string& ref,
                      SchemaDialect referrer) {
    if (!loaded_.insert(uri).second) return Status();
    const Json* doc = nullptr;
    const SchemaDocuments& shipped = shippedMetaschemas();
    auto it = shipped.find(uri);
    if (it != shipped.end()) doc = &it->second;
    if (doc == nullptr && options_.documents != nullptr) {
      auto d = options_.documents->find(uri);
      if (d != options_.documents->end()) doc = &d->second;
    }
    if (doc == nullptr) {
      return error(location, "$ref '" + ref +
                                 "' points outside the schema (remote references are not "
                                 "fetched; a tool schema must be self-contained)");
    }
    Located at;
    at.dialect = referrer;
    return indexDocument(*doc, uri, at);
  }

  // The schema JSON a reference names, or an error naming the reference.
  Result<const Json*> resolve(const std::string& ref, const std::string& base,
                              const std::string& location, SchemaDialect referrer) {
    std::string fragment;
    std::string uri = splitFragment(resolveUri(base, ref), &fragment);
    if (!resources_.count(uri)) WARD_RETURN_IF_ERROR(loadDocument(uri, location, ref, referrer));
    auto res = resources_.find(uri);
    if (res == resources_.end()) {
      return error(location, "$ref '" + ref + "' names no schema in the document");
    }
    const Json* target = res->second;
    if (fragment.empty()) return target;
    if (fragment[0] != '/') {
      auto a = anchors_.find(uri + "#" + fragment);
      if (a == anchors_.end()) {
        return error(location, "$ref '" + ref + "': no anchor '" + fragment + "'");
      }
      return a->second;
    }
    std::string path = located_.at(target).location;
    Located at = located_.at(target);
    for (size_t i = 1; i <= fragment.size();) {
      size_t slash = fragment.find('/', i);
      if (slash == std::string::npos) slash = fragment.size();
      std::string token;
      for (size_t k = i; k < slash; ++k) {
        if (fragment[k] == '~' && k + 1 < slash) {
          token += fragment[k + 1] == '1' ? '/' : '~';
          ++k;
        } else {
          token += fragment[k];
        }
      }
      if (target->is_object() && target->contains(token)) {
        target = &(*target)[token];
      } else if (target->is_array() && !token.empty() &&
                 token.find_first_not_of("0123456789") == std::string::npos && token.size() < 10 &&
                 std::stoull(token) < target->size()) {
        target = &(*target)[std::stoull(token)];
      } else {
        return error(location, "$ref '" + ref + "' points at nothing");
      }
      path += "/" + jsonPointerToken(token);
      auto known = located_.find(target);
      if (known != located_.end()) at = known->second;
      i = slash + 1;
    }
    if (!located_.count(target)) {
      if (!target->is_object() && !target->is_boolean()) {
        return error(location, "$ref '" + ref + "' does not point at a schema");
      }
      at.location = path;
      WARD_RETURN_IF_ERROR(index(*target, at, 0));
    }
    return target;
  }

  SchemaResource* resourceFor(const std::string& uri) {
    auto it = resource_objs_.find(uri);
    if (it != resource_objs_.end()) return it->second;
    graph_.resources.emplace_back();
    graph_.resources.back().uri = uri;
    resource_objs_[uri] = &graph_.resources.back();
    return &graph_.resources.back();
  }

  Result<const SchemaNode*> compileNode(const Json& j, int depth);
  Status compileKeywords(const Json& j, SchemaNode* n, const Located& at, int depth);
  Result<const SchemaNode*> sub(const Json& j, int depth) { return compileNode(j, depth + 1); }
  Status drain();
  Status checkInPlaceCycles() const;

  SchemaGraph& graph_;
  std::string_view what_;
  const SchemaCompileOptions& options_;
  std::unordered_map<const Json*, Located> located_;
  std::map<std::string, const Json*> resources_;
  std::map<std::string, const Json*> anchors_;
  std::vector<const Json*> dynamic_anchor_json_;
  std::set<std::string> loaded_;
  std::unordered_map<const Json*, SchemaNode*> compiled_;
  std::map<std::string, SchemaResource*> resource_objs_;
  std::vector<PendingRef> pending_;
};

Result<const SchemaNode*> SchemaCompiler::compileNode(const Json& j, int depth) {
  auto done = compiled_.find(&j);
  if (done != compiled_.end()) return done->second;
  if (graph_.nodes.size() >= kMaxSchemaNodes) {
    return error("", "schema has more than " + std::to_string(kMaxSchemaNodes) + " subschemas");
  }
  if (depth > kMaxSchemaNestingDepth) {
    return error("", "schema nested deeper than " + std::to_string(kMaxSchemaNestingDepth));
  }
  auto loc = located_.find(&j);
  if (loc == located_.end()) return error("", "internal: schema position not indexed");
  const Located at = loc->second;
  graph_.nodes.emplace_back();
  SchemaNode* n = &graph_.nodes.back();
  compiled_[&j] = n;
  n->location = at.location;
  n->dialect = at.dialect;
  n->resource = resourceFor(at.base);
  if (j.is_boolean()) {
    n->constant = j.get<bool>();
    return n;
  }
  if (!j.is_object()) return error(at.location, "a JSON Schema must be an object or a boolean");
  WARD_RETURN_IF_ERROR(compileKeywords(j, n, at, depth));
  return n;
}

Status SchemaCompiler::drain() {
  while (true) {
    while (!pending_.empty()) {
      PendingRef p = std::move(pending_.back());
      pending_.pop_back();
      WARD_ASSIGN_OR_RETURN(const Json* target,
                            resolve(p.ref, p.base, p.location, p.node->dialect));
      WARD_ASSIGN_OR_RETURN(const SchemaNode* t, compileNode(*target, 0));
      if (!p.dynamic) {
        p.node->ref = t;
        continue;
      }
      p.node->dynamic_ref = t;
      std::string fragment;
      splitFragment(p.ref, &fragment);
      if (!fragment.empty() && fragment[0] != '/' && target->is_object() &&
          target->value("$dynamicAnchor", "") == fragment) {
        p.node->dynamic_anchor = fragment;
      }
    }
    // Every `$dynamicAnchor` of a resource in use is compiled, so the dynamic scope can reach it.
    bool added = false;
    for (const Json* j : dynamic_anchor_json_) {
      const Located& at = located_.at(j);
      if (!resource_objs_.count(at.base)) continue;
      if (!compiled_.count(j)) {
        WARD_RETURN_IF_ERROR(compileNode(*j, 0).status());
        added = true;
      }
      resource_objs_[at.base]->dynamic_anchors.emplace(j->value("$dynamicAnchor", ""),
                                                       compiled_.at(j));
    }
    if (!added && pending_.empty()) return Status();
  }
}

// A cycle among applicators that evaluate the same instance location ($ref, allOf, not, if...)
// would recurse forever; one through properties/items consumes the instance and ends.
Status SchemaCompiler::checkInPlaceCycles() const {
  enum Mark : uint8_t { kNew, kActive, kDone };
  std::unordered_map<const SchemaNode*, Mark> mark;
  auto inPlace = [](const SchemaNode* n) {
    std::vector<const SchemaNode*> next = {n->ref,       n->dynamic_ref, n->not_schema,
                                           n->if_schema, n->then_schema, n->else_schema};
    for (const auto* v : {&n->all_of, &n->any_of, &n->one_of}) {
      next.insert(next.end(), v->begin(), v->end());
    }
    for (const auto& d : n->dependent_schemas) next.push_back(d.second);
    next.erase(std::remove(next.begin(), next.end(), nullptr), next.end());
    return next;
  };
  // Depth-first with an explicit stack: a chain of 20,000 references must not recurse.
  struct Frame {
    const SchemaNode* node;
    std::vector<const SchemaNode*> next;
    size_t i;
  };
  for (const SchemaNode& start : graph_.nodes) {
    if (mark[&start] != kNew) continue;
    std::vector<Frame> stack;
    mark[&start] = kActive;
    stack.push_back(Frame{&start, inPlace(&start), 0});
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.i == top.next.size()) {
        mark[top.node] = kDone;
        stack.pop_back();
        continue;
      }
      const SchemaNode* c = top.next[top.i++];
      Mark& m = mark[c];
      if (m == kActive) {
        return error(c->location,
                     "$ref cycle that consumes no part of the value (it would never end)");
      }
      if (m == kDone) continue;
      m = kActive;
      stack.push_back(Frame{c, inPlace(c), 0});
    }
  }
  return Status();
}

}  // namespace

Status SchemaCompiler::compileKeywords(const Json& j, SchemaNode* n, const Located& at, int depth) {
  KeywordContext ctx;
  ctx.what = what_;
  ctx.location = at.location;
  ctx.validation_off = at.validation_off;
  ctx.sub = [&](const Json& s) { return sub(s, depth); };
  ctx.add_ref = [&](const std::string& ref, bool dynamic) {
    pending_.push_back(PendingRef{n, ref, at.base, dynamic, at.location});
  };
  bool needs = false;
  ctx.needs_annotations = &needs;
  WARD_RETURN_IF_ERROR(compileSchemaKeywords(j, n, ctx));
  if (needs) graph_.needs_annotations = true;
  return Status();
}

Result<std::unique_ptr<SchemaGraph>> compileSchemaGraph(const Json& schema, std::string_view what,
                                                        const SchemaCompileOptions& options) {
  if (!schema.is_object() && !schema.is_boolean()) {
    return Status::invalidArgument(std::string(what) +
                                   ": a JSON Schema must be an object or a boolean");
  }
  auto graph = std::make_unique<SchemaGraph>();
  graph->format_assertion = options.format_assertion;
  SchemaCompiler compiler(*graph, what, options);
  WARD_RETURN_IF_ERROR(compiler.run(schema, options.default_dialect));
  return graph;
}

}  // namespace ward::gateway
