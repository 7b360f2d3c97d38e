// Server-Sent Events framing (the WHATWG event-stream format) for provider streams: bytes in any
// split, one callback per dispatched event with its `event:` name and joined `data:` lines.
// Not thread-safe; one per stream.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ward/common/status.h"
#include "ward/models/provider.h"

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

// What every provider's Server-Sent-Events decoder shares: the framing, the events of the feed()
// in progress (`out_`), the response accumulated so far and the error event. A dialect implements
// onEvent(), sets `finished_` when the finish reason arrives and `done_` when the stream ends
// properly (a dialect without an end marker overrides ended()). Not thread-safe; one per stream.
class SseStreamDecoder : public StreamDecoder {
 public:
  SseStreamDecoder();
  Status feed(std::string_view bytes, std::vector<StreamEvent>& out) final;
  bool ended() const override { return done_; }
  bool finished() const override { return finished_; }
  const ChatResponse& response() const final { return response_; }
  const ProviderError& error() const final { return error_; }

 protected:
  // One dispatched event: its `event:` name ("" when none) and its joined `data:` lines.
  virtual Status onEvent(const std::string& event, const std::string& data) = 0;

  std::vector<StreamEvent>* out_ = nullptr;  // set during feed()
  ChatResponse response_;                    // role assistant, content null until text arrives
  ProviderError error_;
  bool finished_ = false;
  bool done_ = false;

 private:
  SseParser parser_;
};

}  // namespace ward::models
