#include "ward/store/records.h"

#include <algorithm>

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

std::vector<std::string> DocumentRecord::tokens() const {
  std::vector<std::string> out = acl.tokens(tenant);
  out.push_back(tenant + "/src:" + source);
  for (auto it = metadata.begin(); it != metadata.end(); ++it) {
    const Json& v = it.value();
    if (v.is_string()) {
      out.push_back(tenant + "/m:" + it.key() + "=" + v.get<std::string>());
    } else if (v.is_number() || v.is_boolean()) {
      out.push_back(tenant + "/m:" + it.key() + "=" + v.dump());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string_view writeOutcomeName(WriteOutcome o) {
  switch (o) {
    case WriteOutcome::kCreated:
      return "created";
    case WriteOutcome::kUpdated:
      return "updated";
    case WriteOutcome::kAclChanged:
      return "acl_changed";
    case WriteOutcome::kUnchanged:
      return "unchanged";
  }
  return "unchanged";
}

}  // namespace ward::store
