#include "ward/store/records.h"

#include "ward/identity/principal.h"

namespace ward::store {

Json Acl::toJson() const {
  return Json{{"users", users}, {"groups", groups}, {"public", is_public}};
}

std::vector<std::string> Acl::tokens(const std::string& tenant) const {
  std::vector<std::string> out;
  out.push_back(identity::adminToken(tenant));
  if (is_public) out.push_back(identity::publicToken(tenant));
  for (const auto& u : users) out.push_back(identity::userToken(tenant, u));
  for (const auto& g : groups) out.push_back(identity::groupToken(tenant, g));
  return out;
}

std::string_view writeOutcomeName(WriteOutcome o) {
  switch (o) {
    case WriteOutcome::kCreated: return "created";
    case WriteOutcome::kUpdated: return "updated";
    case WriteOutcome::kAclChanged: return "acl_changed";
    case WriteOutcome::kUnchanged: return "unchanged";
  }
  return "unchanged";
}

}  // namespace ward::store
