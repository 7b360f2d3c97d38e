#!/usr/bin/env python3
"""A fake OpenAI Chat Completions server for Ward's model tests, speaking the real wire format.

The scenario is the upstream model id Ward sends (`[[models]] model = "..."`), so one server
serves every scenario at once:

  text          a plain answer ("Hello from the fake."); a conversation ending in a tool
                result gets "The tool said: <result>".
  tool          one tool call (get_weather {"city":"Paris"}) unless the last message is a tool
                result, then text (what runTools needs).
  tools2        two parallel tool calls; streamed with interleaved argument deltas.
  empty_args    one tool call with arguments "".
  bad_args      one tool call with malformed arguments "{\"city\":".
  r429          429 with retry-after-ms: 20 on the first request of each conversation, then text.
  quota         429 insufficient_quota (a spend limit), always.
  r529          529 overloaded on the first request, then text.
  noretry       503 with x-should-retry: false, always.
  fail          500, always.
  midstream     streams one text delta, then an error event.
  drop          streams text and the finish reason, then closes before usage and [DONE].
  echo          answers with the JSON of the request it got (what Ward forwarded).
  search        one call of search_docs (a tool of Ward's gateway in the tests).
  slow          a streamed text whose chunks come 1 s apart (held-open streams).

POST /v1/messages speaks the Anthropic Messages dialect for the scenarios text, tool, tools2,
r529 and think (a thinking block with signature "sig-123" before a tool_use; the next turn is
refused with 400 unless that block comes back verbatim before the tool_use). Every tool_use id
and tool_result tool_use_id must match ^[a-zA-Z0-9_-]+$ (400 otherwise, as Anthropic does).

Tool-call ids (fake_ids.py): every dialect answers 400 to a request carrying one of Ward's ids
(`call_w-...`), and in the scenarios that issue calls (tool, tools2, search, empty_args,
bad_args; Anthropic: tool, think, tools2) to any id it did not issue itself.

POST /v1/models/{scenario}:generateContent (and :streamGenerateContent?alt=sse) speaks the
Gemini dialect (fake_gemini.py: text, tool, tools2, empty_args, think, r429, r529, midstream,
echo; `x-goog-api-key`).

POST /v1/responses speaks the OpenAI Responses dialect (fake_responses.py). POST
/v1/embeddings and Gemini's :batchEmbedContents answer one vector [len(text), 0.5, -1.25] per
input (/v1/embeddings: 500 for the model "embed_fail"; counted as "embeddings:<model>").

Every request needs `Authorization: Bearer test-upstream-key` (`x-api-key` on /v1/messages;
401 otherwise). The server counts
requests per scenario (GET /_count/<scenario>) and keeps the last request body
(GET /_last/<scenario>) and the bytes of the last response body it sent (GET /_sent/<scenario>,
base64, for the cassette test). Prints "listening on http://127.0.0.1:PORT" and serves until killed.
"""
import base64
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_gemini  # noqa: E402
import fake_ids  # noqa: E402
import fake_responses  # noqa: E402

KEY = "test-upstream-key"
COUNTS = {}
LAST = {}
SENT = {}  # scenario -> the response body bytes last sent
LOCK = threading.Lock()


