// Reads and checks the records of one segment (docs/formats/audit-log.md, "Readers and
// recovery"): CRCs, body hash, index, chain. Tells a torn tail apart from corruption.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "record_codec.h"
#include "ward/audit/merkle.h"
#include "ward/common/status.h"
#include "ward/io/file_system.h"

namespace ward::audit {

// Where the chain stands: the index the next record must have and the leaf hash before it.
struct ChainPosition {
  uint64_t next_index = 0;
  Hash prev{};  // zeros before record 0
};

struct SegmentScan {
  uint64_t valid_end = 0;   // byte offset just past the last good record
  uint64_t torn_bytes = 0;  // bytes after valid_end that are a torn tail (only in the last segment)
  std::string torn_reason;  // why those bytes are not a record
  bool sealed = false;      // the segment ends with the seal (valid_end is past it)
  bool header_torn = false;  // the last segment's header is incomplete (valid_end is 0)
};

struct ScanRequest {
  const io::File* file = nullptr;
  std::string name;           // segment file name, for messages and the first-index check
  uint64_t first_index = 0;   // from the name
  uint64_t start_offset = 0;  // 0: check the magic first; else resume at a record boundary
  bool is_last = false;       // only the last segment may end in a torn tail
  // With start_offset 0: the chain position is taken from the segment header instead of being
  // checked against `pos` (opening the log from its last segment).
  bool adopt_header = false;
  // Called with the segment header before its records (to check or adopt the frontier).
  std::function<Status(const SegmentHeader&)> on_header;
  // Called for each good record in order; a non-ok Status stops the scan and is returned.
  std::function<Status(uint64_t index, const Hash& leaf, std::string_view body)> on_record;
};

// Advances `pos` past every good record. Corruption names the segment, byte offset and record.
Result<SegmentScan> scanSegment(const ScanRequest& request, ChainPosition& pos);

}  // namespace ward::audit
