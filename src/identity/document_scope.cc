#include "ward/identity/document_scope.h"

#include <algorithm>

namespace ward::identity {

namespace {

bool intersectsSorted(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    int c = i->compare(*j);
    if (c == 0) return true;
    if (c < 0)
      ++i;
    else
      ++j;
  }
  return false;
}

}  // namespace

std::string_view scopeKindName(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::kSource:
      return "source";
    case ScopeKind::kGroup:
      return "group";
    case ScopeKind::kTag:
      return "tag";
  }
  return "source";
}

Result<ScopeKind> parseScopeKind(std::string_view name) {
  if (name == "source") return ScopeKind::kSource;
  if (name == "group") return ScopeKind::kGroup;
  if (name == "tag") return ScopeKind::kTag;
  return Status::invalidArgument("unknown scope kind '" + std::string(name) +
                                 "' (source, group, tag)");
}

Status validateScopeEntry(const ScopeEntry& entry) {
  switch (entry.kind) {
    case ScopeKind::kSource:
      return validateName("source", entry.value);
    case ScopeKind::kGroup:
      return validateName("group", entry.value);
    case ScopeKind::kTag: {
      size_t eq = entry.value.find('=');
      if (eq == std::string::npos || eq == 0) {
        return Status::invalidArgument("tag '" + entry.value + "' must be key=value");
      }
      if (entry.value.size() > kMaxTagBytes) {
        return Status::invalidArgument("tag must be at most " + std::to_string(kMaxTagBytes) +
                                       " bytes");
      }
      return Status();
    }
  }
  return Status::invalidArgument("unknown scope kind");
}

std::string scopeToken(std::string_view tenant, const ScopeEntry& entry) {
  switch (entry.kind) {
    case ScopeKind::kSource:
      return std::string(tenant) + "/src:" + entry.value;
    case ScopeKind::kGroup:
      return groupToken(tenant, entry.value);
    case ScopeKind::kTag:
      return std::string(tenant) + "/m:" + entry.value;
  }
  return "";
}

std::vector<std::string> scopeTokens(std::string_view tenant,
                                     const std::vector<ScopeEntry>& scope) {
  std::vector<std::string> tokens;
  tokens.reserve(scope.size());
  for (const ScopeEntry& e : scope) tokens.push_back(scopeToken(tenant, e));
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  return tokens;
}

Principal actingFor(const Principal& user, const Principal& agent,
                    const std::vector<ScopeEntry>& agent_scope) {
  Principal p = user;
  p.acting_agent = agent.name;
  p.scope_tokens = scopeTokens(user.tenant, agent_scope);
  return p;
}

bool mayRead(const Principal& who, const std::vector<std::string>& doc_tokens) {
  if (!intersectsSorted(who.acl_tokens, doc_tokens)) return false;
  return !who.scope_tokens || intersectsSorted(*who.scope_tokens, doc_tokens);
}

}  // namespace ward::identity