def completion(model, message, finish, usage=True):
    body = {"id": "chatcmpl-fake1", "object": "chat.completion", "created": 1700000000,
            "model": model + "-2026-01-01",
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": finish}]}
    if usage:
        body["usage"] = {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17,
                         "prompt_tokens_details": {"cached_tokens": 2},
                         "completion_tokens_details": {"reasoning_tokens": 1}}
    return body


def tool_call(i, name, args):
    return {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": args}}


def answer_for(scenario, req):
    """(message, finish) for a non-error scenario."""
    msgs = req.get("messages", [])
    last = msgs[-1] if msgs else {}
    if last.get("role") == "tool":
        return {"role": "assistant", "content": "The tool said: " + str(last.get("content"))}, "stop"
    if scenario == "tool":
        return {"role": "assistant", "content": None,
                "tool_calls": [tool_call("a", "get_weather", "{\"city\":\"Paris\"}")]}, "tool_calls"
    if scenario == "tools2":
        return {"role": "assistant", "content": None,
                "tool_calls": [tool_call("a", "get_weather", "{\"city\":\"Paris\"}"),
                               tool_call("b", "get_time", "{\"tz\":\"CET\"}")]}, "tool_calls"
    if scenario == "search":
        return {"role": "assistant", "content": None,
                "tool_calls": [tool_call("s", "search_docs", "{\"query\":\"vpn\"}")]}, "tool_calls"
    if scenario == "empty_args":
        return {"role": "assistant", "content": None,
                "tool_calls": [tool_call("a", "get_time", "")]}, "tool_calls"
    if scenario == "bad_args":
        return {"role": "assistant", "content": None,
                "tool_calls": [tool_call("a", "get_weather", "{\"city\":")]}, "tool_calls"
    if scenario == "echo":
        return {"role": "assistant", "content": json.dumps(req, sort_keys=True)}, "stop"
    return {"role": "assistant", "content": "Hello from the fake."}, "stop"


def chunk(model, delta, finish=None, usage=None, choices=True):
    c = {"id": "chatcmpl-fake1", "object": "chat.completion.chunk", "created": 1700000000,
         "model": model + "-2026-01-01",
         "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
         if choices else [], "usage": usage}
    return "data: " + json.dumps(c) + "\n\n"


def stream_events(scenario, model, req):
    """The SSE body pieces of a streamed answer."""
    message, finish = answer_for(scenario, req)
    out = [chunk(model, {"role": "assistant", "content": ""})]
    if scenario == "tools2" and message.get("tool_calls"):
        # Both calls open, then their argument pieces interleave.
        out.append(chunk(model, {"tool_calls": [
            {"index": 0, "id": "call_a", "type": "function",
             "function": {"name": "get_weather", "arguments": ""}}]}))
        out.append(chunk(model, {"tool_calls": [
            {"index": 1, "id": "call_b", "type": "function",
             "function": {"name": "get_time", "arguments": ""}}]}))
        for i, piece in [(0, "{\"city\""), (1, "{\"tz\":"), (0, ":\"Paris\"}"), (1, "\"CET\"}")]:
            out.append(chunk(model, {"tool_calls": [{"index": i, "function": {"arguments": piece}}]}))
    elif message.get("tool_calls"):
        for i, call in enumerate(message["tool_calls"]):
            args = call["function"]["arguments"]
            out.append(chunk(model, {"tool_calls": [
                {"index": i, "id": call["id"], "type": "function",
                 "function": {"name": call["function"]["name"], "arguments": args[:3]}}]}))
            if args[3:]:
                out.append(chunk(model, {"tool_calls": [
                    {"index": i, "function": {"arguments": args[3:]}}]}))
    else:
        text = message["content"]
        for i in range(0, len(text), 5):
            out.append(chunk(model, {"content": text[i:i + 5]}))
    out.append(chunk(model, {}, finish=finish))
    if scenario == "drop":
        return out, True
    out.append(chunk(model, None, usage={"prompt_tokens": 12, "completion_tokens": 5,
                                         "total_tokens": 17}, choices=False))
    out.append("data: [DONE]\n\n")
    return out, False


ANTHROPIC_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
OPENAI_ISSUED = {"call_a", "call_b", "call_s"}
ANTHROPIC_ISSUED = {"toolu_a", "call_a", "call_b"}


def openai_ids(req):
    """Every tool-call id of a Chat Completions request (assistant calls and tool results)."""
    ids = []
    for m in req.get("messages", []):
        ids += [c.get("id") for c in (m.get("tool_calls") or [])]
        if m.get("role") == "tool":
            ids.append(m.get("tool_call_id"))
    return ids
THINKING = {"type": "thinking", "thinking": "The user wants weather.", "signature": "sig-123"}


def anthropic_check(req):
    """An error message when the request breaks the dialect's rules, else None."""
    msgs = req.get("messages", [])
    ids = [b.get("id") if b.get("type") == "tool_use" else b.get("tool_use_id")
           for m in msgs if isinstance(m.get("content"), list) for b in m["content"]
           if b.get("type") in ("tool_use", "tool_result")]
    wrong = fake_ids.problem(ids, ANTHROPIC_ISSUED if req.get("model") in
                             ("tool", "think", "tools2") else None)
    if wrong:
        return wrong
    for i, m in enumerate(msgs):
        content = m.get("content")
        if not isinstance(content, list):
            continue
        for j, b in enumerate(content):
            key = "id" if b.get("type") == "tool_use" else "tool_use_id"
            if b.get("type") in ("tool_use", "tool_result") and \
                    not ANTHROPIC_ID.match(str(b.get(key, ""))):
                return (f"messages.{i}.content.{j}.{b['type']}.{key}: String should match "
                        "pattern '^[a-zA-Z0-9_-]+$'")
        if req.get("model") == "think" and m.get("role") == "assistant" and \
                any(b.get("type") == "tool_use" for b in content):
            if not content or content[0] != THINKING:
                return (f"messages.{i}.content.0: a thinking block with its signature must "
                        "precede tool_use")
    if not isinstance(req.get("max_tokens"), int):
        return "max_tokens: Field required"
    return None


def anthropic_answer(scenario, req):
    msgs = req.get("messages", [])
    last = msgs[-1] if msgs else {}
    lc = last.get("content")
    results = [b for b in lc if b.get("type") == "tool_result"] if isinstance(lc, list) else []
    if results:
        return [{"type": "text", "text": "The tool said: " + str(results[-1].get("content"))}], \
            "end_turn"
    if scenario == "tool":
        return [{"type": "tool_use", "id": "toolu_a", "name": "get_weather",
                 "input": {"city": "Paris"}}], "tool_use"
    if scenario == "think":
        return [THINKING, {"type": "tool_use", "id": "toolu_a", "name": "get_weather",
                           "input": {"city": "Paris"}}], "tool_use"
    if scenario == "tools2":
        return [{"type": "tool_use", "id": "call_a", "name": "get_weather",
                 "input": {"city": "Paris"}},
                {"type": "tool_use", "id": "call_b", "name": "get_time", "input": {"tz": "CET"}}], \
            "tool_use"
    return [{"type": "text", "text": "Hello from the fake."}], "end_turn"


def anthropic_events(scenario, req):
    content, stop = anthropic_answer(scenario, req)
    model = scenario + "-2026-01-01"
    ev = [("message_start", {"type": "message_start", "message": {
        "id": "msg_fake1", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "usage": {"input_tokens": 10, "cache_read_input_tokens": 2,
                                       "output_tokens": 1}}}),
          ("ping", {"type": "ping"})]
    for i, b in enumerate(content):
        if b["type"] == "text":
            ev.append(("content_block_start", {"type": "content_block_start", "index": i,
                                               "content_block": {"type": "text", "text": ""}}))
            for k in range(0, len(b["text"]), 5):
                ev.append(("content_block_delta", {"type": "content_block_delta", "index": i,
                           "delta": {"type": "text_delta", "text": b["text"][k:k + 5]}}))
        elif b["type"] == "thinking":
            ev.append(("content_block_start", {"type": "content_block_start", "index": i,
                                               "content_block": {"type": "thinking",
                                                                 "thinking": ""}}))
            ev.append(("content_block_delta", {"type": "content_block_delta", "index": i,
                       "delta": {"type": "thinking_delta", "thinking": b["thinking"]}}))
            ev.append(("content_block_delta", {"type": "content_block_delta", "index": i,
                       "delta": {"type": "signature_delta", "signature": b["signature"]}}))
        else:
            ev.append(("content_block_start", {"type": "content_block_start", "index": i,
                       "content_block": {"type": "tool_use", "id": b["id"], "name": b["name"],
                                         "input": {}}}))
            text = json.dumps(b["input"], separators=(",", ":"))
            for k in range(0, len(text), 4):
                ev.append(("content_block_delta", {"type": "content_block_delta", "index": i,
                           "delta": {"type": "input_json_delta", "partial_json": text[k:k + 4]}}))
        ev.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
    ev.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop},
                                 "usage": {"output_tokens": 5}}))
    ev.append(("message_stop", {"type": "message_stop"}))
    return [f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in ev]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes

    def log_message(self, *args):
        pass

    def send_json(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.sent(data)

    def sent(self, data):
        scenario = getattr(self, "scenario", None)
        if scenario is not None:
            with LOCK:
                SENT[scenario] = SENT.get(scenario, b"") + data

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        with LOCK:
            if len(parts) == 2 and parts[0] == "_count":
                return self.send_json(200, {"count": COUNTS.get(parts[1], 0)})
            if len(parts) == 2 and parts[0] == "_last":
                return self.send_json(200, LAST.get(parts[1], {}))
            if len(parts) == 2 and parts[0] == "_sent":
                return self.send_json(200, {"b64": base64.b64encode(
                    SENT.get(parts[1], b"")).decode()})
        self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):
        self.scenario = None
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if self.path == "/v1/messages":
            return self.anthropic(raw)
        if self.path == "/v1/embeddings":
            return self.embeddings(raw)
        if self.path == "/v1/responses":
            return fake_responses.handle(self, raw, COUNTS, LAST, LOCK)
        if self.path.startswith("/v1/models/"):
            return fake_gemini.handle(self, self.path, raw, COUNTS, LAST, LOCK)
        if self.path != "/v1/chat/completions":
            return self.send_json(404, {"error": {"message": "no route " + self.path}})
        if self.headers.get("Authorization") != "Bearer " + KEY:
            return self.send_json(401, {"error": {"message": "Incorrect API key provided",
                                                  "type": "invalid_request_error",
                                                  "code": "invalid_api_key"}})
        try:
            req = json.loads(raw)
        except ValueError:
            return self.send_json(400, {"error": {"message": "bad json"}})
        scenario = req.get("model", "text")
        with LOCK:
            n = COUNTS.get(scenario, 0)
            COUNTS[scenario] = n + 1
            LAST[scenario] = req
            SENT[scenario] = b""
        self.scenario = scenario
        err = {"error": {"message": "", "type": "", "code": None}}
        if scenario == "r429" and n % 2 == 0:
            err["error"].update(message="Rate limit reached", type="requests",
                                code="rate_limit_exceeded")
            return self.send_json(429, err, {"retry-after-ms": "20"})
        if scenario == "quota":
            err["error"].update(message="You exceeded your current quota",
                                type="insufficient_quota", code="insufficient_quota")
            return self.send_json(429, err)
        if scenario == "r529" and n % 2 == 0:
            err["error"].update(message="Overloaded", type="overloaded_error")
            return self.send_json(529, err)
        if scenario == "noretry":
            err["error"].update(message="Unavailable, do not retry", type="server_error")
            return self.send_json(503, err, {"x-should-retry": "false"})
        if scenario == "fail":
            err["error"].update(message="Internal failure", type="server_error")
            return self.send_json(500, err)
        wrong = fake_ids.problem(openai_ids(req), OPENAI_ISSUED if scenario in (
            "tool", "tools2", "search", "empty_args", "bad_args") else None)
        if wrong:
            err["error"].update(message=wrong, type="invalid_request_error", param="messages")
            return self.send_json(400, err)
        if not req.get("stream"):
            if scenario == "midstream" or scenario == "drop":
                scenario = "text"
            message, finish = answer_for(scenario, req)
            return self.send_json(200, completion(scenario, message, finish))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        if scenario == "midstream":
            self.wfile.write(chunk(scenario, {"role": "assistant", "content": "Hel"}).encode())
            self.wfile.flush()
            time.sleep(0.01)
            self.wfile.write(("data: " + json.dumps({"error": {
                "message": "The server had an error while processing your request.",
                "type": "server_error"}}) + "\n\n").encode())
            self.wfile.flush()
            self.close_connection = True
            return
        events, drop = stream_events(scenario, scenario, req)
        if scenario == "slow":
            try:
                for e in events:
                    self.wfile.write(e.encode())
                    self.wfile.flush()
                    time.sleep(1)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
            return
        self.write_events(events)

    def write_events(self, events):
        try:
            for e in events:
                self.wfile.write(e.encode())
                self.wfile.flush()
                self.sent(e.encode())
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client (Ward) stopped reading: a test of exactly that
        self.close_connection = True


    def embeddings(self, raw):
        """POST /v1/embeddings: one vector [len(text), 0.5, -1.25] per input (floats only: Ward
        must ask for floats and encode base64 itself); usage counts words."""
        if self.headers.get("Authorization") != "Bearer " + KEY:
            return self.send_json(401, {"error": {"message": "Incorrect API key provided",
                                                  "type": "invalid_request_error"}})
        req = json.loads(raw)
        with LOCK:
            LAST["embeddings"] = req
            COUNTS["embeddings:" + str(req.get("model"))] = \
                COUNTS.get("embeddings:" + str(req.get("model")), 0) + 1
        if req.get("model") == "embed_fail":
            return self.send_json(500, {"error": {"message": "Internal failure",
                                                  "type": "server_error"}})
        if req.get("encoding_format") != "float" or not isinstance(req.get("input"), list):
            return self.send_json(400, {"error": {"message": "tests expect float and a list",
                                                  "type": "invalid_request_error"}})
        data = [{"object": "embedding", "index": i, "embedding": [float(len(t)), 0.5, -1.25]}
                for i, t in enumerate(req["input"])]
        words = sum(len(t.split()) for t in req["input"])
        self.send_json(200, {"object": "list", "data": data, "model": req["model"] + "-v2",
                             "usage": {"prompt_tokens": words, "total_tokens": words}})

    def anthropic(self, raw):
        def error(status, etype, message):
            return self.send_json(status, {"type": "error",
                                           "error": {"type": etype, "message": message}})
        if self.headers.get("x-api-key") != KEY or not self.headers.get("anthropic-version"):
            return error(401, "authentication_error", "invalid x-api-key")
        try:
            req = json.loads(raw)
        except ValueError:
            return error(400, "invalid_request_error", "bad json")
        scenario = req.get("model", "text")
        key = "anthropic:" + scenario
        with LOCK:
            n = COUNTS.get(key, 0)
            COUNTS[key] = n + 1
            LAST[key] = req
        problem = anthropic_check(req)
        if problem:
            return error(400, "invalid_request_error", problem)
        if scenario == "r529" and n % 2 == 0:
            return error(529, "overloaded_error", "Overloaded")
        if not req.get("stream"):
            content, stop = anthropic_answer(scenario, req)
            return self.send_json(200, {
                "id": "msg_fake1", "type": "message", "role": "assistant",
                "model": scenario + "-2026-01-01", "content": content, "stop_reason": stop,
                "stop_sequence": None,
                "usage": {"input_tokens": 10, "cache_read_input_tokens": 2,
                          "cache_creation_input_tokens": 0, "output_tokens": 5}})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.write_events(anthropic_events(scenario, req))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
