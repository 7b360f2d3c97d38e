// Checks that turn a regex match into a redaction: checksums (Luhn, IBAN mod-97), number-plan
// rules (US SSN), structure (JWT) and randomness (Shannon entropy, character classes).
// Pure functions over bytes; thread-safe.
#pragma once

#include <string_view>

#include "redaction_rules.h"

namespace ward::audit::internal {

// 13-19 digits (spaces, dashes ignored), Luhn-valid, a known card-network prefix, not one digit.
bool isValidCardNumber(std::string_view text);
// Country code with that country's IBAN length (spaces ignored) and ISO 7064 mod-97 == 1.
bool isValidIban(std::string_view text);
// 9 digits (separators ignored): area not 000/666/9xx, group not 00, serial not 0000.
bool isValidUsSsn(std::string_view text);
// header.payload.signature with a base64url header that decodes to a JSON object with "alg".
bool isValidJwt(std::string_view text);
// 8-15 digits.
bool isPlausiblePhone(std::string_view text);
// Shannon entropy of the bytes, bits per byte (0 for empty text).
double shannonEntropy(std::string_view text);
// How many of {lowercase, uppercase, digit, other} occur in the text (0-4).
int characterClasses(std::string_view text);

// Runs `rule`'s validator, entropy and class checks on the secret text.
bool passesChecks(const RedactionRule& rule, std::string_view secret);

}  // namespace ward::audit::internal
