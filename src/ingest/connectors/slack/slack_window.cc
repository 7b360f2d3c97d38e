// The Slack connector's pure pieces (slack_window.h).
#include "slack_window.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <tuple>

#include "ward/common/hash.h"

namespace ward::ingest {

namespace {

// Subtypes that are not content: membership notices and the tombstone a deleted parent leaves.
bool isNotice(const std::string& subtype) {
  return subtype == "channel_join" || subtype == "channel_leave" || subtype == "group_join" ||
         subtype == "group_leave" || subtype == "tombstone" || subtype == "message_deleted";
}

Status stringField(const Json& j, const char* key, std::string* out) {
  if (!j.contains(key) || j[key].is_null()) return Status();
  if (!j[key].is_string()) {
    return Status::invalidArgument(std::string("message field '") + key + "' must be a string");
  }
  *out = j[key].get<std::string>();
  return Status();
}

// `text` cut to at most `max` bytes without splitting a UTF-8 sequence.
std::string cutUtf8(std::string text, size_t max) {
  if (text.size() <= max) return text;
  size_t at = max;
  while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
  text.resize(at);
  return text;
}

std::string clockOf(int64_t micros) {
  time_t s = static_cast<time_t>(micros / 1'000'000);
  struct tm t {};
  gmtime_r(&s, &t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", t.tm_hour, t.tm_min);
  return buf;
}

int64_t tsMicros(const std::string& ts) {
  int64_t us = 0;
  return parseSlackTs(ts, &us) ? us : 0;
}

}  // namespace

bool parseSlackTs(std::string_view ts, int64_t* micros) {
  size_t dot = ts.find('.');
  std::string_view whole = ts.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : ts.substr(dot + 1);
  if (whole.empty() || whole.size() > 12 || frac.size() > 6) return false;
  int64_t s = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return false;
    s = s * 10 + (c - '0');
  }
  int64_t us = 0;
  for (size_t i = 0; i < 6; ++i) {
    char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return false;
    us = us * 10 + (c - '0');
  }
  *micros = s * 1'000'000 + us;
  return true;
}

int64_t slackDayStart(int64_t micros) {
  const int64_t s = micros / 1'000'000;
  return s - s % kSlackWindowSeconds;
}

std::string slackDay(int64_t micros) {
  time_t s = static_cast<time_t>(slackDayStart(micros));
  struct tm t {};
  gmtime_r(&s, &t);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday);
  return buf;
}

Result<SlackMessage> parseSlackMessage(const Json& j) {
  if (!j.is_object()) return Status::invalidArgument("a message must be a JSON object");
  SlackMessage m;
  std::string subtype;
  WARD_RETURN_IF_ERROR(stringField(j, "subtype", &subtype));
  WARD_RETURN_IF_ERROR(stringField(j, "ts", &m.ts));
  WARD_RETURN_IF_ERROR(stringField(j, "thread_ts", &m.thread_ts));
  WARD_RETURN_IF_ERROR(stringField(j, "user", &m.user));
  WARD_RETURN_IF_ERROR(stringField(j, "text", &m.text));
  int64_t us = 0;
  if (!parseSlackTs(m.ts, &us)) {
    return Status::invalidArgument("message field 'ts' is missing or not a Slack ts");
  }
  if (!m.thread_ts.empty() && !parseSlackTs(m.thread_ts, &us)) {
    return Status::invalidArgument("message field 'thread_ts' is not a Slack ts");
  }
  if (j.contains("edited") && !j["edited"].is_null()) {
    if (!j["edited"].is_object()) {
      return Status::invalidArgument("message field 'edited' must be an object");
    }
    WARD_RETURN_IF_ERROR(stringField(j["edited"], "ts", &m.edited_ts));
  }
  if (j.contains("reply_count") && !j["reply_count"].is_null()) {
    if (!j["reply_count"].is_number_integer()) {
      return Status::invalidArgument("message field 'reply_count' must be an integer");
    }
    m.reply_count = j["reply_count"].get<int64_t>();
  }
  WARD_RETURN_IF_ERROR(stringField(j, "latest_reply", &m.latest_reply));
  if (m.user.empty()) WARD_RETURN_IF_ERROR(stringField(j, "bot_id", &m.user));
  if (isNotice(subtype)) m.ts.clear();
  m.text = cutUtf8(std::move(m.text), kSlackMaxMessageBytes);
  return m;
}

