// The segment record layout of docs/formats/audit-log.md: an 84-byte header (length, index,
// previous leaf hash, body SHA-256, body CRC, header CRC) followed by the body. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ward/audit/merkle.h"

namespace ward::audit {

inline constexpr size_t kRecordHeaderBytes = 84;
inline constexpr size_t kLeafEntryBytes = 76;  // the header bytes the Merkle leaf covers
inline constexpr size_t kHardMaxRecordBytes = 16u << 20;
inline constexpr std::string_view kSegmentMagic = "WARDLOG1";
// Ends a full segment; written and synced before the next segment is created, so a process that
// still appends to the old segment sees its size change and moves on.
inline constexpr std::string_view kSegmentSeal = "WARDSEAL";

// What an appender computes on its own thread, before the record has a position.
struct BodyDigest {
  Hash sha256;
  uint32_t crc = 0;
};
BodyDigest digestBody(std::string_view body);

// Appends the header of record `index` to `out` and returns its leaf hash.
Hash appendRecordHeader(std::string& out, uint64_t index, const Hash& prev, uint32_t body_len,
                        const BodyDigest& digest);

struct DecodedHeader {
  uint32_t body_len = 0;
  uint64_t index = 0;
  Hash prev{};
  Hash body_sha256{};
  uint32_t body_crc = 0;
};
// False if the header CRC does not match.
bool decodeRecordHeader(std::string_view header84, DecodedHeader* out);
Hash leafHashOfHeader(std::string_view header84);

// The start of a segment: the magic, then where the chain and the tree stand before its first
// record, so a process can open the log by reading only the last segment.
struct SegmentHeader {
  uint64_t first_index = 0;
  Hash prev{};                 // leaf hash of record first_index - 1 (zeros for 0)
  std::vector<Hash> frontier;  // MerkleFrontier stack of records 0 .. first_index - 1
};
inline constexpr size_t kMaxSegmentHeaderBytes = 49 + 64 * 32 + 4;
std::string encodeSegmentHeader(const SegmentHeader& h);
enum class HeaderParse { kOk, kIncomplete, kBad };
// On kOk sets `out` and `size` (bytes used); on kBad sets `why`.
HeaderParse decodeSegmentHeader(std::string_view data, SegmentHeader* out, size_t* size,
                                std::string* why);

// "00000000000000004711.wal" <-> 4711.
std::string segmentName(uint64_t first_index);
bool parseSegmentName(const std::string& name, uint64_t* first_index);

}  // namespace ward::audit
