#include "redaction_validators.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "ward/common/encoding.h"
#include "ward/common/json.h"

namespace ward::audit::internal {

namespace {

std::string digitsOf(std::string_view text) {
  std::string d;
  for (char c : text) {
    if (c >= '0' && c <= '9') d.push_back(c);
  }
  return d;
}

int prefixNumber(const std::string& digits, size_t n) {
  return digits.size() < n ? -1 : std::stoi(digits.substr(0, n));
}

bool knownCardPrefix(const std::string& d) {
  int p1 = prefixNumber(d, 1), p2 = prefixNumber(d, 2), p3 = prefixNumber(d, 3),
      p4 = prefixNumber(d, 4);
  if (p1 == 4) return true;                                               // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return true;  // Mastercard
  if (p2 == 34 || p2 == 37) return true;                                  // Amex
  if (p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65) return true;    // Discover
  if (p4 >= 3528 && p4 <= 3589) return true;                              // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38) return true;      // Diners
  if (p2 == 62) return true;                                              // UnionPay
  return false;
}

// IBAN lengths by country (SWIFT IBAN registry).
const std::map<std::string_view, int>& ibanLengths() {
  static const std::map<std::string_view, int> kLengths = {
      {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
      {"BG", 22}, {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28},
      {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24},
      {"FI", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18},
      {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23},
      {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32},
      {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24}, {"ME", 22},
      {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24},
      {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24},
      {"SC", 31}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28},
      {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}};
  return kLengths;
}

}  // namespace

bool isValidCardNumber(std::string_view text) {
  std::string d = digitsOf(text);
  if (d.size() < 13 || d.size() > 19) return false;
  if (d.find_first_not_of(d[0]) == std::string::npos) return false;
  if (!knownCardPrefix(d)) return false;
  int sum = 0;
  bool dbl = false;
  for (size_t i = d.size(); i-- > 0;) {
    int v = d[i] - '0';
    if (dbl) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool isValidIban(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    s.push_back(c);
  }
  if (s.size() < 15 || s.size() > 34) return false;
  auto it = ibanLengths().find(std::string_view(s).substr(0, 2));
  if (it == ibanLengths().end() || static_cast<size_t>(it->second) != s.size()) return false;
  if (s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9') return false;
  // Move the first four characters to the end, letters become 10..35, then mod 97.
  std::string r = s.substr(4) + s.substr(0, 4);
  int rem = 0;
  for (char c : r) {
    if (c >= '0' && c <= '9') {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      rem = (rem * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

bool isValidUsSsn(std::string_view text) {
  std::string d = digitsOf(text);
  if (d.size() != 9) return false;
  int area = std::stoi(d.substr(0, 3)), group = std::stoi(d.substr(3, 2)),
      serial = std::stoi(d.substr(5, 4));
  if (area == 0 || area == 666 || area >= 900) return false;
  return group != 0 && serial != 0;
}

bool isValidJwt(std::string_view text) {
  size_t dot1 = text.find('.');
  if (dot1 == std::string_view::npos) return false;
  size_t dot2 = text.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || text.find('.', dot2 + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view head = text.substr(0, dot1);
  while (!head.empty() && head.back() == '=') head.remove_suffix(1);  // padded by some encoders
  const std::optional<std::string> header = base64UrlDecode(head);
  if (!header) return false;
  Json j = Json::parse(*header, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  auto alg = j.find("alg");
  return alg != j.end() && alg->is_string();
}

bool isPlausiblePhone(std::string_view text) {
  size_t n = digitsOf(text).size();
  return n >= 8 && n <= 15;
}

double shannonEntropy(std::string_view text) {
  if (text.empty()) return 0;
  std::array<int, 256> counts{};
  for (unsigned char c : text) ++counts[c];
  double h = 0;
  const double n = static_cast<double>(text.size());
  for (int c : counts) {
    if (c == 0) continue;
    double p = c / n;
    h -= p * std::log2(p);
  }
  return h;
}

int characterClasses(std::string_view text) {
  bool lower = false, upper = false, digit = false, other = false;
  for (char c : text) {
    if (c >= 'a' && c <= 'z')
      lower = true;
    else if (c >= 'A' && c <= 'Z')
      upper = true;
    else if (c >= '0' && c <= '9')
      digit = true;
    else
      other = true;
  }
  return int(lower) + int(upper) + int(digit) + int(other);
}

bool passesChecks(const RedactionRule& rule, std::string_view secret) {
  switch (rule.validator) {
    case RuleValidator::kNone:
      break;
    case RuleValidator::kLuhn:
      if (!isValidCardNumber(secret)) return false;
      break;
    case RuleValidator::kIbanMod97:
      if (!isValidIban(secret)) return false;
      break;
    case RuleValidator::kUsSsn:
      if (!isValidUsSsn(secret)) return false;
      break;
    case RuleValidator::kJwt:
      if (!isValidJwt(secret)) return false;
      break;
    case RuleValidator::kPhone:
      if (!isPlausiblePhone(secret)) return false;
      break;
  }
  if (rule.min_entropy > 0 && shannonEntropy(secret) < rule.min_entropy) return false;
  if (rule.min_classes > 0 && characterClasses(secret) < rule.min_classes) return false;
  return true;
}

}  // namespace ward::audit::internal
