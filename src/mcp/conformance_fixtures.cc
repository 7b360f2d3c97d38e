#include "conformance_fixtures.h"

#include "request_state.h"
#include "ward/common/hash.h"

namespace ward::mcp {

namespace {

// A 1x1 red PNG and a 44-byte silent WAV header (base64): the suite checks type and mimeType.
constexpr char kPng[] =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg"
    "==";
constexpr char kWav[] = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

Json text(const std::string& t) { return Json{{"type", "text"}, {"text", t}}; }

Json content(Json items) { return Json{{"content", std::move(items)}}; }

struct FixtureTool {
  const char* name;
  const char* description;
};

constexpr FixtureTool kTools[] = {
    {"test_simple_text", "Returns simple text"},
    {"test_image_content", "Returns an image"},
    {"test_audio_content", "Returns audio"},
    {"test_embedded_resource", "Returns an embedded resource"},
    {"test_multiple_content_types", "Returns text, image and resource"},
    {"test_tool_with_logging", "Logs three messages"},
    {"test_tool_with_progress", "Reports progress"},
    {"test_error_handling", "Always fails"},
    {"test_missing_capability", "Needs the client's sampling capability"},
    {"test_logging_tool", "Logs at info (only when the request asked for logs)"},
    {"test_input_required_result_elicitation", "Asks for a name (input required)"},
    {"test_input_required_result_sampling", "Asks for a sampling (input required)"},
    {"test_input_required_result_list_roots", "Asks for the roots (input required)"},
    {"test_input_required_result_multiple_inputs", "Asks for three inputs"},
    {"test_input_required_result_multi_round", "Asks twice"},
    {"test_input_required_result_capabilities", "Asks only for what the client supports"},
    {"test_input_required_result_request_state", "Round-trips requestState"},
    {"test_input_required_result_tampered_state", "Refuses altered requestState"},
    {"test_streaming_elicitation", "Asks for confirmation (input required, never on the stream)"},
    {"test_sampling", "Asks the client's model (sampling/createMessage during the call)"},
    {"test_elicitation", "Asks the user (elicitation/create during the call)"},
    {"test_elicitation_sep1034_defaults", "Elicitation with defaults for every primitive type"},
    {"test_elicitation_sep1330_enums", "Elicitation with the five enum schema variants"},
    {"test_trigger_tool_change", "Signals a tool list change to open subscriptions"},
    {"test_custom_header_params", "Mirrors region and priority into Mcp-Param headers"},
};

Json elicit(const std::string& message, const std::string& field) {
  return Json{{"method", "elicitation/create"},
              {"params",
               {{"message", message},
                {"requestedSchema",
                 {{"type", "object"},
                  {"properties", {{field, {{"type", field == "ok" ? "boolean" : "string"}}}}},
                  {"required", {field}}}}}}};
}

Json sample(const std::string& prompt, int max_tokens) {
  return Json{
      {"method", "sampling/createMessage"},
      {"params",
       {{"messages",
         Json::array({Json{{"role", "user"}, {"content", {{"type", "text"}, {"text", prompt}}}}})},
        {"maxTokens", max_tokens}}}};
}

Json roots() { return Json{{"method", "roots/list"}, {"params", Json::object()}}; }

Json titled(std::initializer_list<std::pair<const char*, const char*>> options) {
  Json out = Json::array();
  for (const auto& [value, title] : options)
    out.push_back(Json{{"const", value}, {"title", title}});
  return out;
}

// The schemas of the elicitation fixtures (SEP-1034 defaults, SEP-1330 enum variants).
Json elicitationSchema(const std::string& tool) {
  if (tool == "test_elicitation_sep1034_defaults") {
    return Json{
        {"type", "object"},
        {"properties",
         {{"name", {{"type", "string"}, {"description", "User name"}, {"default", "John Doe"}}},
          {"age", {{"type", "integer"}, {"description", "User age"}, {"default", 30}}},
          {"score", {{"type", "number"}, {"description", "User score"}, {"default", 95.5}}},
          {"status",
           {{"type", "string"},
            {"description", "User status"},
            {"enum", {"active", "inactive", "pending"}},
            {"default", "active"}}},
          {"verified",
           {{"type", "boolean"}, {"description", "Verification status"}, {"default", true}}}}},
        {"required", Json::array()}};
  }
  if (tool == "test_elicitation_sep1330_enums") {
    return Json{
        {"type", "object"},
        {"properties",
         {{"untitledSingle", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}},
          {"titledSingle",
           {{"type", "string"},
            {"oneOf", titled({{"value1", "First Option"},
                              {"value2", "Second Option"},
                              {"value3", "Third Option"}})}}},
          {"legacyEnum",
           {{"type", "string"},
            {"enum", {"opt1", "opt2", "opt3"}},
            {"enumNames", {"Option One", "Option Two", "Option Three"}}}},
          {"untitledMulti",
           {{"type", "array"},
            {"items", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}}}},
          {"titledMulti",
           {{"type", "array"},
            {"items",
             {{"anyOf", titled({{"value1", "First Choice"},
                                {"value2", "Second Choice"},
                                {"value3", "Third Choice"}})}}}}}}},
        {"required", Json::array()}};
  }
  return Json{{"type", "object"},
              {"properties",
               {{"username", {{"type", "string"}, {"description", "User's response"}}},
                {"email", {{"type", "string"}, {"description", "User's email address"}}}}},
              {"required", {"username", "email"}}};
}

