// TEST ONLY: the tasks-extension fixtures the official conformance suite calls by name
// (tasks-* scenarios, SEP-2663). They touch no data and no backend. A task-supporting fixture
// runs as a task when the request negotiated tasks (task_methods.cc), else synchronously; a
// `required` one without tasks is refused (-32021 in 2026-07-28).
#include <algorithm>
#include <chrono>
#include <thread>

#include "conformance_fixtures.h"

namespace ward::mcp {

namespace {

constexpr int64_t kMaxComputeSeconds = 120;       // slow_compute sleeps at most this long
constexpr int64_t kInputWaitMs = 10 * 60 * 1000;  // a fixture waits this long for tasks/update

enum class TaskSupport { kForbidden, kOptional, kRequired };

struct TaskFixture {
  const char* name;
  const char* description;
  TaskSupport support;
};

constexpr TaskFixture kTaskTools[] = {
    {"greet", "Says hello (never a task)", TaskSupport::kForbidden},
    {"slow_compute", "Sleeps `seconds`, then answers (a task when negotiated)",
     TaskSupport::kOptional},
    {"failing_job", "A task whose tool reports an error", TaskSupport::kRequired},
    {"protocol_error_job", "A task that fails with a protocol error", TaskSupport::kOptional},
    {"confirm_delete", "A task that asks the client to confirm", TaskSupport::kOptional},
    {"multi_input", "A task that asks the client two things at once", TaskSupport::kOptional},
    {"test_tool_with_task", "Asks for a name (input required), then runs as a task",
     TaskSupport::kRequired},
};

const TaskFixture* findTaskFixture(const std::string& name) {
  for (const TaskFixture& t : kTaskTools) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

Json textResult(const std::string& text, bool is_error = false) {
  Json r = {{"content", Json::array({Json{{"type", "text"}, {"text", text}}})}};
  if (is_error) r["isError"] = true;
  return r;
}

Json elicitRequest(const std::string& message, const std::string& field, const char* type) {
  return Json{{"method", "elicitation/create"},
              {"params",
               {{"message", message},
                {"requestedSchema",
                 {{"type", "object"},
                  {"properties", {{field, {{"type", type}}}}},
                  {"required", {field}}}}}}};
}

Json schemaFor(const std::string& name) {
  Json props = Json::object();
  if (name == "greet") props["name"] = {{"type", "string"}};
  if (name == "slow_compute") {
    props["seconds"] = {{"type", "number"}};
    props["label"] = {{"type", "string"}};
  }
  if (name == "confirm_delete") props["filename"] = {{"type", "string"}};
  return Json{{"type", "object"}, {"properties", props}};
}

// Inside a task: asks the client (the task is input_required until every key is answered
// through tasks/update); the answers, or nullopt when cancelled or unanswered in time.
std::optional<Json> askTaskInput(McpServer::Impl& s, const std::string& id, const Json& requests) {
  s.changeTask(id, [&](Task& t) {
    t.status = TaskStatus::kInputRequired;
    t.status_message = "waiting for the client's input";
    t.input_requests = requests;
  });
  auto t = s.tasks.waitUntil(
      id,
      [&](const Task& k) {
        if (k.cancel_requested) return true;
        for (const auto& [key, unused] : requests.items()) {
          if (!k.input_responses.contains(key)) return false;
        }
        return true;
      },
      kInputWaitMs);
  if (!t || t->cancel_requested) return std::nullopt;
  for (const auto& [key, unused] : requests.items()) {
    if (!t->input_responses.contains(key)) return std::nullopt;
  }
  return t->input_responses;
}

// The fixture's work, run as a task body (task_id set) or synchronously (task_id empty).
Reply runFixture(const std::string& name, const Json& args, McpServer::Impl& s,
                 const std::string& task_id) {
  if (name == "slow_compute") {
    int64_t seconds = args.contains("seconds") && args["seconds"].is_number()
                          ? static_cast<int64_t>(args["seconds"].get<double>())
                          : 0;
    seconds = std::clamp<int64_t>(seconds, 0, kMaxComputeSeconds);
    if (seconds > 0 && !task_id.empty()) {
      // Ends early when the task is cancelled (or Ward shuts down).
      s.tasks.waitUntil(
          task_id, [](const Task& k) { return k.cancel_requested; }, seconds * 1000);
    } else if (seconds > 0) {
      std::this_thread::sleep_for(std::chrono::seconds(seconds));
    }
    return Reply::ok(textResult("computed " + args.value("label", std::string("")) + " in " +
                                std::to_string(seconds) + " s"));
  }
  if (name == "failing_job") return Reply::ok(textResult("failing_job always fails", true));
  if (name == "protocol_error_job") {
    return Reply::fail(kInternalError, "protocol_error_job: a simulated internal failure");
  }
  if (name == "confirm_delete" || name == "multi_input") {
    if (task_id.empty()) {
      return Reply::ok(textResult(name + " asks the client: call it as a task", true));
    }
    Json requests =
        name == "confirm_delete"
            ? Json{{"confirm", elicitRequest("Delete " + args.value("filename", "") + "?",
                                             "confirm", "boolean")}}
            : Json{{"name", elicitRequest("What is your name?", "name", "string")},
                   {"confirm", elicitRequest("Confirm?", "confirm", "boolean")}};
    auto answers = askTaskInput(s, task_id, requests);
    if (!answers) return Reply::ok(textResult("no answer: the task was cancelled", true));
    return Reply::ok(textResult(name + " done: " + dumpJson(*answers)));
  }
  return Reply::ok(textResult("Hello, " + args.value("name", std::string("there")) + "!"));
}

}  // namespace

bool ConformanceFixtures::hasTaskTool(const std::string& name) const {
  return findTaskFixture(name) != nullptr;
}

void ConformanceFixtures::appendTaskTools(Json& tools) const {
  for (const TaskFixture& t : kTaskTools) {
    Json tool = {
        {"name", t.name}, {"description", t.description}, {"inputSchema", schemaFor(t.name)}};
    if (t.support != TaskSupport::kForbidden) {
      tool["execution"] =
          Json{{"taskSupport", t.support == TaskSupport::kRequired ? "required" : "optional"}};
    }
    tools.push_back(std::move(tool));
  }
}

Reply ConformanceFixtures::callTaskTool(const std::string& name, const Json& args, const Message& m,
                                        Exchange& x, McpServer::Impl& s) const {
  const TaskFixture* f = findTaskFixture(name);
  const bool tasks = s.tasksNegotiated(m, x);
  if (f->support == TaskSupport::kForbidden || (!tasks && f->support == TaskSupport::kOptional)) {
    return runFixture(name, args, s, "");
  }
  if (!tasks) {
    return Reply::fail(
        kMissingClientCapability,
        "tool '" + name +
            "' runs only as a task: declare the client capability "
            "extensions['" +
            std::string(kTasksExtension) + "']",
        Json{{"requiredCapabilities", {{"extensions", {{kTasksExtension, Json::object()}}}}}},
        StatusCode::kInvalidArgument);
  }
  if (name == "test_tool_with_task") {
    // Round 1 gathers the name (input required, no task yet); the answered round is the task.
    const Json& r = m.params.contains("inputResponses") ? m.params["inputResponses"] : Json();
    if (!r.is_object() || !r.contains("user_name") || !r["user_name"].is_object()) {
      return Reply::ok(
          Json{{"resultType", "input_required"},
               {"inputRequests",
                {{"user_name", elicitRequest("What is your name?", "name", "string")}}}});
    }
    const Json& c = r["user_name"].contains("content") ? r["user_name"]["content"] : Json();
    const std::string who = c.is_object() ? c.value("name", std::string("there")) : "there";
    return s.startTask(m, x, name, [who](Exchange&, const std::string&) {
      return Reply::ok(textResult("Hello, " + who + "! (gathered before the task)"));
    });
  }
  return s.startTask(m, x, name, [name, args, &s](Exchange&, const std::string& id) {
    return runFixture(name, args, s, id);
  });
}

}  // namespace ward::mcp
