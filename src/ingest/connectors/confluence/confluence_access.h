// Who may read a Confluence page (docs/design/ingest.md, "Confluence"): the space's readers,
// narrowed by the page's read restriction and by the read restriction of EVERY restricted
// ancestor. Confluence's view restrictions inherit: a reader needs access through each of them,
// so the effective readers are the intersection down the ancestor chain, then with the space's
// readers (not the closest restriction alone, which over-grants). Pure: source identities in,
// source identities out; the connector maps them to principals. Private to the ingest module.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ward/common/json.h"
#include "ward/common/status.h"

namespace ward::ingest {

// A set of readers as the source names them: accountIds and group ids.
struct ConfluenceReaders {
  std::set<std::string> users;   // accountIds
  std::set<std::string> groups;  // group ids
  bool empty() const { return users.empty() && groups.empty(); }
};

// A group id -> its members' accountIds.
using ConfluenceGroupMembers = std::map<std::string, std::set<std::string>>;

// The readers of a page: `space` (the space's read permission) and `restrictions` (the page's own
// read restriction and its ancestors', any order; an empty one means "no restriction here:
// inherits" and narrows nothing). A group is kept as a group when it is on every level (a
// membership change then needs no recomputation); a user is kept when every level admits them,
// directly or through a group's members (`members`; a group whose members are unknown admits nobody
// on a level where the group alone would be needed: fail closed).
ConfluenceReaders effectiveReaders(const ConfluenceReaders& space,
                                   const std::vector<ConfluenceReaders>& restrictions,
                                   const ConfluenceGroupMembers& members);

// A read restriction as v1 returns it, either from `.../restriction/byOperation/read` or a
// content's `restrictions.read.restrictions` expansion: {user: {results: [{accountId, email?}],
// size}, group: {results: [{id, name}], size}}. InvalidArgument for a malformed one, or one cut
// short (size above the results it carries: the readers would be incomplete). `emails` collects
// accountId -> email where the payload shows one.
Result<ConfluenceReaders> parseReadRestriction(const Json& restrictions,
                                               std::map<std::string, std::string>* emails);

}  // namespace ward::ingest
