#include "ward/gateway/grant_subject.h"

#include <algorithm>

namespace ward::gateway {

bool grantSubjectMatches(store::GrantSubjectKind kind, const std::string& subject,
                         const identity::Principal& p) {
  switch (kind) {
    case store::GrantSubjectKind::kPrincipal:
      return subject == p.name;
    case store::GrantSubjectKind::kGroup:
      return std::binary_search(p.groups.begin(), p.groups.end(), subject);
    case store::GrantSubjectKind::kAgent:
      return p.kind == identity::PrincipalKind::kAgent && subject == p.name;
    case store::GrantSubjectKind::kUsers:
      return subject == "*" && (p.kind == identity::PrincipalKind::kUser ||
                                p.kind == identity::PrincipalKind::kServiceAccount);
  }
  return false;
}

bool subjectListAllows(const std::vector<std::string>& entries, const identity::Principal& p) {
  for (const std::string& e : entries) {
    size_t colon = e.find(':');
    if (colon == std::string::npos) continue;
    auto kind = store::parseGrantSubjectKind(std::string_view(e).substr(0, colon));
    if (kind.ok() && grantSubjectMatches(*kind, e.substr(colon + 1), p)) return true;
  }
  return false;
}

}  // namespace ward::gateway
