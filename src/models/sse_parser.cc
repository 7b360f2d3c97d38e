#include "sse_parser.h"

namespace ward::models {

Status SseParser::feed(std::string_view bytes) {
  pending_.append(bytes);
  size_t start = 0;
  for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view l(pending_.data() + start, nl - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    Status st = line(l);
    if (!st.ok()) {
      pending_.clear();
      return st;
    }
  }
  pending_.erase(0, start);
  if (pending_.size() > kMaxSseLineBytes) {
    return Status::unavailable("the provider's stream has a line longer than " +
                               std::to_string(kMaxSseLineBytes) + " bytes");
  }
  return Status();
}

Status SseParser::line(std::string_view l) {
  if (l.empty()) {
    if (!has_data_) {
      event_.clear();
      return Status();
    }
    std::string event = std::move(event_), data = std::move(data_);
    event_.clear();
    data_.clear();
    has_data_ = false;
    return on_event_(event, data);
  }
  if (l.front() == ':') return Status();  // a comment (keep-alive)
  size_t colon = l.find(':');
  std::string_view field = l.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : l.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_ = std::string(value);
  }  // id: and retry: carry nothing Ward needs from a provider
  return Status();
}

SseStreamDecoder::SseStreamDecoder()
    : parser_([this](const std::string& event, const std::string& data) {
        return onEvent(event, data);
      }) {
  response_.message.role = Role::kAssistant;
  response_.message.content_null = true;
}

Status SseStreamDecoder::feed(std::string_view bytes, std::vector<StreamEvent>& out) {
  out_ = &out;
  Status st = parser_.feed(bytes);
  out_ = nullptr;
  return st;
}

}  // namespace ward::models
