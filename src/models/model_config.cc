#include "ward/models/model_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "ward/identity/principal.h"
#include "ward/models/openai_responses_format.h"
#include "ward/models/provider.h"
#include "ward/upstream/upstream_config.h"
#include "ward/common/toml_file.h"

namespace ward::models {

namespace {

constexpr size_t kMaxListEntries = 256;

Status keyError(const std::string& where, const std::string& key, const std::string& what) {
  return Status::invalidArgument("ward.toml: " + where + "." + key + ": " + what);
}

Result<std::string> stringOf(const toml::node& n, const std::string& where,
                             const std::string& key) {
  auto s = n.value<std::string>();
  if (!n.is_string() || !s) return keyError(where, key, "must be a string");
  return *s;
}

Result<std::vector<std::string>> stringList(const toml::node& n, const std::string& where,
                                            const std::string& key, size_t max) {
  const toml::array* a = n.as_array();
  if (a == nullptr) return keyError(where, key, "must be an array of strings");
  if (a->size() > max) {
    return keyError(where, key, "has more than " + std::to_string(max) + " entries");
  }
  std::vector<std::string> out;
  for (const toml::node& e : *a) {
    WARD_ASSIGN_OR_RETURN(std::string s, stringOf(e, where, key));
    out.push_back(std::move(s));
  }
  return out;
}

Result<int64_t> integerIn(const toml::node& n, const std::string& where, const std::string& key,
                          int64_t lo, int64_t hi) {
  auto i = n.value<int64_t>();
  if (!n.is_integer() || !i) return keyError(where, key, "must be an integer");
  if (*i < lo || *i > hi) {
    return keyError(where, key,
                    "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return *i;
}

Result<double> numberIn(const toml::node& n, const std::string& where, const std::string& key,
                        double lo, double hi) {
  auto d = n.value<double>();
  if (!(n.is_floating_point() || n.is_integer()) || !d) {
    return keyError(where, key, "must be a number");
  }
  if (!(*d >= lo && *d <= hi)) {
    return keyError(where, key,
                    "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return *d;
}

bool validModelName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  return n.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/-") ==
         std::string::npos;
}

Status parseParams(const toml::node& n, const std::string& where, ModelConfig& c) {
  const toml::table* t = n.as_table();
  if (t == nullptr) return keyError(where, "params", "must be a table");
  for (const auto& [k, v] : *t) {
    const std::string key = "params." + std::string(k.str());
    if (k.str() == "temperature") {
      WARD_ASSIGN_OR_RETURN(c.temperature, numberIn(v, where, key, 0, 2));
    } else if (k.str() == "top_p") {
      WARD_ASSIGN_OR_RETURN(c.top_p, numberIn(v, where, key, 0, 1));
    } else if (k.str() == "max_tokens") {
      WARD_ASSIGN_OR_RETURN(c.max_tokens, integerIn(v, where, key, 1, 10000000));
    } else {
      return keyError(where, key, "unknown key (temperature, top_p, max_tokens)");
    }
  }
  return Status();
}

Result<ModelConfig> parseOne(const toml::table& t, size_t index) {
  ModelConfig c;
  const std::string where = "models[" + std::to_string(index) + "]";
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (key == "name") {
      WARD_ASSIGN_OR_RETURN(c.name, stringOf(v, where, key));
    } else if (key == "provider") {
      WARD_ASSIGN_OR_RETURN(c.provider, stringOf(v, where, key));
    } else if (key == "kind") {
      WARD_ASSIGN_OR_RETURN(std::string kind, stringOf(v, where, key));
      if (kind == "chat") {
        c.kind = ModelKind::kChat;
      } else if (kind == "embedding") {
        c.kind = ModelKind::kEmbedding;
      } else {
        return keyError(where, key, "must be \"chat\" or \"embedding\"");
      }
    } else if (key == "base_url") {
      WARD_ASSIGN_OR_RETURN(c.base_url, stringOf(v, where, key));
    } else if (key == "model") {
      WARD_ASSIGN_OR_RETURN(c.model, stringOf(v, where, key));
    } else if (key == "api_key_secret") {
      WARD_ASSIGN_OR_RETURN(c.api_key_secret, stringOf(v, where, key));
    } else if (key == "api_key") {
      return keyError(where, key,
                      "API keys never go in ward.toml: store the key with `ward secrets set "
                      "NAME` and set api_key_secret = \"NAME\"");
    } else if (key == "allow") {
      WARD_ASSIGN_OR_RETURN(c.allow, stringList(v, where, key, kMaxListEntries));
      for (const std::string& e : c.allow) {
        Status st = upstream::checkSubjectEntry(e);
        if (!st.ok()) return keyError(where, key, "'" + e + "': " + st.message());
      }
    } else if (key == "fallbacks") {
      WARD_ASSIGN_OR_RETURN(c.fallbacks, stringList(v, where, key, kMaxFallbacks));
    } else if (key == "timeout_ms") {
      WARD_ASSIGN_OR_RETURN(c.timeout_ms, integerIn(v, where, key, 1, 600000));
    } else if (key == "max_retries") {
      WARD_ASSIGN_OR_RETURN(int64_t r, integerIn(v, where, key, 0, kMaxRetries));
      c.max_retries = static_cast<int>(r);
    } else if (key == "retry_base_ms") {
      WARD_ASSIGN_OR_RETURN(c.retry_base_ms, integerIn(v, where, key, 0, kMaxRetryWaitMs));
    } else if (key == "max_prompt_bytes") {
      WARD_ASSIGN_OR_RETURN(int64_t b, integerIn(v, where, key, 1, 256 * 1024));
      c.max_prompt_bytes = static_cast<size_t>(b);
    } else if (key == "max_response_bytes") {
      WARD_ASSIGN_OR_RETURN(int64_t b, integerIn(v, where, key, 1024, 256 << 20));
      c.max_response_bytes = static_cast<size_t>(b);
    } else if (key == "allow_private") {
      auto b = v.value<bool>();
      if (!v.is_boolean() || !b) return keyError(where, key, "must be a boolean");
      c.allow_private = *b;
    } else if (key == "params") {
      WARD_RETURN_IF_ERROR(parseParams(v, where, c));
    } else {
      return keyError(where, key, "unknown key");
    }
  }
  if (!validModelName(c.name)) return keyError(where, "name", "must be 1-64 of [A-Za-z0-9._:/-]");
  const std::string named = "models." + c.name;
  const auto& providers = providerNames();
  if (std::find(providers.begin(), providers.end(), c.provider) == providers.end()) {
    std::string list;
    for (const std::string& p : providers) list += (list.empty() ? "" : ", ") + p;
    return keyError(named, "provider", "must be one of " + list);
  }
  if (c.base_url.rfind("http://", 0) != 0 && c.base_url.rfind("https://", 0) != 0) {
    return keyError(named, "base_url", "must start with http:// or https://");
  }
  while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
  if (c.model.empty()) return keyError(named, "model", "is required (the provider's model id)");
  if (!c.api_key_secret.empty()) {
    Status st = identity::validateName("secret", c.api_key_secret);
    if (!st.ok()) return keyError(named, "api_key_secret", st.message());
  }
  return c;
}

}  // namespace

Result<std::vector<ModelConfig>> loadModelConfigs(const std::string& path) {
  std::vector<ModelConfig> out;
  WARD_ASSIGN_OR_RETURN(toml::table table, readTomlFile(path));
  WARD_ASSIGN_OR_RETURN(std::vector<const toml::table*> list,
                        tomlArrayOfTables(table, "models", kMaxModels));
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    WARD_ASSIGN_OR_RETURN(ModelConfig c, parseOne(*list[i], i));
    if (!names.insert(c.name).second) {
      return Status::invalidArgument("ward.toml: model '" + c.name + "' is defined twice");
    }
    out.push_back(std::move(c));
  }
  for (const ModelConfig& c : out) {
    for (const std::string& f : c.fallbacks) {
      if (f == c.name || names.count(f) == 0) {
        return keyError("models." + c.name, "fallbacks",
                        "'" + f + "' is not another configured model");
      }
      for (const ModelConfig& other : out) {
        if (other.name == f && other.kind != c.kind) {
          return keyError("models." + c.name, "fallbacks",
                          "'" + f +
                              "' is of another kind (a chat model falls back to chat "
                              "models, an embedding model to embedding models)");
        }
      }
    }
  }
  return out;
}

Result<ProviderStateMode> loadProxyProviderState(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return ProviderStateMode::kRefuse;
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::invalidArgument("ward.toml: " + std::string(e.description()));
  }
  const toml::node* node = table.get("proxy");
  if (node == nullptr) return ProviderStateMode::kRefuse;
  const toml::table* t = node->as_table();
  if (t == nullptr) return Status::invalidArgument("ward.toml: 'proxy' must be a table");
  ProviderStateMode mode = ProviderStateMode::kRefuse;
  for (const auto& [k, v] : *t) {
    if (k.str() != "provider_state") {
      return keyError("proxy", std::string(k.str()), "unknown key (provider_state)");
    }
    WARD_ASSIGN_OR_RETURN(std::string s, stringOf(v, "proxy", "provider_state"));
    auto m = parseProviderStateMode(s);
    if (!m.ok()) return keyError("proxy", "provider_state", m.status().message());
    mode = *m;
  }
  return mode;
}

}  // namespace ward::models
