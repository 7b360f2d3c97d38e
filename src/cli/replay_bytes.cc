// The client bytes of a proxied chat completion or Responses call rendered again; contract in replay_bytes.h.
#include "replay_bytes.h"

#include <vector>

#include "ward/answer/answer_replay.h"
#include "ward/models/openai_chat_format.h"
#include "ward/models/provider.h"
#include "ward/models/tool_call_ids.h"

namespace ward::cli {

namespace {

std::string sseData(const Json& j) { return "data: " + dumpJson(j) + "\n\n"; }

// Feeds the cassette's chunks, as they arrived, to its dialect's stream decoder and `on` with
// each event (tool-call ids as the client saw them) and the response so far.
template <typename OnEvent>
Status replayStream(const models::Cassette& c, OnEvent on) {
  WARD_ASSIGN_OR_RETURN(const models::Provider* provider, models::providerFor(c.adapter));
  auto decoder = provider->streamDecoder();
  for (size_t i = 0; i < c.chunks.size(); ++i) {
    const size_t end = i + 1 < c.chunks.size() ? c.chunks[i + 1] : c.response.size();
    std::vector<models::StreamEvent> events;
    decoder->feed(std::string_view(c.response).substr(c.chunks[i], end - c.chunks[i]), events)
        .ignore("a recorded stream replays as recorded: its error is one of the events");
    for (models::StreamEvent& e : events) {
      models::useWardToolCallIds(e.tool_calls);  // the ids the client saw
      on(decoder->response(), e);
    }
  }
  return Status();
}

}  // namespace

Result<std::string> chatCompletionsClientBytes(const models::Cassette& c, bool include_usage) {
  if (!c.stream) {
    WARD_ASSIGN_OR_RETURN(models::ChatResponse r, answer::decodeCassetteAnswer(c));
    models::useWardToolCallIds(r.message.tool_calls);  // the ids the client saw
    return dumpJson(models::chatCompletionJson(r));
  }
  std::string out;
  bool started = false;
  models::ChatResponse head;
  models::Usage usage;
  WARD_RETURN_IF_ERROR(
      replayStream(c, [&](const models::ChatResponse& now, const models::StreamEvent& e) {
        if (!started) {
          started = true;
          out += sseData(models::chunkRoleJson(now));
        }
        head = now;
        using Kind = models::StreamEvent::Kind;
        switch (e.kind) {
          case Kind::kText:
            out += sseData(models::chunkTextJson(now, e.text));
            break;
          case Kind::kToolCalls:
            out += sseData(models::chunkToolCallsJson(now, e.tool_calls));
            break;
          case Kind::kFinish:
            out += sseData(models::chunkFinishJson(now, e.finish));
            break;
          case Kind::kUsage:
            usage = e.usage;
            break;
        }
      }));
  if (include_usage && usage.known) out += sseData(models::chunkUsageJson(head, usage));
  out += "data: [DONE]\n\n";
  return out;
}

Result<std::string> responsesClientBytes(const models::Cassette& c, const Json& echo,
                                         const models::ResponsesIdentity& identity) {
  if (!c.stream) {
    WARD_ASSIGN_OR_RETURN(models::ChatResponse r, answer::decodeCassetteAnswer(c));
    models::useWardToolCallIds(r.message.tool_calls);  // the ids the client saw
    return dumpJson(models::responsesJson(r, echo, identity));
  }
  // As the front door's sink writes them: start with the first event, then each event, then the
  // closing events with the last head and the usage reported.
  models::ResponsesEventWriter writer(echo, identity);
  std::string out;
  bool started = false;
  models::ChatResponse head;
  models::Usage usage;
  WARD_RETURN_IF_ERROR(
      replayStream(c, [&](const models::ChatResponse& now, const models::StreamEvent& e) {
        if (!started) {
          started = true;
          out += writer.start(now);
        }
        head = now;
        if (e.kind == models::StreamEvent::Kind::kUsage) usage = e.usage;
        out += writer.event(now, e);
      }));
  if (!started) return Status::failedPrecondition("the recorded stream has no events");
  out += writer.finish(head, usage);
  return out;
}

}  // namespace ward::cli
