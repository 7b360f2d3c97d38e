// Effective readers of a Confluence page: the intersection of the space's readers with every
// read restriction down the ancestor chain (confluence_access.h).
#include "confluence_access.h"

namespace ward::ingest {

namespace {

bool admits(const ConfluenceReaders& level, const std::string& user,
            const ConfluenceGroupMembers& members) {
  if (level.users.count(user) > 0) return true;
  for (const std::string& g : level.groups) {
    auto it = members.find(g);
    if (it != members.end() && it->second.count(user) > 0) return true;
  }
  return false;
}

}  // namespace

ConfluenceReaders effectiveReaders(const ConfluenceReaders& space,
                                   const std::vector<ConfluenceReaders>& restrictions,
                                   const ConfluenceGroupMembers& members) {
  std::vector<const ConfluenceReaders*> levels{&space};
  for (const ConfluenceReaders& r : restrictions) {
    if (!r.empty()) levels.push_back(&r);  // empty = inherits: narrows nothing
  }
  ConfluenceReaders out;
  // Groups on every level admit all their members everywhere.
  for (const std::string& g : space.groups) {
    bool everywhere = true;
    for (const ConfluenceReaders* l : levels) everywhere = everywhere && l->groups.count(g) > 0;
    if (everywhere) out.groups.insert(g);
  }
  // Every user any level names (directly or as a group's member) is a candidate.
  std::set<std::string> candidates;
  for (const ConfluenceReaders* l : levels) {
    candidates.insert(l->users.begin(), l->users.end());
    for (const std::string& g : l->groups) {
      auto it = members.find(g);
      if (it != members.end()) candidates.insert(it->second.begin(), it->second.end());
    }
  }
  for (const std::string& u : candidates) {
    bool all = true;
    for (const ConfluenceReaders* l : levels) all = all && admits(*l, u, members);
    if (!all) continue;
    // Already admitted through a kept group: no need to name the user.
    bool via_group = false;
    for (const std::string& g : out.groups) {
      auto it = members.find(g);
      via_group = via_group || (it != members.end() && it->second.count(u) > 0);
    }
    if (!via_group) out.users.insert(u);
  }
  return out;
}

Result<ConfluenceReaders> parseReadRestriction(const Json& restrictions,
                                               std::map<std::string, std::string>* emails) {
  if (!restrictions.is_object()) {
    return Status::invalidArgument("read restriction: not an object");
  }
  ConfluenceReaders out;
  for (const char* kind : {"user", "group"}) {
    if (!restrictions.contains(kind)) continue;
    const Json& part = restrictions[kind];
    if (!part.is_object() || !part.contains("results") || !part["results"].is_array()) {
      return Status::invalidArgument(std::string("read restriction: '") + kind +
                                     "' has no results array");
    }
    const Json& results = part["results"];
    if (part.contains("size") && part["size"].is_number_integer() &&
        part["size"].get<int64_t>() > static_cast<int64_t>(results.size())) {
      return Status::invalidArgument(std::string("read restriction: the ") + kind +
                                     " list is cut short (size " +
                                     std::to_string(part["size"].get<int64_t>()) + ", " +
                                     std::to_string(results.size()) + " given)");
    }
    for (const Json& r : results) {
      const char* key = std::string_view(kind) == "user" ? "accountId" : "id";
      if (!r.is_object() || !r.contains(key) || !r[key].is_string() ||
          r[key].get<std::string>().empty()) {
        return Status::invalidArgument(std::string("read restriction: a ") + kind + " without '" +
                                       key + "'");
      }
      std::string id = r[key].get<std::string>();
      if (std::string_view(kind) == "user") {
        if (emails != nullptr && r.contains("email") && r["email"].is_string() &&
            !r["email"].get<std::string>().empty()) {
          (*emails)[id] = r["email"].get<std::string>();
        }
        out.users.insert(std::move(id));
      } else {
        out.groups.insert(std::move(id));
      }
    }
  }
  return out;
}

}  // namespace ward::ingest
