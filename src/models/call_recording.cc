// Recording a model call (call_recording.h): the prompt rendered and prepared ahead of the record,
// and the finished call's durable record.
#include "call_recording.h"

#include <algorithm>

#include "ward/common/clock.h"
#include "ward/common/log.h"

namespace ward::models {

std::string renderPrompt(const ChatRequest& r) {
  std::string out;
  for (const Message& m : r.messages) {
    out += "[" + std::string(roleName(m.role));
    if (!m.name.empty()) out += " " + m.name;
    if (m.role == Role::kTool) out += " " + m.tool_call_id;
    out += "]\n" + m.text() + "\n";
    for (const ToolCall& c : m.tool_calls) {
      out += "-> " + c.id + " " + c.name + "(" + c.arguments + ")\n";
    }
  }
  if (out.size() > audit::kMaxPromptBytes) out.resize(audit::kMaxPromptBytes);
  return out;
}

void preparePromptAhead(const ModelServiceOptions& options, const identity::Principal& who,
                        const ChatRequest& request, std::string* sha256, bool* stored) {
  audit::ModelCall c;
  c.rendered_prompt = renderPrompt(request);
  audit::ModelCallRecording where;
  where.sink = options.traces;
  where.prompts = options.prompts;
  where.redactor = options.redactor;
  where.tenant = who.tenant;
  where.time_us = SystemClock::instance().nowMicros();
  if (!audit::preparePrompt(where, c).ok()) return;
  *sha256 = std::move(c.prepared_prompt_sha256);
  *stored = c.prepared_prompt_stored;
}

Status recordFinishedCall(const ModelServiceOptions& options, const trace::TraceContext& trace,
                          const identity::Principal& who, const audit::ModelCall& call,
                          std::vector<trace::TraceEvent> also) {
  audit::ModelCallRecording where;
  where.sink = options.traces;
  where.prompts = options.prompts;
  where.redactor = options.redactor;
  where.context = trace;
  where.tenant = who.tenant;
  where.principal = who.name;
  where.time_us = SystemClock::instance().nowMicros();
  // Stamped no earlier than the call they follow (they were made just before it was recorded).
  for (trace::TraceEvent& e : also) e.time_us = std::max(e.time_us, where.time_us);
  where.also = std::move(also);
  auto rec = audit::recordModelCall(where, call);
  if (!rec.ok()) {
    logWarn("cannot record a model call: " + rec.status().toString());
    return Status::unavailable("the model call could not be recorded: " + rec.status().message());
  }
  return Status();
}

}  // namespace ward::models
