// libFuzzer target for the audit segment scanner (audit/segment_scanner.h), which reads segment
// files back when the log opens, is verified or recovers: the input's first byte holds the scan
// options (bit 0: the last segment, where a torn tail is allowed; bit 1: adopt the header's chain
// position), the rest is the segment file. Checks that nothing crashes, that the scan's offsets
// stay inside the file, that records come in index order, and that an error names its problem.
// Seed corpus: tests/fuzz/corpus/segment_scanner (segments written by the audit log).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "record_codec.h"
#include "segment_scanner.h"
#include "ward/io/file_system.h"

namespace {

// A read-only file over the fuzz input.
class BytesFile final : public ward::io::File {
 public:
  explicit BytesFile(std::string_view bytes) : bytes_(bytes) {}
  ward::Status append(std::string_view) override { return ward::Status::internal("read-only"); }
  ward::Result<std::string> readAt(uint64_t offset, size_t n) const override {
    if (offset >= bytes_.size()) return std::string();
    return std::string(bytes_.substr(offset, n));
  }
  ward::Result<uint64_t> size() const override { return uint64_t{bytes_.size()}; }
  ward::Status sync() override { return ward::Status(); }
  ward::Status truncate(uint64_t) override { return ward::Status::internal("read-only"); }

 private:
  std::string_view bytes_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  BytesFile file(bytes);
  ward::audit::ScanRequest request;
  request.file = &file;
  request.name = ward::audit::segmentName(0);
  request.first_index = 0;
  request.is_last = (data[0] & 1) != 0;
  request.adopt_header = (data[0] & 2) != 0;
  request.on_header = [](const ward::audit::SegmentHeader&) { return ward::Status(); };
  uint64_t expected = 0;
  bool first = true;
  request.on_record = [&](uint64_t index, const ward::audit::Hash&, std::string_view body) {
    if (!first && index != expected) std::abort();
    if (body.size() > bytes.size()) std::abort();
    first = false;
    expected = index + 1;
    return ward::Status();
  };
  ward::audit::ChainPosition pos;
  auto scan = ward::audit::scanSegment(request, pos);
  if (!scan.ok()) {
    if (scan.status().message().empty()) std::abort();
    return 0;
  }
  if (scan->valid_end > bytes.size() || scan->valid_end + scan->torn_bytes > bytes.size()) {
    std::abort();
  }
  if (!request.is_last && scan->torn_bytes != 0) std::abort();
  return 0;
}