std::string slackWindowDay(const SlackMessage& m) {
  return slackDay(tsMicros(m.isReply() ? m.thread_ts : m.ts));
}

std::map<std::string, std::string> slackHistorySignatures(
    const std::vector<SlackMessage>& history) {
  std::vector<const SlackMessage*> sorted;
  for (const SlackMessage& m : history) {
    if (!m.ts.empty()) sorted.push_back(&m);
  }
  // The order the API returned them in does not matter: (ts, is a reply).
  std::sort(sorted.begin(), sorted.end(), [](const SlackMessage* a, const SlackMessage* b) {
    return std::make_tuple(tsMicros(a->ts), a->isReply()) <
           std::make_tuple(tsMicros(b->ts), b->isReply());
  });
  std::map<std::string, std::string> hashed;
  for (const SlackMessage* m : sorted) {
    hashed[slackWindowDay(*m)] +=
        m->ts + '\x1f' + m->thread_ts + '\x1f' + m->edited_ts + '\x1f' + m->user + '\x1f' +
        m->text + '\x1f' + std::to_string(m->reply_count) + '\x1f' + m->latest_reply + '\x1e';
  }
  std::map<std::string, std::string> out;
  for (const auto& [day, text] : hashed) out[day] = sha256Hex(text);
  return out;
}

std::map<std::string, SlackWindow> buildSlackWindows(
    const std::string& conversation, std::vector<SlackMessage> messages,
    const std::map<std::string, std::string>& names) {
  // Each message sorts under its thread's parent: (parent ts, is a reply, ts).
  auto key = [](const SlackMessage& m) {
    const std::string& parent = m.isReply() ? m.thread_ts : m.ts;
    return std::make_tuple(tsMicros(parent), m.isReply(), tsMicros(m.ts));
  };
  std::sort(messages.begin(), messages.end(),
            [&](const SlackMessage& a, const SlackMessage& b) { return key(a) < key(b); });
  messages.erase(std::unique(messages.begin(), messages.end(),
                             [](const SlackMessage& a, const SlackMessage& b) {
                               return a.ts == b.ts && a.isReply() == b.isReply();
                             }),
                 messages.end());
  std::map<std::string, SlackWindow> out;
  std::map<std::string, std::string> hashed;  // day -> the text hashed for its version
  for (const SlackMessage& m : messages) {
    if (m.ts.empty()) continue;
    const int64_t parent_us = tsMicros(m.isReply() ? m.thread_ts : m.ts);
    const std::string day = slackDay(parent_us);
    SlackWindow& w = out[day];
    if (w.day.empty()) {
      w.day = day;
      w.text = "#" + conversation + " " + day + "\n\n";
      w.first_ts = m.isReply() ? m.thread_ts : m.ts;  // the first thread's parent
    }
    auto who = names.find(m.user);
    const std::string& name = who == names.end() ? m.user : who->second;
    w.text += std::string(m.isReply() ? "    reply " : "") + "[" + clockOf(tsMicros(m.ts)) + "] " +
              name + ": " + m.text + "\n";
    hashed[day] += m.ts + '\x1f' + m.thread_ts + '\x1f' + m.edited_ts + '\x1f' + m.user + '\x1f' +
                   m.text + '\x1e';
    w.updated_at = std::max({w.updated_at, tsMicros(m.ts), tsMicros(m.edited_ts)});
    ++w.messages;
  }
  for (auto& [day, w] : out) w.version = sha256Hex(hashed[day]);
  return out;
}

}  // namespace ward::ingest
