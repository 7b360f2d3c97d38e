// The placeholder key and hash, and the public factories of include/ward/audit/redaction.h.

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>

#include "redaction_engine.h"
#include "redaction_rules.h"
#include "ward/audit/redaction.h"
#include "ward/common/aead.h"
#include "ward/common/encoding.h"
#include "ward/common/log.h"
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

// The built-in rules alone, compiled on a thread of its own from construction and waited for by
// the first call (docs/design/redaction.md, "Loading"): a command's set-up goes on meanwhile
// instead of waiting for RE2 (about 320 million instructions for the default set, the largest
// serial step of `ward sync`'s start). The built-in rules are compiled by the tests
// (redaction_test), so the build fails only on a programming error; then every call fails
// closed: a text is replaced whole and a JSON value becomes one placeholder string. Thread-safe
// (the shared future's get() is).
class DeferredRedactor final : public trace::Redactor {
 public:
  explicit DeferredRedactor(RedactorOptions options)
      : built_(std::async(std::launch::async, [o = std::move(options)] {
                 return loadRedactor(o);
               }).share()) {}
  // The shared state of an async build is waited for by its last future's destructor.
  ~DeferredRedactor() override = default;

  std::string redactText(std::string_view text, trace::RedactionStats* stats) const override {
    const trace::Redactor* r = get();
    return r != nullptr ? r->redactText(text, stats) : std::string(kUnavailable);
  }
  void redactJson(Json& value, trace::RedactionStats* stats) const override {
    const trace::Redactor* r = get();
    if (r != nullptr) {
      r->redactJson(value, stats);
    } else {
      value = Json(std::string(kUnavailable));
    }
  }

 private:
  static constexpr std::string_view kUnavailable = "[REDACTED:redactor_unavailable]";

  const trace::Redactor* get() const {
    const Result<std::unique_ptr<trace::Redactor>>& r = built_.get();
    if (r.ok()) return r->get();
    std::call_once(logged_, [&r] {
      logError("redaction: the built-in rules did not compile (" + r.status().message() +
               "); every value is redacted whole");
    });
    return nullptr;
  }

  std::shared_future<Result<std::unique_ptr<trace::Redactor>>> built_;
  mutable std::once_flag logged_;
};

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

Result<std::unique_ptr<trace::Redactor>> loadRedactor(const RedactorOptions& options) {
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
  return std::unique_ptr<trace::Redactor>(std::move(r).value());
}

Result<std::unique_ptr<trace::Redactor>> loadTenantRedactor(const std::string& data_dir,
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
  // A tenant rule file is input: compiled now, so that a bad rule fails the command that opens
  // it, naming the rule. Without one only the built-in rules remain, compiled meanwhile.
  std::error_code ec;
  if (!std::filesystem::exists(options.tenant_rules_path, ec) && !ec) {
    options.tenant_rules_path.clear();
    return std::unique_ptr<trace::Redactor>(std::make_unique<DeferredRedactor>(std::move(options)));
  }
  return loadRedactor(options);
}

}  // namespace ward::audit
