// Minimal leveled logging to stderr. Never log secrets: callers pass redacted values.
#pragma once

#include <string_view>

namespace ward {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void setLogLevel(LogLevel level);
void logMessage(LogLevel level, std::string_view message);

inline void logInfo(std::string_view m) { logMessage(LogLevel::kInfo, m); }
inline void logWarn(std::string_view m) { logMessage(LogLevel::kWarn, m); }
inline void logError(std::string_view m) { logMessage(LogLevel::kError, m); }

}  // namespace ward