// The fixtures that ask the client during the call (2025 sessions with a live stream).
std::optional<Reply> askingTool(const std::string& name, const Json& args, Exchange& x) {
  const bool sampling = name == "test_sampling";
  if (!sampling && name.rfind("test_elicitation", 0) != 0) return std::nullopt;
  const char* capability = sampling ? "sampling" : "elicitation";
  if (!x.canAsk(capability)) {
    Json r = content(Json::array({text(std::string("this tool needs the client's ") + capability +
                                       " capability and a streamed response")}));
    r["isError"] = true;
    return Reply::ok(std::move(r));
  }
  Result<Json> answer =
      sampling
          ? x.channel->ask("sampling/createMessage",
                           sample(stringField(args, "prompt"), 100)["params"])
          : x.channel->ask(
                "elicitation/create",
                Json{{"message", name == "test_elicitation" ? stringField(args, "message")
                                                            : "Please review the requested fields"},
                     {"requestedSchema", elicitationSchema(name)}});
  if (!answer.ok()) {
    Json r = content(Json::array({text(answer.status().message())}));
    r["isError"] = true;
    return Reply::ok(std::move(r));
  }
  if (sampling) {
    const Json& c = answer->contains("content") ? (*answer)["content"] : Json();
    return Reply::ok(content(Json::array({text("LLM response: " + stringField(c, "text"))})));
  }
  return Reply::ok(content(Json::array(
      {text("Elicitation completed: action=" + stringField(*answer, "action") + ", content=" +
            dumpJson(answer->contains("content") ? (*answer)["content"] : Json::object()))})));
}

// The input requests of one round of a fixture tool (round 1, 2, ...).
Json roundRequests(const std::string& name, int round, const Exchange& x) {
  if (name == "test_input_required_result_elicitation") {
    return {{"user_name", elicit("What is your name?", "name")}};
  }
  if (name == "test_input_required_result_sampling") {
    return {{"capital_question", sample("What is the capital of France?", 100)}};
  }
  if (name == "test_input_required_result_list_roots") return {{"client_roots", roots()}};
  if (name == "test_input_required_result_multiple_inputs") {
    return {{"user_name", elicit("What is your name?", "name")},
            {"greeting", sample("Generate a greeting", 50)},
            {"client_roots", roots()}};
  }
  if (name == "test_input_required_result_multi_round") {
    return round == 1 ? Json{{"step1", elicit("Step 1: What is your name?", "name")}}
                      : Json{{"step2", elicit("Step 2: What is your favorite color?", "color")}};
  }
  if (name == "test_input_required_result_capabilities") {
    Json r = Json::object();
    if (x.clientHas("elicitation")) r["user_name"] = elicit("What is your name?", "name");
    if (x.clientHas("sampling")) r["greeting"] = sample("Generate a greeting", 50);
    if (x.clientHas("roots")) r["client_roots"] = roots();
    return r;
  }
  if (name == "test_input_required_result_prompt") {
    return {{"user_context", elicit("What context should the prompt use?", "context")}};
  }
  return {{"confirm", elicit("Please confirm", "ok")}};  // request_state, tampered_state
}

