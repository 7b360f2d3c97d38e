// The Confluence connector's state file (confluence_state.h).
#include "confluence_state.h"

#include "../connector_state.h"
#include "confluence_connector.h"
#include "ward/common/hash.h"
#include "ward/common/json.h"

namespace ward::ingest {

namespace {

constexpr int kStateFormat = 1;

ConfluenceState fromJson(const Json& j) {
  ConfluenceState s;
  if (!j.is_object() || j.value("format", 0) != kStateFormat) return s;
  s.gen = j.at("gen").get<std::string>();
  for (const auto& [sid, sp] : j.at("spaces").items()) {
    ConfluenceSpaceState space;
    space.key = sp.at("key").get<std::string>();
    for (const auto& [pid, n] : sp.at("pages").items()) {
      ConfluenceNode node;
      node.parent = n.at("p").get<std::string>();
      node.parent_type = n.at("t").get<std::string>();
      node.status = n.at("s").get<std::string>();
      node.version = n.at("v").get<int64_t>();
      node.known = n.at("k").get<bool>();
      for (const Json& u : n.at("u")) node.readers.users.insert(u.get<std::string>());
      for (const Json& g : n.at("g")) node.readers.groups.insert(g.get<std::string>());
      for (const Json& a : n.at("a")) node.attachments.push_back(a.get<std::string>());
      node.acl = n.at("h").get<std::string>();
      if (!node.known) node.why = "its read restriction was not read";
      space.pages[pid] = std::move(node);
    }
    s.spaces[sid] = std::move(space);
  }
  return s;
}

}  // namespace

ConfluenceState loadConfluenceState(const std::string& path) {
  std::optional<Json> j = loadConnectorState(path);
  if (!j) return ConfluenceState{};
  try {
    return fromJson(*j);
  } catch (const std::exception&) {
    return ConfluenceState{};  // a field of the wrong type: the next pass is a full listing
  }
}

Status saveConfluenceState(const std::string& path, const ConfluenceState& state) {
  // Written a node at a time: a tree of 10,000 pages as one JSON document in memory would cost
  // several times the text's size.
  std::string text = "{\"format\":" + std::to_string(kStateFormat) +
                     ",\"gen\":" + dumpJson(Json(state.gen)) + ",\"spaces\":{";
  bool first_space = true;
  for (const auto& [sid, sp] : state.spaces) {
    text += (first_space ? "" : ",") + dumpJson(Json(sid)) + ":{\"key\":" + dumpJson(Json(sp.key)) +
            ",\"pages\":{";
    first_space = false;
    bool first_page = true;
    for (const auto& [pid, n] : sp.pages) {
      text += (first_page ? "" : ",") + dumpJson(Json(pid)) + ":" +
              dumpJson(Json{{"p", n.parent},
                            {"t", n.parent_type},
                            {"s", n.status},
                            {"v", n.version},
                            {"k", n.known},
                            {"u", n.readers.users},
                            {"g", n.readers.groups},
                            {"a", n.attachments},
                            {"h", n.acl}});
      first_page = false;
    }
    text += "}}";
  }
  text += "}}";
  return saveConnectorState(path, text);
}

Result<std::vector<ConfluenceReaders>> confluenceChain(
    const std::map<std::string, ConfluenceNode>& tree, const std::string& id) {
  std::vector<ConfluenceReaders> chain;
  std::string at = id;
  for (size_t depth = 0;; ++depth) {
    if (depth > kConfluenceMaxAncestors) {
      return Status::failedPrecondition("more than " + std::to_string(kConfluenceMaxAncestors) +
                                        " ancestors (or a cycle): its restrictions are not known");
    }
    const ConfluenceNode& node = tree.at(at);
    if (!node.known) {
      return Status::failedPrecondition("read restriction of " +
                                        (at == id ? std::string("the page") : "ancestor " + at) +
                                        " unknown" + (node.why.empty() ? "" : ": " + node.why));
    }
    chain.push_back(node.readers);
    if (node.parent.empty() || node.parent_type == "space") break;
    if (node.parent_type != "page" && !node.parent_type.empty()) {
      return Status::failedPrecondition("an ancestor of type '" + node.parent_type +
                                        "': its restrictions are not read");
    }
    if (tree.count(node.parent) == 0) {
      return Status::failedPrecondition("ancestor " + node.parent +
                                        " is not listed: its restrictions are not known");
    }
    at = node.parent;
  }
  return chain;
}

std::string confluenceAclDigest(const store::Acl& acl) {
  std::string text = acl.is_public ? "public\n" : "\n";
  for (const std::string& u : acl.users) text += "u:" + u + "\n";
  for (const std::string& g : acl.groups) text += "g:" + g + "\n";
  return sha256Hex(text).substr(0, 16);
}

}  // namespace ward::ingest
