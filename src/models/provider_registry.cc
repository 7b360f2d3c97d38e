// Adapters by name: adding a dialect is one file and one line here.
#include <algorithm>
#include <map>

#include "providers.h"

namespace ward::models {

namespace {

const std::map<std::string, const Provider*, std::less<>>& registry() {
  static const std::map<std::string, const Provider*, std::less<>> r = {
      {"anthropic", &anthropicProvider()},
      {"openai", &openAiChatProvider()},
  };
  return r;
}

}  // namespace

const std::vector<std::string>& providerNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [name, p] : registry()) v.push_back(name);
    return v;
  }();
  return names;
}

Result<const Provider*> providerFor(std::string_view name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    return Status::notFound("no model provider named '" + std::string(name.substr(0, 64)) + "'");
  }
  return it->second;
}

}  // namespace ward::models