int roundsOf(const std::string& name) {
  return name == "test_input_required_result_multi_round" ? 2 : 1;
}

Reply inputRequired(const std::string& name, int round, const Exchange& x, McpServer::Impl& s) {
  RequestState st{x.principal->tenant,
                  x.principal->id,
                  name,
                  "",
                  "round:" + std::to_string(round),
                  s.clock->nowMicros() + 60000000,
                  randomHex(16)};
  return Reply::ok(Json{{"resultType", "input_required"},
                        {"inputRequests", roundRequests(name, round, x)},
                        {"requestState", sealRequestState(st, s.state_key)}});
}

// Runs the rounds of an input-required fixture. Returns the round just answered (1-based), or
// 0 when the client must be asked (again); an error Reply when state or responses are bad.
std::optional<Reply> answeredRound(const std::string& name, const Json& p, const Exchange& x,
                                   McpServer::Impl& s, int* round) {
  *round = 0;
  if (!p.contains("inputResponses")) return std::nullopt;
  const Json& responses = p["inputResponses"];
  if (!responses.is_object())
    return Reply::fail(kInvalidParams, "inputResponses must be an object");
  for (const auto& [key, value] : responses.items()) {
    if (!value.is_object()) {
      return Reply::fail(kInvalidParams, "inputResponses['" + key + "'] must be an object");
    }
  }
  int answered = 1;
  if (p.contains("requestState")) {
    const Json& token = p["requestState"];
    auto st = token.is_string()
                  ? openRequestState(token.get<std::string>(), s.state_key, s.clock->nowMicros())
                  : Result<RequestState>(Status::invalidArgument("requestState must be a string"));
    if (!st.ok()) return Reply::fail(kInvalidParams, st.status().message());
    if (st->principal_id != x.principal->id || st->tool != name) {
      return Reply::fail(kInvalidParams, "requestState was issued for another principal or tool");
    }
    answered = std::atoi(st->approval_id.substr(6).c_str());
  }
  const Json asked = roundRequests(name, answered, x);
  for (const auto& [key, unused] : asked.items()) {
    if (!responses.contains(key)) return std::nullopt;  // missing: ask again
  }
  *round = answered;
  return std::nullopt;
}

Reply inputFlow(const std::string& name, const Json& p, const Exchange& x, McpServer::Impl& s) {
  int round = 0;
  if (auto err = answeredRound(name, p, x, s, &round)) return *err;
  if (round == 0) return inputRequired(name, 1, x, s);
  if (round < roundsOf(name)) return inputRequired(name, round + 1, x, s);
  const Json& r = p["inputResponses"];
  std::string summary = "state-ok: ";
  if (r.contains("user_name") && r["user_name"].contains("content")) {
    summary += "Hello, " +
               (stringField(r["user_name"]["content"], "name").empty()
                    ? std::string("there")
                    : stringField(r["user_name"]["content"], "name")) +
               "! ";
  }
  if (r.contains("capital_question")) summary += "LLM said: " + dumpJson(r["capital_question"]);
  if (r.contains("client_roots")) summary += " roots: " + dumpJson(r["client_roots"]);
  if (r.contains("step2")) summary += "completed both rounds";
  return Reply::ok(content(Json::array({text(summary)})));
}

}  // namespace

bool ConformanceFixtures::hasTool(const std::string& name) const {
  if (hasTaskTool(name)) return true;
  for (const FixtureTool& t : kTools) {
    if (name == t.name) return true;
  }
  return false;
}

Json ConformanceFixtures::inputSchema(const std::string& name) const {
  if (name == "test_custom_header_params") {  // SEP-2243 parameters (param_headers.h)
    return Json{{"type", "object"},
                {"properties",
                 {{"region", {{"type", "string"}, {"x-mcp-header", "Region"}}},
                  {"priority", {{"type", "integer"}, {"x-mcp-header", "Priority"}}},
                  {"query", {{"type", "string"}}}}},
                {"required", {"region"}}};
  }
  return Json{{"type", "object"}, {"properties", Json::object()}};
}

