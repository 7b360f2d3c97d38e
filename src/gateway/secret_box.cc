#include "secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace ward::gateway {

namespace {

constexpr size_t kKeyBytes = 32, kNonceBytes = 12, kTagBytes = 16;

std::string toHex(const std::string& in) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(in.size() * 2);
  for (unsigned char c : in) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

bool fromHex(const std::string& in, std::string* out) {
  if (in.size() % 2) return false;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < in.size(); i += 2) {
    int h = nib(in[i]), l = nib(in[i + 1]);
    if (h < 0 || l < 0) return false;
    out->push_back(static_cast<char>(h * 16 + l));
  }
  return true;
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

}  // namespace

Result<std::unique_ptr<SecretBox>> SecretBox::open(const std::string& key_path) {
  int fd = ::open(key_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    std::string key(kKeyBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), kKeyBytes) != 1) {
      return Status::internal("cannot generate the secrets key");
    }
    int w = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w >= 0) {
      bool ok =
          ::write(w, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(w) == 0;
      ::close(w);
      if (!ok) return Status::unavailable("cannot write " + key_path);
    } else if (errno != EEXIST) {  // EEXIST: another process created it first; read theirs
      return Status::unavailable("cannot create " + key_path + ": " + std::strerror(errno));
    }
    fd = ::open(key_path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return Status::unavailable("cannot open " + key_path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    ::close(fd);
    return Status::failedPrecondition(key_path + " must be readable by its owner only (mode 0600)");
  }
  std::string key(kKeyBytes + 1, '\0');
  ssize_t n = ::read(fd, key.data(), key.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(kKeyBytes)) {
    return Status::corruption(key_path + " is not a 32-byte key");
  }
  key.resize(kKeyBytes);
  return std::unique_ptr<SecretBox>(new SecretBox(std::move(key)));
}

Result<std::string> SecretBox::seal(const std::string& plaintext,
                                    const std::string& context) const {
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) != 1) {
    return Status::internal("cannot generate a nonce");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(plaintext.size() + 16, '\0');
  int len = 0, total = 0;
  auto u = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key_), u(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, u(context), static_cast<int>(context.size())) !=
          1 ||
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u(plaintext),
                        static_cast<int>(plaintext.size())) != 1) {
    return Status::internal("encryption failed");
  }
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total, &len) !=
      1) {
    return Status::internal("encryption failed");
  }
  total += len;
  out.resize(static_cast<size_t>(total));
  std::string tag(kTagBytes, '\0');
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) != 1) {
    return Status::internal("encryption failed");
  }
  return "v1:" + toHex(nonce + out + tag);
}

Result<std::string> SecretBox::unseal(const std::string& sealed, const std::string& context) const {
  std::string raw;
  if (sealed.rfind("v1:", 0) != 0 || !fromHex(sealed.substr(3), &raw) ||
      raw.size() < kNonceBytes + kTagBytes) {
    return Status::corruption("stored secret is not in the v1 format");
  }
  std::string nonce = raw.substr(0, kNonceBytes);
  std::string tag = raw.substr(raw.size() - kTagBytes);
  std::string ct = raw.substr(kNonceBytes, raw.size() - kNonceBytes - kTagBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(ct.size() + 16, '\0');
  int len = 0, total = 0;
  auto u = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key_), u(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, u(context), static_cast<int>(context.size())) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, u(ct),
                        static_cast<int>(ct.size())) != 1) {
    return Status::corruption("stored secret cannot be decrypted");
  }
  total = len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total, &len) !=
          1) {
    return Status::corruption("stored secret failed authentication (wrong key or tampered)");
  }
  total += len;
  out.resize(static_cast<size_t>(total));
  return out;
}

}  // namespace ward::gateway
