#include "schema_format.h"

#include <cstring>
#include <string_view>

#include "ecma_regex.h"

namespace ward::gateway {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Reads exactly `n` digits at `*pos`.
bool digits(std::string_view s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (!isDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool isDate(std::string_view s) {
  size_t p = 0;
  int y, m, d;
  if (!digits(s, &p, 4, &y) || p >= s.size() || s[p++] != '-' || !digits(s, &p, 2, &m) ||
      p >= s.size() || s[p++] != '-' || !digits(s, &p, 2, &d) || p != s.size()) {
    return false;
  }
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

bool isTime(std::string_view s) {
  size_t p = 0;
  int h, mi, sec;
  if (!digits(s, &p, 2, &h) || p >= s.size() || s[p++] != ':' || !digits(s, &p, 2, &mi) ||
      p >= s.size() || s[p++] != ':' || !digits(s, &p, 2, &sec)) {
    return false;
  }
  if (h > 23 || mi > 59 || sec > 60) return false;
  if (p < s.size() && s[p] == '.') {
    ++p;
    size_t start = p;
    while (p < s.size() && isDigit(s[p])) ++p;
    if (p == start) return false;
  }
  if (p >= s.size()) return false;
  int offset = 0;
  if (s[p] == 'Z' || s[p] == 'z') {
    ++p;
  } else if (s[p] == '+' || s[p] == '-') {
    int sign = s[p++] == '+' ? 1 : -1, oh, om;
    if (!digits(s, &p, 2, &oh) || p >= s.size() || s[p++] != ':' || !digits(s, &p, 2, &om)) {
      return false;
    }
    if (oh > 23 || om > 59) return false;
    offset = sign * (oh * 60 + om);
  } else {
    return false;
  }
  if (p != s.size()) return false;
  if (sec == 60) {  // a leap second is 23:59:60 UTC
    int utc = ((h * 60 + mi - offset) % 1440 + 1440) % 1440;
    if (utc != 23 * 60 + 59) return false;
  }
  return true;
}

bool isDateTime(std::string_view s) {
  size_t t = s.find_first_of("Tt");
  return t != std::string_view::npos && isDate(s.substr(0, t)) && isTime(s.substr(t + 1));
}

bool isIpv4(std::string_view s) {
  int parts = 0;
  size_t p = 0;
  while (true) {
    size_t start = p;
    int v = 0;
    while (p < s.size() && isDigit(s[p]) && p - start < 4) v = v * 10 + (s[p++] - '0');
    size_t len = p - start;
    if (len == 0 || len > 3 || v > 255 || (len > 1 && s[start] == '0')) return false;
    ++parts;
    if (p == s.size()) break;
    if (s[p++] != '.' || parts == 4) return false;
  }
  return parts == 4;
}

bool isIpv6(std::string_view s) {
  if (s.empty()) return false;
  int groups = 0;
  bool compressed = false;
  size_t p = 0;
  if (s.substr(0, 2) == "::") {
    compressed = true;
    p = 2;
    if (p == s.size()) return true;
  } else if (s[0] == ':') {
    return false;
  }
  while (p < s.size()) {
    size_t start = p;
    while (p < s.size() && isHex(s[p])) ++p;
    size_t len = p - start;
    if (p < s.size() && s[p] == '.') {  // an embedded IPv4 address ends the text
      if (!isIpv4(s.substr(start))) return false;
      groups += 2;
      p = s.size();
      break;
    }
    if (len == 0 || len > 4) return false;
    ++groups;
    if (p == s.size()) break;
    if (s[p] != ':') return false;
    ++p;
    if (p < s.size() && s[p] == ':') {
      if (compressed) return false;
      compressed = true;
      ++p;
      if (p == s.size()) break;
    } else if (p == s.size()) {
      return false;
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

bool isHostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t p = 0;
  while (p <= s.size()) {
    size_t end = s.find('.', p);
    if (end == std::string_view::npos) end = s.size();
    std::string_view label = s.substr(p, end - p);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!isAlpha(c) && !isDigit(c) && c != '-') return false;
    }
    if (label.size() >= 4 && label[2] == '-' && label[3] == '-' &&
        !(std::tolower(label[0]) == 'x' && std::tolower(label[1]) == 'n')) {
      return false;  // "--" in positions 3-4 is reserved for IDNA ("xn--")
    }
    p = end + 1;
  }
  return true;
}

bool isEmail(std::string_view s) {
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size()) return false;
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  if (local.size() > 64) return false;
  if (local.front() == '"') {
    if (local.size() < 2 || local.back() != '"') return false;
    for (size_t i = 1; i + 1 < local.size(); ++i) {
      unsigned char c = local[i];
      if (c == '\\') {
        ++i;
        continue;
      }
      if (c == '"' || c < 0x20 || c == 0x7f) return false;
    }
  } else {
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
      return false;
    }
    static const char kAtext[] = "!#$%&'*+-/=?^_`{|}~.";
    for (char c : local) {
      if (!isAlpha(c) && !isDigit(c) && std::strchr(kAtext, c) == nullptr) return false;
    }
  }
  if (domain.front() == '[' && domain.back() == ']') {
    std::string_view lit = domain.substr(1, domain.size() - 2);
    if (lit.substr(0, 5) == "IPv6:") return isIpv6(lit.substr(5));
    return isIpv4(lit);
  }
  return isHostname(domain);
}

bool isUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !isHex(s[i])) return false;
  }
  return true;
}

