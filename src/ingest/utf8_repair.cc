// UTF-8 repair: the first thing every text format goes through, so later stages can rely on
// well-formed UTF-8 with LF line ends.
#include <cstdint>
#include <cstring>

#include "parsers.h"

namespace ward::ingest {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the well-formed sequence at `p` (1..4), or 0 when the byte there starts none.
size_t validSequenceLength(const unsigned char* p, size_t left) {
  unsigned char c = p[0];
  if (c < 0x80) return c == 0 ? 0 : 1;
  if (c < 0xC2) return 0;
  auto cont = [&](size_t i) { return i < left && (p[i] & 0xC0) == 0x80; };
  if (c < 0xE0) return cont(1) ? 2 : 0;
  if (c < 0xF0) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && p[1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c < 0xF5) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && p[1] >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Whether the eight bytes at `p` are all ASCII and none is NUL or CR (the classic "has a zero
// byte" test, on the word and on the word XOR CRs; either finding breaks off to the byte loop).
bool plainWord(const unsigned char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  const uint64_t cr = w ^ (kOnes * '\r');
  return ((w | ((w - kOnes) & ~w) | ((cr - kOnes) & ~cr)) & kHighs) == 0;
}

}  // namespace

std::string repairUtf8(std::string_view bytes) {
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  std::string out;
  out.reserve(bytes.size());
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    // Fast path over plain ASCII without CR or NUL: eight bytes at a time while a word has none
    // of them (every file's text goes through here), then byte by byte.
    size_t run = i;
    while (run + 8 <= n && plainWord(p + run)) run += 8;
    while (run < n && p[run] < 0x80 && p[run] != '\r' && p[run] != 0) ++run;
    if (run > i) {
      out.append(bytes.data() + i, run - i);
      i = run;
      if (i >= n) break;
    }
    if (p[i] == '\r') {
      out.push_back('\n');
      i += (i + 1 < n && p[i + 1] == '\n') ? 2 : 1;
      continue;
    }
    size_t len = validSequenceLength(p + i, n - i);
    if (len == 0) {
      out.append(kReplacement);
      ++i;
    } else {
      out.append(bytes.data() + i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace ward::ingest