void ConformanceFixtures::appendTools(Json& tools) const {
  for (const FixtureTool& t : kTools) {
    tools.push_back(Json{
        {"name", t.name}, {"description", t.description}, {"inputSchema", inputSchema(t.name)}});
  }
  appendTaskTools(tools);
}

Reply ConformanceFixtures::callTool(const std::string& name, const Json& args, const Message& m,
                                    Exchange& x, McpServer::Impl& s) const {
  if (hasTaskTool(name)) return callTaskTool(name, args, m, x, s);
  if (name == "test_custom_header_params") {
    return Reply::ok(content(Json::array({text("region " + args.value("region", ""))})));
  }
  if (name == "test_simple_text") {
    return Reply::ok(content(Json::array({text("This is a simple text response for testing.")})));
  }
  if (name == "test_image_content") {
    return Reply::ok(
        content(Json::array({Json{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}}})));
  }
  if (name == "test_audio_content") {
    return Reply::ok(
        content(Json::array({Json{{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}}})));
  }
  if (name == "test_embedded_resource") {
    return Reply::ok(
        content(Json::array({Json{{"type", "resource"},
                                  {"resource",
                                   {{"uri", "test://embedded-resource"},
                                    {"mimeType", "text/plain"},
                                    {"text", "This is an embedded resource content."}}}}})));
  }
  if (name == "test_multiple_content_types") {
    return Reply::ok(
        content(Json::array({text("Multiple content types test:"),
                             Json{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}},
                             Json{{"type", "resource"},
                                  {"resource",
                                   {{"uri", "test://mixed-content-resource"},
                                    {"mimeType", "application/json"},
                                    {"text", "{\"test\":\"data\",\"value\":123}"}}}}})));
  }
  if (name == "test_tool_with_logging" || name == "test_logging_tool") {
    for (const char* msg :
         {"Tool execution started", "Tool processing data", "Tool execution completed"}) {
      x.log("info", "conformance", msg);
    }
    return Reply::ok(content(Json::array({text("Tool with logging executed successfully")})));
  }
  if (name == "test_tool_with_progress") {
    for (double d : {0.0, 50.0, 100.0}) x.progress(d, 100, "");
    return Reply::ok(content(Json::array({text("Tool with progress executed successfully")})));
  }
  if (name == "test_error_handling") {
    Json r = content(Json::array({text("This tool intentionally returns an error for testing")}));
    r["isError"] = true;
    return Reply::ok(std::move(r));
  }
  if (name == "test_missing_capability") {
    if (!x.clientHas("sampling")) {
      return Reply::fail(kMissingClientCapability,
                         "this tool needs the client's sampling capability",
                         Json{{"requiredCapabilities", {{"sampling", Json::object()}}}},
                         StatusCode::kInvalidArgument);
    }
    return Reply::ok(content(Json::array({text("sampling capability present")})));
  }
  if (auto r = askingTool(name, args, x)) return *r;
  if (name == "test_trigger_tool_change") {
    s.toolsChanged(x.principal->tenant);
    return Reply::ok(content(Json::array({text("tool list change signalled")})));
  }
  return inputFlow(name, m.params, x, s);
}

void ConformanceFixtures::appendResources(Json& resources) const {
  resources.push_back(Json{{"uri", "test://static-text"},
                           {"name", "static-text"},
                           {"description", "A static text resource"},
                           {"mimeType", "text/plain"}});
  resources.push_back(Json{{"uri", "test://static-binary"},
                           {"name", "static-binary"},
                           {"description", "A static binary resource"},
                           {"mimeType", "image/png"}});
  resources.push_back(Json{{"uri", "test://watched-resource"},
                           {"name", "watched-resource"},
                           {"description", "A resource that can be subscribed to"},
                           {"mimeType", "text/plain"}});
}

void ConformanceFixtures::appendTemplates(Json& templates) const {
  templates.push_back(Json{{"uriTemplate", "test://template/{id}/data"},
                           {"name", "template"},
                           {"description", "A templated resource"},
                           {"mimeType", "application/json"}});
}

