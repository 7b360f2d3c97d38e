// common/encoding.h against RFC 4648 section 10's test vectors, and the strictness rules.
#include <gtest/gtest.h>

#include "ward/common/encoding.h"

namespace ward {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {{"", ""},
                                                          {"f", "Zg=="},
                                                          {"fo", "Zm8="},
                                                          {"foo", "Zm9v"},
                                                          {"foob", "Zm9vYg=="},
                                                          {"fooba", "Zm9vYmE="},
                                                          {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(base64Encode(plain), encoded);
    auto back = base64Decode(encoded);
    ASSERT_TRUE(back.has_value()) << encoded;
    EXPECT_EQ(*back, plain);
  }
  const std::string bytes("\x00\xff\x10\x80", 4);
  EXPECT_EQ(base64Decode(base64Encode(bytes)), bytes);
}

TEST(Base64, DecodingIsStrict) {
  EXPECT_FALSE(base64Decode("SGVsbG8"));      // missing padding
  EXPECT_FALSE(base64Decode("SGVs!!!bG8="));  // outside the alphabet
  EXPECT_FALSE(base64Decode("Zg=a"));         // padding in the middle
  EXPECT_FALSE(base64Decode("Z==="));         // three pads
  EXPECT_FALSE(base64Decode("Zh=="));         // non-zero bits under the padding
  EXPECT_FALSE(base64Decode("Zm9v\n"));       // whitespace
  EXPECT_EQ(base64Decode("SGVsbG8="), "Hello");
}

// RFC 4648 section 10's vectors without their padding, and the URL-safe alphabet's two letters.
TEST(Base64Url, Rfc4648VectorsUnpadded) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(base64UrlEncode(plain), encoded);
    EXPECT_EQ(base64UrlDecode(encoded), plain) << encoded;
  }
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");  // '+' and '/' in standard base64
  EXPECT_EQ(base64UrlDecode("-_8"), "\xfb\xff");
  std::string s;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(base64UrlDecode(base64UrlEncode(s)), s) << i;
    s.push_back(static_cast<char>(i * 37));
  }
}

TEST(Base64Url, DecodingRefusesWhatIsNotBase64Url) {
  EXPECT_FALSE(base64UrlDecode("a"));      // a lone last character
  EXPECT_FALSE(base64UrlDecode("Zm9vY"));  // length % 4 == 1
  EXPECT_FALSE(base64UrlDecode("ab+/"));   // the standard alphabet's letters
  EXPECT_FALSE(base64UrlDecode("Zg=="));   // padding
  EXPECT_FALSE(base64UrlDecode("Zm 9v"));  // whitespace
}

TEST(Hex, RoundTripAndStrictness) {
  EXPECT_EQ(hexEncode(std::string("\x00\xab\xff", 3)), "00abff");
  EXPECT_EQ(hexDecode("00ABff"), std::string("\x00\xab\xff", 3));
  EXPECT_FALSE(hexDecode("abc"));
  EXPECT_FALSE(hexDecode("zz"));
}

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percentEncode(""), "");
  EXPECT_EQ(percentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percentEncode("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
  EXPECT_EQ(percentEncode("+%#@:"), "%2B%25%23%40%3A");
  EXPECT_EQ(percentEncode(std::string("\x00\xff", 2)), "%00%FF");
  EXPECT_EQ(percentEncode("\xc3\xa9"), "%C3%A9");  // UTF-8 bytes, each encoded
}

TEST(JsonPointer, TokensEscapeTildeThenSlash) {
  EXPECT_EQ(jsonPointerToken("a/b~c"), "a~1b~0c");
  EXPECT_EQ(jsonPointerToken("~1"), "~01");  // not read back as '/'
  EXPECT_EQ(jsonPointerToken(""), "");
}

}  // namespace
}  // namespace ward
