// The placeholder key and hash, and the public factories of include/ward/audit/redaction.h.

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "redaction_engine.h"
#include "redaction_rules.h"
#include "ward/audit/redaction.h"
#include "ward/common/aead.h"
#include "ward/common/encoding.h"
#include "ward/io/secret_file.h"

namespace ward::audit {

namespace internal {
extern const char kDefaultRedactionRules[];
}  // namespace internal

namespace {

constexpr size_t kMinKeyBytes = 16;

Status ioError(const std::string& what, const std::string& path) {
  return Status::unavailable(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string_view defaultRedactionRules() { return internal::kDefaultRedactionRules; }

std::string redactionPlaceholder(std::string_view key, std::string_view type,
                                 std::string_view value) {
  const std::string mac = hmacSha256(key, value);
  std::string out;
  out.reserve(type.size() + 24);
  out.append("[REDACTED:").append(type).push_back(':');
  out += hexEncode(std::string_view(mac).substr(0, 6));
  out.push_back(']');
  return out;
}

Result<std::string> loadOrCreateRedactionKey(const std::string& path) {
  return io::loadOrCreateSecretFile(path, kRedactionKeyBytes, "redaction key");
}

std::string redactionKeyPath(const std::string& data_dir, const std::string& tenant) {
  return data_dir + "/redaction/" + tenant + ".key";
}

std::string redactionRulesPath(const std::string& data_dir, const std::string& tenant) {
  return data_dir + "/redaction/" + tenant + ".toml";
}

Result<std::unique_ptr<Redactor>> loadRedactor(const RedactorOptions& options) {
  if (options.key.size() < kMinKeyBytes) {
    return Status::invalidArgument("redaction key must be at least 16 bytes");
  }
  internal::RedactionRuleSet set;
  if (options.include_default_rules) {
    WARD_RETURN_IF_ERROR(
        internal::applyRuleFile("default.toml (built in)", internal::kDefaultRedactionRules, &set));
  }
  for (const RedactionRuleSource& src : options.overlays) {
    WARD_RETURN_IF_ERROR(internal::applyRuleFile(src.name, src.toml, &set));
  }
  if (!options.tenant_rules_path.empty()) {
    std::ifstream in(options.tenant_rules_path, std::ios::binary);
    if (in) {
      std::ostringstream text;
      text << in.rdbuf();
      if (in.bad()) return ioError("cannot read", options.tenant_rules_path);
      WARD_RETURN_IF_ERROR(internal::applyRuleFile(options.tenant_rules_path, text.str(), &set));
    } else if (std::error_code ec; std::filesystem::exists(options.tenant_rules_path, ec)) {
      return ioError("cannot open", options.tenant_rules_path);
    }
  }
  auto r = internal::RuleRedactor::create(set, options.key, options.max_input_bytes);
  if (!r.ok()) return r.status();
  return std::unique_ptr<Redactor>(std::move(r).value());
}

Result<std::unique_ptr<Redactor>> loadTenantRedactor(const std::string& data_dir,
                                                     const std::string& tenant) {
  // The tenant names files: only names as README's limits allow, so no path can escape.
  bool ok_name = !tenant.empty() && tenant.size() <= 64 && tenant[0] != '.' && tenant[0] != '-';
  for (char c : tenant) {
    ok_name = ok_name && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                          c == '@' || c == '-');
  }
  if (!ok_name) return Status::invalidArgument("invalid tenant name '" + tenant + "'");
  RedactorOptions options;
  WARD_ASSIGN_OR_RETURN(options.key, loadOrCreateRedactionKey(redactionKeyPath(data_dir, tenant)));
  options.tenant_rules_path = redactionRulesPath(data_dir, tenant);
  return loadRedactor(options);
}

}  // namespace ward::audit