// RFC 3986 characters outside the authority: unreserved, sub-delims, ':' '@' '/' '?' and
// percent-encodings.
bool uriChars(std::string_view s, const char* extra) {
  static const char kAllowed[] = "-._~!$&'()*+,;=:@/?";
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() + 0 || !isHex(s[i + 1]) || !isHex(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (!isAlpha(c) && !isDigit(c) && std::strchr(kAllowed, c) == nullptr &&
        std::strchr(extra, c) == nullptr) {
      return false;
    }
  }
  return true;
}

bool isUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || !isAlpha(s[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  std::string_view rest = s.substr(colon + 1);
  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    if (!uriChars(rest.substr(hash + 1), "")) return false;
    rest = rest.substr(0, hash);
  }
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    size_t end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      if (!uriChars(authority.substr(0, at), "") ||
          authority.substr(0, at).find_first_of("/?@") != std::string_view::npos) {
        return false;
      }
      authority = authority.substr(at + 1);
    }
    std::string_view host = authority, port;
    if (!authority.empty() && authority[0] == '[') {
      size_t close = authority.find(']');
      if (close == std::string_view::npos || !isIpv6(authority.substr(1, close - 1))) return false;
      host = authority.substr(0, close + 1);
      if (close + 1 < authority.size()) {
        if (authority[close + 1] != ':') return false;
        port = authority.substr(close + 2);
      }
    } else {
      size_t pc = authority.rfind(':');
      if (pc != std::string_view::npos) {
        host = authority.substr(0, pc);
        port = authority.substr(pc + 1);
      }
      if (!uriChars(host, "") || host.find_first_of(":@/?") != std::string_view::npos) {
        return false;
      }
    }
    for (char c : port) {
      if (!isDigit(c)) return false;
    }
  }
  return uriChars(rest, "");
}

}  // namespace

bool formatMatches(const std::string& format, const std::string& value) {
  std::string_view s = value;
  if (format == "date-time") return isDateTime(s);
  if (format == "date") return isDate(s);
  if (format == "time") return isTime(s);
  if (format == "email") return isEmail(s);
  if (format == "uri") return isUri(s);
  if (format == "uuid") return isUuid(s);
  if (format == "ipv4") return isIpv4(s);
  if (format == "ipv6") return isIpv6(s);
  if (format == "hostname") return isHostname(s);
  if (format == "regex") return EcmaRegex::compile(value).ok();
  return true;
}

}  // namespace ward::gateway
