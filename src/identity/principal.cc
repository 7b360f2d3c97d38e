#include "ward/identity/principal.h"

namespace ward::identity {

std::string_view principalKindName(PrincipalKind kind) {
  switch (kind) {
    case PrincipalKind::kUser:
      return "user";
    case PrincipalKind::kGroup:
      return "group";
    case PrincipalKind::kServiceAccount:
      return "service_account";
    case PrincipalKind::kAgent:
      return "agent";
  }
  return "user";
}

Result<PrincipalKind> parsePrincipalKind(std::string_view name) {
  if (name == "user") return PrincipalKind::kUser;
  if (name == "group") return PrincipalKind::kGroup;
  if (name == "service_account") return PrincipalKind::kServiceAccount;
  if (name == "agent") return PrincipalKind::kAgent;
  return Status::invalidArgument("unknown principal kind '" + std::string(name) + "'");
}

bool canAuthenticate(PrincipalKind kind) { return kind != PrincipalKind::kGroup; }

std::string userToken(std::string_view tenant, std::string_view user) {
  return std::string(tenant) + "/u:" + std::string(user);
}
std::string groupToken(std::string_view tenant, std::string_view group) {
  return std::string(tenant) + "/g:" + std::string(group);
}
std::string publicToken(std::string_view tenant) { return std::string(tenant) + "/*"; }
std::string adminToken(std::string_view tenant) { return std::string(tenant) + "/#admin"; }

Status validateName(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::invalidArgument(std::string(what) + " name must be 1-64 characters");
  }
  if (name[0] == '.' || name[0] == '-') {
    return Status::invalidArgument(std::string(what) + " name must not start with '.' or '-'");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) {
      return Status::invalidArgument(std::string(what) + " name '" + std::string(name) +
                                     "' may only contain letters, digits and . _ @ -");
    }
  }
  return Status();
}

}  // namespace ward::identity
