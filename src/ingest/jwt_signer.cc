// RS256 JWTs through OpenSSL (jwt_signer.h).
#include "jwt_signer.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "ward/common/encoding.h"

namespace ward::ingest {

Result<std::string> signJwtRs256(const std::string& private_key_pem, const Json& claims) {
  const Json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  const std::string input =
      base64UrlEncode(dumpJson(header)) + "." + base64UrlEncode(dumpJson(claims));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
  if (!pkey || EVP_PKEY_base_id(pkey.get()) != EVP_PKEY_RSA) {
    return Status::invalidArgument("not an RSA PEM private key");
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1) {
    return Status::internal("cannot sign the JWT");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return Status::internal("cannot sign the JWT");
  }
  sig.resize(len);
  return input + "." + base64UrlEncode(sig);
}

}  // namespace ward::ingest
