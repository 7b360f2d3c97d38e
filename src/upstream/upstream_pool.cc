#include "ward/upstream/upstream_pool.h"

namespace ward::upstream {

UpstreamPool::UpstreamPool(std::vector<UpstreamConfig> configs, const Clock* clock) {
  for (UpstreamConfig& c : configs) {
    std::string name = c.name;
    // The resolver is looked up at connect time, so setSecretResolver may come later.
    SecretResolver secrets = [this](const std::string& secret) -> Result<std::string> {
      std::lock_guard<std::mutex> lock(mu_);
      if (!resolver_) return Status::failedPrecondition("no secrets are available");
      return resolver_(tenant_, secret);
    };
    clients_[name] = std::make_unique<McpClient>(std::move(c), std::move(secrets), clock);
  }
}

UpstreamPool::~UpstreamPool() {
  for (auto& [name, client] : clients_) client->close();
}

void UpstreamPool::setSecretResolver(
    std::function<Result<std::string>(const std::string&, const std::string&)> resolver,
    const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mu_);
  resolver_ = std::move(resolver);
  tenant_ = tenant;
}

Result<McpClient*> UpstreamPool::client(const std::string& name) {
  auto it = clients_.find(name);
  if (it == clients_.end()) {
    return Status::notFound("no upstream '" + name + "' is configured (ward.toml [[upstreams]])");
  }
  return it->second.get();
}

std::vector<std::string> UpstreamPool::names() const {
  std::vector<std::string> out;
  for (const auto& [name, c] : clients_) out.push_back(name);
  return out;
}

Json UpstreamPool::describe() const {
  Json list = Json::array();
  for (const auto& [name, c] : clients_) list.push_back(c->describe());
  return list;
}

}  // namespace ward::upstream
