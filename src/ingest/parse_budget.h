// Private to the ingest module: what one parse has used of its ParseLimits.
//
// Parsers count their output as they make it; the first limit crossed makes the budget exhausted
// for good, after which the DocumentBuilder adds nothing and the walkers stop. extractDocument
// turns an exhausted budget into the file's error (ResourceExhausted naming the limit).
// Not thread-safe: one per parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ward/common/status.h"
#include "ward/ingest/parse_limits.h"

namespace ward::ingest {

class ParseBudget {
 public:
  ParseBudget(std::string_view format, const ParseLimits& limits);

  // Counts `n` bytes of output; false once any limit is exceeded.
  bool addOutput(size_t n);
  // Counts `n` blocks (and reads the clock now and then); false once any limit is exceeded.
  bool addBlocks(size_t n);
  // Counts `n` table cells; false once any limit is exceeded.
  bool addCells(size_t n);
  // Checks the wall-clock deadline; false once any limit is exceeded.
  bool checkTime();
  // Marks the budget exhausted with `message` (prefixed by the format), e.g. for a page limit.
  void fail(const std::string& message);

  bool exhausted() const { return !status_.ok(); }
  const Status& status() const { return status_; }
  const ParseLimits& limits() const { return limits_; }
  std::string_view format() const { return format_; }

 private:
  std::string format_;
  ParseLimits limits_;
  size_t output_ = 0;
  size_t blocks_ = 0;
  size_t cells_ = 0;
  size_t calls_ = 0;
  int64_t deadline_ns_ = 0;
  Status status_;
};

// "64 MiB", "1000 bytes": a byte count for messages.
std::string describeBytes(size_t n);

}  // namespace ward::ingest
