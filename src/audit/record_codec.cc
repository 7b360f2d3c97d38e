#include "record_codec.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "ward/common/hash.h"

namespace ward::audit {

namespace {

void putU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void putU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint32_t getU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}
uint64_t getU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}

}  // namespace

BodyDigest digestBody(std::string_view body) { return BodyDigest{sha256(body), crc32c(body)}; }

Hash appendRecordHeader(std::string& out, uint64_t index, const Hash& prev, uint32_t body_len,
                        const BodyDigest& digest) {
  size_t start = out.size();
  putU32(out, body_len);
  putU64(out, index);
  out.append(reinterpret_cast<const char*>(prev.data()), 32);
  out.append(reinterpret_cast<const char*>(digest.sha256.data()), 32);
  putU32(out, digest.crc);
  putU32(out, crc32c(std::string_view(out.data() + start, 80)));
  return leafHash(std::string_view(out.data() + start, kLeafEntryBytes));
}

bool decodeRecordHeader(std::string_view h, DecodedHeader* out) {
  if (h.size() < kRecordHeaderBytes) return false;
  if (crc32c(h.substr(0, 80)) != getU32(h.data() + 80)) return false;
  out->body_len = getU32(h.data());
  out->index = getU64(h.data() + 4);
  std::memcpy(out->prev.data(), h.data() + 12, 32);
  std::memcpy(out->body_sha256.data(), h.data() + 44, 32);
  out->body_crc = getU32(h.data() + 76);
  return true;
}

Hash leafHashOfHeader(std::string_view header84) {
  return leafHash(header84.substr(0, kLeafEntryBytes));
}

std::string encodeSegmentHeader(const SegmentHeader& h) {
  std::string out(kSegmentMagic);
  putU64(out, h.first_index);
  out.append(reinterpret_cast<const char*>(h.prev.data()), 32);
  out.push_back(static_cast<char>(h.frontier.size()));
  for (const Hash& f : h.frontier) out.append(reinterpret_cast<const char*>(f.data()), 32);
  putU32(out, crc32c(out));
  return out;
}

HeaderParse decodeSegmentHeader(std::string_view d, SegmentHeader* out, size_t* size,
                                std::string* why) {
  size_t magic = std::min(d.size(), kSegmentMagic.size());
  if (d.substr(0, magic) != kSegmentMagic.substr(0, magic)) {
    *why = "does not start with " + std::string(kSegmentMagic);
    return HeaderParse::kBad;
  }
  if (d.size() < 49) return HeaderParse::kIncomplete;
  size_t n = static_cast<uint8_t>(d[48]);
  if (n > 64) {
    *why = "has a segment header with " + std::to_string(n) + " frontier hashes";
    return HeaderParse::kBad;
  }
  size_t total = 49 + 32 * n + 4;
  if (d.size() < total) return HeaderParse::kIncomplete;
  if (crc32c(d.substr(0, total - 4)) != getU32(d.data() + total - 4)) {
    *why = "segment header checksum mismatch";
    return HeaderParse::kBad;
  }
  out->first_index = getU64(d.data() + 8);
  std::memcpy(out->prev.data(), d.data() + 16, 32);
  out->frontier.resize(n);
  for (size_t i = 0; i < n; ++i) std::memcpy(out->frontier[i].data(), d.data() + 49 + 32 * i, 32);
  *size = total;
  return HeaderParse::kOk;
}

std::string segmentName(uint64_t first_index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu.wal", static_cast<unsigned long long>(first_index));
  return buf;
}

bool parseSegmentName(const std::string& name, uint64_t* first_index) {
  if (name.size() != 24 || name.substr(20) != ".wal") return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *first_index = v;
  return true;
}

}  // namespace ward::audit
