// Server-Sent Events framing (the WHATWG event-stream format) for provider streams: bytes in any
// split, one callback per dispatched event with its `event:` name and joined `data:` lines.
// Not thread-safe; one per stream.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "ward/common/status.h"

namespace ward::models {

// Longest line kept while waiting for its end; longer lines fail the stream.
inline constexpr size_t kMaxSseLineBytes = 8u << 20;

class SseParser {
 public:
  // Returns a non-ok Status to stop parsing (feed() returns it).
  using EventFn = std::function<Status(const std::string& event, const std::string& data)>;
  explicit SseParser(EventFn on_event) : on_event_(std::move(on_event)) {}
  Status feed(std::string_view bytes);

 private:
  Status line(std::string_view text);
  EventFn on_event_;
  std::string pending_;  // an incomplete line
  std::string event_;
  std::string data_;
  bool has_data_ = false;
};

}  // namespace ward::models
