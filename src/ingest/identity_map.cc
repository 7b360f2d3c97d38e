// Source identities to principals (identity_map.h).
#include "ward/ingest/identity_map.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>

#include "ward/identity/principal.h"

namespace ward::ingest {

namespace {

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

std::string mapIdentity(const std::vector<IdentityRule>& rules, std::string_view identity) {
  if (identity.empty()) return "";
  std::string id(identity);
  for (const IdentityRule& rule : rules) {
    if (::fnmatch(rule.match.c_str(), id.c_str(), FNM_CASEFOLD) != 0) continue;
    // What a rule substitutes is lowercased (emails differ in case); its literal text is not.
    std::string lower = id;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const size_t at = lower.rfind('@');
    const std::string local = at == std::string::npos ? lower : lower.substr(0, at);
    std::string name =
        replaceAll(replaceAll(rule.principal, "{identity}", lower), "{local}", local);
    // A name that is not a valid principal name maps to nobody, whatever the later rules say.
    return identity::validateName("principal", name).ok() ? name : "";
  }
  return "";
}

std::string IdentityMapper::map(std::string_view identity) {
  std::string name = mapIdentity(rules_, identity);
  if (name.empty()) unmapped_.insert(std::string(identity));
  return name;
}

}  // namespace ward::ingest
