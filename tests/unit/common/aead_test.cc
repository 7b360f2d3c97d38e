// common/aead.h against published known answers: the GCM specification's AES-256 test cases
// 13 and 14 (McGrew & Viega), RFC 4231 test case 2 (HMAC-SHA256), RFC 5869 test case 1 (HKDF,
// first 32 bytes), FIPS 180-2's SHA-256 examples; and the failure modes sealing relies on. The
// algorithms are fetched once per process (aead.cc, hash.cc): repeated calls must agree.
#include "ward/common/aead.h"

#include <gtest/gtest.h>

#include "ward/common/encoding.h"
#include "ward/common/hash.h"

namespace ward {
namespace {

std::string unhex(std::string_view h) { return hexDecode(h).value(); }

TEST(Aead, Aes256GcmKnownAnswers) {
  const std::string key(32, '\0'), nonce(12, '\0');
  EXPECT_EQ(hexEncode(aeadSeal(key, nonce, "", "").value()), "530f8afbc74536b9a963b4f1c4cb738b");
  EXPECT_EQ(hexEncode(aeadSeal(key, nonce, "", std::string(16, '\0')).value()),
            "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
  EXPECT_EQ(aeadOpen(key, nonce, "",
                     unhex("cea7403d4d606b6e074ec5d3baf39d18"
                           "d0d1c8a799996bf0265b98b5d48ab919"))
                .value(),
            std::string(16, '\0'));
}

TEST(Aead, AssociatedDataKeyAndBytesAreAllAuthenticated) {
  std::string key, nonce;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(i);
  for (int i = 0; i < 12; ++i) nonce += static_cast<char>(i);
  const std::string sealed = aeadSeal(key, nonce, "context", "ward").value();
  EXPECT_EQ(hexEncode(sealed), "3063a47f4365afba82606ca47d34596f87c04e9e");
  EXPECT_EQ(aeadOpen(key, nonce, "context", sealed).value(), "ward");
  EXPECT_EQ(aeadOpen(key, nonce, "other", sealed).status().code(), StatusCode::kCorruption);
  std::string flipped = sealed;
  flipped[0] ^= 1;
  EXPECT_EQ(aeadOpen(key, nonce, "context", flipped).status().code(), StatusCode::kCorruption);
  std::string other_key = key;
  other_key[31] ^= 1;
  EXPECT_EQ(aeadOpen(other_key, nonce, "context", sealed).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(aeadOpen(key, nonce, "context", "short").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(aeadSeal("short", nonce, "", "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(aeadSeal(key, "short", "", "x").status().code(), StatusCode::kInvalidArgument);
}

TEST(Aead, HmacAndHkdfKnownAnswers) {
  EXPECT_EQ(hexEncode(hmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hexEncode(hkdfSha256(std::string(22, '\x0b'), unhex("000102030405060708090a0b0c"),
                                 unhex("f0f1f2f3f4f5f6f7f8f9"))
                          .value()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
}

TEST(Aead, Sha256KnownAnswersOnEveryCall) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }
}

TEST(Aead, RandomBytesHaveTheLengthAskedAndDiffer) {
  EXPECT_EQ(randomBytes(32).size(), 32u);
  EXPECT_NE(randomBytes(32), randomBytes(32));
}

}  // namespace
}  // namespace ward
