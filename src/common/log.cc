#include "ward/common/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "ward/common/clock.h"

namespace ward {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mu;
}  // namespace

void setLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

void logMessage(LogLevel level, std::string_view message) {
  if (static_cast<int>(level) < g_level.load()) return;
  static const char* const kNames[] = {"debug", "info", "warn", "error"};
  std::string line = formatRfc3339(SystemClock::instance().nowMicros()) + " " +
                     kNames[static_cast<int>(level)] + " " + std::string(message) + "\n";
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace ward
