// How a source's identities (emails, user ids, logins) become Ward principals
// (docs/design/ingest.md, "Identities"): the `[[sources.identities]]` rules of a source, tried in
// order. An identity that no rule maps, or that maps to a name that is not a valid principal
// name, maps to nobody: it grants nothing (fail closed) and is reported by the connector.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ward::ingest {

inline constexpr size_t kMaxIdentityRules = 256;

// `match` is a glob over the whole identity (`*` and `?`, case-insensitive: emails differ in
// case). `principal` is the principal's name, where `{identity}` stands for the whole identity and
// `{local}` for the part before its last '@' (the identity itself when it has none), both
// lowercased; the rule's literal text keeps its case.
struct IdentityRule {
  std::string match;
  std::string principal;
};

// The principal the first matching rule gives `identity`; "" for nobody.
std::string mapIdentity(const std::vector<IdentityRule>& rules, std::string_view identity);

// mapIdentity over one pass, remembering the identities that mapped to nobody, so the connector
// can report each once. Not thread-safe.
class IdentityMapper {
 public:
  explicit IdentityMapper(const std::vector<IdentityRule>& rules) : rules_(rules) {}
  // The principal, or "" (and `identity` is remembered as unmapped).
  std::string map(std::string_view identity);
  const std::set<std::string>& unmapped() const { return unmapped_; }

 private:
  const std::vector<IdentityRule>& rules_;
  std::set<std::string> unmapped_;
};

}  // namespace ward::ingest
