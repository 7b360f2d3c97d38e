// Replay of a recorded answer; the contract is in include/ward/answer/answer_replay.h.
#include "ward/answer/answer_replay.h"

#include <set>

#include "model_answerer.h"
#include "verify_draft.h"
#include "ward/answer/extractive_answerer.h"
#include "ward/common/hash.h"
#include "ward/gateway/tool_definition.h"
#include "ward/gateway/tool_gateway.h"
#include "ward/models/tool_call_ids.h"
#include "ward/models/model_service.h"
#include "ward/models/openai_chat_format.h"
#include "ward/models/provider.h"
#include "ward/store/store.h"

namespace ward::answer {

namespace {

// The part of a model step's request the answer loop builds (the rest is the model's defaults).
Json loopRequest(const Json& canonical) {
  Json out = Json::object();
  for (const char* key : {"messages", "tools", "response_format"}) {
    if (canonical.is_object() && canonical.contains(key)) out[key] = canonical[key];
  }
  return out;
}

Json stepResponse(const models::ChatResponse& r) {
  Json calls = Json::array();
  for (const models::ToolCall& t : r.message.tool_calls) {
    calls.push_back({{"name", t.name}, {"arguments", t.arguments}});
  }
  return Json{{"text", r.message.text()},
              {"tool_calls", calls},
              {"finish_reason", std::string(finishReasonName(r.finish))}};
}

// The passages of the recorded retrieval, each chunk's text read from the store and checked.
Result<std::vector<Passage>> recordedPassages(store::Store& store, const Json& answer) {
  std::vector<Passage> out;
  for (const Json& r : answer.value("retrieved", Json::array())) {
    if (!r.contains("text_sha256")) {
      return Status::failedPrecondition(
          "the answer was recorded before replay was supported (no passage text hashes)");
    }
    Passage p;
    p.doc_id = r.value("doc_id", "");
    p.version = r.value("version", int64_t{0});
    p.chunk_id = r.value("chunk_id", int64_t{0});
    p.chunk = r.value("chunk", 0);
    p.rank = r.value("rank", 0);
    p.score = r.value("score", 0.0);
    p.title = r.value("title", "");
    auto chunk = store.getChunk(p.chunk_id);
    if (!chunk.ok() || sha256Hex(chunk->text) != r.value("text_sha256", "")) {
      return Status::failedPrecondition("passage " + std::to_string(p.rank) + " (" + p.doc_id +
                                        " chunk " + std::to_string(p.chunk) +
                                        ") is no longer stored as it was retrieved");
    }
    p.text = std::move(chunk->text);
    out.push_back(std::move(p));
  }
  return out;
}

// The citations shown, as {doc_id, version, chunk, char_start, char_end, quote}, in order.
Json recordedCitations(const Json& answer) {
  Json out = Json::array();
  std::set<std::string> seen;
  for (const Json& s : answer.value("sentences", Json::array())) {
    for (const Json& c : s.value("citations", Json::array())) {
      if (!c.value("verified", false)) continue;
      Json x = Json::object();
      for (const char* k : {"doc_id", "version", "chunk", "char_start", "char_end", "quote"}) {
        if (c.contains(k)) x[k] = c[k];
      }
      if (seen.insert(dumpJson(x)).second) out.push_back(std::move(x));
    }
  }
  return out;
}

// (doc_id, chunk) pairs whose recorded citations failed the readable-now rule: replay keeps the
// verdict of the time (the store may have changed since).
std::set<std::pair<std::string, int>> recordedUnreadable(const Json& answer) {
  std::set<std::pair<std::string, int>> out;
  for (const Json& s : answer.value("sentences", Json::array())) {
    for (const Json& c : s.value("citations", Json::array())) {
      if (c.value("failed_rule", "") == "readable") {
        out.insert({c.value("doc_id", ""), c.value("chunk", 0)});
      }
    }
  }
  return out;
}

Json docChunks(const Json& citations, const Json& minus) {
  std::set<std::pair<std::string, int>> other;
  for (const Json& c : minus) other.insert({c.value("doc_id", ""), c.value("chunk", 0)});
  Json out = Json::array();
  std::set<std::pair<std::string, int>> seen;
  for (const Json& c : citations) {
    std::pair<std::string, int> key{c.value("doc_id", ""), c.value("chunk", 0)};
    if (other.count(key) == 0 && seen.insert(key).second) {
      out.push_back({{"doc_id", key.first}, {"chunk", key.second}});
    }
  }
  return out;
}

std::string canonicalArgs(const std::string& arguments) {
  auto j = parseJson(arguments.empty() ? "{}" : arguments);
  return j.ok() ? gateway::canonicalJson(*j) : arguments;
}

}  // namespace

std::string_view replayToolsName(ReplayTools t) {
  switch (t) {
    case ReplayTools::kRecorded:
      return "recorded";
    case ReplayTools::kLive:
      return "live";
    case ReplayTools::kDeny:
      return "deny";
  }
  return "recorded";
}

Result<ReplayTools> parseReplayTools(std::string_view name) {
  for (ReplayTools t : {ReplayTools::kRecorded, ReplayTools::kLive, ReplayTools::kDeny}) {
    if (replayToolsName(t) == name) return t;
  }
  return Status::invalidArgument("--tools must be recorded, live or deny, not '" +
                                 std::string(name) + "'");
}

Result<models::ChatResponse> decodeCassetteAnswer(const models::Cassette& c) {
  WARD_ASSIGN_OR_RETURN(const models::Provider* provider, models::providerFor(c.adapter));
  if (!c.stream) return provider->parseChat(c.response);
  auto decoder = provider->streamDecoder();
  std::vector<models::StreamEvent> events;
  for (size_t i = 0; i < c.chunks.size(); ++i) {
    const size_t end = i + 1 < c.chunks.size() ? c.chunks[i + 1] : c.response.size();
    decoder->feed(std::string_view(c.response).substr(c.chunks[i], end - c.chunks[i]), events)
        .ignore("a recorded stream replays as recorded: its error is one of the events");
  }
  return decoder->response();
}

Json AnswerReplayReport::toJson() const {
  Json j = {{"identical", identical},
            {"steps", steps},
            {"recorded_sha256", recorded_sha256},
            {"replayed_sha256", replayed_sha256},
            {"citations_added", citations_added},
            {"citations_removed", citations_removed},
            {"tool_calls", tool_calls},
            {"answer", answer}};
  if (divergence) j["divergence"] = divergence->toJson();
  return j;
}

Result<AnswerReplayReport> replayAnswer(const AnswerReplayInput& in) {
  const Json& rec = in.answer;
  const bool fork = !in.model.empty();
  if (fork && (in.models == nullptr || in.replayer == nullptr)) {
    return Status::invalidArgument("a fork needs the model service and the replaying principal");
  }
  if (fork && in.tools == ReplayTools::kLive && (in.gateway == nullptr || in.original == nullptr)) {
    return Status::invalidArgument("--tools live needs the gateway and the original principal");
  }
  const Json recorded_template = rec.value("template", Json::object());
  if (recorded_template.is_object() && recorded_template.value("override", false)) {
    return Status::failedPrecondition(
        "the answer was rendered from a template override (ward eval stability), not a built-in "
        "template: it cannot be replayed");
  }
  WARD_ASSIGN_OR_RETURN(std::vector<Passage> passages, recordedPassages(*in.store, rec));
  const std::string question = rec.value("question", "");
  const bool was_model = rec.value("mode", "") == "model";
  const std::string recorded_model = rec.value("model", "");

  AnswerResult result;
  result.trace_id = in.trace_id;
  result.retrieved = passages;
  AnswerReplayReport report;
  std::vector<audit::ReplayStep> recorded_steps, replayed_steps;
  std::optional<audit::Divergence> tool_divergence;
  Draft draft;

  if ((was_model || fork) && !passages.empty()) {
    // The recorded steps: each cassette's request and its answer decoded again.
    std::vector<models::ChatResponse> decoded;
    for (const models::Cassette& c : in.cassettes) {
      WARD_ASSIGN_OR_RETURN(models::ChatResponse r, decodeCassetteAnswer(c));
      models::useWardToolCallIds(r.message.tool_calls);  // as ModelService hands them on
      recorded_steps.push_back({loopRequest(c.request), stepResponse(r)});
      decoded.push_back(std::move(r));
    }
    if (was_model && !fork && in.cassettes.empty()) {
      return Status::failedPrecondition("the answer's model steps have no readable cassette");
    }
    std::string marker = rec.value("fence_marker", "");
    if (marker.empty() && was_model) {
      return Status::failedPrecondition(
          "the answer was recorded before replay was supported (no fence marker)");
    }
    if (marker.empty()) {
      std::vector<std::string_view> texts = {question};
      for (const Passage& p : passages) texts.push_back(p.text);
      for (const Passage& p : passages) texts.push_back(p.title);
      WARD_ASSIGN_OR_RETURN(marker, drawFenceMarker(texts));
    }
    // The tools offered: as recorded in the first step's request.
    std::vector<models::ToolSpec> tools;
    if (!in.cassettes.empty()) {
      auto first = models::parseChatCompletionRequest(in.cassettes.front().request);
      if (!first.ok()) return first.status();
      tools = first->tools;
    }
    const std::string model = fork ? in.model : recorded_model;
    const identity::Principal nobody;  // an offline replay calls no model as anyone
    ModelDraftInput di{
        fork ? *in.replayer : nobody, in.replay_trace, model, question, passages, nullptr, nullptr};
    // A fork keeps the recorded citation mode (the steps before it were asked that way).
    di.native_citations = rec.value("citation_mode", "") == "native";
    WARD_ASSIGN_OR_RETURN(models::ChatCall call, buildAnswerCall(di, marker, tools));
    if (fork) call.principal = *in.replayer;

    std::set<size_t> used;  // recorded tool calls already answered
    const Json recorded_tools = rec.value("tool_calls", Json::array());
    AnswerLoopIo io;
    io.chat = [&](const models::ChatCall& c, int step) -> Result<models::ChatResponse> {
      const size_t i = static_cast<size_t>(step);
      const Json request = loopRequest(models::canonicalRequestJson(c.request));
      if (fork && i >= in.from_step) {
        models::ChatCall live = c;
        live.request.model = in.model;
        live.principal = *in.replayer;
        live.trace = in.replay_trace;
        WARD_ASSIGN_OR_RETURN(models::ChatResponse r, in.models->chat(live));
        replayed_steps.push_back({request, stepResponse(r)});
        report.steps.push_back({{"step", step}, {"source", "live"}, {"model", in.model}});
        return r;
      }
      if (i >= decoded.size()) {
        return Status::failedPrecondition("step " + std::to_string(step) + " is not in the record");
      }
      replayed_steps.push_back({request, recorded_steps[i].response});
      report.steps.push_back({{"step", step},
                              {"source", "cassette"},
                              {"identical", request == recorded_steps[i].request}});
      return decoded[i];
    };
    if (!tools.empty()) {
      io.tool = [&](const models::ToolCall& tc, int step) -> ToolReply {
        if (fork && in.tools == ReplayTools::kDeny) {
          return {"denied", dumpJson(Json{{"error", "tool calls are denied in this replay"}})};
        }
        if (fork && in.tools == ReplayTools::kLive && static_cast<size_t>(step) >= in.from_step) {
          ModelDraftInput live{*in.original, in.replay_trace, model,   question,
                               passages,     in.gateway,      in.agent};
          return routeToolCall(live, tc);
        }
        const std::string args = canonicalArgs(tc.arguments);
        for (size_t k = 0; k < recorded_tools.size(); ++k) {
          const Json& t = recorded_tools[k];
          if (used.count(k) || t.value("tool", "") != tc.name ||
              canonicalArgs(t.value("arguments", "")) != args) {
            continue;
          }
          used.insert(k);
          if (!t.contains("reply")) break;  // too large to keep: only its hash was recorded
          return {t.value("outcome", ""), t.value("reply", "")};
        }
        if (!tool_divergence) {
          audit::Divergence d;
          d.step = static_cast<size_t>(step);
          d.kind = audit::DivergenceKind::kToolCallSet;
          d.pointer = "/tool_calls";
          d.replayed = {{"name", tc.name}, {"arguments", tc.arguments}};
          d.context = "tool call not in the record (or its reply was too large to keep)";
          tool_divergence = d;
        }
        return {"not_recorded", dumpJson(Json{{"error", "this tool call is not in the record"}})};
      };
    }
    ModelDraft out;
    out.marker = marker;
    out.native_citations = di.native_citations;
    auto md = runAnswerLoop(std::move(call), io, std::move(out), passages);
    if (!md.ok()) {
      if (fork) return md.status();
      // More steps than recorded: the divergence finder names the first missing one.
    } else {
      draft = std::move(md->draft);
      report.tool_calls = md->tool_calls;
    }
    result.mode = AnswerMode::kModel;
    result.model = model;
  } else {
    draft = extractiveAnswer(question, passages);
  }

  const auto unreadable = recordedUnreadable(rec);
  verifyDraft(
      std::move(draft),
      [&unreadable](const Passage& p) {
        return unreadable.count({p.doc_id, p.chunk}) == 0;
      },
      in.config.link_hosts, result);

  // Compare: the model steps, then the answer shown (text and citations).
  Json replayed_citations = Json::array();
  for (const Citation& c : result.shownCitations()) replayed_citations.push_back(c.toJson());
  const Json recorded_citations = recordedCitations(rec);
  auto d = audit::firstDivergence(recorded_steps, replayed_steps);
  if (tool_divergence && (!d || tool_divergence->step < d->step)) d = tool_divergence;
  if (!d) {
    audit::ReplayStep a{Json(),
                        {{"text", rec.value("answer", "")}, {"citations", recorded_citations}}};
    audit::ReplayStep b{Json(), {{"text", result.answer}, {"citations", replayed_citations}}};
    d = audit::firstDivergence({a}, {b});
    if (d) d->step = recorded_steps.size();
  }
  report.divergence = d;
  report.recorded_sha256 = rec.value("client_sha256", "");
  report.replayed_sha256 = sha256Hex(dumpJson(result.toJson()));
  report.identical = !d && report.recorded_sha256 == report.replayed_sha256;
  if (!d && !report.identical) {  // same steps and answer, different bytes: name the field
    audit::Divergence bytes;
    bytes.step = recorded_steps.size();
    bytes.kind = audit::DivergenceKind::kText;
    bytes.pointer = "/client_sha256";
    bytes.recorded = report.recorded_sha256;
    bytes.replayed = report.replayed_sha256;
    report.divergence = bytes;
  }
  report.citations_added = docChunks(replayed_citations, recorded_citations);
  report.citations_removed = docChunks(recorded_citations, replayed_citations);
  report.answer = result.answer;
  return report;
}

}  // namespace ward::answer
