// Replay of a recorded answer (docs/design/answer.md "Replay"): the answer loop run again
// offline from its trace. Retrieval comes from the `answer` event (ids, versions, titles; each
// chunk's text read from the local store and checked against the recorded SHA-256), model
// responses from the step cassettes, tool results from the record; nothing goes to the network.
// The result is compared with the recording step by step (audit/replay_divergence.h) and by the
// client-visible bytes hash (`client_sha256`, the compact answer JSON sent to the client).
//
// A fork (`model` set) runs model steps from `from_step` on live with another [[models]] entry
// through ModelService; its tool calls are answered per `tools`. Borrows everything it is given.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ward/answer/answer_config.h"
#include "ward/answer/answer_service.h"
#include "ward/audit/replay_divergence.h"
#include "ward/common/json.h"
#include "ward/common/status.h"
#include "ward/identity/principal.h"
#include "ward/models/cassette.h"
#include "ward/trace/trace.h"

namespace ward::answer {

// How a fork answers the model's tool calls.
enum class ReplayTools {
  kRecorded,  // from the record, matched by tool and arguments; a call not there diverges
  kLive,      // through the gateway as the original principal (a new trace)
  kDeny,      // every call refused
};
std::string_view replayToolsName(ReplayTools t);              // "recorded", "live", "deny"
Result<ReplayTools> parseReplayTools(std::string_view name);  // InvalidArgument otherwise

// The answer a cassette holds, decoded again by its adapter (streams chunk by chunk as received).
Result<models::ChatResponse> decodeCassetteAnswer(const models::Cassette& c);

struct AnswerReplayInput {
  AnswerReplayInput(const Json& answer_attributes, const std::string& trace,
                    const std::vector<models::Cassette>& steps)
      : answer(answer_attributes), trace_id(trace), cassettes(steps) {}

  const Json& answer;                              // the attributes of the recorded `answer` event
  const std::string& trace_id;                     // the recorded trace
  const std::vector<models::Cassette>& cassettes;  // the model steps' cassettes, in order
  store::Store* store = nullptr;                   // required: passage text by chunk id
  AnswerConfig config;                             // link hosts (as configured now)
  // Fork: empty model = a plain offline replay.
  std::string model;
  size_t from_step = 0;  // 0-based model step where the fork starts
  ReplayTools tools = ReplayTools::kRecorded;
  models::ModelService* models = nullptr;         // required for a fork
  gateway::ToolGateway* gateway = nullptr;        // required for kLive
  const identity::Principal* replayer = nullptr;  // the fork's model calls run as them
  trace::TraceContext replay_trace;               // ... in this trace
  const identity::Principal* original = nullptr;  // kLive tool calls run as them
  const identity::Principal* agent = nullptr;     // ... with this agent, if the answer had one
};

struct AnswerReplayReport {
  bool identical = false;  // no divergence and the client bytes hash equal
  std::optional<audit::Divergence> divergence;
  Json steps = Json::array();  // per model step: {step, source: cassette|live, identical}
  std::string recorded_sha256, replayed_sha256;
  Json citations_added = Json::array();    // [{doc_id, chunk}] shown now, not in the record
  Json citations_removed = Json::array();  // [{doc_id, chunk}] in the record, not shown now
  Json tool_calls = Json::array();         // the replay's tool calls (as in the record)
  std::string answer;                      // the replayed answer text
  Json toJson() const;
};

// FailedPrecondition when the record cannot be replayed (recorded before replay was supported,
// a retrieved chunk no longer stored as it was, a missing cassette); a fork's model errors pass.
Result<AnswerReplayReport> replayAnswer(const AnswerReplayInput& in);

}  // namespace ward::answer
