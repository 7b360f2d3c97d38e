// RFC 9162 §2.1 Merkle tree algorithms. The proof generators follow the recursive definitions
// (PATH and SUBPROOF) literally; the verifiers follow §2.1.3.2 and §2.1.4.2 step by step.
#include "ward/audit/merkle.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <bit>
#include <cstring>
#include <memory>

namespace ward::audit {

namespace {

// OpenSSL 3's one-shot SHA256() fetches the algorithm on every call; a fetched EVP_MD and a
// per-thread context make the many small hashes of the tree several times cheaper.
void sha256Into(const void* data, size_t n, uint8_t* out) {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                           EVP_MD_CTX_free);
  if (md == nullptr || !ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data, n) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out, nullptr) != 1) {
    SHA256(static_cast<const unsigned char*>(data), n, out);  // the slow path still works
  }
}

// Largest power of two strictly smaller than n (n > 1).
uint64_t splitPoint(uint64_t n) { return std::bit_floor(n - 1); }

void path(std::span<const Hash> d, uint64_t m, std::vector<Hash>& out) {
  uint64_t n = d.size();
  if (n <= 1) return;
  uint64_t k = splitPoint(n);
  if (m < k) {
    path(d.subspan(0, k), m, out);
    out.push_back(merkleRoot(d.subspan(k)));
  } else {
    path(d.subspan(k), m - k, out);
    out.push_back(merkleRoot(d.subspan(0, k)));
  }
}

void subproof(std::span<const Hash> d, uint64_t m, bool complete, std::vector<Hash>& out) {
  uint64_t n = d.size();
  if (m == n) {
    if (!complete) out.push_back(merkleRoot(d));
    return;
  }
  uint64_t k = splitPoint(n);
  if (m <= k) {
    subproof(d.subspan(0, k), m, complete, out);
    out.push_back(merkleRoot(d.subspan(k)));
  } else {
    subproof(d.subspan(k), m - k, false, out);
    out.push_back(merkleRoot(d.subspan(0, k)));
  }
}

}  // namespace

Hash sha256(std::string_view data) {
  Hash h;
  sha256Into(data.data(), data.size(), h.data());
  return h;
}

Hash leafHash(std::string_view entry) {
  unsigned char buf[128];
  if (entry.size() < sizeof buf) {
    buf[0] = 0x00;
    std::memcpy(buf + 1, entry.data(), entry.size());
    Hash h;
    sha256Into(buf, entry.size() + 1, h.data());
    return h;
  }
  return sha256(std::string(1, '\0') + std::string(entry));
}

Hash nodeHash(const Hash& left, const Hash& right) {
  unsigned char buf[65];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), 32);
  std::memcpy(buf + 33, right.data(), 32);
  Hash h;
  sha256Into(buf, sizeof buf, h.data());
  return h;
}

Hash emptyRoot() { return sha256(""); }

std::string hashHex(const Hash& h) {
  static const char* const kDigits = "0123456789abcdef";
  std::string s(64, '0');
  for (size_t i = 0; i < 32; ++i) {
    s[2 * i] = kDigits[h[i] >> 4];
    s[2 * i + 1] = kDigits[h[i] & 15];
  }
  return s;
}

Result<Hash> hashFromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() != 64) return Status::invalidArgument("a hash must be 64 hex digits");
  Hash h;
  for (size_t i = 0; i < 32; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::invalidArgument("a hash must be 64 hex digits");
    h[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return h;
}

Hash merkleRoot(std::span<const Hash> leaves) {
  if (leaves.empty()) return emptyRoot();
  if (leaves.size() == 1) return leaves[0];
  uint64_t k = splitPoint(leaves.size());
  return nodeHash(merkleRoot(leaves.subspan(0, k)), merkleRoot(leaves.subspan(k)));
}

Result<std::vector<Hash>> inclusionProof(std::span<const Hash> leaves, uint64_t index) {
  if (index >= leaves.size()) {
    return Status::invalidArgument("leaf " + std::to_string(index) + " is not in a tree of " +
                                   std::to_string(leaves.size()));
  }
  std::vector<Hash> out;
  path(leaves, index, out);
  return out;
}

Result<std::vector<Hash>> consistencyProof(std::span<const Hash> leaves, uint64_t m) {
  if (m == 0 || m > leaves.size()) {
    return Status::invalidArgument("consistency proof needs 0 < first size <= " +
                                   std::to_string(leaves.size()));
  }
  std::vector<Hash> out;
  subproof(leaves, m, true, out);
  return out;
}

Status verifyInclusion(uint64_t index, uint64_t tree_size, const Hash& leaf,
                       std::span<const Hash> proof, const Hash& root) {
  if (index >= tree_size) return Status::corruption("leaf index is past the tree size");
  uint64_t fn = index, sn = tree_size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return Status::corruption("inclusion proof is too long");
    if ((fn & 1) || fn == sn) {
      r = nodeHash(p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::corruption("inclusion proof is too short");
  if (r != root) return Status::corruption("inclusion proof does not lead to the root");
  return Status();
}

Status verifyConsistency(uint64_t first_size, uint64_t second_size, const Hash& first_root,
                         const Hash& second_root, std::span<const Hash> proof) {
  if (first_size > second_size) return Status::corruption("first tree is larger than second");
  if (first_size == second_size) {
    if (!proof.empty()) return Status::corruption("proof between equal sizes must be empty");
    if (first_root != second_root) return Status::corruption("equal sizes with different roots");
    return Status();
  }
  if (first_size == 0) {
    if (!proof.empty()) return Status::corruption("proof from the empty tree must be empty");
    return Status();
  }
  if (proof.empty()) return Status::corruption("consistency proof is empty");
  std::vector<Hash> p(proof.begin(), proof.end());
  if (std::has_single_bit(first_size)) p.insert(p.begin(), first_root);
  uint64_t fn = first_size - 1, sn = second_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = p[0], sr = p[0];
  for (size_t i = 1; i < p.size(); ++i) {
    const Hash& c = p[i];
    if (sn == 0) return Status::corruption("consistency proof is too long");
    if ((fn & 1) || fn == sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::corruption("consistency proof is too short");
  if (fr != first_root) return Status::corruption("consistency proof does not match first root");
  if (sr != second_root) return Status::corruption("consistency proof does not match second root");
  return Status();
}

Result<MerkleFrontier> MerkleFrontier::fromStack(uint64_t size, std::vector<Hash> stack) {
  if (stack.size() != static_cast<size_t>(std::popcount(size))) {
    return Status::invalidArgument("a Merkle frontier of " + std::to_string(size) + " leaves has " +
                                   std::to_string(std::popcount(size)) + " hashes, not " +
                                   std::to_string(stack.size()));
  }
  MerkleFrontier f;
  f.stack_ = std::move(stack);
  f.size_ = size;
  return f;
}

void MerkleFrontier::append(const Hash& leaf) {
  stack_.push_back(leaf);
  // Merge equal-sized perfect subtrees: one merge per trailing 1 bit of the old size.
  for (uint64_t s = size_; s & 1; s >>= 1) {
    Hash right = stack_.back();
    stack_.pop_back();
    stack_.back() = nodeHash(stack_.back(), right);
  }
  ++size_;
}

Hash MerkleFrontier::root() const {
  if (stack_.empty()) return emptyRoot();
  Hash r = stack_.back();
  for (size_t i = stack_.size() - 1; i-- > 0;) r = nodeHash(stack_[i], r);
  return r;
}

}  // namespace ward::audit
