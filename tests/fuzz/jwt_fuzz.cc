// libFuzzer target for JWT bearer tokens and JWKS documents (identity/jwt_verifier.h): the input
// is a JWKS text and a token, separated by a NUL byte (no NUL: the whole input is the token,
// checked against the seed key set). The verifier loads the key set through its source and
// verifies the token with a fixed clock. Also round-trips base64url. Checks that nothing crashes,
// that a refusal names its reason, and that base64UrlDecode(base64UrlEncode(x)) == x.
// Seed corpus: tests/fuzz/corpus/jwt (an RSA and an EC key set with tokens they sign).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ward/common/clock.h"
#include "ward/common/encoding.h"
#include "ward/identity/jwt_verifier.h"

namespace {

constexpr std::string_view kDefaultJwks =
    R"({"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","alg":"ES256",)"
    R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
    R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string jwks(nul == std::string_view::npos ? kDefaultJwks : input.substr(0, nul));
  const std::string_view token = nul == std::string_view::npos ? input : input.substr(nul + 1);

  (void)ward::identity::parseJwks(jwks);
  ward::identity::JwtVerifierOptions options;
  options.issuer = "https://issuer.example.com";
  options.audience = "ward";
  static ward::FakeClock clock;
  ward::identity::JwtVerifier verifier(
      options, [&jwks]() -> ward::Result<std::string> { return jwks; }, &clock);
  (void)ward::identity::JwtVerifier::looksLikeJwt(token);
  auto verified = verifier.verify(token);
  if (!verified.ok() && verified.status().message().empty()) std::abort();

  const std::string encoded = ward::base64UrlEncode(token);
  auto decoded = ward::base64UrlDecode(encoded);
  if (!decoded || *decoded != token) std::abort();
  (void)ward::base64UrlDecode(token);
  return 0;
}
