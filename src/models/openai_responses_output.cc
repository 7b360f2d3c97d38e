// Ward's answer as the Responses API returns it to a client: the response object and the event
// stream (docs/api/openapi.yaml, /v1/responses).
#include <ctime>

#include "ward/common/hash.h"
#include "ward/models/openai_responses_format.h"

namespace ward::models {

namespace {

Json usageJson(const Usage& u) {
  if (!u.known) return nullptr;
  return Json{{"input_tokens", u.input_tokens},
              {"input_tokens_details", {{"cached_tokens", u.cached_input_tokens}}},
              {"output_tokens", u.output_tokens},
              {"output_tokens_details", {{"reasoning_tokens", u.reasoning_tokens}}},
              {"total_tokens", u.input_tokens + u.output_tokens}};
}

// Reasoning items an answer's first tool call carries (extra_content.openai.reasoning).
Json reasoningOf(const std::vector<ToolCall>& calls) {
  if (calls.empty() || !calls[0].opaque.is_object()) return Json::array();
  const Json& x = calls[0].opaque.value("extra_content", Json());
  if (!x.is_object() || !x.contains("openai") || !x["openai"].is_object()) return Json::array();
  const Json& r = x["openai"].value("reasoning", Json());
  return r.is_array() ? r : Json::array();
}

Json messageItem(const std::string& id, const std::string& text, bool done) {
  Json content = Json::array();
  if (done) {
    content.push_back({{"type", "output_text"},
                       {"text", text},
                       {"annotations", Json::array()},
                       {"logprobs", Json::array()}});
  }
  return Json{{"id", id},
              {"type", "message"},
              {"status", done ? "completed" : "in_progress"},
              {"role", "assistant"},
              {"content", std::move(content)}};
}

Json callItem(const ToolCall& c, bool done) {
  return Json{{"id", "fc_" + c.id},
              {"type", "function_call"},
              {"status", done ? "completed" : "in_progress"},
              {"call_id", c.id},
              {"name", c.name},
              {"arguments", done ? c.arguments : ""}};
}

bool incomplete(FinishReason f) {
  return f == FinishReason::kLength || f == FinishReason::kContentFilter;
}

// The response object; `id.created_at` when the provider reported no creation time.
Json responseObject(const ResponsesIdentity& id, const ChatResponse& r, const Json& echo,
                    const std::string& status, Json output, const Usage& usage) {
  Json details = nullptr;
  if (status == "incomplete") {
    details = {
        {"reason", r.finish == FinishReason::kLength ? "max_output_tokens" : "content_filter"}};
  }
  Json out = {{"id", id.id},
              {"object", "response"},
              {"created_at", r.created != 0 ? r.created : id.created_at},
              {"status", status},
              {"error", nullptr},
              {"incomplete_details", std::move(details)},
              {"model", r.model.empty() ? echo.value("model", Json("")) : Json(r.model)},
              {"output", std::move(output)},
              {"store", false},
              {"text", {{"format", {{"type", "text"}}}}},
              {"usage", usageJson(usage)}};
  for (auto it = echo.begin(); it != echo.end(); ++it) {
    if (it.key() != "model") out[it.key()] = it.value();
  }
  return out;
}

}  // namespace

Json responsesEcho(const ChatRequest& request) {
  Json tools = Json::array();
  for (const ToolSpec& t : request.tools) {
    Json tool = {{"type", "function"}, {"name", t.name}, {"parameters", t.parameters}};
    tool["description"] = t.description.empty() ? Json() : Json(t.description);
    tool["strict"] = t.strict ? Json(*t.strict) : Json();
    tools.push_back(std::move(tool));
  }
  Json tool_choice = request.tool_choice.is_null() ? Json("auto") : request.tool_choice;
  if (tool_choice.is_object() && tool_choice.contains("function")) {
    tool_choice = {{"type", "function"}, {"name", tool_choice["function"].value("name", "")}};
  }
  const Sampling& s = request.sampling;
  return Json{{"model", request.model},
              {"parallel_tool_calls", request.parallel_tool_calls.value_or(true)},
              {"temperature", s.temperature ? Json(*s.temperature) : Json()},
              {"top_p", s.top_p ? Json(*s.top_p) : Json()},
              {"max_output_tokens", s.max_tokens ? Json(*s.max_tokens) : Json()},
              {"tool_choice", std::move(tool_choice)},
              {"tools", std::move(tools)},
              {"metadata", request.claims.value("metadata", Json::object())}};
}

ResponsesIdentity mintResponsesIdentity() {
  return {"resp_" + randomHex(12), static_cast<int64_t>(std::time(nullptr))};
}

Json responsesJson(const ChatResponse& r, const Json& echo, const ResponsesIdentity& identity) {
  Json output = reasoningOf(r.message.tool_calls);
  const std::string text = r.message.text();
  if (!text.empty() || r.message.tool_calls.empty()) {
    output.push_back(messageItem("msg_" + identity.id.substr(5), text, true));
  }
  for (const ToolCall& c : r.message.tool_calls) output.push_back(callItem(c, true));
  return responseObject(identity, r, echo, incomplete(r.finish) ? "incomplete" : "completed",
                        std::move(output), r.usage);
}

std::string ResponsesEventWriter::emit(const std::string& type, Json data) {
  data["type"] = type;
  data["sequence_number"] = sequence_++;
  return "event: " + type + "\ndata: " + dumpJson(data) + "\n\n";
}

std::string ResponsesEventWriter::start(const ChatResponse& head) {
  Json skeleton = responseObject(identity_, head, echo_, "in_progress", Json::array(), Usage{});
  std::string out = emit("response.created", {{"response", skeleton}});
  out += emit("response.in_progress", {{"response", skeleton}});
  return out;
}

std::string ResponsesEventWriter::messageId() const { return "msg_" + identity_.id.substr(5); }

std::string ResponsesEventWriter::closeMessage() {
  if (!message_open_) return "";
  message_open_ = false;
  const size_t index = output_.size();
  const std::string item_id = messageId();
  Json item = messageItem(item_id, text_, true);
  // One statement per event: the sequence numbers follow the order of the calls.
  std::string out = emit("response.output_text.done", {{"item_id", item_id},
                                                       {"output_index", index},
                                                       {"content_index", 0},
                                                       {"text", text_},
                                                       {"logprobs", Json::array()}});
  out += emit("response.content_part.done", {{"item_id", item_id},
                                             {"output_index", index},
                                             {"content_index", 0},
                                             {"part", item["content"][0]}});
  out += emit("response.output_item.done", {{"output_index", index}, {"item", item}});
  output_.push_back(std::move(item));
  return out;
}

std::string ResponsesEventWriter::event(const ChatResponse&, const StreamEvent& e) {
  std::string out;
  switch (e.kind) {
    case StreamEvent::Kind::kText: {
      const std::string item_id = messageId();
      const size_t index = output_.size();
      if (!message_open_) {
        message_open_ = true;
        out += emit("response.output_item.added",
                    {{"output_index", index}, {"item", messageItem(item_id, "", false)}});
        out += emit(
            "response.content_part.added",
            {{"item_id", item_id},
             {"output_index", index},
             {"content_index", 0},
             {"part", {{"type", "output_text"}, {"text", ""}, {"annotations", Json::array()}}}});
      }
      text_ += e.text;
      out += emit("response.output_text.delta", {{"item_id", item_id},
                                                 {"output_index", index},
                                                 {"content_index", 0},
                                                 {"delta", e.text},
                                                 {"logprobs", Json::array()}});
      break;
    }
    case StreamEvent::Kind::kToolCalls: {
      out += closeMessage();
      for (const Json& r : reasoningOf(e.tool_calls)) {
        out += emit("response.output_item.added", {{"output_index", output_.size()}, {"item", r}});
        out += emit("response.output_item.done", {{"output_index", output_.size()}, {"item", r}});
        output_.push_back(r);
      }
      for (const ToolCall& c : e.tool_calls) {
        const size_t index = output_.size();
        const std::string item_id = "fc_" + c.id;
        out += emit("response.output_item.added",
                    {{"output_index", index}, {"item", callItem(c, false)}});
        out += emit("response.function_call_arguments.delta",
                    {{"item_id", item_id}, {"output_index", index}, {"delta", c.arguments}});
        out += emit("response.function_call_arguments.done", {{"item_id", item_id},
                                                              {"output_index", index},
                                                              {"name", c.name},
                                                              {"arguments", c.arguments}});
        out += emit("response.output_item.done",
                    {{"output_index", index}, {"item", callItem(c, true)}});
        output_.push_back(callItem(c, true));
      }
      break;
    }
    case StreamEvent::Kind::kFinish:
      finish_ = e.finish;
      out += closeMessage();
      break;
    case StreamEvent::Kind::kUsage:
      break;
  }
  return out;
}

std::string ResponsesEventWriter::finish(const ChatResponse& head, const Usage& usage) {
  std::string out = closeMessage();
  ChatResponse r = head;
  r.finish = finish_;
  const bool cut = incomplete(finish_);
  out += emit(cut ? "response.incomplete" : "response.completed",
              {{"response", responseObject(identity_, r, echo_, cut ? "incomplete" : "completed",
                                           output_, usage)}});
  return out;
}

std::string ResponsesEventWriter::error(const std::string& code, const std::string& message) {
  return emit("error", {{"code", code}, {"message", message}, {"param", nullptr}});
}

}  // namespace ward::models
