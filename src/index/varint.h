// LEB128-style unsigned varints: 7 bits a byte, high bit set on all but the last byte.
#pragma once

#include <cstdint>
#include <vector>

namespace ward::index {

inline uint32_t readVarint(const uint8_t*& p) {
  uint32_t value = 0;
  int shift = 0;
  uint8_t byte;
  do {
    byte = *p++;
    value |= static_cast<uint32_t>(byte & 0x7F) << shift;
    shift += 7;
  } while (byte & 0x80);
  return value;
}

inline void writeVarint(uint32_t value, std::vector<uint8_t>& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<uint8_t>(value));
}

}  // namespace ward::index
