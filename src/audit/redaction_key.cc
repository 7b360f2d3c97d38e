// The placeholder key and hash, and the public factories of include/ward/audit/redaction.h.
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "redaction_engine.h"
#include "redaction_rules.h"
#include "ward/audit/redaction.h"

namespace ward::audit {

namespace internal {
extern const char kDefaultRedactionRules[];
}  // namespace internal

namespace {

constexpr size_t kMinKeyBytes = 16;

Status ioError(const std::string& what, const std::string& path) {
  return Status::unavailable(what + " " + path + ": " + std::strerror(errno));
}

Result<std::string> readKeyFile(const std::string& path, int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ioError("cannot stat redaction key", path);
  if ((st.st_mode & 077) != 0) {
    return Status::failedPrecondition("redaction key " + path +
                                      " is accessible by group or others; chmod 600 it");
  }
  std::string key(kRedactionKeyBytes + 1, '\0');
  size_t got = 0;
  while (got < key.size()) {
    ssize_t n = ::read(fd, key.data() + got, key.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("cannot read redaction key", path);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got != kRedactionKeyBytes) {
    return Status::corruption("redaction key " + path + " must hold exactly 32 bytes");
  }
  key.resize(kRedactionKeyBytes);
  return key;
}

Status writeNewKey(const std::string& path, int fd) {
  std::string key(kRedactionKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    std::abort();  // as randomHex: a guessable key is worse than no process
  }
  size_t put = 0;
  while (put < key.size()) {
    ssize_t n = ::write(fd, key.data() + put, key.size() - put);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("cannot write redaction key", path);
    put += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return ioError("cannot sync redaction key", path);
  return Status::okStatus();
}

}  // namespace

std::string_view defaultRedactionRules() { return internal::kDefaultRedactionRules; }

std::string redactionPlaceholder(std::string_view key, std::string_view type,
                                 std::string_view value) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(type.size() + 24);
  out.append("[REDACTED:").append(type).push_back(':');
  for (int i = 0; i < 6; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 15]);
  }
  out.push_back(']');
  return out;
}

Result<std::string> loadOrCreateRedactionKey(const std::string& path) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return Status::unavailable("cannot create " + parent.string() + ": " + ec.message());
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      Status s = writeNewKey(path, fd);
      ::close(fd);
      if (!s.ok()) {
        ::unlink(path.c_str());
        return s;
      }
    } else if (errno != EEXIST) {
      return ioError("cannot create redaction key", path);
    }
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ioError("cannot open redaction key", path);
    Result<std::string> key = readKeyFile(path, fd);
    ::close(fd);
    // A concurrent creator may not have finished writing yet: read once more.
    if (!key.ok() && key.status().code() == StatusCode::kCorruption && attempt == 0) {
      ::usleep(50 * 1000);
      continue;
    }
    return key;
  }
  return Status::internal("unreachable");
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
