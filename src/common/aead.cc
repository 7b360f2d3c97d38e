// AES-256-GCM, HKDF-SHA256, HMAC-SHA256 and random bytes on OpenSSL 3; contract in
// include/ward/common/aead.h.
#include "ward/common/aead.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <memory>

namespace ward {

namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytesOf(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Status checkSizes(std::string_view key, std::string_view nonce) {
  if (key.size() != kAeadKeyBytes) {
    return Status::invalidArgument("AES-256-GCM needs a 32-byte key, got " +
                                   std::to_string(key.size()));
  }
  if (nonce.size() != kAeadNonceBytes) {
    return Status::invalidArgument("AES-256-GCM needs a 12-byte nonce, got " +
                                   std::to_string(nonce.size()));
  }
  return Status();
}

// AES-256-GCM and HKDF fetched once per process: EVP_aes_256_gcm() and EVP_KDF_fetch would look
// the algorithm up in the provider again on every call.
const EVP_CIPHER* aes256Gcm() {
  static EVP_CIPHER* const kCipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return kCipher != nullptr ? kCipher : EVP_aes_256_gcm();
}

EVP_KDF* hkdf() {
  static EVP_KDF* const kKdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return kKdf;
}

}  // namespace

Result<std::string> aeadSeal(std::string_view key, std::string_view nonce, std::string_view aad,
                             std::string_view plaintext) {
  WARD_RETURN_IF_ERROR(checkSizes(key, nonce));
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(plaintext.size() + kAeadTagBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int n = 0, m = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), aes256Gcm(), nullptr, bytesOf(key), bytesOf(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytesOf(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), o, &n, bytesOf(plaintext), static_cast<int>(plaintext.size())) !=
          1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + n, &m) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAeadTagBytes, o + plaintext.size()) !=
          1) {
    return Status::internal("AES-256-GCM encryption failed");
  }
  return out;
}

Result<std::string> aeadOpen(std::string_view key, std::string_view nonce, std::string_view aad,
                             std::string_view sealed) {
  WARD_RETURN_IF_ERROR(checkSizes(key, nonce));
  if (sealed.size() < kAeadTagBytes) {
    return Status::corruption("sealed content is shorter than its 16-byte tag");
  }
  const size_t len = sealed.size() - kAeadTagBytes;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(len, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  std::string tag(sealed.substr(len));
  int n = 0, m = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), aes256Gcm(), nullptr, bytesOf(key), bytesOf(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytesOf(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), o, &n, bytesOf(sealed), static_cast<int>(len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAeadTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), o + n, &m) != 1) {
    return Status::corruption("sealed content does not authenticate (AES-GCM tag mismatch)");
  }
  return out;
}

Result<std::string> hkdfSha256(std::string_view ikm, std::string_view salt, std::string_view info) {
  EVP_KDF* kdf = hkdf();
  if (kdf == nullptr) return Status::internal("OpenSSL has no HKDF");
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf),
                                                                EVP_KDF_CTX_free);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()), ikm.size()),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
                         OSSL_PARAM_construct_octet_string(
                             OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
                         OSSL_PARAM_construct_end()};
  std::string out(32, '\0');
  if (!ctx || EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(),
                             params) != 1) {
    return Status::internal("HKDF derivation failed");
  }
  return out;
}

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytesOf(data), data.size(), mac,
       &len);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

std::string randomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::abort();
  }
  return out;
}

}  // namespace ward
