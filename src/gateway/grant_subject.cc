#include "ward/gateway/grant_subject.h"

#include <algorithm>

namespace ward::gateway {

bool grantSubjectMatches(const std::string& kind, const std::string& subject,
                         const identity::Principal& p) {
  if (kind == "principal") return subject == p.name;
  if (kind == "group") return std::binary_search(p.groups.begin(), p.groups.end(), subject);
  if (kind == "agent") return p.kind == identity::PrincipalKind::kAgent && subject == p.name;
  if (kind == kEveryUserKind) {
    return subject == "*" && (p.kind == identity::PrincipalKind::kUser ||
                              p.kind == identity::PrincipalKind::kServiceAccount);
  }
  return false;
}

bool subjectListAllows(const std::vector<std::string>& entries, const identity::Principal& p) {
  for (const std::string& e : entries) {
    size_t colon = e.find(':');
    if (colon == std::string::npos) continue;
    if (grantSubjectMatches(e.substr(0, colon), e.substr(colon + 1), p)) return true;
  }
  return false;
}

}  // namespace ward::gateway
