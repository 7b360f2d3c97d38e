// Clock: the one source of time, so tests can use a fake one.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace ward {

// Interface; implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock microseconds since the Unix epoch.
  virtual int64_t nowMicros() const = 0;
  // Monotonic nanoseconds for measuring durations.
  virtual int64_t monotonicNanos() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t nowMicros() const override;
  int64_t monotonicNanos() const override;
  static SystemClock& instance();
};

// A clock that moves only when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_micros = 1'700'000'000'000'000) : now_(start_micros) {}
  int64_t nowMicros() const override { return now_.load(); }
  int64_t monotonicNanos() const override { return now_.load() * 1000; }
  void advanceMicros(int64_t d) { now_ += d; }

 private:
  std::atomic<int64_t> now_;
};

// RFC 3339 UTC with millisecond precision: "2026-11-24T10:00:00.000Z".
std::string formatRfc3339(int64_t micros);
// Parses RFC 3339 / ISO 8601 dates ("2024-05-01", "2024-05-01T10:00:00Z", offsets allowed).
// Returns false when the text is not a date.
bool parseRfc3339(const std::string& text, int64_t* micros);

}  // namespace ward
