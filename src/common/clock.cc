#include "ward/common/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace ward {

int64_t SystemClock::nowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClock::monotonicNanos() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

SystemClock& SystemClock::instance() {
  static SystemClock clock;
  return clock;
}

std::string formatRfc3339(int64_t micros) {
  time_t secs = static_cast<time_t>(micros / 1'000'000);
  int millis = static_cast<int>((micros % 1'000'000) / 1000);
  if (millis < 0) millis = 0;
  struct tm tm_utc;
  gmtime_r(&secs, &tm_utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm_utc.tm_year + 1900,
                tm_utc.tm_mon + 1, tm_utc.tm_mday, tm_utc.tm_hour, tm_utc.tm_min, tm_utc.tm_sec,
                millis);
  return buf;
}

namespace {

bool readDigits(const std::string& s, size_t& pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  *out = v;
  return true;
}

}  // namespace

bool parseRfc3339(const std::string& text, int64_t* micros) {
  size_t pos = 0;
  int year, mon, day, hour = 0, min = 0, sec = 0;
  if (!readDigits(text, pos, 4, &year) || pos >= text.size() || text[pos++] != '-') return false;
  if (!readDigits(text, pos, 2, &mon) || pos >= text.size() || text[pos++] != '-') return false;
  if (!readDigits(text, pos, 2, &day)) return false;
  if (mon < 1 || mon > 12 || day < 1 || day > 31) return false;
  int64_t frac_us = 0;
  int offset_min = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    ++pos;
    if (!readDigits(text, pos, 2, &hour) || pos >= text.size() || text[pos++] != ':') return false;
    if (!readDigits(text, pos, 2, &min)) return false;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!readDigits(text, pos, 2, &sec)) return false;
    }
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int64_t scale = 100000;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        frac_us += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
    }
    if (pos < text.size()) {
      char c = text[pos++];
      if (c == 'Z' || c == 'z') {
      } else if (c == '+' || c == '-') {
        int oh, om = 0;
        if (!readDigits(text, pos, 2, &oh)) return false;
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (pos < text.size() && !readDigits(text, pos, 2, &om)) return false;
        offset_min = (oh * 60 + om) * (c == '+' ? 1 : -1);
      } else {
        return false;
      }
    }
  }
  if (pos != text.size()) return false;
  if (hour > 23 || min > 59 || sec > 60) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[mon - 1] + (mon == 2 && leap ? 1 : 0)) return false;
  // Days from civil (Howard Hinnant's algorithm).
  int y = year - (mon <= 2 ? 1 : 0);
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
  int64_t secs = days * 86400 + hour * 3600 + min * 60 + sec - offset_min * 60;
  *micros = secs * 1'000'000 + frac_us;
  return true;
}

}  // namespace ward
