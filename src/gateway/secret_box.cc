#include "secret_box.h"

#include "ward/common/aead.h"
#include "ward/common/encoding.h"
#include "ward/io/secret_file.h"

namespace ward::gateway {

namespace {

constexpr std::string_view kFormatPrefix = "v1:";

}  // namespace

Result<std::unique_ptr<SecretBox>> SecretBox::open(const std::string& key_path) {
  WARD_ASSIGN_OR_RETURN(std::string key,
                        io::loadOrCreateSecretFile(key_path, kAeadKeyBytes, "secrets key"));
  return std::unique_ptr<SecretBox>(new SecretBox(std::move(key)));
}

Result<std::string> SecretBox::seal(const std::string& plaintext,
                                    const std::string& context) const {
  const std::string nonce = randomBytes(kAeadNonceBytes);
  WARD_ASSIGN_OR_RETURN(std::string sealed, aeadSeal(key_, nonce, context, plaintext));
  return std::string(kFormatPrefix) + hexEncode(nonce + sealed);
}

Result<std::string> SecretBox::unseal(const std::string& sealed, const std::string& context) const {
  const std::optional<std::string> raw = sealed.rfind(kFormatPrefix, 0) == 0
                                             ? hexDecode(std::string_view(sealed).substr(3))
                                             : std::nullopt;
  if (!raw || raw->size() < kAeadNonceBytes + kAeadTagBytes) {
    return Status::corruption("stored secret is not in the v1 format");
  }
  auto plain = aeadOpen(key_, std::string_view(*raw).substr(0, kAeadNonceBytes), context,
                        std::string_view(*raw).substr(kAeadNonceBytes));
  if (!plain.ok()) {
    return Status::corruption("stored secret failed authentication (wrong key or tampered)");
  }
  return plain;
}

}  // namespace ward::gateway
