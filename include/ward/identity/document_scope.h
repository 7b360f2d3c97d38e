// An agent's document scope: the sources, groups and tags whose documents it may read. It applies
// whenever the agent reads: alone (resolvePrincipal sets the agent's scope_tokens) and when it acts
// for a user, where the reader is the intersection (least privilege): a document is readable only
// when the user may read it AND it falls inside the agent's scope. An agent without scope entries
// reads nothing (deny by default). Entries are stored by the store (agent_scopes) and managed over
// REST (/v1/principals/{name}/scope) and the CLI (`ward agent scope`).
//
// Scope entries match the document's own tokens (store::DocumentRecord::tokens()):
//   source S        "<tenant>/src:S"      every document of source S
//   group G         "<tenant>/g:G"        documents whose ACL names group G (not its subgroups)
//   tag key=value   "<tenant>/m:key=value" documents whose metadata has key equal to value
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/status.h"
#include "ward/identity/principal.h"

namespace ward::identity {

enum class ScopeKind { kSource, kGroup, kTag };

// At most this many entries in one agent's scope (docs/design/identity.md, "Agents and their
// document scope").
inline constexpr size_t kMaxScopeEntries = 256;
// A tag value ("key=value") is at most this many bytes.
inline constexpr size_t kMaxTagBytes = 256;

std::string_view scopeKindName(ScopeKind kind);
// "source" | "group" | "tag"; InvalidArgument naming the kind otherwise.
Result<ScopeKind> parseScopeKind(std::string_view name);

struct ScopeEntry {
  ScopeKind kind = ScopeKind::kSource;
  std::string value;  // a source or group name, or "key=value" for a tag

  bool operator==(const ScopeEntry&) const = default;
};

// InvalidArgument naming the problem: source and group values are names (validateName); a tag is
// "key=value" with a non-empty key without '=' and at most kMaxTagBytes.
Status validateScopeEntry(const ScopeEntry& entry);

// The token an entry matches in `tenant` (see the table above).
std::string scopeToken(std::string_view tenant, const ScopeEntry& entry);

// The tokens of a whole scope, sorted and unique.
std::vector<std::string> scopeTokens(std::string_view tenant, const std::vector<ScopeEntry>& scope);

// The reader when `agent` acts for `user`: the user, with scope_tokens set to the agent's scope
// (sorted, unique; empty = reads nothing) and acting_agent to the agent's name.
Principal actingFor(const Principal& user, const Principal& agent,
                    const std::vector<ScopeEntry>& agent_scope);

// Whether `who` may read a document carrying `doc_tokens` (sorted; its ACL, source and metadata
// tokens, as store::DocumentRecord::tokens() gives them): one of who.acl_tokens, and, when
// who.scope_tokens is set, also one of those. The check behind every read path that is not the
// index, through store::mayReadDocument (which adds: live, same tenant); the index applies the
// same rule in its visibility bitmap.
bool mayRead(const Principal& who, const std::vector<std::string>& doc_tokens);

}  // namespace ward::identity
