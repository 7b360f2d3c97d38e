// audit: RFC 9162 Merkle hashing and proofs, checked against trees worked out by hand (the
// 7-leaf example tree of RFC 6962 §2.1.3) and against each other on every small size.
#include "ward/audit/merkle.h"

#include <gtest/gtest.h>

namespace ward::audit {
namespace {

std::vector<Hash> leaves(int n) {
  std::vector<Hash> out;
  for (int i = 0; i < n; ++i) out.push_back(leafHash("d" + std::to_string(i)));
  return out;
}

TEST(MerkleTest, KnownHashes) {
  // SHA-256 of the empty string, and of the single byte 0x00 (RFC 6962's empty leaf).
  EXPECT_EQ(hashHex(emptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hashHex(leafHash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  auto h = hashFromHex(hashHex(leafHash("x")));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, leafHash("x"));
  EXPECT_FALSE(hashFromHex("zz").ok());
}

// The tree of RFC 6962 §2.1.3 over d0..d6:
//            root
//          /      \.
//        k          l
//       / \        / \.
//      g   h      i   j=L6
//     / \ / \    / \.
//    a  b c  d  e   f
struct SevenTree {
  std::vector<Hash> d = leaves(7);
  Hash a = d[0], b = d[1], c = d[2], dd = d[3], e = d[4], f = d[5], j = d[6];
  Hash g = nodeHash(a, b), h = nodeHash(c, dd), i = nodeHash(e, f);
  Hash k = nodeHash(g, h), l = nodeHash(i, j);
  Hash root = nodeHash(k, l);
};

TEST(MerkleTest, RootsByHand) {
  SevenTree t;
  EXPECT_EQ(merkleRoot(t.d), t.root);
  EXPECT_EQ(merkleRoot(std::span(t.d).first(1)), t.a);
  EXPECT_EQ(merkleRoot(std::span(t.d).first(2)), t.g);
  EXPECT_EQ(merkleRoot(std::span(t.d).first(3)), nodeHash(t.g, t.c));
  EXPECT_EQ(merkleRoot(std::span(t.d).first(4)), t.k);
  EXPECT_EQ(merkleRoot(std::span(t.d).first(5)), nodeHash(t.k, t.e));
  EXPECT_EQ(merkleRoot(std::span(t.d).first(6)), nodeHash(t.k, t.i));
}

TEST(MerkleTest, InclusionProofsByHand) {
  SevenTree t;
  EXPECT_EQ(*inclusionProof(t.d, 0), (std::vector<Hash>{t.b, t.h, t.l}));
  EXPECT_EQ(*inclusionProof(t.d, 3), (std::vector<Hash>{t.c, t.g, t.l}));
  EXPECT_EQ(*inclusionProof(t.d, 4), (std::vector<Hash>{t.f, t.j, t.k}));
  EXPECT_EQ(*inclusionProof(t.d, 6), (std::vector<Hash>{t.i, t.k}));
  EXPECT_FALSE(inclusionProof(t.d, 7).ok());
  EXPECT_TRUE(verifyInclusion(4, 7, t.e, std::vector<Hash>{t.f, t.j, t.k}, t.root).ok());
}

TEST(MerkleTest, ConsistencyProofsByHand) {
  SevenTree t;
  Hash root3 = nodeHash(t.g, t.c);
  Hash root6 = nodeHash(t.k, t.i);
  auto p3 = consistencyProof(t.d, 3);
  EXPECT_EQ(*p3, (std::vector<Hash>{t.c, t.dd, t.g, t.l}));
  EXPECT_EQ(*consistencyProof(t.d, 4), (std::vector<Hash>{t.l}));
  EXPECT_EQ(*consistencyProof(t.d, 6), (std::vector<Hash>{t.i, t.j, t.k}));
  EXPECT_TRUE(consistencyProof(t.d, 7)->empty());
  EXPECT_FALSE(consistencyProof(t.d, 0).ok());
  EXPECT_TRUE(verifyConsistency(3, 7, root3, t.root, *p3).ok());
  EXPECT_TRUE(verifyConsistency(6, 7, root6, t.root, std::vector<Hash>{t.i, t.j, t.k}).ok());
  EXPECT_TRUE(verifyConsistency(4, 7, t.k, t.root, std::vector<Hash>{t.l}).ok());
  // A different first root is caught.
  EXPECT_EQ(verifyConsistency(3, 7, t.k, t.root, *p3).code(), StatusCode::kCorruption);
}

TEST(MerkleTest, EveryProofOfSmallTreesVerifiesAndTamperingFails) {
  auto all = leaves(33);
  for (uint64_t n = 1; n <= all.size(); ++n) {
    std::span<const Hash> d(all.data(), n);
    Hash root = merkleRoot(d);
    for (uint64_t i = 0; i < n; ++i) {
      auto p = inclusionProof(d, i);
      ASSERT_TRUE(p.ok());
      EXPECT_TRUE(verifyInclusion(i, n, d[i], *p, root).ok()) << i << "/" << n;
      EXPECT_FALSE(verifyInclusion(i, n, leafHash("other"), *p, root).ok());
      if (!p->empty()) {
        auto bad = *p;
        bad.back()[0] ^= 1;
        EXPECT_FALSE(verifyInclusion(i, n, d[i], bad, root).ok());
        bad.pop_back();
        EXPECT_FALSE(verifyInclusion(i, n, d[i], bad, root).ok());
      }
    }
    for (uint64_t m = 1; m <= n; ++m) {
      auto p = consistencyProof(d, m);
      ASSERT_TRUE(p.ok());
      Hash first = merkleRoot(d.first(m));
      EXPECT_TRUE(verifyConsistency(m, n, first, root, *p).ok()) << m << "->" << n;
      if (!p->empty()) {
        auto bad = *p;
        bad.front()[5] ^= 1;
        EXPECT_FALSE(verifyConsistency(m, n, first, root, bad).ok()) << m << "->" << n;
      }
      if (m < n) {
        Hash wrong = leafHash("forged");
        EXPECT_FALSE(verifyConsistency(m, n, wrong, root, *p).ok());
      }
    }
  }
}

TEST(MerkleTest, FrontierMatchesFullRoot) {
  auto all = leaves(70);
  MerkleFrontier f;
  EXPECT_EQ(f.root(), emptyRoot());
  for (size_t n = 0; n < all.size(); ++n) {
    f.append(all[n]);
    EXPECT_EQ(f.size(), n + 1);
    EXPECT_EQ(f.root(), merkleRoot(std::span<const Hash>(all.data(), n + 1))) << n + 1;
  }
}

}  // namespace
}  // namespace ward::audit
