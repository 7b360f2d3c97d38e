// Ed25519 checkpoint signing with the OpenSSL 3 EVP API.
#include "ward/audit/checkpoint.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "ward/common/hash.h"

namespace ward::audit {

namespace {

std::shared_ptr<void> wrapKey(EVP_PKEY* k) {
  return std::shared_ptr<void>(k, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

std::string toHex(const unsigned char* p, size_t n) {
  static const char* const kDigits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(kDigits[p[i] >> 4]);
    s.push_back(kDigits[p[i] & 15]);
  }
  return s;
}

bool fromHex(const std::string& hex, std::string* out) {
  if (hex.size() % 2) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (int j = 0; j < 2; ++j) {
      char c = hex[i + j];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    out->push_back(static_cast<char>(v));
  }
  return true;
}

std::string bioString(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  return mem ? std::string(mem->data, mem->length) : std::string();
}

Result<std::string> keyIdOf(EVP_PKEY* k) {
  unsigned char raw[32];
  size_t len = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(k, raw, &len) != 1 || len != 32) {
    return Status::internal("cannot read the Ed25519 public key");
  }
  return sha256Hex(std::string_view(reinterpret_cast<char*>(raw), len)).substr(0, 16);
}

Result<std::string> publicPem(EVP_PKEY* k) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), k) != 1) {
    return Status::internal("cannot encode the public key");
  }
  return bioString(bio.get());
}

}  // namespace

std::string Checkpoint::signedMessage() const {
  return "ward-audit-checkpoint/v1\n" + std::to_string(tree_size) + "\n" + hashHex(root) + "\n" +
         std::to_string(time_us) + "\n" + key_id + "\n";
}

Json Checkpoint::toJson() const {
  return Json{{"tree_size", tree_size},
              {"root", hashHex(root)},
              {"time_us", time_us},
              {"key_id", key_id},
              {"signature", signature}};
}

Result<Checkpoint> Checkpoint::fromJson(const Json& j) {
  if (!j.is_object()) return Status::invalidArgument("a checkpoint must be a JSON object");
  Checkpoint c;
  auto size = j.find("tree_size");
  if (size == j.end() || !size->is_number_unsigned()) {
    return Status::invalidArgument("checkpoint 'tree_size' must be a non-negative integer");
  }
  c.tree_size = size->get<uint64_t>();
  auto root = j.find("root");
  if (root == j.end() || !root->is_string()) {
    return Status::invalidArgument("checkpoint 'root' must be a string");
  }
  auto h = hashFromHex(root->get<std::string>());
  if (!h.ok()) return Status::invalidArgument("checkpoint 'root': " + h.status().message());
  c.root = *h;
  auto time = j.find("time_us");
  if (time == j.end() || !time->is_number_integer()) {
    return Status::invalidArgument("checkpoint 'time_us' must be an integer");
  }
  c.time_us = time->get<int64_t>();
  for (auto [name, field] : {std::pair{"key_id", &c.key_id}, {"signature", &c.signature}}) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) {
      return Status::invalidArgument(std::string("checkpoint '") + name + "' must be a string");
    }
    *field = it->get<std::string>();
  }
  return c;
}

Result<CheckpointVerifier> CheckpointVerifier::fromPublicKeyPem(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* k = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (k == nullptr) return Status::invalidArgument("not a PEM public key");
  auto key = wrapKey(k);
  if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
    return Status::invalidArgument("the public key is not an Ed25519 key");
  }
  CheckpointVerifier v;
  WARD_ASSIGN_OR_RETURN(v.key_id_, keyIdOf(k));
  v.key_ = key;
  v.pem_ = pem;
  return v;
}

Status CheckpointVerifier::verify(const Checkpoint& c) const {
  if (c.key_id != key_id_) {
    return Status::corruption("checkpoint at tree size " + std::to_string(c.tree_size) +
                              " was signed by key " + c.key_id + ", not " + key_id_);
  }
  std::string sig;
  if (!fromHex(c.signature, &sig) || sig.size() != 64) {
    return Status::corruption("checkpoint at tree size " + std::to_string(c.tree_size) +
                              " has a malformed signature");
  }
  std::string msg = c.signedMessage();
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  auto* k = static_cast<EVP_PKEY*>(key_.get());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k) != 1 ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) != 1) {
    return Status::corruption("checkpoint at tree size " + std::to_string(c.tree_size) +
                              ": signature does not verify");
  }
  return Status();
}

Result<CheckpointSigner> CheckpointSigner::loadOrCreate(io::FileSystem& fs,
                                                        const std::string& path) {
  std::string pem;
  if (fs.exists(path)) {
    WARD_ASSIGN_OR_RETURN(pem, io::readFile(fs, path));
  } else {
    EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (k == nullptr) return Status::internal("cannot generate an Ed25519 key");
    auto key = wrapKey(k);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), k, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      return Status::internal("cannot encode the signing key");
    }
    pem = bioString(bio.get());
    io::OpenOptions o;
    o.exclusive = true;
    o.mode = 0600;
    auto f = fs.open(path, o);
    if (f.ok()) {
      WARD_RETURN_IF_ERROR((*f)->append(pem));
      WARD_RETURN_IF_ERROR((*f)->sync());
      WARD_RETURN_IF_ERROR(fs.syncDir(io::parentDir(path)));
    } else if (f.status().code() == StatusCode::kAlreadyExists) {
      WARD_ASSIGN_OR_RETURN(pem, io::readFile(fs, path));  // another process won the race
    } else {
      return f.status();
    }
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* k = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (k == nullptr) return Status::corruption(path + " is not a PEM private key");
  CheckpointSigner s;
  s.key_ = wrapKey(k);
  if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
    return Status::corruption(path + " is not an Ed25519 key");
  }
  WARD_ASSIGN_OR_RETURN(std::string pub, publicPem(k));
  WARD_ASSIGN_OR_RETURN(s.verifier_, CheckpointVerifier::fromPublicKeyPem(pub));
  return s;
}

Result<CheckpointSigner> CheckpointSigner::load(io::FileSystem& fs, const std::string& path) {
  if (!fs.exists(path)) return Status::notFound("no audit signing key at " + path);
  return loadOrCreate(fs, path);
}

Status CheckpointSigner::sign(Checkpoint& c) const {
  c.key_id = verifier_.keyId();
  std::string msg = c.signedMessage();
  unsigned char sig[64];
  size_t len = sizeof sig;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  auto* k = static_cast<EVP_PKEY*>(key_.get());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, k) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(msg.data()),
                     msg.size()) != 1) {
    return Status::internal("Ed25519 signing failed");
  }
  c.signature = toHex(sig, len);
  return Status();
}

Result<std::vector<Checkpoint>> readCheckpointFile(io::FileSystem& fs, const std::string& path) {
  std::vector<Checkpoint> out;
  if (!fs.exists(path)) return out;
  WARD_ASSIGN_OR_RETURN(std::string content, io::readFile(fs, path));
  size_t pos = 0;
  int64_t line_no = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    if (nl == std::string::npos) break;  // torn last line
    ++line_no;
    auto j = parseJson(content.substr(pos, nl - pos));
    pos = nl + 1;
    if (!j.ok()) {
      return Status::corruption(path + " line " + std::to_string(line_no) + ": not JSON");
    }
    auto c = Checkpoint::fromJson(*j);
    if (!c.ok()) {
      return Status::corruption(path + " line " + std::to_string(line_no) + ": " +
                                c.status().message());
    }
    out.push_back(std::move(c).value());
  }
  return out;
}

}  // namespace ward::audit
