// What the Confluence connector keeps between passes (docs/design/ingest.md, "Confluence",
// "Incremental"), in `<data>/sync/confluence/<source>.json`: per synced space, its page tree as
// the last pass saw it (each current or archived page's parent, status and read restriction, the
// attachments it yielded, and a digest of the ACL it was given), so that a feed pass, which lists
// only the pages modified since its cursor, can still compute every page's effective readers when
// a space permission, a group's members or a swept restriction changes. Never a credential: ids,
// statuses and source identities only. A missing or unreadable file is an empty state (the next
// pass is a full listing). Private to the ingest module.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "confluence_access.h"
#include "ward/common/status.h"
#include "ward/store/records.h"

namespace ward::ingest {

struct ConfluenceNode {
  std::string parent, parent_type, status;
  int64_t version = 0;                   // version.number as last listed
  bool known = false;                    // `readers` holds the page's read restriction
  ConfluenceReaders readers;             // the page's own read restriction (empty: inherits)
  std::string why;                       // !known: why (not kept in the file)
  std::vector<std::string> attachments;  // attachment document ids it yielded
  std::string acl;  // confluenceAclDigest of the ACL it was given ("" = none yet)
};

struct ConfluenceSpaceState {
  std::string key;
  std::map<std::string, ConfluenceNode> pages;  // by page id
};

struct ConfluenceState {
  std::string gen;  // the generation the pass's final cursor names ("" = none)
  std::map<std::string, ConfluenceSpaceState> spaces;  // by space id
};

ConfluenceState loadConfluenceState(const std::string& path);
// Written durably: a temporary file, fsync and a rename over `path` (saveConnectorState).
Status saveConfluenceState(const std::string& path, const ConfluenceState& state);

// The read restrictions down the chain of page `id` in `tree` (the page's own, then each
// ancestor's, up to the space), or why they are not known: a restriction not read, an ancestor
// not in the tree (a draft, trashed, another space), one that is not a page (a folder), or more
// than kConfluenceMaxAncestors levels (or a cycle). Fail closed: the page is then no document.
Result<std::vector<ConfluenceReaders>> confluenceChain(
    const std::map<std::string, ConfluenceNode>& tree, const std::string& id);

// A short digest of an ACL (its users, groups and public flag), to tell whether it changed.
std::string confluenceAclDigest(const store::Acl& acl);

}  // namespace ward::ingest