std::optional<Reply> ConformanceFixtures::readResource(const std::string& uri) const {
  auto one = [&](Json c) { return Reply::ok(Json{{"contents", Json::array({std::move(c)})}}); };
  if (uri == "test://static-text") {
    return one(Json{{"uri", uri},
                    {"mimeType", "text/plain"},
                    {"text", "This is the content of the static text resource."}});
  }
  if (uri == "test://static-binary") {
    return one(Json{{"uri", uri}, {"mimeType", "image/png"}, {"blob", kPng}});
  }
  if (uri == "test://watched-resource") {
    return one(Json{{"uri", uri}, {"mimeType", "text/plain"}, {"text", "Watched content."}});
  }
  const std::string prefix = "test://template/", suffix = "/data";
  if (uri.rfind(prefix, 0) == 0 && uri.size() > prefix.size() + suffix.size() &&
      uri.compare(uri.size() - suffix.size(), suffix.size(), suffix) == 0) {
    std::string id = uri.substr(prefix.size(), uri.size() - prefix.size() - suffix.size());
    Json body = {{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
    return one(Json{{"uri", uri}, {"mimeType", "application/json"}, {"text", dumpJson(body)}});
  }
  return std::nullopt;
}

void ConformanceFixtures::appendPrompts(Json& prompts) const {
  auto arg = [](const char* n) { return Json{{"name", n}, {"required", true}}; };
  prompts.push_back(Json{{"name", "test_simple_prompt"}, {"description", "A simple prompt"}});
  prompts.push_back(Json{{"name", "test_prompt_with_arguments"},
                         {"description", "A prompt with arguments"},
                         {"arguments", Json::array({arg("arg1"), arg("arg2")})}});
  prompts.push_back(Json{{"name", "test_prompt_with_embedded_resource"},
                         {"description", "A prompt with an embedded resource"},
                         {"arguments", Json::array({arg("resourceUri")})}});
  prompts.push_back(
      Json{{"name", "test_prompt_with_image"}, {"description", "A prompt with an image"}});
  prompts.push_back(Json{{"name", "test_input_required_result_prompt"},
                         {"description", "A prompt that asks for input first"}});
}

std::optional<Reply> ConformanceFixtures::inputPrompt(const Message& m, Exchange& x,
                                                      McpServer::Impl& server) const {
  if (stringField(m.params, "name") != "test_input_required_result_prompt") return std::nullopt;
  Reply r = inputFlow("test_input_required_result_prompt", m.params, x, server);
  if (r.error || r.result.contains("resultType")) return r;
  return Reply::ok(Json{
      {"description", "A prompt that needed input"},
      {"messages", Json::array({Json{{"role", "user"}, {"content", text("Context received")}}})}});
}

std::optional<Reply> ConformanceFixtures::getPrompt(const std::string& name,
                                                    const Json& args) const {
  auto user = [](Json c) { return Json{{"role", "user"}, {"content", std::move(c)}}; };
  auto messages = [](Json m) { return Reply::ok(Json{{"messages", std::move(m)}}); };
  if (name == "test_simple_prompt") {
    return messages(Json::array({user(text("This is a simple prompt for testing."))}));
  }
  if (name == "test_prompt_with_arguments") {
    return messages(
        Json::array({user(text("Prompt with arguments: arg1='" + stringField(args, "arg1") +
                               "', arg2='" + stringField(args, "arg2") + "'"))}));
  }
  if (name == "test_prompt_with_embedded_resource") {
    return messages(Json::array({user(Json{{"type", "resource"},
                                           {"resource",
                                            {{"uri", stringField(args, "resourceUri")},
                                             {"mimeType", "text/plain"},
                                             {"text", "Embedded resource content for testing."}}}}),
                                 user(text("Please process the embedded resource above."))}));
  }
  if (name == "test_prompt_with_image") {
    return messages(
        Json::array({user(Json{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}}),
                     user(text("Please analyze the image above."))}));
  }
  return std::nullopt;
}

std::optional<Reply> ConformanceFixtures::complete(const Json& params) const {
  const std::string prefix = stringField(params["argument"], "value");
  Json values = Json::array();
  for (const char* v : {"paris", "park", "party"}) {
    if (std::string(v).rfind(prefix, 0) == 0) values.push_back(v);
  }
  return Reply::ok(
      Json{{"completion", {{"values", values}, {"total", values.size()}, {"hasMore", false}}}});
}

}  // namespace ward::mcp
