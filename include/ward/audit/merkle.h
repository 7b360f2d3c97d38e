// Merkle tree hashing, proofs and proof verification as in RFC 9162 (Certificate Transparency
// v2.0) §2.1: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right), the tree over
// n leaves split at the largest power of two smaller than n.
//
// Free functions are pure. MerkleFrontier is a value type (not thread-safe; callers guard it).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/status.h"

namespace ward::audit {

using Hash = std::array<uint8_t, 32>;

Hash sha256(std::string_view data);
Hash leafHash(std::string_view entry);
Hash nodeHash(const Hash& left, const Hash& right);
// Root of the empty tree: SHA-256 of the empty string.
Hash emptyRoot();
std::string hashHex(const Hash& h);
// InvalidArgument unless `hex` is 64 hex digits.
Result<Hash> hashFromHex(std::string_view hex);

// MTH(D[0:n]) over the given leaf hashes.
Hash merkleRoot(std::span<const Hash> leaves);
// PATH(index, D[0:n]) where n = leaves.size(); InvalidArgument if index >= n.
Result<std::vector<Hash>> inclusionProof(std::span<const Hash> leaves, uint64_t index);
// PROOF(m, D[0:n]) where n = leaves.size(); InvalidArgument unless 0 < m <= n.
Result<std::vector<Hash>> consistencyProof(std::span<const Hash> leaves, uint64_t m);

// OK if `proof` shows that `leaf` is leaf `index` of the tree of `tree_size` leaves with `root`;
// Corruption saying why otherwise.
Status verifyInclusion(uint64_t index, uint64_t tree_size, const Hash& leaf,
                       std::span<const Hash> proof, const Hash& root);
// OK if `proof` shows that the tree (first_size, first_root) is a prefix of
// (second_size, second_root); Corruption otherwise.
Status verifyConsistency(uint64_t first_size, uint64_t second_size, const Hash& first_root,
                         const Hash& second_root, std::span<const Hash> proof);

// The right edge of a growing tree (one perfect-subtree root per set bit of the size): append
// and root in O(log n) without keeping the leaves.
class MerkleFrontier {
 public:
  // From a saved stack; InvalidArgument unless it has one hash per set bit of `size`.
  static Result<MerkleFrontier> fromStack(uint64_t size, std::vector<Hash> stack);
  void append(const Hash& leaf);
  Hash root() const;
  uint64_t size() const { return size_; }
  const std::vector<Hash>& stack() const { return stack_; }

 private:
  std::vector<Hash> stack_;  // roots of perfect subtrees, largest first
  uint64_t size_ = 0;
};

}  // namespace ward::audit
