#include "parse_budget.h"

#include "ward/common/clock.h"

namespace ward::ingest {

namespace {

// Reading the clock costs tens of nanoseconds; blocks come by the million.
constexpr size_t kClockEvery = 64;

}  // namespace

std::string describeBytes(size_t n) {
  if (n >= (size_t{1} << 20) && n % (size_t{1} << 20) == 0) {
    return std::to_string(n >> 20) + " MiB";
  }
  if (n >= (size_t{1} << 10) && n % (size_t{1} << 10) == 0) {
    return std::to_string(n >> 10) + " KiB";
  }
  return std::to_string(n) + " bytes";
}

ParseBudget::ParseBudget(std::string_view format, const ParseLimits& limits)
    : format_(format), limits_(limits) {
  deadline_ns_ = SystemClock::instance().monotonicNanos() +
                 static_cast<int64_t>(limits.wall_seconds) * 1'000'000'000;
}

void ParseBudget::fail(const std::string& message) {
  if (exhausted()) return;
  status_ = Status::resourceExhausted(format_ + ": " + message);
}

bool ParseBudget::addOutput(size_t n) {
  if (exhausted()) return false;
  output_ += n;
  if (output_ > limits_.max_output_bytes) {
    fail("more than " + describeBytes(limits_.max_output_bytes) +
         " of extracted text (the parse limit); not ingested");
  }
  return !exhausted();
}

bool ParseBudget::addBlocks(size_t n) {
  if (exhausted()) return false;
  blocks_ += n;
  if (blocks_ > limits_.max_blocks) {
    fail("more than " + std::to_string(limits_.max_blocks) +
         " blocks (paragraphs, rows, units; the parse limit); not ingested");
  }
  calls_ += 1;
  if (calls_ % kClockEvery == 0) checkTime();
  return !exhausted();
}

bool ParseBudget::addCells(size_t n) {
  if (exhausted()) return false;
  cells_ += n;
  if (cells_ > limits_.max_cells) {
    fail("more than " + std::to_string(limits_.max_cells) +
         " table cells (the parse limit); not ingested");
  }
  return addBlocks(0);
}

bool ParseBudget::checkTime() {
  if (exhausted()) return false;
  if (SystemClock::instance().monotonicNanos() > deadline_ns_) {
    fail("parsing took more than " + std::to_string(limits_.wall_seconds) +
         " s (the parse limit); not ingested");
  }
  return !exhausted();
}

}  // namespace ward::ingest
