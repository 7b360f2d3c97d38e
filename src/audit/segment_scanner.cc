#include "segment_scanner.h"

#include "record_codec.h"
#include "ward/common/hash.h"

namespace ward::audit {

namespace {

bool allZero(std::string_view s) { return s.find_first_not_of('\0') == std::string_view::npos; }

}  // namespace

Result<SegmentScan> scanSegment(const ScanRequest& req, ChainPosition& pos) {
  WARD_ASSIGN_OR_RETURN(uint64_t size, req.file->size());
  SegmentScan out;
  uint64_t offset = req.start_offset;
  auto where = [&](uint64_t at) {
    return "audit log segment " + req.name + ", byte " + std::to_string(at) + ", record " +
           std::to_string(pos.next_index);
  };
  if (offset == 0) {
    WARD_ASSIGN_OR_RETURN(std::string head, req.file->readAt(0, kMaxSegmentHeaderBytes));
    SegmentHeader h;
    size_t used = 0;
    std::string why;
    switch (decodeSegmentHeader(head, &h, &used, &why)) {
      case HeaderParse::kIncomplete:
        if (req.is_last && head.size() == size) {
          out.torn_bytes = size;  // a crash while the segment was being created
          out.torn_reason = "incomplete segment header";
          out.header_torn = true;
          return out;
        }
        return Status::corruption("audit log segment " + req.name + " has an incomplete header");
      case HeaderParse::kBad:
        return Status::corruption("audit log segment " + req.name + " " + why);
      case HeaderParse::kOk:
        break;
    }
    if (h.first_index != req.first_index) {
      return Status::corruption("audit log segment " + req.name + " says it starts at record " +
                                std::to_string(h.first_index));
    }
    if (req.adopt_header) {
      pos.next_index = h.first_index;
      pos.prev = h.prev;
    } else if (h.first_index != pos.next_index) {
      return Status::corruption("audit log segment " + req.name + " should start at record " +
                                std::to_string(pos.next_index) +
                                " (records were removed or a segment is missing)");
    } else if (h.prev != pos.prev) {
      return Status::corruption("audit log segment " + req.name +
                                ": previous-record hash in its header does not match record " +
                                std::to_string(pos.next_index - 1));
    }
    if (req.on_header) WARD_RETURN_IF_ERROR(req.on_header(h));
    offset = used;
  }
  WARD_ASSIGN_OR_RETURN(std::string data, req.file->readAt(offset, size - offset));
  std::string_view rest(data);
  uint64_t at = offset;
  while (!rest.empty()) {
    // A failure here is a torn tail when it can be the remains of an unacknowledged write.
    auto fail = [&](const std::string& why, bool reaches_end) -> Result<SegmentScan> {
      if (req.is_last && (reaches_end || allZero(rest))) {
        out.valid_end = at;
        out.torn_bytes = rest.size();
        out.torn_reason = why;
        return out;
      }
      return Status::corruption(where(at) + ": " + why);
    };
    if (rest.substr(0, kSegmentSeal.size()) == kSegmentSeal) {
      if (rest.size() != kSegmentSeal.size()) {
        return Status::corruption(where(at) + ": data after the segment's seal");
      }
      out.valid_end = at + kSegmentSeal.size();
      out.sealed = true;
      return out;
    }
    if (rest.size() < kSegmentSeal.size() && kSegmentSeal.substr(0, rest.size()) == rest) {
      return fail("incomplete segment seal", true);
    }
    if (rest.size() < kRecordHeaderBytes) return fail("incomplete record header", true);
    DecodedHeader h;
    if (!decodeRecordHeader(rest.substr(0, kRecordHeaderBytes), &h)) {
      return fail("record header checksum mismatch", false);
    }
    if (h.body_len == 0 || h.body_len > kHardMaxRecordBytes) {
      return fail("record length " + std::to_string(h.body_len) + " out of range", false);
    }
    size_t total = kRecordHeaderBytes + h.body_len;
    if (rest.size() < total) return fail("incomplete record body", true);
    std::string_view body = rest.substr(kRecordHeaderBytes, h.body_len);
    bool last_in_file = rest.size() == total;
    if (crc32c(body) != h.body_crc) return fail("record body checksum mismatch", last_in_file);
    if (sha256(body) != h.body_sha256) return fail("record body hash mismatch", last_in_file);
    // Past this point the record was written whole and on purpose: never a torn tail.
    if (h.index != pos.next_index) {
      return Status::corruption(where(at) + ": found record index " + std::to_string(h.index) +
                                " (a record was removed, inserted or reordered)");
    }
    if (h.prev != pos.prev) {
      return Status::corruption(where(at) +
                                ": previous-record hash does not match (the chain is broken)");
    }
    Hash leaf = leafHashOfHeader(rest.substr(0, kRecordHeaderBytes));
    if (req.on_record) WARD_RETURN_IF_ERROR(req.on_record(h.index, leaf, body));
    pos.prev = leaf;
    ++pos.next_index;
    rest.remove_prefix(total);
    at += total;
  }
  out.valid_end = at;
  if (!req.is_last) {
    return Status::corruption("audit log segment " + req.name +
                              " is not sealed but a later segment exists (records " +
                              std::to_string(pos.next_index) + " on may have been cut)");
  }
  return out;
}

}  // namespace ward::audit
